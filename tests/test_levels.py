"""Topic levels (indexer/levels.py) and the author's name kept out of labels (labels.py)."""

from __future__ import annotations

import numpy as np

from indexer.labels import _author_words, topic_labels
from indexer.levels import finer_levels, parents, paths_for_new, split_each
from indexer.models import Item


def blobs(centres: list[tuple[float, ...]], per: int, seed: int = 0, spread: float = 0.05):
    rng = np.random.default_rng(seed)
    x = np.concatenate([np.asarray(c) + spread * rng.normal(size=(per, len(c))) for c in centres])
    v = x / np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), v.astype(np.float32)


def test_a_topic_with_two_clumps_splits_in_two_and_nests():
    reduced, vectors = blobs([(0, 0, 1), (3, 0, 1), (0, 9, 1)], per=20)
    top = np.repeat([0, 0, 1], 20).astype(np.int32)  # topic 0 holds two clumps
    sub = split_each(reduced, vectors, top)
    assert len(set(sub[:40])) == 2 and set(sub[:20]).isdisjoint(sub[20:40])
    assert len(set(sub[40:])) == 1  # one clump: carried over whole
    paths = np.stack([top, sub], axis=1)
    assert parents(paths, 1) == {int(sub[0]): 0, int(sub[20]): 0, int(sub[40]): 1}


def test_sub_topics_are_numbered_by_size_and_unsorted_stays_unsorted():
    reduced, vectors = blobs([(0, 0, 1), (4, 0, 1)], per=30)
    top = np.zeros(60, np.int32)
    top[:45] = 0
    top[45:] = -1
    sub = split_each(reduced, vectors, top)
    assert (sub[45:] == -1).all()
    assert np.bincount(sub[sub >= 0])[0] >= np.bincount(sub[sub >= 0])[-1]


def test_small_topics_do_not_split_and_a_level_without_splits_is_left_out():
    reduced, vectors = blobs([(0, 0, 1), (3, 0, 1)], per=3)  # 6 items: below MIN_SPLIT
    top = np.zeros(6, np.int32)
    assert finer_levels(reduced, vectors, top).shape == (6, 1)


def test_three_levels_nest():
    centres = [(a + b, c, 1.0) for a in (0, 40) for b in (0, 8) for c in (0, 2)]
    reduced, vectors = blobs(centres, per=12, spread=0.1)
    top = np.repeat([0, 1], 48).astype(np.int32)
    paths = finer_levels(reduced, vectors, top)
    assert paths.shape[1] >= 2
    for level in range(1, paths.shape[1]):
        for t, p in parents(paths, level).items():  # every finer topic inside one parent
            assert set(paths[paths[:, level] == t, level - 1]) == {p}


def test_new_items_take_the_path_of_their_nearest_old_item_in_the_same_topic():
    old_v = np.eye(4, dtype=np.float32)
    old_paths = np.array([[0, 0], [0, 1], [1, 2], [1, 3]], np.int32)
    q = np.array([[0.1, 0.9, 0, 0], [0, 0.9, 0.1, 0], [0, 0, 0, 1]], np.float32)
    out = paths_for_new(q, old_v, old_paths, np.array([0, 1, -1], np.int32))
    assert out.tolist() == [[0, 1], [1, 2], [-1, -1]]


def _item(i: int, text: str, author: str | None = None) -> Item:
    return Item(id=f"i{i}", title=f"note {i}", text=text, source="s", author=author)


def test_author_handle_and_name_found_without_metadata():
    items = [
        _item(
            i,
            f"See https://github.com/simonw/repo{i} and ~/Users/simon/dev, also "
            f"https://simonwillison.net/2020/x for process {i} PID",
        )  # fmt: skip
        for i in range(20)
    ]
    texts = [f"{it.title}\n{it.text}" for it in items]
    assert {"simonw", "simon", "willison"} <= _author_words(items, texts)


