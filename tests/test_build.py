"""The build pipeline and the item store: incremental, atomic, crash-safe."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import cli

from indexer import open_index
from indexer.build import build_index
from indexer.models import IndexCorrupt, IndexIncompatible, IndexLocked, IndexMissing
from indexer.store import IndexDir


def _ids_titles(index: Path) -> list[tuple[str, str]]:
    return [(it.id, it.title) for it in open_index(index).items()]


def test_seed_build_counts(seeds: Path, tmp_path: Path) -> None:
    r = build_index([seeds], tmp_path / "idx", progress=False)
    assert r.items == 46 and r.files == 4 and not r.skipped
    items = list(open_index(tmp_path / "idx").items())
    kinds = {k: sum(1 for i in items if i.kind == k) for k in {i.kind for i in items}}
    assert kinds == {"summary": 32, "article": 1, "post": 12, "transcript": 1}
    assert len({i.id for i in items}) == 46
    assert {i.source for i in items} == {p.name for p in seeds.iterdir()}


def test_ids_stable_across_builds(seeds: Path, tmp_path: Path) -> None:
    build_index([seeds], tmp_path / "a", progress=False)
    build_index([seeds], tmp_path / "b", progress=False)
    assert _ids_titles(tmp_path / "a") == _ids_titles(tmp_path / "b")


def test_no_change_embeds_nothing(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    first = build_index([seeds], idx, progress=False)
    assert first.embedded == first.passages > 0
    gen = IndexDir(idx).read_manifest()["generation"]
    again = build_index([seeds], idx, progress=False)
    assert again.unchanged and again.embedded == 0
    assert IndexDir(idx).read_manifest()["generation"] == gen  # nothing rewritten


def test_touch_and_edit_reembed_only_that_file(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build_index([seeds], idx, progress=False)
    gplus = next(seeds.glob("003_*"))
    os.utime(gplus, None)  # touched, same content: nothing to embed
    r = build_index([seeds], idx, progress=False)
    assert r.embedded == 0
    text = gplus.read_text("utf-8")
    gplus.write_text(
        text.replace(
            "Fooling Linear Classifiers on ImageNet",
            "Fooling Linear Classifiers on ImageNet, revisited",
        ),
        "utf-8",
    )
    r = build_index([seeds], idx, progress=False)
    n_post = sum(1 for it in open_index(idx).items() if it.kind == "post")
    assert 0 < r.embedded <= 3, "only the edited post's passages are re-embedded"
    assert r.reused == r.passages - r.embedded
    assert n_post == 12


def test_deleted_capture_leaves_index(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build_index([seeds], idx, progress=False)
    next(seeds.glob("004_*")).unlink()
    r = build_index([seeds], idx, progress=False)
    assert r.items == 45
    assert all(it.kind != "transcript" for it in open_index(idx).items())


def test_bad_file_keeps_previous_items(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build_index([seeds], idx, progress=False)
    feed = next(seeds.glob("001_*"))
    feed.write_bytes(b"\x00\x01\x02binary now")
    r = build_index([seeds], idx, progress=False)
    assert r.items == 46 and feed.name in r.kept
    assert any(feed.name == s for s, _ in r.skipped)


def test_open_errors(tmp_path: Path, seeds: Path) -> None:
    with pytest.raises(IndexMissing, match="absorb index"):
        open_index(tmp_path / "nothing")
    idx = tmp_path / "idx"
    build_index([seeds], idx, progress=False)
    with pytest.raises(IndexIncompatible, match="fake:64"):
        open_index(idx, model="all-MiniLM-L6-v2")
    with pytest.raises(IndexIncompatible, match="--rebuild"):
        build_index([seeds], idx, model="fake:32", progress=False)
    r = build_index([seeds], idx, model="fake:32", rebuild=True, progress=False)
    assert r.embedded == r.passages
    assert open_index(idx).manifest["dim"] == 32


def test_corrupt_files_named(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build_index([seeds], idx, progress=False)
    gen = IndexDir(idx).current().path
    vec = gen / "passage_vectors.npy"
    vec.write_bytes(vec.read_bytes()[:1000])
    with pytest.raises(IndexCorrupt, match="passage_vectors.npy") as e:
        open_index(idx)
    assert "--rebuild" in str(e.value)
    # and a rebuild repairs it
    build_index([seeds], idx, rebuild=True, progress=False)
    assert len(open_index(idx)) == 46
    m = idx / "manifest.json"
    m.write_text("{ not json", "utf-8")
    with pytest.raises(IndexCorrupt, match="manifest.json"):
        open_index(idx)


def test_lock_refuses_second_writer(seeds: Path, tmp_path: Path) -> None:
    d = IndexDir(tmp_path / "idx")
    with d.lock(), pytest.raises(IndexLocked, match="another"):
        build_index([seeds], d.root, progress=False)


def test_items_json_cli(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    p = cli("index", str(seeds), "--index", str(idx))
    assert p.exit_code == 0, p.stderr
    p = cli("items", "--index", str(idx), "--json")
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(rows) == 46
    for key in (
        "id",
        "title",
        "text",
        "date",
        "kind",
        "source",
        "url",
        "author",
        "tags",
        "date_kind",
        "related",
    ):
        assert all(key in r for r in rows)


def test_item_vectors_unit_length(seeds: Path, tmp_path: Path) -> None:
    build_index([seeds], tmp_path / "idx", progress=False)
    _, v = open_index(tmp_path / "idx").item_vectors()
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
