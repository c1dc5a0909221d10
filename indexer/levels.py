"""Topic levels: each topic of the map split into the finer clusters found among its members.

Level 0 is the map's topics (``topics.py``). Level k+1 splits every level-k topic with
HDBSCAN's leaf clusters over its members' 5-d layout, with a minimum cluster size that
grows with the topic (about sqrt(size)/2, at least 3), so a big topic splits into a
handful of sub-topics rather than dozens; members HDBSCAN calls noise join the nearest
sub-topic by cosine similarity, and a topic that does not split carries over whole. So
every item has one topic per level and each finer topic lies inside one coarser topic
(its ``parent``): a tree that the map reveals as the user zooms in.

A topic under ``MIN_SPLIT`` items is not split, nor, from 18k items, one under n/2000: at
100k items the 5,067 splitting calls took 11.4 s (mostly HDBSCAN's ~2 ms set-up per call)
for sub-topics of 4-8 items no zoom level has room to label; with the floor at 50: 863
calls, 3.0 s (landmark layout, ``bench/map_scale.py``).

Sub-topic labels come from the same class-based TF-IDF as level 0, with the parent's own
terms discounted so a sub-topic's label says what sets it apart from its siblings.

    paths[i] == [3, 11, 20]  # item i: topic 3, its sub-topic 11, and that one's sub-topic 20
"""

from __future__ import annotations

import warnings

import numpy as np

Arr = np.ndarray
LEVELS = 3  # the map's topics and two finer levels
MIN_SPLIT = 8  # a topic smaller than this is not split ...
SPLIT_PER = 2_000  # ... nor, in a large corpus, one under 1/SPLIT_PER of the items


def finer_levels(reduced: Arr, vectors: Arr, top: Arr, levels: int = LEVELS) -> Arr:
    """(n, up to ``levels``) topic ids, column 0 = ``top``; -1 (unsorted) stays -1 at every
    level. A level where no topic splits is left out (the 577 TIL notes have 2 levels)."""
    paths = [np.asarray(top, np.int32)]
    min_split = max(MIN_SPLIT, len(paths[0]) // SPLIT_PER)
    for _ in range(levels - 1):
        finer = split_each(reduced, vectors, paths[-1], min_split)
        if finer.max() == paths[-1].max():  # nothing split: no new level
            break
        paths.append(finer)
    return np.stack(paths, axis=1)


def split_each(reduced: Arr, vectors: Arr, parent: Arr, min_split: int = MIN_SPLIT) -> Arr:
    """One level finer: every topic of ``parent`` replaced by its sub-topics (numbered 0..
    by decreasing size across the level, ties by parent id)."""
    out = np.full(len(parent), -1, np.int64)
    next_id = 0
    for t in np.unique(parent[parent >= 0]):
        members = np.flatnonzero(parent == t)
        sub = _split(reduced[members], vectors[members], min_split)
        out[members] = sub + next_id
        next_id += int(sub.max()) + 1
    sizes = np.bincount(out[out >= 0], minlength=next_id)
    order = np.argsort(-sizes, kind="stable")
    remap = np.empty(next_id, np.int64)
    remap[order] = np.arange(next_id)
    return np.where(out >= 0, remap[np.maximum(out, 0)], -1).astype(np.int32)


def _split(reduced: Arr, vectors: Arr, min_split: int = MIN_SPLIT) -> Arr:
    """Sub-topic ids 0.. for one topic's members (all 0 when it does not split)."""
    m = len(reduced)
    if m < min_split:
        return np.zeros(m, np.int64)
    from sklearn.cluster import HDBSCAN

    size = max(3, round(np.sqrt(m) / 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's FutureWarning about ``copy``
        labels = HDBSCAN(min_cluster_size=size, allow_single_cluster=True).fit_predict(reduced)
    if labels.max() < 1:
        return np.zeros(m, np.int64)
    noise = labels < 0
    if noise.any():
        k = int(labels.max()) + 1
        c = np.zeros((k, vectors.shape[1]), np.float32)
        np.add.at(c, labels[~noise], vectors[~noise])
        c /= np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)
        labels = labels.copy()
        labels[noise] = (vectors[noise] @ c.T).argmax(axis=1)
    return labels.astype(np.int64)


def parents(paths: Arr, level: int) -> dict[int, int]:
    """Topic id at ``level`` -> its parent's id at ``level - 1``."""
    if level == 0:
        return {}
    col, up = paths[:, level], paths[:, level - 1]
    ids, first = np.unique(col, return_index=True)  # one pass (a scan per topic: 0.9 s at 100k)
    return {int(t): int(up[i]) for t, i in zip(ids, first, strict=True) if t >= 0}


def paths_for_new(q: Arr, old_vectors: Arr, old_paths: Arr, top: Arr) -> Arr:
    """Paths of new items (unit vectors ``q``) placed on an old map: the finer topics of the
    most similar old item in the same top-level topic (``top``: each new item's level-0
    topic, already chosen; -1 stays -1 at every level)."""
    out = np.full((len(top), old_paths.shape[1]), -1, np.int32)
    out[:, 0] = top
    step = max(1, int(2e7 // max(1, len(old_vectors))))
    for a in range(0, len(q), step):
        sims = q[a : a + step] @ np.asarray(old_vectors, np.float32).T
        for i in range(len(sims)):
            t = top[a + i]
            same = old_paths[:, 0] == t
            if t >= 0 and same.any():
                out[a + i] = old_paths[np.argmax(np.where(same, sims[i], -np.inf))]
    return out
