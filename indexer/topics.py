"""The topic map: a 2-D layout of every item, topics found by density, and their labels.

Pure functions of the items and their vectors; the build pipeline stores the result.

- Layout: seeded, single-threaded UMAP (cosine) of the mean-centred vectors, so the same
  corpus always gives the same map; centring drops the direction all MiniLM vectors share.
  UMAP sees exact neighbours re-ranked against hubs (``_neighbours``).
- Topics: HDBSCAN on a second, 5-d UMAP over the same neighbour graph; when its top level
  puts most items in one cluster, the leaves of its tree instead. Below 5,000 items, the
  consensus of four such layouts, since one is the luck of its seed; under 100 items,
  average linkage with the count chosen by silhouette (``clusters.py`` has the figures).
  Outliers join the most similar topic centroid unless further from all than any member is
  from its own (those stay "unsorted", -1); under 4 items: no UMAP.
- Levels: each topic split again, twice, into the leaf clusters of its members
  (``levels.py``): ``paths[i]`` is item i's topic at every level, coarse to fine.
- Labels: class-based TF-IDF terms (``labels.py``).
- Stability: after small changes old items keep their exact place and topic, and new
  items go beside their nearest old neighbours. Parameters scale with n (bench/map_bench.py).
- Large corpora (from ``LARGE`` = 20k items): the full fit took 166 s at 100k items (exact
  kNN 40 s, each UMAP ~44 s, HDBSCAN 33 s), then 85.8-94.8 s with HNSW neighbours, one
  2-d UMAP of everything (topics found in it) and HDBSCAN fitted on a seeded 20k sample.
  Now UMAP lays out only that sample and the other items are placed by their nearest
  sampled items (``landmarks.py``), and topics under n/2,000 items are not split into
  finer levels (``levels.py``): ``bench/map_scale.py`` on an idle machine (2026-12-03,
  fake:384, 99,985 items): 94.8 s before, 55.4 s after (kNN 3.5, UMAP 6.3, placing 6.2,
  HDBSCAN 4.5, levels 3.6, labels 24.9), 46.6 s with labels counted faster (19.3 s,
  ``labels._count``); 100 JSON Lines files of 1,000 random-word items: 194 s -> 59.2 s.
  577-note figures: ``bench/map_bench.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from . import clusters
from .labels import forget, topic_labels
from .landmarks import landmark_layout, similarity_weights
from .layout import umap_layout as _umap
from .levels import finer_levels, parents, paths_for_new
from .models import Item, Topic
from .neighbours import LARGE, _extend, _neighbours
from .neighbours import _knn as _knn  # re-exported (tests compare it with _neighbours)
from .topic_records import topic_records as _topics

Arr = np.ndarray
TINY, SMALL = 4, 100  # below TINY items: no UMAP; below SMALL: no density clustering
MAX_CHANGE = 0.2  # a larger share of new or removed items forces a full refit
LARGE_EPOCHS = 100  # UMAP epochs of the landmarks' layout (from LARGE items)


@dataclass
class MapResult:
    coords: np.ndarray  # (n, 2) float32, one row per item, same order as the input
    topic_ids: np.ndarray  # (n,) int32; -1 = unsorted
    topics: list[Topic]
    refitted: bool  # True: full fit; False: new items placed on the previous map
    paths: np.ndarray | None = None  # (n, levels) int32 topic per level; column 0 = topic_ids
    finer: list[Topic] | None = None  # the sub-topics of levels 1.. (Topic.level, .parent)


@dataclass
class PreviousMap:
    ids: list[str]
    coords: np.ndarray
    topic_ids: np.ndarray
    topics: list[Topic]
    vectors: np.ndarray  # the previous items' vectors (n_prev, d)
    paths: np.ndarray | None = None  # as MapResult.paths (None: maps built before levels)
    finer: list[Topic] | None = None


def build_map(
    items: list[Item],
    vectors: np.ndarray,
    previous: PreviousMap | None = None,
    refit: bool = False,
    seed: int = 42,
) -> MapResult:
    """Lay out ``items`` (with their unit ``vectors``) and find their topics."""
    n = len(items)
    if n == 0:
        z = np.zeros(0, np.int32)
        return MapResult(np.zeros((0, 2), np.float32), z, [], True, z.reshape(0, 1), [])
    vectors = np.asarray(vectors, dtype=np.float32).reshape(n, -1)
    if previous is not None and not refit and _few_changes(items, vectors, previous):
        return _incremental(items, vectors, previous)
    try:
        return _full(items, vectors, seed)
    finally:
        forget()  # the term counts the labels of every level shared


def _full(items: list[Item], vectors: Arr, seed: int) -> MapResult:
    n = len(items)
    coords, topic_ids, reduced = _fit(vectors, seed)
    labels = topic_labels(items, topic_ids, int(topic_ids.max()) + 1)
    top = _topics(items, vectors, coords, topic_ids, labels)
    if reduced is None:
        return MapResult(coords, topic_ids, top, True, topic_ids.reshape(n, 1), [])
    paths = finer_levels(reduced, vectors, topic_ids)
    return MapResult(
        coords, topic_ids, top, True, paths, _finer(items, vectors, coords, paths, top)
    )


def _finer(
    items: list[Item], v: Arr, xy: Arr, paths: Arr, top: list[Topic], names: dict | None = None,
    keep: dict[tuple[int, int], Topic] | None = None,
) -> list[Topic]:  # fmt: skip
    """Topic records of levels 1.. . Labels: ``names`` {(level, id): label} when given (an
    incremental update keeps them), else TF-IDF terms with the parent's terms discounted.
    ``keep``: {(level, id): record} of topics whose members did not change."""
    out: list[Topic] = []
    label_of = {(0, t.id): t.label for t in top}
    for level in range(1, paths.shape[1]):
        col, up = paths[:, level], parents(paths, level)
        k = int(col.max()) + 1
        if names is not None:
            labels = [names.get((level, t), f"topic {t + 1}") for t in range(k)]
        else:
            avoid = [
                set(label_of.get((level - 1, up.get(t, -1)), "").lower().split()) for t in range(k)
            ]
            labels = topic_labels(items, col, k, avoid=avoid)
        kept = {i: t for (lv, i), t in (keep or {}).items() if lv == level}
        for t in _topics(items, v, xy, col, labels, kept):
            t.level, t.parent = level, up.get(t.id, -1)
            label_of[(level, t.id)] = t.label
            out.append(t)
    return out


def project_query(
    vector: np.ndarray, ids: list[str], coords: np.ndarray, vectors: np.ndarray, k: int = 10
) -> tuple[float, float]:
    """Where ``vector`` goes on a map: similarity-weighted mean of its k nearest items."""
    if len(ids) == 0:
        return 0.0, 0.0
    q = np.asarray(vector, np.float32).reshape(1, -1)
    xy = _interpolate(q, coords, vectors, np.full(len(ids), -1), k)[0][0]
    return float(xy[0]), float(xy[1])


def _fit(vectors: Arr, seed: int) -> tuple[Arr, Arr, Arr | None]:
    """(coords, topic ids, the 5-d layout the topics came from; None for tiny corpora)."""
    n, x = len(vectors), vectors - vectors.mean(axis=0)
    if n < TINY or np.abs(x).max() < 1e-6:  # 1-3 items, or all alike: principal components
        u, s, _ = np.linalg.svd(x, full_matrices=False)
        xy = np.pad(u * s, ((0, 0), (0, 2)))[:, :2].astype(np.float32)
        return xy, np.zeros(n, np.int32), None
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    k = min(n - 1, max(5, min(30, round(np.log2(n)) + 3)))  # 12 at 577
    if n >= LARGE:  # one layout, of a sample, the rest placed by it; topics found there
        kw = {"n_epochs": LARGE_EPOCHS, "learning_rate": 1.0, "repulsion_strength": 2}
        coords, sample = landmark_layout(x, k, seed, **kw)
        reduced = coords
    else:
        knn = _neighbours(x, k)
        epochs = max(200, min(1000, round(1e6 / n)))  # long and gentle where it is cheap
        rate = min(1.0, 500 / epochs)
        coords = _umap(
            x, knn, 2, 0.05, seed, n_epochs=epochs, learning_rate=rate, repulsion_strength=2
        )
        if n < SMALL:
            return coords, _by_size(clusters.linkage(x)), None
        reduced, sample = _umap(x, knn, 5, 0.0, seed), np.arange(n)
    size = max(3, round(np.sqrt(n) / 5))
    fit_size = max(3, round(size * len(sample) / n))
    labels = clusters.density(reduced[sample], fit_size)
    if n < min(LARGE, clusters.CONSENSUS_MAX):  # one layout's topics: the luck of its seed
        runs = [labels] + [
            clusters.density(_umap(x, knn, 5, 0.0, seed + r), size) for r in range(1, clusters.RUNS)
        ]
        labels = clusters.consensus(runs, size)
    if len(sample) < n:  # the rest take the label of their nearest sampled item
        labels = _extend(labels, reduced, sample)
    return coords, _by_size(_assign_outliers(labels, vectors)), reduced


def _assign_outliers(labels: Arr, vectors: Arr) -> Arr:
    """Outliers join the most similar topic centroid unless far from all (at most 5% stay)."""
    labels = labels.copy()
    sims = vectors @ _centroids(vectors, labels, int(labels.max()) + 1).T
    member = labels >= 0
    floor = sims[member, labels[member]].min()  # further out than any member: unsorted
    out = np.flatnonzero(~member)
    best, score = sims[out].argmax(axis=1), sims[out].max(axis=1)
    near = score >= floor
    near[np.argsort(-score, kind="stable")[: max(0, len(out) - len(labels) // 20)]] = True
    labels[out[near]] = best[near]
    return labels


def _centroids(vectors: Arr, labels: Arr, k: int) -> Arr:
    c = np.zeros((k, vectors.shape[1]), np.float32)
    np.add.at(c, labels[labels >= 0], vectors[labels >= 0])
    return c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)


def _by_size(labels: Arr) -> Arr:
    """Renumber topics 0.. by decreasing size (ties: first seen); -1 stays."""
    order = [t for t, _ in Counter(int(t) for t in labels if t >= 0).most_common()]
    remap = {t: i for i, t in enumerate(order)} | {-1: -1}
    return np.array([remap[int(t)] for t in labels], np.int32)


def _few_changes(items: list[Item], vectors: Arr, prev: PreviousMap) -> bool:
    """Whether the previous map can stay: same vector size, at most 20% new or removed."""
    if len(prev.ids) == 0 or np.asarray(prev.vectors).shape[-1] != vectors.shape[1]:
        return False
    old, now = set(prev.ids), {it.id for it in items}
    return len(now - old) + len(old - now) <= MAX_CHANGE * max(len(old), len(now))


def _incremental(items: list[Item], vectors: Arr, prev: PreviousMap) -> MapResult:
    """Old items keep place and topic; new ones go beside their nearest old neighbours."""
    pos = {pid: j for j, pid in enumerate(prev.ids)}
    was = np.array([pos.get(it.id, -1) for it in items], np.int64)  # row on the old map
    known = was >= 0
    src = was[known]
    ref = np.asarray(prev.vectors, np.float32)[src]
    pc, pt = np.asarray(prev.coords, np.float32), np.asarray(prev.topic_ids, np.int32)
    coords, topic_ids = np.zeros((len(items), 2), np.float32), np.full(len(items), -1, np.int32)
    coords[known], topic_ids[known] = pc[src], pt[src]
    if len(src) and not known.all():
        coords[~known], topic_ids[~known] = _interpolate(vectors[~known], pc[src], ref, pt[src], 10)
    names = {t.id: t.label for t in prev.topics}
    k = max([int(topic_ids.max()) + 1, *[t + 1 for t in names]])
    labels = [names.get(t, f"topic {t + 1}") for t in range(k)]
    changed = ~known
    changed[known] = (vectors[known] != ref).any(axis=1)
    gone = np.setdiff1d(np.arange(len(prev.ids)), src)
    dirty = _dirty(topic_ids, pt, changed, gone, was)
    top = _topics(items, vectors, coords, topic_ids, labels, _unless(prev.topics, dirty))
    if prev.paths is None or np.asarray(prev.paths).shape[0] != len(prev.ids):
        return MapResult(coords, topic_ids, top, False, topic_ids.reshape(-1, 1), [])
    old = np.asarray(prev.paths, np.int32)
    paths = np.zeros((len(items), old.shape[1]), np.int32)
    paths[known] = old[src]
    if len(src) and not known.all():
        paths[~known] = paths_for_new(vectors[~known], ref, old[src], topic_ids[~known])
    fine = {(t.level, t.id): t.label for t in prev.finer or []}
    dirty_at = [_dirty(paths[:, lv], old[:, lv], changed, gone, was) for lv in range(old.shape[1])]
    keep = {(t.level, t.id): t for t in prev.finer or [] if t.level < old.shape[1]}
    keep = {key: t for key, t in keep.items() if key[1] not in dirty_at[key[0]]}
    finer = _finer(items, vectors, coords, paths, top, fine, keep)
    return MapResult(coords, topic_ids, top, False, paths, finer)


def _dirty(now: Arr, before: Arr, changed: Arr, gone: Arr, was: Arr) -> set[int]:
    """The topics (ids of ``now``, one level) whose records must be counted again: they
    hold a new or changed item, lost one (``before[gone]``), or their members changed order
    (a record depends on it: the anchor's sample, tie-breaks). The others keep theirs."""
    return set(now[changed].tolist()) | set(before[gone].tolist()) | _reordered(was, now)


def _reordered(was: Arr, tids: Arr) -> set[int]:
    """Topics whose members' previous rows (``was``) do not rise in the current item order.

    >>> tids = np.array([5, 6, 5, 6])
    >>> _reordered(np.array([0, 3, 1, 2]), tids), _reordered(np.array([0, 2, 1, 3]), tids)
    ({6}, set())
    """
    order = np.argsort(tids, kind="stable")
    t, w = np.asarray(tids)[order], was[order]
    down = (t[1:] == t[:-1]) & (w[1:] < w[:-1])
    return set(t[1:][down].tolist())


def _unless(records: list[Topic], dirty: set[int]) -> dict[int, Topic]:
    """{id: record} of the topics not in ``dirty``."""
    return {t.id: t for t in records if t.id not in dirty}


def _interpolate(q: Arr, coords: Arr, vectors: Arr, topic_ids: Arr, k: int) -> tuple[Arr, Arr]:
    """Per query, among its k most similar items (softmax of similarity: nearest count most):
    the weighted mean position, and the topic with the most weight (-1: all unsorted)."""
    vectors, coords = np.asarray(vectors, np.float32), np.asarray(coords, np.float32)
    xy, tids = np.zeros((len(q), 2), np.float32), np.zeros(len(q), np.int32)
    k, step = min(k, len(vectors)), max(1, int(5e7 // len(vectors)))
    for a in range(0, len(q), step):
        s = q[a : a + step] @ vectors.T
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        sims = np.take_along_axis(s, top, 1)
        w = similarity_weights(sims)
        xy[a : a + step] = np.einsum("qk,qkd->qd", w, coords[top])
        t = np.asarray(topic_ids)[top]
        votes = np.zeros((len(t), max(0, int(t.max())) + 2))
        np.add.at(votes, (np.arange(len(t))[:, None], t + 1), np.where(t >= 0, w, 0.0))
        tids[a : a + step] = votes.argmax(axis=1) - 1  # column 0 (unsorted) never gains weight
    return xy, tids
