"""The search files of a new generation (BM25, FAISS), reusing the previous generation's.

Measured on the 100k-item scale corpus (``fake:384``, 191,614 passages, 2 busy cores;
``bench/scale_phases.py build --touch``): a one-file re-index spent 18.5 s rebuilding BM25
(tokenising every passage in bm25s) and 42.8 s rebuilding the HNSW graph. Now:

- BM25: the term counts of every passage are kept beside the index
  (``search.bm25_index``); only passages whose text is new are tokenised, and the score
  matrix is recomputed from the counts. The scores are a full build's, bit for bit.
- FAISS: an exact index (under ``search.APPROX_MIN_PASSAGES`` passages) is rebuilt, as
  before (a copy of the vectors). An HNSW graph is kept (hard-linked from the previous
  generation) with its ids mapped to the new rows and a delta of new passages searched
  exactly (``search.dense.Segmented``), until the delta or the removed rows pass 10% of
  the graph; then it is rebuilt.

Passages are matched to the previous generation's by text hash (a passage's vector,
tokens and counts are functions of that text).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import search, store
from .search import bm25_index as B
from .search import dense


def pair_rows(old: list[str], new: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(new row -> old row with the same text hash or -1, old row -> new row or -1);
    repeated hashes pair up in order."""
    pool: dict[str, list[int]] = {}
    for i, h in enumerate(old):
        pool.setdefault(h, []).append(i)
    for v in pool.values():
        v.reverse()  # pop() from the end takes the first
    src = np.full(len(new), -1, np.int64)
    back = np.full(len(old), -1, np.int64)
    for j, h in enumerate(new):
        got = pool.get(h)
        if got:
            i = got.pop()
            src[j], back[i] = i, j
    return src, back


def write_search_files(
    gen: store.GenerationWriter,
    prev: store.Generation | None,
    vecs: np.ndarray,
    hashes: list[str],
    texts_of: Callable[[np.ndarray], list[str]],
) -> str:
    """Write ``bm25`` (+ its counts) and ``faiss.index`` (+ segments) into ``gen``.

    ``texts_of(rows)``: the indexed texts of those passage rows. Returns the FAISS index
    type for the manifest.
    """
    old = store.passage_hashes(prev.db()) if prev is not None else []
    src, back = pair_rows(old, hashes)
    kept = prev.counts("bm25_counts") if prev is not None else None
    fresh = np.flatnonzero(src < 0)
    if kept is not None and len(kept[1]["ptr"]) == len(old) + 1:
        post = B.combine(B.from_saved(*kept), src, search.tokenize(texts_of(fresh)))
    else:  # first build, or one saved before counts were kept: tokenised a chunk at a time
        rows = np.arange(len(hashes))
        post = B.count(
            d
            for s in range(0, len(rows), B.CHUNK)
            for d in search.tokenize(texts_of(rows[s : s + B.CHUNK]))
        )
    gen.save_counts("bm25_counts", *B.to_saved(post))
    gen.save_bm25_arrays("bm25", B.scores(post), B.PARAMS)

    seg = None
    if prev is not None and prev.manifest.get("vector_index") == "IndexHNSWFlat":
        segs = prev.faiss_segments()
        base = segs[0] if segs is not None else np.arange(len(old), dtype=np.int64)
        seg = dense.segments_for(base, back, len(hashes))
    if seg is not None and prev is not None:
        gen.link(prev, "faiss.index")
        gen.save_array("faiss_rows.npy", seg[0])
        gen.save_array("faiss_delta.npy", seg[1])
        return "IndexHNSWFlat"
    index = search.build_faiss(vecs)
    gen.save_faiss("faiss.index", index)
    return type(index).__name__
