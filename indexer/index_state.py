"""One generation of a built index, loaded for reading: ``_State``.

The item columns come from the items database into memory; the vectors stay
memory-mapped. ``Index`` (``index.py``) keeps one ``_State`` and swaps it for a new
one when ``absorb index`` publishes another generation; search (``index_query.py``,
``search/``) reads it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import search as S
from . import store
from .models import IndexCorrupt


class _State:
    """Everything loaded from one generation (arrays are memory-mapped)."""

    def __init__(self, gen: store.Generation) -> None:
        self.gen = gen
        m = gen.manifest
        rows = store.item_columns(gen.db())
        self.ids = [r[0] for r in rows]
        self.pos = {i: n for n, i in enumerate(self.ids)}
        self.titles = [r[1] for r in rows]
        self.dates = [dt.date.fromisoformat(r[2]) if r[2] else None for r in rows]
        self.date_ends = [dt.date.fromisoformat(r[3]) if r[3] else None for r in rows]
        self.date_kinds = [r[4] for r in rows]
        self.kinds = [r[5] for r in rows]
        self.sources = [r[6] for r in rows]
        self.urls = [r[7] for r in rows]
        self.topics = np.full(len(rows), -1, dtype=np.int64)  # topic per item, for filters
        for p in store.map_points(gen.db()):
            self.topics[self.pos[p[0]]] = int(p[3])
        self.vecs = gen.array("passage_vectors.npy")
        self.ivecs = gen.array("item_vectors.npy")
        self.owner = np.asarray(gen.array("passage_item.npy"))
        n_items = len(self.ids)
        if len(self.ivecs) != n_items or len(self.owner) != len(self.vecs):
            raise IndexCorrupt(
                f"{gen.path}: vectors do not match the items database",
                store.REBUILD_HINT.format(root=gen.path.parent),
            )
        # passages are stored item by item, so each item owns one contiguous row range
        self.p_start = np.searchsorted(self.owner, np.arange(n_items), side="left")
        self.p_end = np.searchsorted(self.owner, np.arange(n_items), side="right")
        self.faiss, self.bm25 = gen.search_files(len(self.vecs))
        segments = gen.faiss_segments()  # a reused HNSW graph plus an exact delta
        if segments is not None and self.faiss is not None:
            self.faiss = S.dense.Segmented(self.faiss, *segments)
        self.model = m["model"]
