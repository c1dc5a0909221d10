"""The read side: ``open_index(path)`` -> an ``Index`` that lists, searches and maps.

An ``Index`` follows the live generation: each call checks the manifest's
stamp and, when ``absorb index`` has published a new build, switches to it on
the next query. Until then it keeps answering from the generation it has open
(the writer never deletes the previous generation), so a reader and a writer
can run at once. ``index_state.py`` loads a generation; ``index_query.py`` answers
``search`` and ``similar`` over it.

>>> idx = open_index("data/index")                                # doctest: +SKIP
>>> idx.search("why should I understand backprop", k=3)[0].title  # doctest: +SKIP
'Yes you should understand backprop'
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import search as S
from . import store
from .embed import Embedder, load_embedder
from .index_query import search_hits, similar_hits
from .index_state import _State
from .models import AbsorbError, Hit, IndexCorrupt, IndexIncompatible, Item, Topic
from .search import confidence as C


@dataclass
class MapPoint:
    id: str
    x: float
    y: float
    topic: int
    topic_label: str
    topic_path: list[int] = field(default_factory=list)  # topic at each level, coarse to fine

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Index:
    """A built absorb index (see module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        model: str | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.dir = store.IndexDir(path)
        self._lock = threading.RLock()
        self._embedder = embedder
        self._stamp = -1
        self._state: _State | None = None
        self._refresh()
        want = embedder.name if embedder else model
        if want and want != self.manifest["model"]:
            raise IndexIncompatible(
                f"{self.dir.root} was built with model {self.manifest['model']!r}, not {want!r}",
                "search it without --model, or rebuild: absorb index --rebuild --model ...",
            )

    # ------------------------------------------------------------ loading

    def _refresh(self) -> _State:
        with self._lock:
            stamp = self.dir.manifest_stamp()
            if self._state is None or stamp != self._stamp:
                try:
                    gen = self.dir.current()
                    try:
                        state = _State(gen)
                    except store.DatabaseError as e:
                        raise IndexCorrupt(
                            f"{gen.file('items.sqlite')} is damaged ({e})",
                            store.REBUILD_HINT.format(root=self.dir.root),
                        ) from None
                except AbsorbError:
                    if self._state is None:
                        raise
                    return self._state  # a publish in progress or gone wrong: keep the old one
                self._state, self._stamp = state, stamp
            return self._state

    @property
    def manifest(self) -> dict[str, Any]:
        return self._refresh().gen.manifest

    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.manifest["model"])
            return self._embedder

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder().encode([S.clean_query(query)])[0]

    # ------------------------------------------------------------ items

    def items(self) -> Iterator[Item]:
        st = self._refresh()
        with self._lock:
            items = store.read_items(st.gen.db())
        yield from items

    def get(self, item_id: str) -> Item:
        st = self._refresh()
        with self._lock:
            it = store.read_item(st.gen.db(), item_id)
        if it is None:
            raise AbsorbError(f"no item with id {item_id!r}", "list ids with: absorb items --json")
        return it

    def __len__(self) -> int:
        return len(self._refresh().ids)

    def stats(self) -> dict[str, Any]:
        st = self._refresh()
        kinds: dict[str, int] = {}
        for k in st.kinds:
            kinds[k] = kinds.get(k, 0) + 1
        dated = [d for d in st.dates if d]
        m = st.gen.manifest
        return {
            "items": len(st.ids),
            "passages": m["counts"]["passages"],
            "kinds": kinds,
            "dated": len(dated),
            "first": min(dated) if dated else None,
            "last": max(dated) if dated else None,
            "model": m["model"],
            "vector_index": m.get("vector_index"),
            "created": m.get("created"),
        }

    # ------------------------------------------------------------ search

    def search(
        self,
        query: str,
        k: int = 10,
        since: str | dt.date | None = None,
        until: str | dt.date | None = None,
        kind: str | list[str] | None = None,
        source: str | None = None,
        mode: str = "hybrid",
        min_match: str | None = None,
        topic: int | list[int] | None = None,
        filters: S.Filters | None = None,
    ) -> list[Hit]:
        """Top-k items for a natural-language question (``mode``: hybrid, dense, bm25).

        Hybrid hits carry ``match`` (strong, fair, weak) and ``confidence``
        (indexer/search/confidence.py); ``min_match="fair"`` drops weaker hits, so a
        question nothing answers gets an empty list. Filter by keyword arguments, or pass
        them all at once as ``filters``.
        """
        if min_match is not None and min_match not in C.LEVELS:
            raise AbsorbError(
                f"min_match {min_match!r} is not a match strength", "use strong, fair or weak"
            )
        q = S.clean_query(query)
        if k <= 0:
            return []
        st = self._refresh()
        return search_hits(
            st,
            q,
            k,
            since,
            until,
            kind,
            source,
            mode,
            min_match,
            topic,
            filters,
            embedder=self.embedder,
            lock=self._lock,
        )

    def similar(self, item_id: str, k: int = 10) -> list[Hit]:
        """Items nearest to ``item_id`` by whole-item vector ("more like this")."""
        return similar_hits(self._refresh(), self._lock, item_id, k)

    # ------------------------------------------------------------ map

    def map(self) -> list[MapPoint]:
        st = self._refresh()
        with self._lock:
            db = st.gen.db()
            labels = store.topic_labels(db)
            rows = store.map_points(db)
            finer = store.finer_paths(db)
        return [
            MapPoint(
                r[0], r[1], r[2], r[3], labels.get(r[3], "unsorted"), [r[3], *finer.get(r[0], [])]
            )
            for r in rows
        ]

    def topics(self, level: int = 0) -> list[Topic]:
        """The topics of ``level`` (0: the map's topics; 1, 2: finer sub-topics, each with
        its ``parent`` one level up), largest first."""
        st = self._refresh()
        with self._lock:
            db = st.gen.db()
            levels = store.topic_levels(db)
            if level < 0 or (level >= levels and level > 0):
                raise AbsorbError(
                    f"the map has no topic level {level}",
                    f"choose a level from 0 to {max(0, levels - 1)}",
                )
            return store.read_topics(db, by_size=True, level=level)

    def topic_levels(self) -> int:
        """How many topic levels the map has (1: no finer levels)."""
        st = self._refresh()
        with self._lock:
            return store.topic_levels(st.gen.db())

    def state(self) -> _State:
        """The live generation's loaded arrays (``search.SearchArrays``), for benchmarks."""
        return self._refresh()

    def item_vectors(self) -> tuple[list[str], np.ndarray]:
        st = self._refresh()
        return st.ids, np.asarray(st.ivecs)


def open_index(
    path: str | os.PathLike[str] = "data/index",
    model: str | None = None,
    embedder: Embedder | None = None,
) -> Index:
    """Open a built index; raises a clear AbsorbError when missing or incompatible."""
    return Index(path, model=model, embedder=embedder)
