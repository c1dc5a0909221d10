"""The query side of BM25 without importing bm25s: its tokenizer and its saved index, in numpy.

``import bm25s`` pulls in numba and scipy.sparse: about 0.4 s of CPU on every
cold ``absorb search``, for a query that needs a regex, a stemmer and three
memory-mapped arrays. Building still goes through bm25s (``search.build_bm25``);
this module reads what bm25s saved and tokenises exactly as ``bm25s.tokenize``
does (lower-case, ``\\w\\w+`` words, stop words dropped, then stemmed), which
``tests/test_cold_path.py`` checks against bm25s itself on the seed captures.

>>> tokenize(["Why do the Networks overfit?"], ("why", "do", "the"), None)
[['networks', 'overfit']]
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s's (and scikit-learn's) default token pattern
NEEDS_NONOCCURRENCE = ("bm25l", "bm25+")


def tokenize(
    texts: Iterable[str], stopwords: Iterable[str], stem: Callable[[list[str]], list[str]] | None
) -> list[list[str]]:
    """``bm25s.tokenize(texts, stopwords=..., stemmer=..., return_ids=False)``, the same tokens.

    Each distinct word is stemmed once, as bm25s does, so a long corpus costs one
    stemmer call per vocabulary word.
    """
    stop = frozenset(stopwords)
    docs = [[w for w in WORD.findall(t.lower()) if w not in stop] for t in texts]
    if stem is None:
        return docs
    vocab = list(dict.fromkeys(w for d in docs for w in d))
    stems = dict(zip(vocab, stem(vocab), strict=True))
    return [[stems[w] for w in d] for d in docs]


class SavedBM25:
    """A bm25s index saved with ``BM25.save``, read back with numpy (memory-mapped).

    Offers what ``search.bm25_scores`` uses of ``bm25s.BM25``: ``scores`` (the
    CSC arrays), ``vocab_dict``, ``dtype``, ``nonoccurrence_array`` and
    ``get_tokens_ids``.
    """

    def __init__(self, folder: str | Path, mmap: bool = True) -> None:
        folder = Path(folder)
        params: dict[str, Any] = json.loads((folder / "params.index.json").read_text("utf-8"))
        self.vocab_dict: dict[str, int] = json.loads(
            (folder / "vocab.index.json").read_text("utf-8")
        )
        self.dtype = str(params.get("dtype", "float32"))
        self.method = str(params.get("method", "lucene"))
        mode = "r" if mmap else None
        arrays = {
            k: np.load(folder / f"{k}.csc.index.npy", mmap_mode=mode, allow_pickle=False)
            for k in ("data", "indices", "indptr")
        }
        self.scores: dict[str, Any] = {**arrays, "num_docs": int(params["num_docs"])}
        self.nonoccurrence_array: np.ndarray | None = None
        if self.method in NEEDS_NONOCCURRENCE:
            self.nonoccurrence_array = np.load(
                folder / "nonoccurrence_array.index.npy", allow_pickle=False
            )

    def get_tokens_ids(self, tokens: list[str]) -> list[int]:
        return [self.vocab_dict[t] for t in tokens if t in self.vocab_dict]
