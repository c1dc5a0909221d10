"""The read side: ``open_index(path)`` -> an ``Index`` that lists, searches and maps.

An ``Index`` follows the live generation: each call checks the manifest's
stamp and, when ``absorb index`` has published a new build, switches to it on
the next query. Until then it keeps answering from the generation it has open
(the writer never deletes the previous generation), so a reader and a writer
can run at once.

>>> idx = open_index("data/index")                                # doctest: +SKIP
>>> idx.search("why should I understand backprop", k=3)[0].title  # doctest: +SKIP
'Yes you should understand backprop'
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import search as S
from . import store
from .embed import Embedder, load_embedder
from .models import AbsorbError, Hit, IndexCorrupt, IndexIncompatible, Item, Topic


@dataclass
class MapPoint:
    id: str
    x: float
    y: float
    topic: int
    topic_label: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _State:
    """Everything loaded from one generation (arrays are memory-mapped)."""

    def __init__(self, gen: store.Generation) -> None:
        import bm25s

        self.gen = gen
        m = gen.manifest
        db = gen.db()
        rows = db.execute(
            "SELECT id, title, date, date_end, date_kind, kind, source, url FROM items ORDER BY ord"
        ).fetchall()
        self.ids = [r[0] for r in rows]
        self.pos = {i: n for n, i in enumerate(self.ids)}
        self.titles = [r[1] for r in rows]
        self.dates = [dt.date.fromisoformat(r[2]) if r[2] else None for r in rows]
        self.date_ends = [dt.date.fromisoformat(r[3]) if r[3] else None for r in rows]
        self.date_kinds = [r[4] for r in rows]
        self.kinds = [r[5] for r in rows]
        self.sources = [r[6] for r in rows]
        self.urls = [r[7] for r in rows]
        self.topics = np.full(len(rows), -1, dtype=np.int64)  # topic per item (map points)
        for item_id, topic in db.execute("SELECT item_id, topic FROM points"):
            if item_id in self.pos:
                self.topics[self.pos[item_id]] = int(topic)
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
        try:
            import faiss

            self.faiss = faiss.read_index(str(gen.file("faiss.index")))
            self.bm25 = bm25s.BM25.load(str(gen.file("bm25")), mmap=True, show_progress=False)
        except Exception as e:  # any damage in a library-written file
            raise IndexCorrupt(
                f"{gen.path}: search files are damaged ({type(e).__name__}: {e})",
                store.REBUILD_HINT.format(root=gen.path.parent),
            ) from None
        self.model = m["model"]


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
                    except sqlite3.DatabaseError as e:
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
            rows = st.gen.db().execute("SELECT * FROM items ORDER BY ord").fetchall()
        for r in rows:
            yield store.row_to_item(r)

    def get(self, item_id: str) -> Item:
        st = self._refresh()
        with self._lock:
            r = st.gen.db().execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        if r is None:
            raise AbsorbError(f"no item with id {item_id!r}", "list ids with: absorb items --json")
        return store.row_to_item(r)

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
        topic: int | list[int] | None = None,
        filters: S.Filters | None = None,
    ) -> list[Hit]:
        """Top-k items for a natural-language question (``mode``: hybrid, dense, bm25).

        Filter by keyword arguments, or pass them all at once as ``filters``.
        """
        q = S.clean_query(query)
        if k <= 0:
            return []
        st = self._refresh()
        f = filters or S.Filters(None, None, kind or None, source or None, topic)
        f = S.Filters(
            S.parse_date(f.since if filters else since, "since"),
            S.parse_date(f.until if filters else until, "until"),
            f.kind or None,
            f.source or None,
            f.topic if f.topic not in ([], ()) else None,
        )
        allowed = (
            S.item_mask(st.dates, st.date_ends, st.kinds, st.sources, f, st.topics)
            if f.active()
            else None
        )
        if allowed is not None and not allowed.any():
            return []
        qv = self.embedder().encode([q])[0] if mode != "bm25" else None
        c = self._candidates(st, q, qv, allowed, mode)
        if c is None:
            return []
        score = S.rank(c, mode)
        items, best_row, terms = c.items, c.best_row, c.terms
        marked = S.marked_terms(st.bm25, terms)
        order = np.argsort(-score, kind="stable")[:k]
        return [
            self._hit(st, int(items[o]), float(score[o]), int(best_row[o]), terms, marked)
            for o in order
        ]

    def _candidates(
        self, st: _State, q: str, qv: np.ndarray | None, allowed: np.ndarray | None, mode: str
    ) -> S.Candidates | None:
        """Union of both sides' top passages, scored per item on both sides."""
        terms = S.tokenize([q])[0]
        n_p = len(st.vecs)
        row_ok = allowed[st.owner] if allowed is not None else None
        cand: set[int] = set()
        lex = np.zeros(n_p, np.float32)
        if mode != "dense":
            with self._lock:
                lex = S.bm25_scores(st.bm25, terms, n_p)
            if row_ok is not None:
                lex = np.where(row_ok, lex, 0.0)
            cand.update(st.owner[S.top_rows(lex, S.CANDIDATES)].tolist())
        if qv is not None:
            rows = np.flatnonzero(row_ok) if row_ok is not None else None
            drows, _ = S.dense_top(st.faiss, st.vecs, qv, S.CANDIDATES, rows)
            cand.update(st.owner[drows].tolist())
        if not cand:
            return None
        items = np.array(sorted(cand), dtype=np.int64)
        lens = st.p_end[items] - st.p_start[items]
        starts = np.r_[0, np.cumsum(lens)[:-1]]
        # every passage row of every candidate, item by item (each owns a contiguous range)
        rows = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(
            st.p_start[items] - starts, lens
        )
        lex_p = lex[rows]
        if qv is not None:
            dense_p = np.asarray(st.vecs[rows] @ qv, dtype=np.float32)
            item_sim = np.asarray(st.ivecs[items] @ qv, dtype=np.float32)
        else:
            dense_p = np.zeros(len(rows), np.float32)
            item_sim = np.zeros(len(items), np.float32)
        # the snippet passage: best by both sides at passage level
        pscore = S.spread_norm(dense_p) + S.spread_norm(lex_p)
        best = rows[S.segment_argmax(pscore, starts, lens)]
        vocab = st.bm25.vocab_dict
        return S.Candidates(
            items=items,
            best_row=best,
            terms=terms,
            dense=np.maximum.reduceat(dense_p, starts),
            item_sim=item_sim,
            lex=np.maximum.reduceat(lex_p, starts),
            coverage=sum(t in vocab for t in terms) / len(terms) if terms else 0.0,
        )

    def _hit(
        self,
        st: _State,
        i: int,
        score: float,
        row: int,
        terms: list[str],
        marked: list[str] | None = None,
    ) -> Hit:
        with self._lock:
            db = st.gen.db()
            text = db.execute("SELECT text FROM items WHERE id = ?", (st.ids[i],)).fetchone()[0]
            passage = db.execute("SELECT text FROM passages WHERE row = ?", (row,)).fetchone()[0]
        return Hit(
            id=st.ids[i],
            title=st.titles[i],
            date=st.dates[i],
            kind=st.kinds[i],
            source=st.sources[i],
            url=st.urls[i],
            score=round(score, 4),
            snippet=S.make_snippet(passage, terms),
            text=text,
            date_kind=st.date_kinds[i],
            passage=passage,
            highlights=S.highlight_spans(passage, marked or []),
        )

    def similar(self, item_id: str, k: int = 10) -> list[Hit]:
        """Items nearest to ``item_id`` by whole-item vector ("more like this")."""
        st = self._refresh()
        if item_id not in st.pos:
            raise AbsorbError(f"no item with id {item_id!r}", "list ids with: absorb items --json")
        i = st.pos[item_id]
        sims = np.asarray(st.ivecs @ st.ivecs[i], dtype=np.float32)
        sims[i] = -np.inf
        order = np.argsort(-sims, kind="stable")[: max(0, k)]
        return [
            self._hit(st, int(j), float(sims[j]), int(st.p_start[j]), [])
            for j in order
            if np.isfinite(sims[j])
        ]

    # ------------------------------------------------------------ map

    def map(self) -> list[MapPoint]:
        st = self._refresh()
        with self._lock:
            db = st.gen.db()
            labels = {r[0]: r[1] for r in db.execute("SELECT id, label FROM topics")}
            rows = db.execute(
                "SELECT p.item_id, p.x, p.y, p.topic FROM points p "
                "JOIN items i ON i.id = p.item_id ORDER BY i.ord"
            ).fetchall()
        return [MapPoint(r[0], r[1], r[2], r[3], labels.get(r[3], "unsorted")) for r in rows]

    def topics(self) -> list[Topic]:
        st = self._refresh()
        with self._lock:
            rows = st.gen.db().execute("SELECT * FROM topics ORDER BY size DESC, id").fetchall()
        return [store.row_to_topic(r) for r in rows]

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
