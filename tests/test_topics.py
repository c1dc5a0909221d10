"""The topic map: layout, topics, labels, stability (synthetic clustered vectors)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from indexer.embed import load_embedder
from indexer.models import Item
from indexer.topics import MapResult, PreviousMap, build_map, project_query

THEMES = [
    "recurrent LSTM character-level sequence gradient hidden state",
    "telescope galaxy orbit comet nebula astronomy",
    "sourdough flour yeast oven crust baking",
    "bicycle gears saddle cycling route climb",
    "violin sonata orchestra concerto tempo rehearsal",
    "sqlite index query table column database",
]
FILLER = "the and this post on my blog http://example.com/img.png 2015 is about"


def corpus(sizes: list[int], dim: int = 32, seed: int = 0, noise: float = 0.25):
    """Items with themed words and vectors drawn around one centre per theme."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    items, vecs, truth = [], [], []
    for c, size in enumerate(sizes):
        words = THEMES[c % len(THEMES)].split()
        for j in range(size):
            pick = rng.choice(words, size=4, replace=False)
            text = f"Andrej Karpathy here. {' '.join(pick)} {FILLER} {words[0]} {words[1]}"
            items.append(
                Item(
                    id=f"c{c}-{j}",
                    title=f"{pick[0]} notes",
                    text=text,
                    source="s",
                    author="Andrej Karpathy",
                )
            )
            vecs.append(centres[c] + noise * rng.normal(size=dim))
            truth.append(c)
    v = np.asarray(vecs, np.float32)
    return items, v / np.linalg.norm(v, axis=1, keepdims=True), np.asarray(truth)


def check(res: MapResult, n: int) -> None:
    assert res.coords.shape == (n, 2) and res.coords.dtype == np.float32
    assert res.topic_ids.shape == (n,) and res.topic_ids.dtype == np.int32
    assert np.isfinite(res.coords).all()
    ids = {t.id for t in res.topics}
    assert set(res.topic_ids[res.topic_ids >= 0].tolist()) == ids
    for t in res.topics:
        assert t.size == int((res.topic_ids == t.id).sum())
        assert isinstance(t.label, str) and t.label
        assert 1 <= len(t.representative_ids) <= 3
        assert np.isfinite([t.x, t.y]).all()


def previous(items: list[Item], vectors: np.ndarray, res: MapResult) -> PreviousMap:
    return PreviousMap([it.id for it in items], res.coords, res.topic_ids, res.topics, vectors)


@pytest.fixture(scope="module")
def mid():
    items, v, truth = corpus([10, 9, 8, 7, 6, 6])  # 46 items
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = build_map(items, v)
    return items, v, truth, res, caught


def test_empty():
    res = build_map([], np.zeros((0, 8), np.float32))
    assert res.coords.shape == (0, 2) and res.topic_ids.shape == (0,) and res.topics == []


@pytest.mark.parametrize("n", [1, 2, 3, 5, 12])
def test_tiny_corpora(n):
    items, v, _ = corpus([n])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = build_map(items, v)
    check(res, n)
    assert res.refitted and (res.topic_ids >= 0).all()
    if n <= 3:
        assert len(res.topics) == 1
    if n >= 2:
        assert len({tuple(c) for c in res.coords.tolist()}) == n  # no two on one spot


def test_46_items(mid):
    items, _, truth, res, caught = mid
    check(res, len(items))
    assert not caught, [str(w.message) for w in caught]
    assert 3 <= len(res.topics) <= 8
    assert (res.topic_ids < 0).mean() < 0.1
    from sklearn.metrics import adjusted_mutual_info_score

    assert adjusted_mutual_info_score(truth, res.topic_ids) > 0.8
    by_id = {it.id: i for i, it in enumerate(items)}
    for t in res.topics:
        assert all(res.topic_ids[by_id[r]] == t.id for r in t.representative_ids)


def test_labels_are_clean(mid):
    _, _, _, res, _ = mid
    banned = {
        "the",
        "and",
        "this",
        "is",
        "about",
        "post",
        "blog",
        "http",
        "com",
        "png",
        "img",
        "example",
        "2015",
        "andrej",
        "karpathy",
        "here",
    }
    for t in res.topics:
        terms = t.label.split(" · ")
        assert 1 <= len(terms) <= 4
        words = {w.lower() for term in terms for w in term.split()}
        assert not words & banned, t.label
    assert any("LSTM" in t.label for t in res.topics)  # original casing kept