def test_a_label_never_carries_the_authors_name():
    items = [
        _item(i, f"process PID python signals simon https://github.com/simonw/p{i}")
        for i in range(6)
    ] + [_item(10 + i, f"sourdough yeast flour crust simon {i}") for i in range(6)]
    labels = topic_labels(items, np.repeat([0, 1], 6).astype(np.int32), 2)
    assert all("simon" not in lab.lower() for lab in labels), labels
    assert "PID" in labels[0] or "process" in labels[0]


def test_avoided_terms_give_way_to_the_next_best():
    items = [_item(i, "alpha beta gamma delta") for i in range(4)] + [
        _item(9 + i, "zeta eta theta") for i in range(4)
    ]
    tids = np.repeat([0, 1], 4).astype(np.int32)
    plain = topic_labels(items, tids, 2)[0].split(" · ")
    avoided = topic_labels(items, tids, 2, avoid=[set(plain[0].lower().split()), set()])[0].split(
        " · "
    )
    assert not set(avoided[0].lower().split()) & set(plain[0].lower().split())


def test_levels_are_stored_and_read_back(tmp_path):
    from indexer import store
    from indexer.models import Topic

    db = store.connect(tmp_path / "items.sqlite")
    paths = np.array([[0, 0, 0], [0, 1, 2], [1, 2, 1]], np.int32)
    top = [Topic(0, "a", 2), Topic(1, "b", 1)]
    finer = [Topic(0, "a1", 1, level=1, parent=0), Topic(1, "a2", 1, level=1, parent=0),
             Topic(2, "b1", 1, level=1, parent=1), Topic(2, "a2x", 1, level=2, parent=1)]  # fmt: skip
    store.write_map(db, ["x", "y", "z"], np.zeros((3, 2)), paths[:, 0], top, paths, finer)
    assert store.topic_levels(db) == 3
    assert store.finer_paths(db) == {"x": [0, 0], "y": [1, 2], "z": [2, 1]}
    assert [(t.id, t.parent) for t in store.read_topics(db, False, level=1)] == [
        (0, 0),
        (1, 0),
        (2, 1),
    ]
    store.write_map(db, ["x"], np.zeros((1, 2)), paths[:1, 0], top[:1])  # no levels: cleared
    assert store.topic_levels(db) == 1 and store.finer_paths(db) == {}


def test_an_index_built_before_levels_still_opens_and_reindexes(seeds, tmp_path):
    import sqlite3

    from indexer import open_index
    from indexer.build import build_index
    from indexer.models import AbsorbError

    index = tmp_path / "idx"
    build_index([seeds], index, model="fake:64", progress=False)
    idx = open_index(index)
    pts = idx.map()
    assert all(p.topic_path[0] == p.topic for p in pts)
    for level in range(idx.topic_levels()):
        ids = {t.id for t in idx.topics(level=level)}
        assert {p.topic_path[level] for p in pts} - {-1} <= ids
    # make the published generation look like one written before migration 2
    db = next(index.glob("gen-*/items.sqlite"))
    db.chmod(0o644)
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "DROP TABLE point_levels; DROP TABLE subtopics; PRAGMA user_version = 1;"
        )
    idx = open_index(index)
    assert idx.topic_levels() == 1 and idx.topics()
    assert all(p.topic_path == [p.topic] for p in idx.map())
    try:
        idx.topics(level=1)
        raise AssertionError("level 1 should not exist")
    except AbsorbError as e:
        assert "level 1" in e.message
    build_index([seeds], index, model="fake:64", refit=True, progress=False)  # reuses vectors
    assert open_index(index).map()


def test_cli_topics_by_level(seeds, tmp_path):
    import json

    from conftest import cli

    from indexer.build import build_index

    index = tmp_path / "idx"
    build_index([seeds], index, model="fake:64", progress=False)
    out = cli("topics", "--index", str(index), "--json")
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert out.exit_code == 0 and rows and all(r["level"] == 0 and r["parent"] == -1 for r in rows)
    bad = cli("topics", "--index", str(index), "--level", "7")
    assert bad.exit_code != 0 and "no topic level 7" in bad.stderr and "Traceback" not in bad.stderr
    pts = [
        json.loads(line) for line in cli("map", "--index", str(index), "--json").output.splitlines()
    ]
    assert all(p["topic_path"][0] == p["topic"] for p in pts)
