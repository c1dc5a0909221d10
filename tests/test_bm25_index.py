"""The counts-based BM25 index (``search.bm25_index``) equals bm25s, and a re-index that
reuses counts equals a fresh count of the same passages."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from indexer import search as S
from indexer.search import bm25_index as B
from indexer.sources import parse_capture

ROOT = Path(__file__).resolve().parents[1]


def _texts() -> list[str]:
    out = []
    for p in sorted((ROOT / "data" / "captures").iterdir()):
        for it in parse_capture(p.name, p.read_bytes(), print):
            words = it.text.split()
            out += [
                f"{it.title}\n{' '.join(words[i : i + 120])}" for i in range(0, len(words), 120)
            ]
    return out + ["", "the and of"]  # an empty passage and one of stop words only


def _pairs(m: dict) -> dict[tuple[str, int], float]:
    """(token, passage) -> score, whatever the token numbering."""
    tokens = {i: t for t, i in m["vocab_dict"].items()}
    out = {}
    for j in range(len(m["indptr"]) - 1):
        a, b = int(m["indptr"][j]), int(m["indptr"][j + 1])
        for r, s in zip(m["indices"][a:b], m["data"][a:b], strict=True):
            out[tokens[j], int(r)] = float(s)
    return out


def test_scores_equal_bm25s_bit_for_bit() -> None:
    texts = _texts()
    ref = S.build_bm25(texts)
    theirs = {
        "data": np.asarray(ref.scores["data"]),
        "indices": np.asarray(ref.scores["indices"]),
        "indptr": np.asarray(ref.scores["indptr"]),
        "vocab_dict": ref.vocab_dict,
    }
    ours = B.scores(B.count(S.tokenize(texts)))
    assert set(ours["vocab_dict"]) == set(ref.vocab_dict)
    assert ours["num_docs"] == len(texts)
    a, b = _pairs(ours), _pairs(theirs)
    assert a.keys() == b.keys()
    assert all(np.float32(a[k]) == np.float32(b[k]) for k in a)


def test_combined_counts_equal_a_fresh_count() -> None:
    texts = _texts()
    rnd = random.Random(1)
    prev = B.count(S.tokenize(texts))
    now = [t for t in texts if rnd.random() > 0.1] + ["brand new zebra passage", texts[3] + " x"]
    rnd.shuffle(now)
    where = {t: i for i, t in enumerate(texts)}
    src = np.array([where.get(t, -1) for t in now])
    new = [t for t in now if t not in where]
    got = B.scores(B.combine(prev, src, S.tokenize(new)))
    full = B.scores(B.count(S.tokenize(now)))
    assert got["vocab_dict"].keys() == full["vocab_dict"].keys()
    assert _pairs(got) == _pairs(full)
    for q in ("backprop gradients", "zebra", "tesla autopilot vision"):
        terms = S.tokenize([q])[0]
        assert np.array_equal(_query(got, terms), _query(full, terms)), q


def _query(m: dict, terms: list[str]) -> np.ndarray:
    class R:
        scores = {k: m[k] for k in ("data", "indices", "indptr", "num_docs")}
        vocab_dict = m["vocab_dict"]
        dtype = "float32"

        def get_tokens_ids(self, toks: list[str]) -> list[int]:
            return [self.vocab_dict[t] for t in toks]

    return S.bm25_scores(R(), terms, m["num_docs"])


def test_counting_in_chunks_changes_nothing(monkeypatch) -> None:
    docs = S.tokenize(_texts())
    whole = B.count(docs)
    monkeypatch.setattr(B, "CHUNK", 7)
    parts = B.count(iter(docs))
    assert parts.vocab == whole.vocab
    for a, b in ((parts.ptr, whole.ptr), (parts.tok, whole.tok), (parts.tf, whole.tf)):
        assert np.array_equal(a, b)
