"""Candidate generation: the items one query is ranked over, with their evidence on both sides.

The union of the items owning the ``CANDIDATES`` best passages by BM25 and by
cosine; then *every* passage of each candidate is scored on both sides, so an
item found by one side is judged by the other too. Per item that gives the
best passage cosine, the whole-item cosine and the best passage BM25
(``fusion.Candidates``), plus the passage the snippet is cut from (best by
both sides at passage level). ``Index.search`` ranks this with
``fusion.rank``; ``bench/tune_fusion.py`` computes it once per question and
tries weight settings on it.

Filters arrive as a mask over items and restrict the rows on both sides
*before* the top passages are taken. When a filter leaves at most ``CANDIDATES``
items, every one of them is a candidate (dense and hybrid modes, where every item has a
score): top passages alone can miss an item
when a long one (a transcript of 100+ passages) fills the list, and a filtered
search must return k hits whenever k items match.
"""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

import numpy as np

from .dense import dense_top
from .fusion import PRF_TOP, Candidates, feedback_query, rank, segment_argmax, spread_norm
from .lexical import bm25_scores, tokenize, top_rows

CANDIDATES = 200  # top passages taken from each side


class SearchArrays(Protocol):
    """What candidate generation reads from an open index (``Index.state()`` has it)."""

    bm25: Any  # the saved BM25 index over passages (store.bm25_files.SavedBM25)
    faiss: Any  # FAISS index over passage vectors; None when exact (numpy over ``vecs``)
    vecs: np.ndarray  # passage vectors, one row per passage
    ivecs: np.ndarray  # item vectors, one row per item
    owner: np.ndarray  # passage row -> item ordinal (ascending)
    p_start: np.ndarray  # item ordinal -> its first passage row
    p_end: np.ndarray  # item ordinal -> one past its last passage row


def candidates(
    st: SearchArrays,
    q: str,
    qv: np.ndarray | None,
    allowed: np.ndarray | None,
    mode: str,
    lock: contextlib.AbstractContextManager[Any] | None = None,
) -> Candidates | None:
    """Union of both sides' top passages, scored per item on both sides.

    ``q`` is a cleaned query, ``qv`` its vector (None in bm25 mode), ``allowed``
    a boolean mask over items or None, ``lock`` held while BM25 is scored (the
    index's lock: bm25s reads memory-mapped arrays). None when nothing matches.
    """
    terms = tokenize([q])[0]
    n_p = len(st.vecs)
    row_ok = allowed[st.owner] if allowed is not None else None
    cand: set[int] = set()
    lex = np.zeros(n_p, np.float32)
    if mode != "dense":
        with lock or contextlib.nullcontext():
            lex = bm25_scores(st.bm25, terms, n_p)
        if row_ok is not None:
            lex = np.where(row_ok, lex, 0.0)
        cand.update(st.owner[top_rows(lex, CANDIDATES)].tolist())
    if qv is not None:
        rows = np.flatnonzero(row_ok) if row_ok is not None else None
        drows, _ = dense_top(st.faiss, st.vecs, qv, CANDIDATES, rows)
        cand.update(st.owner[drows].tolist())
    if qv is not None and allowed is not None and int(allowed.sum()) <= CANDIDATES:
        cand.update(np.flatnonzero(allowed).tolist())
    if not cand:
        return None
    items = np.array(sorted(cand), dtype=np.int64)
    lens = st.p_end[items] - st.p_start[items]
    starts = np.r_[0, np.cumsum(lens)[:-1]]
    # every passage row of every candidate, item by item (each owns a contiguous range)
    rows = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(st.p_start[items] - starts, lens)
    lex_p = lex[rows]
    if qv is not None:
        dense_p = np.asarray(st.vecs[rows] @ qv, dtype=np.float32)
        item_sim = np.asarray(st.ivecs[items] @ qv, dtype=np.float32)
    else:
        dense_p = np.zeros(len(rows), np.float32)
        item_sim = np.zeros(len(items), np.float32)
    # the snippet passage: best by both sides at passage level
    pscore = spread_norm(dense_p) + spread_norm(lex_p)
    best = rows[segment_argmax(pscore, starts, lens)]
    vocab = st.bm25.vocab_dict
    c = Candidates(
        items=items,
        best_row=best,
        terms=terms,
        dense=np.maximum.reduceat(dense_p, starts),
        item_sim=item_sim,
        lex=np.maximum.reduceat(lex_p, starts),
        coverage=sum(t in vocab for t in terms) / len(terms) if terms else 0.0,
    )
    if qv is not None and mode == "hybrid" and PRF_TOP:
        # pseudo-relevance feedback (fusion.feedback_query): a second dense pass
        top = np.argsort(-rank(c), kind="stable")[:PRF_TOP]
        q2 = feedback_query(qv, np.asarray(st.ivecs[items[top]], dtype=np.float32))
        c.fb_dense = np.maximum.reduceat(np.asarray(st.vecs[rows] @ q2), starts)
        c.fb_item_sim = np.asarray(st.ivecs[items] @ q2, dtype=np.float32)
    return c
