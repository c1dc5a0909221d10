"""The BM25 index built from per-passage term counts, so a re-index tokenises only what changed.

bm25s (``lexical.build_bm25``) tokenises and counts every passage on every build: 13 s of
a one-file re-index at 100k items. Here the counts are kept (``Postings``: per passage,
token ids and term frequencies, saved beside the index), a re-index tokenises only new
passages and reuses the other rows' counts, and the score matrix is recomputed from the
counts with numpy in a second or two.

Every BM25 score depends on corpus-wide statistics (document count, mean passage length,
each token's document frequency), so the whole matrix is recomputed each time, never
patched: the scores are those of a full build. They are bm25s's own, bit for bit
(``tests/test_bm25_index.py`` compares them with ``bm25s.BM25`` on the seed captures): the
Lucene variant, k1 = 1.5, b = 0.75, float32, computed with bm25s's float64 intermediates
and the same ``math.log`` idf. Only the token numbering can differ from bm25s's (which is
set order, so it already differed from one build to the next); scores per (token, passage)
do not.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

K1, B = 1.5, 0.75
CHUNK = 20_000  # passages tokenised and counted at a time
PARAMS: dict[str, Any] = {
    "k1": K1, "b": B, "delta": 0.5, "method": "lucene", "idf_method": "lucene",
    "dtype": "float32", "int_dtype": "int32",
}  # fmt: skip


@dataclass
class Postings:
    """Term counts per passage (CSR: row ``d`` owns ``tok[ptr[d]:ptr[d+1]]``)."""

    vocab: list[str]  # token id -> token
    ptr: np.ndarray  # (n_docs + 1,) int64
    tok: np.ndarray  # (nnz,) int32 token ids, ascending within a row
    tf: np.ndarray  # (nnz,) int32 occurrences of that token in that passage

    @property
    def n_docs(self) -> int:
        return len(self.ptr) - 1


def to_saved(p: Postings, prefix: str = "") -> tuple[Any, dict[str, np.ndarray]]:
    """(JSON part, arrays) to keep ``p`` beside the index (``store`` ``save_counts``)."""
    return {f"{prefix}vocab": p.vocab}, {
        f"{prefix}ptr": p.ptr,
        f"{prefix}tok": p.tok,
        f"{prefix}tf": p.tf,
    }


def from_saved(meta: Any, arrays: dict[str, np.ndarray], prefix: str = "") -> Postings:
    return Postings(
        list(meta[f"{prefix}vocab"]),
        np.asarray(arrays[f"{prefix}ptr"], np.int64),
        np.asarray(arrays[f"{prefix}tok"], np.int32),
        np.asarray(arrays[f"{prefix}tf"], np.int32),
    )


def count(docs: Iterable[list[str]], vocab: list[str] | None = None) -> Postings:
    """Postings of tokenised ``docs``; new tokens are appended to ``vocab`` (a copy).

    ``docs`` is consumed ``CHUNK`` at a time (a generator keeps only that many tokenised
    passages alive: a flat list of every token id at 100k items would take ~1 GB)."""
    vocab = list(vocab or [])
    ids = {t: i for i, t in enumerate(vocab)}

    def tid(t: str) -> int:
        j = ids.get(t)
        if j is None:
            j = ids[t] = len(vocab)
            vocab.append(t)
        return j

    it = iter(docs)
    lens_all, tok_all, tf_all = [], [], []
    while part := list(itertools.islice(it, CHUNK)):
        flat = np.fromiter((tid(t) for d in part for t in d), np.int64)
        lens = np.fromiter((len(d) for d in part), np.int64, len(part))
        width = max(len(vocab), 1)
        key = np.repeat(np.arange(len(part), dtype=np.int64), lens) * width + flat
        uniq, cnt = np.unique(key, return_counts=True)  # sorted: by passage, then token
        rows, tok = np.divmod(uniq, width)
        lens_all.append(np.bincount(rows, minlength=len(part)))
        tok_all.append(tok.astype(np.int32))
        tf_all.append(cnt.astype(np.int32))
    ptr = np.zeros(sum(len(x) for x in lens_all) + 1, np.int64)
    if lens_all:
        np.cumsum(np.concatenate(lens_all), out=ptr[1:])
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int32)  # noqa: E731
    return Postings(vocab, ptr, cat(tok_all), cat(tf_all))


def combine(prev: Postings | None, src: np.ndarray, new_docs: list[list[str]]) -> Postings:
    """Postings for a new passage list: row ``r`` is ``prev``'s row ``src[r]`` when
    ``src[r] >= 0``, else the next of ``new_docs`` (tokenised), in order."""
    src = np.asarray(src, np.int64)
    fresh = count(new_docs, prev.vocab if prev is not None else None)
    take = np.flatnonzero(src >= 0)
    lens = np.zeros(len(src), np.int64)
    if prev is not None and len(take):
        lens[take] = prev.ptr[src[take] + 1] - prev.ptr[src[take]]
    lens[src < 0] = np.diff(fresh.ptr)
    ptr = np.zeros(len(src) + 1, np.int64)
    np.cumsum(lens, out=ptr[1:])
    tok = np.empty(int(ptr[-1]), np.int32)
    tf = np.empty(int(ptr[-1]), np.int32)
    for rows, base, old_start in (
        (take, prev, prev.ptr[src[take]] if prev is not None else None),
        (np.flatnonzero(src < 0), fresh, fresh.ptr[:-1]),
    ):
        if base is None or old_start is None or not len(rows):
            continue
        n = lens[rows]
        at = np.repeat(ptr[rows] - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(int(n.sum()))
        frm = np.repeat(old_start - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(int(n.sum()))
        tok[at], tf[at] = base.tok[frm], base.tf[frm]
    return _drop_unused(Postings(fresh.vocab, ptr, tok, tf))


def _drop_unused(p: Postings) -> Postings:
    """Forget tokens no passage has any more (a full build would not know them)."""
    used = np.bincount(p.tok, minlength=len(p.vocab)) > 0
    if used.all():
        return p
    new_id = np.cumsum(used) - 1
    vocab = [t for t, u in zip(p.vocab, used, strict=True) if u]
    return Postings(vocab, p.ptr, new_id[p.tok].astype(np.int32), p.tf)


def scores(p: Postings) -> dict[str, Any]:
    """bm25s's score matrix (CSC over tokens) and vocabulary, from the counts.

    Returns ``data`` (float32), ``indices`` (passage rows), ``indptr`` (per token),
    ``vocab_dict`` and ``num_docs``: what ``store.save_bm25_arrays`` writes.
    """
    from scipy import sparse

    n_docs, n_vocab = p.n_docs, len(p.vocab)
    doc_len = np.diff(np.r_[0, np.cumsum(p.tf, dtype=np.int64)][p.ptr])  # tokens per passage
    l_avg = np.array(doc_len).mean() if n_docs else np.float64("nan")  # as bm25s: np.float64
    df = np.bincount(p.tok, minlength=n_vocab)
    idf_of = {int(d): math.log(1 + (n_docs - int(d) + 0.5) / (int(d) + 0.5)) for d in np.unique(df)}
    idf = np.array([idf_of[int(d)] for d in df], np.float64).astype(np.float32)
    denom = K1 * ((1 - B) + B * doc_len.astype(np.float64) / l_avg)  # per passage, float64
    doc = np.repeat(np.arange(n_docs), np.diff(p.ptr))
    tf = p.tf.astype(np.float32).astype(np.float64)
    data = (idf[p.tok].astype(np.float64) * (tf / (denom[doc] + tf))).astype(np.float32)
    csc = sparse.csr_matrix((data, p.tok, p.ptr), shape=(n_docs, n_vocab)).tocsc()
    vocab_dict = {t: i for i, t in enumerate(p.vocab)}
    vocab_dict.setdefault("", len(vocab_dict))  # bm25s adds the empty token last
    return {
        "data": csc.data.astype(np.float32),
        "indices": csc.indices.astype(np.int32),
        "indptr": csc.indptr.astype(np.int64),
        "vocab_dict": vocab_dict,
        "num_docs": n_docs,
    }