def test_deterministic(mid):
    items, v, _, res, _ = mid
    again = build_map(items, v)
    assert np.array_equal(res.coords, again.coords)
    assert np.array_equal(res.topic_ids, again.topic_ids)
    assert [t.to_dict() for t in res.topics] == [t.to_dict() for t in again.topics]


def test_unchanged_corpus_keeps_every_point(mid):
    items, v, _, res, _ = mid
    again = build_map(items, v, previous=previous(items, v, res))
    assert not again.refitted
    assert again.coords.tobytes() == res.coords.tobytes()
    assert np.array_equal(again.topic_ids, res.topic_ids)
    assert [t.to_dict() for t in again.topics] == [t.to_dict() for t in res.topics]


def test_incremental_placement(mid):
    items, v, truth, res, _ = mid
    extra_items, extra_v, _ = corpus([12, 9, 8, 7, 6, 6], seed=0)  # same theme-0 centre
    new_items = [
        Item(id=f"new{j}", title=it.title, text=it.text, source="s")
        for j, it in enumerate(extra_items[10:12])
    ]
    all_items, all_v = items + new_items, np.vstack([v, extra_v[10:12]])
    got = build_map(all_items, all_v, previous=previous(items, v, res))
    assert not got.refitted
    check(got, len(all_items))
    assert got.coords[: len(items)].tobytes() == res.coords.tobytes()
    assert np.array_equal(got.topic_ids[: len(items)], res.topic_ids)
    theme0 = res.coords[truth == 0]
    spread = np.linalg.norm(res.coords.max(0) - res.coords.min(0))
    home = np.bincount(res.topic_ids[truth == 0][res.topic_ids[truth == 0] >= 0]).argmax()
    for row in (len(items), len(items) + 1):
        assert np.linalg.norm(got.coords[row] - np.median(theme0, 0)) < 0.2 * spread
        assert got.topic_ids[row] == home
    assert {t.id: t.label for t in got.topics} == {t.id: t.label for t in res.topics}
    assert sum(t.size for t in got.topics) == int((got.topic_ids >= 0).sum())


def test_removed_items_disappear(mid):
    items, v, _, res, _ = mid
    got = build_map(items[2:], v[2:], previous=previous(items, v, res))
    assert not got.refitted
    assert got.coords.tobytes() == res.coords[2:].tobytes()
    check(got, len(items) - 2)


