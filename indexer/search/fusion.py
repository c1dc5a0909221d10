"""Hybrid ranking: dense and lexical evidence per item, fused with confidence.

Why hybrid: on an author's short summaries BM25 wins (rare names, exact terms);
on paraphrased questions over longer notes dense retrieval wins by far. A
fixed rank mix (RRF) lands *below* the better side on both, so fusion here is
score-based and confidence-aware:

1. candidates = the items owning the top passages of either side; every
   passage of a candidate is scored on both sides (``search.candidates``);
2. per item: dense = best passage cosine blended with the whole-item vector,
   lexical = best passage BM25;
3. each side becomes standard scores over the candidates (a clear winner
   stands out, a flat side does not), and BM25 is trusted in proportion to how
   much of the query the corpus knows at all;
4. the dense side takes a second look with pseudo-relevance feedback
   (``feedback_query``; ``search.candidates`` fills ``fb_dense``/``fb_item_sim``).

>>> zscore(np.array([1.0, 1.0, 4.0])).round(3).tolist()
[-0.707, -0.707, 1.414]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Fusion weights, chosen on the "tune" half of our own question sets
# (tests/data/{questions,hard}_*.jsonl) with bench/tune_fusion.py; see README.
W_DENSE = 0.7
W_ITEM_VEC = 0.35  # share of the whole-item vector in the item's dense score
# Dense pseudo-relevance feedback, chosen on the tune questions with
# bench/adaptive_fusion.py: the query vector moves toward the mean vector of the
# first pass's PRF_TOP best items, weighted PRF_WEIGHT (0 top items: no second pass).
PRF_WEIGHT = 0.3
PRF_TOP = 2


@dataclass
class Candidates:
    """Per-item evidence for one query, over the union of both sides' top passages."""

    items: np.ndarray  # item ordinals
    best_row: np.ndarray  # the passage row used for the snippet
    terms: list[str]  # the query's tokens
    dense: np.ndarray  # best passage cosine
    item_sim: np.ndarray  # whole-item vector cosine
    lex: np.ndarray  # best passage BM25
    coverage: float  # share of query tokens the corpus knows at all
    # the dense side again after pseudo-relevance feedback (None: no second pass)
    fb_dense: np.ndarray | None = None
    fb_item_sim: np.ndarray | None = None


def segment_argmax(x: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Per contiguous segment of ``x`` (all non-empty), the index of its first maximum.

    ``[s + np.argmax(x[s:s + n]) for s, n in zip(starts, lens)]``, vectorised.
    """
    seg = np.repeat(np.arange(len(starts)), lens)
    hit = np.flatnonzero(x == np.maximum.reduceat(x, starts)[seg])
    first = hit[np.r_[True, seg[hit[1:]] != seg[hit[:-1]]]] if len(hit) else hit
    if len(first) != len(starts):  # NaN in a segment: argmax's rules, one by one
        return np.array(
            [s + int(np.argmax(x[s : s + n])) for s, n in zip(starts, lens, strict=True)],
            dtype=np.int64,
        )
    return first


def spread_norm(x: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] by the candidates' own min..max (0 when all equal)."""
    if len(x) == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def zscore(x: np.ndarray) -> np.ndarray:
    """Standard scores among the candidates: a clear winner stands out, a flat side does not."""
    if len(x) == 0:
        return x
    sd = float(x.std())
    return (x - float(x.mean())) / sd if sd > 1e-9 else np.zeros_like(x)


def rank(
    c: Candidates, mode: str = "hybrid", w_dense: float = W_DENSE, w_item: float = W_ITEM_VEC
) -> np.ndarray:
    """Scores for ``c.items``: the confidence-aware mix in hybrid mode (module docstring).

    Each side is turned into standard scores over the candidates, so a side
    whose top item stands far above the rest speaks louder than a side with a
    flat ranking; ``coverage`` further scales BM25's say, so a question phrased
    in words the author never used is ranked mostly by meaning.
    """
    if mode == "dense":
        return c.dense
    if mode == "bm25":
        return c.lex
    d, i = c.dense, c.item_sim
    if c.fb_dense is not None and c.fb_item_sim is not None:
        d, i = c.fb_dense, c.fb_item_sim
    dense = (1 - w_item) * d + w_item * i
    return w_dense * zscore(dense) + (1.0 - w_dense) * c.coverage * zscore(c.lex)


def feedback_query(qv: np.ndarray, top_item_vecs: np.ndarray, weight: float = PRF_WEIGHT):
    """Rocchio's query update: ``qv`` moved toward the mean of the top items, unit length.

    A question worded unlike the author's prose still lands near its best
    items; their mean vector carries the author's own wording of the topic, so
    a second dense pass finds the item that answers it among its neighbours.
    Held-out MRR@10 against the fixed mix (bench/adaptive_fusion.py): TIL
    0.908 -> 0.938 and 0.865 -> 0.865, karpathy 0.942 -> 0.942 and 0.856 -> 0.864,
    Mastodon 0.841 -> 0.843, jakevdp 0.865 -> 0.855.

    >>> feedback_query(np.array([1.0, 0.0]), np.array([[0.0, 1.0]]), 1.0).round(3).tolist()
    [0.707, 0.707]
    """
    q2 = qv + weight * top_item_vecs.mean(0)
    n = float(np.linalg.norm(q2))
    return q2 / n if n > 0 else qv
