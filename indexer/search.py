"""Hybrid search: FAISS dense passages + BM25 passages, fused per item, with filters.

Why hybrid: on an author's short summaries BM25 wins (rare names, exact terms);
on paraphrased questions over longer notes dense retrieval wins by far. A
fixed rank mix (RRF) lands *below* the better side on both, so fusion here is
score-based and confidence-aware:

1. candidates = the items owning the top passages of either side; every
   passage of a candidate is scored on both sides;
2. per item: dense = best passage cosine blended with the whole-item vector,
   lexical = best passage BM25;
3. each side becomes standard scores over the candidates (a clear winner
   stands out, a flat side does not), and BM25 is trusted in proportion to how
   much of the query the corpus knows at all.

Every passage is embedded and indexed with its item's title in front, so a
title's words count for all of the item's passages.

Filters (date range, kind, source) restrict the candidate rows *before*
ranking, so k hits come back whenever k matching items exist.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .models import AbsorbError

APPROX_MIN_PASSAGES = 50_000  # above this, HNSW instead of exact search (see bench/)
MAX_QUERY_CHARS = 2_000  # longer queries are cut (documented in the README)
CANDIDATES = 200

# Fusion weights, chosen on the "tune" half of our own question sets
# (tests/data/{questions,hard}_*.jsonl) with bench/tune_fusion.py; see README.
W_DENSE = 0.7
W_ITEM_VEC = 0.35  # share of the whole-item vector in the item's dense score


@dataclass
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    kind: str | list[str] | None = None
    source: str | None = None  # glob over the capture path, e.g. "karpathy-blog/*"
    topic: int | list[int] | None = None  # topic id(s) on the map (``absorb topics``)

    def active(self) -> bool:
        return any(
            v is not None for v in (self.since, self.until, self.kind, self.source, self.topic)
        )


def clean_query(query: str) -> str:
    """Strip control characters and cut overlong queries; raises on empty ones."""
    if not isinstance(query, str):
        raise AbsorbError(f"the query must be text, not {type(query).__name__}")
    q = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", query)
    q = " ".join(q.split())[:MAX_QUERY_CHARS]
    if not q:
        raise AbsorbError("the query is empty", "type a question or a few words")
    return q


def parse_date(value: str | dt.date | None, name: str) -> dt.date | None:
    """A filter date from 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'."""
    if value is None or value == "" or isinstance(value, dt.date):
        return value or None
    v = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", v):
            return dt.date(int(v), 1, 1) if name == "since" else dt.date(int(v), 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", v):
            y, m = map(int, v.split("-"))
            if name == "since":
                return dt.date(y, m, 1)
            nxt = dt.date(y + m // 12, m % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date.fromisoformat(v)
    except ValueError:
        raise AbsorbError(
            f"--{name} {value!r} is not a date", "use YYYY, YYYY-MM or YYYY-MM-DD"
        ) from None


def item_mask(
    dates: list[dt.date | None],
    date_ends: list[dt.date | None],
    kinds: list[str],
    sources: list[str],
    f: Filters,
    topics: np.ndarray | None = None,
) -> np.ndarray:
    """Boolean mask over items that pass the filters.

    An item with a date range passes a date filter when the ranges overlap;
    an undated item never passes a date filter. ``topics`` holds each item's topic id
    (needed only when ``f.topic`` is set).
    """
    n = len(kinds)
    mask = np.ones(n, dtype=bool)
    if f.topic is not None:
        want_t = [f.topic] if isinstance(f.topic, int) else list(f.topic)
        have = np.full(n, -1, np.int64) if topics is None else np.asarray(topics, np.int64)
        mask &= np.isin(have, np.asarray(want_t, dtype=np.int64))
    if f.kind:
        want = {f.kind} if isinstance(f.kind, str) else set(f.kind)
        mask &= np.fromiter((k in want for k in kinds), bool, n)
    if f.source:
        pat = f.source
        mask &= np.fromiter(
            (
                fnmatch.fnmatch(s, pat) or fnmatch.fnmatch(s.rsplit("/", 1)[-1], pat)
                for s in sources
            ),
            bool,
            n,
        )
    if f.since or f.until:
        lo, hi = f.since or dt.date.min, f.until or dt.date.max
        ok = []
        for d, e in zip(dates, date_ends, strict=True):
            start = d or e
            end = e or d
            ok.append(start is not None and start <= hi and end >= lo)
        mask &= np.array(ok, dtype=bool)
    return mask


# ---------------------------------------------------------------- lexical

_STEMMER = None


def _stemmer():
    global _STEMMER
    if _STEMMER is None:
        try:
            import Stemmer

            _STEMMER = Stemmer.Stemmer("english")
        except ImportError:  # optional: plain tokens still work
            _STEMMER = False
    return _STEMMER or None


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed tokens (the same for corpus and queries)."""
    import bm25s

    return bm25s.tokenize(
        texts, stopwords=_stopwords(), stemmer=_stemmer(), return_ids=False, show_progress=False
    )


_STOPWORDS: list[str] = []


def _stopwords() -> list[str]:
    """scikit-learn's English list: question words ("why", "does", "you") carry no topic."""
    if not _STOPWORDS:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        _STOPWORDS.extend(sorted(ENGLISH_STOP_WORDS))
    return _STOPWORDS


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


# ---------------------------------------------------------------- dense


def build_faiss(vectors: np.ndarray, approx: bool | None = None):
    """Exact inner-product index while that is fast; HNSW above APPROX_MIN_PASSAGES
    (``approx`` forces one or the other, for benchmarks)."""
    import faiss

    d = vectors.shape[1]
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
    """Top-k passage rows by cosine; exact over ``allowed_rows`` when filtering."""
    if allowed_rows is not None:
        if len(allowed_rows) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        sims = np.asarray(vectors[allowed_rows] @ q, dtype=np.float32)
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        return allowed_rows[top], sims[top]
    if index is None or index.ntotal == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(128, k)
    with _one_omp_thread():
        scores, rows = index.search(q[None, :].astype(np.float32), min(k, index.ntotal))
    keep = rows[0] >= 0
    return rows[0][keep].astype(np.int64), scores[0][keep]


# ---------------------------------------------------------------- snippets


MARK_MAX_DF = 0.05  # a word in more than 1 passage in 20 is too common here to be worth marking


def marked_terms(retriever, terms: list[str], max_df: float = MARK_MAX_DF) -> list[str]:
    """The query tokens worth marking in a result: known to the corpus and rare in it.

    Stop words are gone already (``tokenize``); this also drops the corpus's own common
    words by document frequency in the BM25 index. Measured on our corpora (share of
    passages holding the stem): in karpathy-blog "say" 9.5%, "understand" 9.2%, "time"
    26.5%, "data" 20.3% are dropped while "backprop" 3.1% and "fat" 2.1% stay marked; in
    simonw-til "github" 22.6% and "run" 44.1% are dropped, "workflow" 4.3% and "schedul"
    0.9% stay. When every word is that common, the rarest one is still marked.
    """
    sc = getattr(retriever, "scores", None)
    vocab = getattr(retriever, "vocab_dict", None)
    if not terms or not isinstance(sc, dict) or "indptr" not in sc or vocab is None:
        return list(terms)
    indptr, n = sc["indptr"], max(1, int(sc.get("num_docs", 1)))
    df: dict[str, int] = {}
    for t in dict.fromkeys(terms):
        i = vocab.get(t)
        if i is not None and i + 1 < len(indptr):
            df[t] = int(indptr[i + 1] - indptr[i])
    out = [t for t, d in df.items() if d <= max_df * n]
    if not out and df:  # every word is common here: the rarest is still what it is about
        out = [min(df, key=lambda t: df[t])]
    return out


def query_terms(query: str) -> list[str]:
    """Stemmed query tokens, for marking matches in a snippet."""
    return tokenize([query])[0]


_WORDS = re.compile(r"\w\w+")


def highlight_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Character spans of words in ``text`` whose stem is one of ``terms``."""
    if not terms:
        return []
    stem = _stemmer()
    want = set(terms)
    found = list(_WORDS.finditer(text))
    words = [m.group().lower() for m in found]
    stems = stem.stemWords(words) if stem else words  # one call for the whole passage
    return [m.span() for m, w, s in zip(found, words, stems, strict=True) if s in want or w in want]


def make_snippet(text: str, terms: list[str], width: int = 320) -> str:
    """A window of ``text`` around its densest run of query terms, terms in **bold**."""
    spans = highlight_spans(text, terms)
    if len(text) <= width:
        start, end = 0, len(text)
    else:
        best = spans[0][0] if spans else 0
        if spans:  # start where the most matches fit in one window
            counts = [sum(1 for s in spans if a <= s[0] < a + width) for a, _ in spans]
            best = spans[int(np.argmax(counts))][0]
        start = max(0, best - width // 4)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + width)
        cut = text.rfind(" ", start, end)
        end = cut if end < len(text) and cut > start else end
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(text[pos:a])
        out.append(f"**{text[a:b]}**")
        pos = b
    out.append(text[pos:end])
    s = "".join(out).replace("\n", " ").strip()
    return ("… " if start > 0 else "") + s + (" …" if end < len(text) else "")


# ---------------------------------------------------------------- fusion


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
    dense = (1 - w_item) * c.dense + w_item * c.item_sim
    return w_dense * zscore(dense) + (1.0 - w_dense) * c.coverage * zscore(c.lex)
