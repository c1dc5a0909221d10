"""Reliability: hostile captures, kills at every stage, corrupt indexes, hostile queries,
a reader beside a writer. Each test counts what it tried in ``TRIED``; the run's
summary line (see conftest) prints the totals.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import cli

from indexer import open_index, store
from indexer.build import build_index
from indexer.models import AbsorbError, IndexCorrupt
from indexer.store import IndexDir

TRIED: Counter[str] = Counter()

KILL_POINTS = [
    "build:parsed",
    "build:embedding",
    "build:embedded",
    "build:items-written",
    "build:vectors-written",
    "publish:start",
    "publish:renamed",
    "publish:manifest-written",
    "publish:swapped",
]

HOSTILE_QUERIES = [
    "x" * 100_000,
    "backprop " * 5000,
    "\x00\x01\x02 gradients \x1b[31m red",
    "\u202e\u200b rtl",
    "🔥🧠🤖 neural nets",
    "нейронные сети и обратное распространение",
    "神经网络的反向传播",
    "الشبكات العصبية",
    "'; DROP TABLE items; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "%s %d {0} {{}}",
    "a",
    "?",
    "!!!",
    "AND OR NOT",
    "*",
    "the of and to",
    "\\",
    "..\\..\\etc\\passwd",
    "\ud800 lone surrogate",
]
EMPTY_QUERIES = ["", " ", "\n\t  ", "\x00", "\x01\x02\x03"]


def _absorb(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "indexer.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def _hostile_folder(root: Path) -> dict[str, str]:
    """Write bad captures beside the good ones; returns {file name: expected reason word}."""
    bad: dict[str, str] = {}
    (root / "binary.bin").write_bytes(bytes(range(256)) * 64)
    bad["binary.bin"] = "binary"
    (root / "empty.md").write_bytes(b"")
    bad["empty.md"] = "empty"
    (root / "blank.txt").write_bytes(b"   \n\n\t \n")
    bad["blank.txt"] = "empty"
    big = root / "huge.txt"
    with open(big, "wb") as f:  # 50 MB of real-looking text, over the 20 MB cap
        f.write(b"A line of captured prose about neural networks.\n" * 1_100_000)
    bad["huge.txt"] = "cap"
    (root / "loop_a").symlink_to(root / "loop_b")
    (root / "loop_b").symlink_to(root / "loop_a")
    bad["loop_a"] = "loop"
    bad["loop_b"] = "loop"
    (root / "dangling.md").symlink_to(root / "does-not-exist.md")
    bad["dangling.md"] = "stat"
    (root / "only_tags.html").write_text(
        "<html><head><script>x()</script></head><body><nav>menu</nav></body></html>", "utf-8"
    )
    bad["only_tags.html"] = "no readable text"
    (root / "broken.jsonl").write_text(
        '{"title": "Good line", "text": "A fine imported note about gradients."}\n'
        '{"title": "broken", "text": \n'
        "[1, 2, 3]\n"
        '{"title": "Second good", "text": "Another imported note.", "date": "2019-02-03"}\n',
        "utf-8",
    )
    sub = root / "sub"
    sub.mkdir()
    (sub / "up").symlink_to(root, target_is_directory=True)  # a folder loop
    return bad


def _good_extras(root: Path) -> list[str]:
    """Captures that look hostile but hold real text: they must be indexed."""
    (root / "cp1252.txt").write_bytes(
        "Caf\xe9 notes: na\xefve r\xe9sum\xe9 of backprop.".encode("latin-1")
    )
    (root / "nested.html").write_text(
        "<html><head><title>Deep nest</title></head><body>"
        + "<div>" * 5000
        + "<p>Deeply nested but readable text.</p>",
        "utf-8",
    )
    (root / "unclosed.html").write_text(
        "<html><title>Unclosed page</title><body><p>Paragraph one<p>Paragraph two <b>bold", "utf-8"
    )
    (root / "scripts.html").write_text(
        "<html><head><title>Scripted page</title><script>alert('x')</script></head><body>"
        "<iframe src='https://evil.example'></iframe>"
        '<p onclick="steal()">Real words about convolutional networks.</p>'
        '<a href="javascript:alert(1)">click</a><style>p{}</style></body></html>',
        "utf-8",
    )
    return ["cp1252.txt", "nested.html", "unclosed.html", "scripts.html"]


def test_hostile_captures_reported_and_nothing_lost(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    idx = tmp_path / "idx"
    build_index([seeds], idx, progress=False)
    before = {it.id for it in open_index(idx).items()}
    bad = _hostile_folder(seeds)
    good = _good_extras(seeds)
    # a file that vanishes between listing and reading, and one we may not read
    vanish = seeds / "vanishing.md"
    vanish.write_text("# Soon gone\n\ntext", "utf-8")
    locked = seeds / "locked.md"
    locked.write_text("# Locked\n\ntext", "utf-8")
    real_read = store.read_capture

    def flaky_read(cf: store.CaptureFile, max_bytes: int = store.MAX_CAPTURE_BYTES) -> bytes:
        if cf.path.name == "vanishing.md":
            cf.path.unlink(missing_ok=True)
        if cf.path.name == "locked.md":  # chmod 000 means nothing to root, so fake EACCES
            raise PermissionError(13, "Permission denied", str(cf.path))
        return real_read(cf, max_bytes)

    monkeypatch.setattr(store, "read_capture", flaky_read)
    bad |= {"vanishing.md": "No such file", "locked.md": "Permission denied"}
    # and a capture that was good before and is damaged now
    feed = next(seeds.glob("001_*"))
    feed.write_bytes(b"\x00\xff" * 500)
    r = build_index([seeds], idx, progress=False)

    skipped = dict(r.skipped)
    for name, word in bad.items():
        assert name in skipped, f"{name} was not reported"
        assert word.lower() in skipped[name].lower(), (name, skipped[name])
    assert feed.name in skipped and feed.name in r.kept
    assert any("broken.jsonl: line 2" in w for w in r.warnings)
    assert any("broken.jsonl: line 3" in w for w in r.warnings)
    after = list(open_index(idx).items())
    ids = {it.id for it in after}
    assert before <= ids, "items indexed earlier were lost"
    sources = {it.source for it in after}
    for name in good:
        assert name in sources, f"{name} should have been indexed"
    assert sum(1 for it in after if it.source == "broken.jsonl") == 2
    for it in after:
        assert it.text.strip(), f"empty item from {it.source}"
        assert "<script" not in it.text and "alert('x')" not in it.text
        assert "steal()" not in it.text
    cafe = next(it for it in after if it.source == "cp1252.txt")
    assert "Café" in cafe.text and "naïve" in cafe.text
    TRIED["bad files"] += len(bad) + 1


def test_cli_summary_names_bad_files(seeds: Path, tmp_path: Path) -> None:
    (seeds / "binary.bin").write_bytes(b"\x00\x01" * 100)
    (seeds / "empty.md").write_bytes(b"")
    p = cli("index", str(seeds), "--index", str(tmp_path / "idx"))
    assert p.exit_code == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert "binary.bin: binary" in p.stderr and "empty.md: empty" in p.stderr
    TRIED["bad files"] += 2


def test_nothing_indexable_exits_nonzero(tmp_path: Path) -> None:
    d = tmp_path / "caps"
    d.mkdir()
    (d / "x.bin").write_bytes(b"\x00" * 10)
    p = cli("index", str(d), "--index", str(tmp_path / "idx"))
    assert p.exit_code == 1 and "x.bin" in p.stderr and "Traceback" not in p.stderr
    p = cli("index", str(tmp_path / "missing"), "--index", str(tmp_path / "idx"))
    assert p.exit_code == 1 and "does not exist" in p.stderr
    TRIED["bad files"] += 1


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_at_each_stage(seeds: Path, tmp_path: Path, point: str) -> None:
    idx = tmp_path / "idx"
    assert _absorb("index", str(seeds), "--index", str(idx)).returncode == 0
    before = [(h.id, h.score) for h in open_index(idx).search("backprop gradients", k=5)]
    (seeds / "extra.md").write_text("# A new note\n\nAbout gradients and backprop.", "utf-8")
    p = _absorb("index", str(seeds), "--index", str(idx), env={store.CRASH_ENV: point})
    assert p.returncode == -signal.SIGKILL, p.stderr
    n = len(open_index(idx))
    if point == "publish:swapped":  # killed after the swap: the new index is live and whole
        assert n == 47
    else:
        assert n == 46
        assert [
            (h.id, h.score) for h in open_index(idx).search("backprop gradients", k=5)
        ] == before
    assert _absorb("index", str(seeds), "--index", str(idx)).returncode == 0
    assert len(open_index(idx)) == 47
    assert not list(idx.glob(".tmp-*")), "a killed build's leftovers are cleaned up"
    TRIED["kill points"] += 1


# Killed builds in a row, each at another checkpoint, on an index that keeps changing:
# two die before the swap (the old index must stay live), two after it (the new one is).
CHAIN = ["build:embedding", "publish:swapped", "publish:renamed", "publish:swapped"]


@pytest.mark.slow
def test_sigkill_chain_keeps_old_or_new_whole(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    assert _absorb("index", str(seeds), "--index", str(idx)).returncode == 0
    live = sorted(it.id for it in open_index(idx).items())
    pending = 0  # notes written but not yet in a live index
    for i, point in enumerate(CHAIN):
        (seeds / f"extra{i}.md").write_text(f"# Note {i}\n\nText {i} about nets.", "utf-8")
        pending += 1
        p = _absorb(
            "index", str(seeds), "--index", str(idx), "--refit", env={store.CRASH_ENV: point}
        )
        assert p.returncode == -signal.SIGKILL, p.stderr
        got = sorted(it.id for it in open_index(idx).items())
        if point == "publish:swapped":  # died after the swap: every pending note is live
            assert len(got) == len(live) + pending and set(live) <= set(got)
            pending = 0
        else:  # died before it: exactly the previous index answers
            assert got == live
        live = got
        assert open_index(idx).search("nets", k=3), "a killed build leaves a searchable index"
        TRIED["kill points"] += 1
    assert _absorb("index", str(seeds), "--index", str(idx)).returncode == 0
    assert len(open_index(idx)) == 46 + len(CHAIN)
    assert not list(idx.glob(".tmp-*"))


def test_corrupt_indexes_give_clear_errors(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build_index([seeds], idx, progress=False)
    gen = IndexDir(idx).current().path
    damages = {
        "items.sqlite": lambda p: p.write_bytes(b"garbage" * 100),
        "passage_vectors.npy": lambda p: p.write_bytes(p.read_bytes()[:200]),
        "item_vectors.npy": lambda p: p.unlink(),
        "faiss.index": lambda p: p.write_bytes(b"\x00" * 10),
    }
    for name, damage in damages.items():
        backup = (gen / name).read_bytes()
        damage(gen / name)
        with pytest.raises(IndexCorrupt) as e:
            open_index(idx).search("backprop")
        assert "--rebuild" in str(e.value), name
        p = cli("search", "backprop", "--index", str(idx))
        assert p.exit_code == 1 and "Traceback" not in p.stderr, p.stderr
        assert "absorb index --rebuild" in p.stderr
        (gen / name).write_bytes(backup)
        TRIED["corrupt files"] += 1
    m = json.loads((idx / "manifest.json").read_text())
    (idx / "manifest.json").write_text(json.dumps(m | {"format": 99}))
    p = cli("items", "--index", str(idx))
    assert p.exit_code == 1 and "format" in p.stderr and "Traceback" not in p.stderr
    (idx / "manifest.json").write_text(json.dumps(m | {"arrays": {"item_vectors.npy": [3, 3]}}))
    with pytest.raises(IndexCorrupt, match="item_vectors.npy"):
        open_index(idx)
    TRIED["corrupt files"] += 2
    assert cli("index", str(seeds), "--index", str(idx), "--rebuild").exit_code == 0
    assert len(open_index(idx)) == 46


def test_hostile_queries(seeds: Path, tmp_path: Path) -> None:
    build_index([seeds], tmp_path / "idx", progress=False)
    idx = open_index(tmp_path / "idx")
    for q in HOSTILE_QUERIES:
        hits = idx.search(q, k=5)
        assert len(hits) <= 5
        for h in hits:  # whatever the query, hits are whole items of this index
            assert idx.get(h.id).title == h.title and h.snippet
        # a kind or source nobody has matches nothing, rather than erroring or matching all
        assert idx.search("backprop", k=3, source=q[:50] + "\x00") == []
        TRIED["hostile queries"] += 1
    for q in EMPTY_QUERIES:
        with pytest.raises(AbsorbError, match="empty"):
            idx.search(q)
        TRIED["hostile queries"] += 1
    p = cli("search", "   ", "--index", str(tmp_path / "idx"))
    assert p.exit_code == 1 and "empty" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.slow
def test_reader_keeps_answering_while_writer_rebuilds(seeds: Path, tmp_path: Path) -> None:
    idx_dir = tmp_path / "idx"
    build_index([seeds], idx_dir, progress=False)
    reader = open_index(idx_dir)
    assert len(reader.search("backprop", k=3)) == 3
    (seeds / "fresh.md").write_text("# Brand new note\n\nZebra-striped gradients.", "utf-8")
    errors: list[BaseException] = []
    answered = 0
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "indexer.cli",
            "index",
            str(seeds),
            "--index",
            str(idx_dir),
            "--refit",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    while writer.poll() is None:
        try:
            assert reader.search("backprop", k=3)
            answered += 1
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)
        time.sleep(0.02)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert not errors and answered > 0
    hits = reader.search("zebra striped gradients", k=1)  # the next query sees the new build
    assert hits[0].title == "Brand new note"


def test_second_writer_refused_with_message(seeds: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build_index([seeds], idx, progress=False)
    (seeds / "late.md").write_text("# Late note\n\nWritten while the lock was held.", "utf-8")
    with IndexDir(idx).lock():  # flock: a second open file description conflicts in-process too
        p = cli("index", str(seeds), "--index", str(idx))
        assert p.exit_code == 1 and "another `absorb index`" in p.stderr
        got: list[int] = []
        t = threading.Thread(
            target=lambda: got.append(build_index([seeds], idx, progress=False, wait=30).items)
        )
        t.start()
        time.sleep(0.5)
        assert t.is_alive() and not got, "the waiting writer must not run while the lock is held"
    t.join(60)
    assert got == [47], "a waiting writer proceeds once the lock is free"
    assert len(open_index(idx)) == 47
