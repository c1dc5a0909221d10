"""Chronology's text evidence: tokens, per-item counts (kept between builds) and TF-IDF.

Tokenising every item (markup stripped, stop words dropped, Snowball stems) took 14 s of
chronology's 47 s on the 100k-item scale corpus (py-spy over ``bench/scale_phases.py
build --touch``), on every build. The counts of each item's text and title are now kept
beside the index (``ItemTokens``), keyed by a hash of what is tokenised, so a re-index
tokenises only new or changed items.

TF-IDF is computed here from the counts, as ``TfidfVectorizer(sublinear_tf=True)`` would
(1 + log tf, smooth idf, rows scaled to unit length), with columns in sorted token order
and sorted within each row. The matrix, and so every dot product chronology takes, then
depends only on the items' texts and order, never on which counts came from the cache:
a re-index links and dates exactly as a full build (``tests/test_incremental.py``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .models import Item
from .search import bm25_index as B
from .stopwords import ENGLISH_SET

TEXT_WORDS = 4000  # words of text compared per item

try:  # PyStemmer is a dependency (search); without it words are compared unstemmed
    _stem = __import__("Stemmer").Stemmer("english").stemWords
except ImportError:  # pragma: no cover
    _stem = list

_MARKUP = re.compile(r"<(style|script)\b.*?</\1>|<[^>]+>|\]\([^)]*\)|https?://\S+", re.S)
_WORD = re.compile(r"[a-z0-9][a-z0-9+#-]*[a-z0-9+#]|[a-z]")


def tokens(text: str) -> list[str]:
    words = _WORD.findall(_MARKUP.sub(" ", text).lower())
    return [w for w in _stem([w for w in words if w not in ENGLISH_SET]) if len(w) > 1]


def document(it: Item) -> str:
    """What is compared of an item: title, any front-matter excerpt, then the text."""
    return f"{it.title}\n{it.extra.get('excerpt') or ''}\n{' '.join(it.text.split()[:TEXT_WORDS])}"


def item_key(it: Item) -> str:
    raw = "\0".join((it.title, str(it.extra.get("excerpt") or ""), it.text))
    return hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@dataclass
class Counts:
    """Token counts of each item's document (``text``) and title, in item order."""

    keys: list[str]
    text: B.Postings
    title: B.Postings


def to_saved(c: Counts) -> tuple[Any, dict[str, np.ndarray]]:
    """(JSON part, arrays) to keep ``c`` beside the index (``store`` ``save_counts``)."""
    m1, a1 = B.to_saved(c.text, "text_")
    m2, a2 = B.to_saved(c.title, "title_")
    return {"keys": c.keys, **m1, **m2}, {**a1, **a2}


def from_saved(meta: Any, arrays: dict[str, np.ndarray]) -> Counts | None:
    try:
        c = Counts(list(meta["keys"]), B.from_saved(meta, arrays, "text_"),
                   B.from_saved(meta, arrays, "title_"))  # fmt: skip
    except (KeyError, TypeError):  # another layout: count afresh
        return None
    n = len(c.keys)
    return c if c.text.n_docs == n and c.title.n_docs == n else None


class ItemTokens:
    """The counts of an earlier build going in (``previous``), this build's coming out."""

    def __init__(self, previous: Counts | None = None) -> None:
        self.previous = previous
        self.current: Counts | None = None

    def counts(self, items: list[Item]) -> Counts:
        keys = [item_key(it) for it in items]
        prev = self.previous
        where = {k: i for i, k in enumerate(prev.keys)} if prev is not None else {}
        src = np.array([where.get(k, -1) for k in keys], np.int64)
        new = [items[i] for i in np.flatnonzero(src < 0).tolist()]
        self.current = Counts(
            keys,
            B.combine(prev.text if prev else None, src, [tokens(document(it)) for it in new]),
            B.combine(prev.title if prev else None, src, [tokens(it.title) for it in new]),
        )
        return self.current


def tfidf(c: Counts) -> tuple[Any, Any, list[set[str]]] | None:
    """(documents' TF-IDF rows, titles' rows over the same vocabulary and idf, each title's
    token set); None when no item has a word (as TfidfVectorizer refuses to fit)."""
    from scipy import sparse

    vocab = c.text.vocab
    if not vocab:
        return None
    order = np.argsort(np.array(vocab, dtype=object), kind="stable")
    rank = np.empty(len(vocab), np.int64)
    rank[order] = np.arange(len(vocab))
    n = c.text.n_docs
    df = np.bincount(rank[c.text.tok], minlength=len(vocab))
    idf = np.log((1 + n) / (1 + df)) + 1.0

    def rows(p: B.Postings, cols: np.ndarray) -> Any:
        keep = cols[p.tok] >= 0
        cum = np.r_[0, np.cumsum(keep, dtype=np.int64)]
        ptr = cum[p.ptr]  # kept entries before each row's start
        col = cols[p.tok[keep]]
        data = (1.0 + np.log(p.tf[keep].astype(np.float64))) * idf[col]
        m = sparse.csr_matrix((data, col, ptr), shape=(p.n_docs, len(vocab)))
        m.sort_indices()
        return _unit_rows(m)

    x = rows(c.text, rank)
    at = {t: int(rank[i]) for i, t in enumerate(vocab)}
    title_cols = np.array([at.get(t, -1) for t in c.title.vocab], np.int64)
    titles = rows(c.title, title_cols)
    words = c.title.vocab
    sets = [
        {words[t] for t in c.title.tok[a:b].tolist()}
        for a, b in zip(c.title.ptr[:-1].tolist(), c.title.ptr[1:].tolist(), strict=True)
    ]
    return x, titles, sets


def _unit_rows(m: Any) -> Any:
    """``m`` (CSR) with rows scaled to unit length, in place: what scikit-learn's
    ``normalize`` does, bit for bit (each row's squares summed in order, as ``bincount``
    sums), without importing scikit-learn (2.5 s of every re-index in a new process).

    >>> from scipy import sparse
    >>> _unit_rows(sparse.csr_matrix([[3.0, 4.0], [0.0, 0.0]])).toarray().tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    row = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    norm = np.sqrt(np.bincount(row, weights=m.data * m.data, minlength=m.shape[0]))
    m.data /= np.where(norm > 0, norm, 1.0)[row]
    return m
