"""Dense side: the FAISS index over passage vectors and the top-k passage rows for a query.

Vectors are L2-normalised, so inner product is cosine. Exact search
(``IndexFlatIP``) while that is fast; HNSW (M=32, efConstruction=80,
efSearch >= 128) from ``APPROX_MIN_PASSAGES`` passages (its recall against
exact search: ``bench/hnsw_recall.py``). With a filter active the search is
exact over the allowed rows only, so filtering never loses a match to the
approximation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

APPROX_MIN_PASSAGES = 50_000  # above this, HNSW instead of exact search (see bench/)


def build_faiss(vectors: np.ndarray, approx: bool | None = None):
    """Exact inner-product index while that is fast; HNSW above APPROX_MIN_PASSAGES
    (``approx`` forces one or the other, for benchmarks)."""
    import faiss

    d = vectors.shape[1]
    index: Any
    if approx if approx is not None else len(vectors) >= APPROX_MIN_PASSAGES:
        index = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(d)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


@contextlib.contextmanager
def _one_omp_thread() -> Iterator[None]:
    """FAISS on one OpenMP thread (this thread only) while it answers one query.

    One query gains nothing from a thread team, and on a busy machine waiting for
    the team costs more than the search (16 ms instead of 3 ms for 50k passages on
    two loaded cores). Results are the same: a single query is searched serially.
    """
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def dense_top(
    index, vectors: np.ndarray, q: np.ndarray, k: int, allowed_rows: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k passage rows by cosine; exact over ``allowed_rows`` when filtering, and over
    every row when ``index`` is None (an exact index: numpy, without importing faiss)."""
    if allowed_rows is None and index is None:
        sims = np.asarray(vectors @ q, dtype=np.float32)
        allowed_rows = np.arange(len(sims), dtype=np.int64)
    elif allowed_rows is not None:
        if len(allowed_rows) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        sims = np.asarray(vectors[allowed_rows] @ q, dtype=np.float32)
    else:
        sims = None
    if sims is not None:
        if len(sims) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        assert allowed_rows is not None  # set with sims above
        return allowed_rows[top], sims[top]
    if index.ntotal == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(128, k)
    with _one_omp_thread():
        scores, rows = index.search(q[None, :].astype(np.float32), min(k, index.ntotal))
    keep = rows[0] >= 0
    return rows[0][keep].astype(np.int64), scores[0][keep]
