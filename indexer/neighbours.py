"""Neighbours and samples for the topic map (split from ``topics.py``).

``_neighbours``: the k neighbours UMAP sees, CSLS re-ranked against hubs; ``_knn``: exact
below ``LARGE`` items, an HNSW graph above (measured at 100k items, fake:384 vectors, 2
cores: exact 40 s, HNSW 31 s, FAISS inverted lists 66 s); ``_sample``/``_extend``: HDBSCAN
fitted on a sample at large n, the other items labelled by their nearest sampled item.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Arr = np.ndarray
HUB_K = 10  # neighbours that measure how much of a hub an item is (CSLS's usual 10)
LARGE = 20_000  # from here on: approximate neighbours, the landmark layout of a sample
HDBSCAN_SAMPLE = 20_000  # from LARGE items: the landmarks UMAP lays out and HDBSCAN fits


def _neighbours(x: Arr, k: int, hub_k: int = HUB_K, index: Any = None) -> tuple[Arr, Arr]:
    """The k neighbours UMAP should see: the 3k nearest re-ranked by CSLS (hubness reduction).

    In embedding spaces a few "hub" items are near everything and crowd other items out of
    neighbour lists. CSLS scores a pair by ``2 cos(i, j) - r_j`` (``r_j`` = mean similarity of j
    to its ``hub_k`` nearest), which demotes hubs. Returned sorted by plain cosine distance,
    self first, as UMAP expects. On simonw-til this lifts the map's same-folder neighbour share
    from 95.0% to 96.5% of the full space's (mean of 30 seeds; bench/map_bench.py).
    """
    idx, dist = _knn(x, min(len(x) - 1, 3 * k) + 1, index)
    hub = (1.0 - dist[:, 1 : hub_k + 1]).mean(axis=1)
    score = -dist - 0.5 * hub[idx]  # = (2 cos - r_j) / 2 - 1/2: same order as CSLS in a row
    score[:, 0] = np.inf
    keep = np.argsort(-score, axis=1, kind="stable")[:, :k]
    idx, dist = np.take_along_axis(idx, keep, 1), np.take_along_axis(dist, keep, 1)
    order = np.argsort(dist, axis=1, kind="stable")
    return np.take_along_axis(idx, order, 1), np.take_along_axis(dist, order, 1)


def _sample(n: int, seed: int) -> Arr:
    """The items HDBSCAN is fitted on: all of them below LARGE, else a seeded sample."""
    if n < LARGE:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, HDBSCAN_SAMPLE, replace=False))


def _extend(labels: Arr, reduced: Arr, sample: Arr) -> Arr:
    """Labels for every item from those of ``sample``: its nearest sampled item's (5-d)."""
    import faiss

    index = faiss.IndexFlatL2(reduced.shape[1])
    index.add(np.ascontiguousarray(reduced[sample], np.float32))
    _, near = index.search(np.ascontiguousarray(reduced, np.float32), 1)
    return labels[near[:, 0]]


def ann_index(x: Arr) -> Any:
    """A FAISS inner-product index of unit rows ``x``: exact (flat search; at 100k items about
    twice as fast as blocked numpy and a tenth of its memory) below LARGE items, an HNSW
    graph above (FAISS inverted lists scanned slower: 60 s at 100k)."""
    import faiss

    x = np.ascontiguousarray(x, dtype=np.float32)
    if len(x) < LARGE:
        flat = faiss.IndexFlatIP(x.shape[1])
        flat.add(x)
        return flat
    index = faiss.IndexHNSWFlat(x.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 64
    index.add(x)
    return index


def _knn(x: Arr, k: int, index: Any = None) -> tuple[Arr, Arr]:
    """Cosine k nearest neighbours of unit rows (self first), searched in ``index`` (built
    over ``x`` by ``ann_index`` when not given)."""
    import faiss

    x = np.ascontiguousarray(x, dtype=np.float32)
    index = ann_index(x) if index is None else index
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(2 * k, 64)
    sims, idx = index.search(x, k)
    short = np.flatnonzero((idx < 0).any(axis=1))  # the graph found fewer than k: exactly
    if len(short):
        flat = faiss.IndexFlatIP(x.shape[1])
        flat.add(x)
        sims[short], idx[short] = flat.search(x[short], k)
    own = np.arange(len(x))[:, None]
    # duplicates tie with the item itself: put the item first and drop its other place
    # (or the last neighbour, when the tie pushed it out of the list)
    where = np.where(idx == own, np.arange(k), k - 1).min(axis=1)
    keep = np.arange(k)[None, :] != where[:, None]
    idx = np.hstack([own, idx[keep].reshape(len(x), k - 1)]).astype(np.int32)
    sims = np.hstack([np.ones((len(x), 1), np.float32), sims[keep].reshape(len(x), k - 1)])
    return idx, np.clip(1.0 - sims, 0.0, 2.0).astype(np.float32)
