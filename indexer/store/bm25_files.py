"""A bm25s index saved with ``BM25.save``, read back with numpy (memory-mapped).

``import bm25s`` pulls in numba and scipy.sparse: about 0.4 s of CPU on every cold
``absorb search``, for a query that needs three memory-mapped arrays and a vocabulary.
Building and saving still go through bm25s (``search.build_bm25``, ``artifacts``);
``tests/test_cold_path.py`` checks the scores against bm25s itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np

NEEDS_NONOCCURRENCE = ("bm25l", "bm25+")


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
        mode: Literal["r"] | None = "r" if mmap else None
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
