"""Hybrid search: FAISS dense passages + BM25 passages, fused per item, with filters.

One module per concern, re-exported here so ``from indexer import search as S;
S.clean_query(...)`` keeps working:

- ``filters``: query cleaning, filter dates, the item mask (shared with the app);
- ``lexical``: tokens, stop words, BM25 build and scores;
- ``dense``: the FAISS index (exact or HNSW) and top-k passage rows;
- ``candidates``: the items a query is ranked over, with per-item evidence;
- ``fusion``: the confidence-aware score mix (why hybrid: see its docstring);
- ``snippets``: the passage window and the matched words to mark;
- ``confidence``: match strength (strong, fair, weak) and a calibrated probability.

Filters (date range, kind, source, topic) restrict the candidate rows *before*
ranking, so k hits come back whenever k matching items exist.
"""

from __future__ import annotations

from . import confidence, dense, filters, fusion, lexical, snippets
from .candidates import CANDIDATES, SearchArrays, candidates
from .dense import APPROX_MIN_PASSAGES, build_faiss, dense_top
from .filters import MAX_QUERY_CHARS, Filters, clean_query, item_mask, parse_date
from .fusion import (
    PRF_TOP,
    PRF_WEIGHT,
    W_DENSE,
    W_ITEM_VEC,
    Candidates,
    feedback_query,
    rank,
    segment_argmax,
    spread_norm,
    zscore,
)
from .lexical import _stemmer, _stopwords, bm25_scores, build_bm25, tokenize, top_rows
from .snippets import (
    MARK_MAX_DF,
    highlight_spans,
    make_snippet,
    mark,
    marked_terms,
    query_terms,
    snippet_spans,
)

__all__ = [
    "APPROX_MIN_PASSAGES",
    "CANDIDATES",
    "MARK_MAX_DF",
    "PRF_TOP",
    "PRF_WEIGHT",
    "MAX_QUERY_CHARS",
    "W_DENSE",
    "W_ITEM_VEC",
    "Candidates",
    "Filters",
    "SearchArrays",
    "_stemmer",
    "_stopwords",
    "bm25_scores",
    "build_bm25",
    "build_faiss",
    "candidates",
    "clean_query",
    "confidence",
    "dense",
    "dense_top",
    "feedback_query",
    "filters",
    "fusion",
    "highlight_spans",
    "item_mask",
    "lexical",
    "make_snippet",
    "mark",
    "marked_terms",
    "snippet_spans",
    "parse_date",
    "query_terms",
    "rank",
    "segment_argmax",
    "snippets",
    "spread_norm",
    "tokenize",
    "top_rows",
    "zscore",
]
