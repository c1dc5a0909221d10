"""Lexical side: tokens, stop words, the BM25 index over passages and its scores.

Why BM25 at all: on an author's short summaries it wins (rare names, exact
terms) where dense retrieval blurs them. Corpus and queries are tokenized the
same way: lower-cased, scikit-learn's English stop words removed (question
words such as "why", "does", "you" carry no topic), Snowball-stemmed when
PyStemmer is installed.

Every passage is indexed with its item's title in front, so a title's words
count for all of the item's passages.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..stopwords import ENGLISH
from . import tokens

_STEMMER: Any = None


def _stemmer() -> Any:
    global _STEMMER
    if _STEMMER is None:
        try:
            import Stemmer

            _STEMMER = Stemmer.Stemmer("english")
        except ImportError:  # optional: plain tokens still work
            _STEMMER = False
    return _STEMMER or None


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed tokens (the same for corpus and queries).

    bm25s's tokenizer rules without importing bm25s (numba, scipy: ~0.4 s on a cold
    query); ``tests/test_cold_path.py`` checks the tokens are identical.
    """
    stem = _stemmer()
    return tokens.tokenize(texts, ENGLISH, stem.stemWords if stem else None)


def _stopwords() -> list[str]:
    """scikit-learn's English list (frozen in ``indexer.stopwords``, checked against it)."""
    return list(ENGLISH)


def build_bm25(texts: list[str]):
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(tokenize(texts), show_progress=False)
    return retriever


def bm25_scores(retriever, query_tokens: list[str], n: int) -> np.ndarray:
    if retriever is None or not query_tokens or n == 0:
        return np.zeros(n, dtype=np.float32)
    known = [t for t in query_tokens if t in retriever.vocab_dict]
    if not known:
        return np.zeros(n, dtype=np.float32)
    return np.asarray(_bm25_get_scores(retriever, known), dtype=np.float32)


def _bm25_get_scores(retriever, known: list[str]) -> np.ndarray:
    """``retriever.get_scores(known)``, without its slow ``np.add.at``.

    bm25s stores one posting per (token, passage), so within a token's column the
    passage indices are unique and a plain fancy-index ``+=`` adds exactly what
    ``np.add.at`` adds, in the same order (the same float32 sums). Anything but the
    plain eager index layout goes through bm25s itself.
    """
    sc = getattr(retriever, "scores", None)
    if not isinstance(sc, dict) or not {"data", "indices", "indptr", "num_docs"} <= set(sc):
        return retriever.get_scores(known)
    data, indices, indptr = sc["data"], sc["indices"], sc["indptr"]
    ids = np.asarray(retriever.get_tokens_ids(known), dtype=np.int64)
    scores = np.zeros(int(sc["num_docs"]), dtype=np.dtype(retriever.dtype))
    for t in ids:
        a, b = int(indptr[t]), int(indptr[t + 1])
        scores[indices[a:b]] += data[a:b]
    if getattr(retriever, "nonoccurrence_array", None) is not None:
        scores += retriever.nonoccurrence_array[ids].sum()
    return scores


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` highest non-zero ``scores`` (as a set: the order is unspecified).

    The same rows as ``nz[np.argsort(-scores[nz])[:k]]`` over the non-zero rows
    ``nz``, found by partitioning; only when the k-th score is tied with one outside
    the top k (so the choice among ties is the sort's) does it sort everything as
    that expression does.
    """
    nz = np.flatnonzero(scores)
    if len(nz) <= k:
        return nz
    vals = scores[nz]
    kth = np.partition(vals, len(vals) - k)[len(vals) - k]
    above = vals >= kth
    if int(np.count_nonzero(above)) == k:
        return nz[above]
    return nz[np.argsort(-vals)[:k]]
