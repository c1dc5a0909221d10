"""Dense side: the FAISS index over passage vectors and the top-k passage rows for a query.

Vectors are L2-normalised, so inner product is cosine. Exact search
(``IndexFlatIP``) while that is fast; HNSW (M=32, efConstruction=80,
efSearch >= 128) from ``APPROX_MIN_PASSAGES`` passages (its recall against
exact search: ``bench/hnsw_recall.py``). With a filter active the search is
exact over the allowed rows only, so filtering never loses a match to the
approximation.

Re-indexing with HNSW keeps the graph (``Segmented``): rebuilding it took 13 s of a
one-file re-index at 100k items. The previous graph is the *base* segment (its ids
mapped to the new passage rows, removed passages mapped to -1 and skipped), and the
passages it lacks form a small *delta* searched exactly with numpy; the two top-k
lists are merged by score. Results are those of the base graph plus exact search
over the delta, so a changed passage is found at least as reliably as after a
rebuild. When the delta or the removed rows pass ``SEGMENT_LIMIT`` of the base, the
graph is rebuilt. Exact indexes (under ``APPROX_MIN_PASSAGES``) are rebuilt every
time as before (that is only a copy of the vectors).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

APPROX_MIN_PASSAGES = 50_000  # above this, HNSW instead of exact search (see bench/)
SEGMENT_LIMIT = 0.1  # delta or removed rows beyond this share of the base: rebuild HNSW


class Segmented:
    """An HNSW base over earlier passage rows plus an exact delta (see module docstring)."""

    def __init__(self, base: Any, rows: np.ndarray, delta: np.ndarray) -> None:
        self.base = base  # FAISS index; its id i is passage row rows[i] (-1: removed)
        self.rows = np.asarray(rows, np.int64)
        self.delta = np.asarray(delta, np.int64)  # passage rows searched exactly
        self.dead = int(np.count_nonzero(self.rows < 0))
        self.ntotal = len(self.rows) - self.dead + len(self.delta)

    def top(self, vectors: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        got_r, got_s = [], []
        if self.base.ntotal:
            self.base.hnsw.efSearch = max(128, k + self.dead)
            with _one_omp_thread():
                kk = min(k + self.dead, self.base.ntotal)
                s, r = self.base.search(q[None, :].astype(np.float32), kk)
            ok = r[0] >= 0
            rows = self.rows[r[0][ok]]
            got_r.append(rows[rows >= 0][:k])
            got_s.append(s[0][ok][rows >= 0][:k])
        if len(self.delta):
            sims = np.asarray(vectors[self.delta] @ q, dtype=np.float32)
            top = np.argpartition(-sims, min(k, len(sims)) - 1)[:k]
            got_r.append(self.delta[top])
            got_s.append(sims[top])
        rows, sims = np.concatenate(got_r), np.concatenate(got_s).astype(np.float32)
        order = np.argsort(-sims, kind="stable")[:k]
        return rows[order], sims[order]


def segments_for(
    prev_rows: np.ndarray, new_rows_of_old: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """(base id -> new row, delta rows) to keep a previous HNSW graph, or None to rebuild.

    ``prev_rows``: the previous generation's base id -> its passage row (-1: removed);
    ``new_rows_of_old``: previous passage row -> new passage row (-1: gone).
    """
    if n_rows < APPROX_MIN_PASSAGES or not len(prev_rows):
        return None
    rows = np.where(prev_rows >= 0, new_rows_of_old[np.maximum(prev_rows, 0)], -1)
    covered = np.zeros(n_rows, bool)
    covered[rows[rows >= 0]] = True
    delta = np.flatnonzero(~covered)
    limit = SEGMENT_LIMIT * len(rows)
    if len(delta) > limit or np.count_nonzero(rows < 0) > limit:
        return None
    return rows.astype(np.int64), delta.astype(np.int64)


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
    if isinstance(index, Segmented):
        return index.top(vectors, q, k)
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(128, k)
    with _one_omp_thread():
        scores, rows = index.search(q[None, :].astype(np.float32), min(k, index.ntotal))
    keep = rows[0] >= 0
    return rows[0][keep].astype(np.int64), scores[0][keep]