def test_refit_flag_and_big_changes(mid):
    items, v, _, res, _ = mid
    prev = previous(items, v, res)
    forced = build_map(items, v, previous=prev, refit=True)
    assert forced.refitted and np.array_equal(forced.coords, res.coords)
    half = build_map(items[: len(items) // 2], v[: len(items) // 2], previous=prev)
    assert half.refitted  # > 20% removed: a full refit
    check(half, len(items) // 2)


def test_well_clustered_data_is_sorted():
    from sklearn.metrics import adjusted_mutual_info_score

    items, v, truth = corpus([40, 35, 30, 30, 25, 20], noise=0.3, seed=3)
    res = build_map(items, v)
    check(res, len(items))
    assert (res.topic_ids < 0).mean() < 0.1
    assert 4 <= len(res.topics) <= 15
    assert adjusted_mutual_info_score(truth, res.topic_ids) > 0.9  # the topics are the themes


def test_project_query_lands_near_its_neighbours(mid):
    items, v, truth, res, _ = mid
    ids = [it.id for it in items]
    x, y = project_query(v[truth == 2].mean(0), ids, res.coords, v)
    centre = np.median(res.coords[truth == 2], axis=0)
    spread = np.linalg.norm(res.coords.max(0) - res.coords.min(0))
    assert np.hypot(x - centre[0], y - centre[1]) < 0.2 * spread
    assert project_query(v[0], [], np.zeros((0, 2)), np.zeros((0, 32))) == (0.0, 0.0)


@pytest.mark.parametrize("dim", [4, 64])
def test_fake_embedder_corpus(dim):
    emb = load_embedder(f"fake:{dim}")
    items, _, _ = corpus([8, 8, 8])
    v = emb.encode([f"{it.title}\n\n{it.text}" for it in items])
    res = build_map(items, v)
    check(res, len(items))


def test_import_is_light():
    heavy = "('umap', 'numba', 'sklearn', 'scipy')"
    code = (
        f"import sys, indexer.topics; print(any(m.split('.')[0] in {heavy} for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


def test_neighbours_demote_a_hub():
    from indexer.topics import _knn, _neighbours

    _, v, _ = corpus([30, 30, 30, 30], noise=0.5, seed=5)
    hub = v[:30].mean(axis=0) + v.mean(axis=0)  # theme 0's centre, pulled towards the rest
    x = np.vstack([v, hub / np.linalg.norm(hub)]).astype(np.float32)
    plain_idx, _ = _knn(x, 8)
    idx, dist = _neighbours(x, 8)
    assert (idx[:, 0] == np.arange(len(x))).all() and (np.diff(dist, axis=1) >= 0).all()
    assert {len(set(row)) for row in idx.tolist()} == {8}  # no neighbour twice
    h = len(x) - 1
    assert (idx[:-1] == h).sum() < (plain_idx[:-1] == h).sum()


@pytest.mark.model
def test_seed_corpus_topics(seed_index):
    # one theme (ML) holds most of the seeds: topics must split it, not say "ML" / "other"
    from indexer import open_index

    idx = open_index(seed_index)
    topics, points = idx.topics(), idx.map()
    title = {it.id: it.title for it in idx.items()}
    topic_of = {title[p.id]: p.topic for p in points}
    assert 4 <= len(topics) <= 10

    def tid(prefix: str) -> int:
        (topic,) = [tp for t, tp in topic_of.items() if t.startswith(prefix)]
        return topic

    ml = {tid(t) for t in ("Yes you should understand backprop", "ImageNet 2014 Results")}
    ml |= {tid("LSTM Cells Track"), tid("Minimal NumPy RNN")}
    assert tid("Human Fat as Primary Energy") not in ml  # weight loss
    assert tid("Jekyll Outshines WordPress") not in ml
    for t in topics:
        terms = t.label.split(" · ")
        assert 2 <= len(terms) <= 4, t.label
        assert not {w.lower() for w in t.label.split()} & {"andrej", "karpathy", "http"}


def test_small_mixed_topic_still_gets_two_terms():
    from indexer.labels import topic_labels

    texts = [  # topic 0 shares one word only; topic 1 is three unrelated notes
        ("Sourdough starter", "feeding the sourdough starter with rye flour"),
        ("Sourdough crumb", "an open sourdough crumb needs a long proof"),
        ("Kayak repair", "patching a kayak hull with fibreglass"),
        ("Tax forms", "filing quarterly tax estimates on time"),
        ("Chess openings", "the Sicilian defence against e4"),
    ]
    items = [Item(id=str(i), title=t, text=x, source="s") for i, (t, x) in enumerate(texts)]
    labels = topic_labels(items, np.array([0, 0, 1, 1, 1], np.int32), 2)
    first, *rest = labels[0].split(" · ")
    assert first == "sourdough" and len(rest) == 1, labels  # the shared word, then a filler
    assert 2 <= len(labels[1].split(" · ")) <= 4, labels


def test_consensus_keeps_what_most_runs_agree_on():
    from indexer.clusters import consensus

    truth = np.repeat([0, 1, 2], 6)
    runs = [truth.copy() for _ in range(4)]
    runs[1][truth == 2] = 1  # one run merges two topics
    runs[2][:3] = -1  # another calls three items noise
    runs[3][5] = 2  # and one misplaces an item
    got = consensus(runs, min_size=3)
    assert got.tolist() == truth.tolist()
    # groups the runs never agree on fall below the minimum size: unsorted
    scattered = [np.arange(18) % k for k in (5, 6, 7, 8)]
    assert (consensus(scattered, min_size=3) == -1).all()


@pytest.mark.slow
def test_umap_kernels_are_compiled_once_per_machine(tmp_path):
    """The first process that fits a map leaves numba's compiled UMAP kernels in absorb's
    cache; the next one loads them and lays out the same map."""
    code = (
        "import numpy as np; from indexer import topics as T;"
        "r = np.random.default_rng(0); v = r.normal(size=(120, 16)).astype(np.float32);"
        "v /= np.linalg.norm(v, axis=1, keepdims=True); print(T._fit(v, 42)[0].tobytes().hex())"
    )
    env = {**os.environ, "ABSORB_CACHE": str(tmp_path)}
    root = Path(__file__).resolve().parents[1]

    def fit() -> str:
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        return run.stdout

    first = fit()
    kernels = {p.name.split("-")[0] for p in (tmp_path / "absorb" / "numba").rglob("*.nbi")}
    # the kernels a fit calls, umap-learn's own uncached ones among them
    assert {"umap_.smooth_knn_dist", "umap_.compute_membership_strengths"} <= kernels
    assert fit() == first
