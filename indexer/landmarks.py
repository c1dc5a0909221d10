"""The map of a large corpus: UMAP on a sample of landmarks, every other item placed by them.

From ``neighbours.LARGE`` items one UMAP of everything was most of the map's time (100k
items, fake:384 vectors, 2 cores: HNSW neighbours 27 s and a 100-epoch UMAP 32 s). Here UMAP
lays out the seeded 20k-item sample HDBSCAN is fitted on anyway, and each other item goes to
the similarity-weighted mean position of its 10 nearest landmarks (``similarity_weights``,
which also places new items on an old map), found in the landmarks' own HNSW graph:
18 s for the three steps. Neighbourhoods survive about as well: for 2,000 probe items, the
share of the 10 nearest in the full space that are among the 10 nearest on the map was 0.337
against 0.350 for the full UMAP (``/tmp`` experiment of 2026-12-03; ``bench/map_scale.py``
times the whole map).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .layout import umap_layout
from .neighbours import _neighbours, _sample, ann_index

Arr = np.ndarray
PLACE_K = 10  # landmarks that place an item
TEMPERATURE = 0.01  # of the softmax over similarities (tuned for new items: 0.005-0.01)


def landmark_layout(x: Arr, k: int, seed: int, **umap_kw: Any) -> tuple[Arr, Arr]:
    """(coords (n, 2) of unit rows ``x``, the sorted indices of the landmarks)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    sample = _sample(len(x), seed)
    xs = np.ascontiguousarray(x[sample])
    index = ann_index(xs)
    own = umap_layout(xs, _neighbours(xs, k, index=index), 2, 0.05, seed, **umap_kw)
    coords = np.empty((len(x), 2), np.float32)
    coords[sample] = own
    rest = np.setdiff1d(np.arange(len(x)), sample)
    coords[rest] = place(x[rest], index, xs, own)
    return coords, sample


def place(q: Arr, index: Any, xs: Arr, own: Arr, block: int = 8192) -> Arr:
    """Positions of the rows ``q``: the softmax-weighted mean of their PLACE_K nearest
    landmarks' positions ``own`` (``index`` is built over the landmarks ``xs``).

    >>> xs = np.eye(3, dtype=np.float32)
    >>> own = np.array([[0, 0], [10, 0], [0, 10]], np.float32)
    >>> import faiss; index = faiss.IndexFlatIP(3); index.add(xs)
    >>> place(np.array([[0.0, 1.0, 0.0]], np.float32), index, xs, own).round(3).tolist()
    [[10.0, 0.0]]
    """
    import faiss

    k = min(PLACE_K, len(own))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(2 * k, 64)
    out = np.empty((len(q), 2), np.float32)
    for a in range(0, len(q), block):
        rows = np.ascontiguousarray(q[a : a + block], np.float32)
        sims, idx = index.search(rows, k)
        lost = np.flatnonzero(idx[:, 0] < 0)  # the graph found none: search exactly
        if len(lost):
            flat = faiss.IndexFlatIP(xs.shape[1])
            flat.add(xs)
            sims[lost], idx[lost] = flat.search(rows[lost], k)
        w = similarity_weights(np.where(idx >= 0, sims, -np.inf))
        out[a : a + block] = np.einsum("qk,qkd->qd", w, own[np.maximum(idx, 0)])
    return out


def similarity_weights(sims: Arr) -> Arr:
    """Row-wise softmax of similarities at ``TEMPERATURE``: the nearest count most. Places
    landmarks' neighbours here and new items on an old map (``topics._interpolate``)."""
    w = np.exp((sims - sims.max(axis=1, keepdims=True)) / TEMPERATURE)
    return w / w.sum(axis=1, keepdims=True)
