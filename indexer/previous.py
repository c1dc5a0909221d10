"""What the last published generation knows, read once per build for reuse.

Split from ``build.py``: the previous items (an unchanged capture keeps them), passage
vectors by text hash, the passages of each item (an unchanged item keeps them, see
``_Previous.passages_by_item``), chronology's token counts and the previous map.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import store
from .models import AbsorbError, IndexIncompatible, Item, Passage
from .passages import VERSION as SPLIT_VERSION


class _Previous:
    """What the last published generation knows, for reuse."""

    def __init__(self, gen: store.Generation | None) -> None:
        self.gen = gen
        self.files: dict[str, Any] = {}
        self.items: dict[str, list[Item]] = {}
        self.vec_by_hash: dict[str, int] = {}
        self.vectors: np.ndarray | None = None
        self.row_of: dict[str, int] = {}  # item id -> its row (item vectors, ``ord``)
        if gen is None:
            return
        db = gen.db()
        self.files = store.read_files(db)
        for row, it in enumerate(store.read_items(db)):
            self.items.setdefault(it.source, []).append(it)
            self.row_of[it.id] = row
        self.vec_by_hash = store.passage_rows_by_hash(db)
        self.vectors = gen.array("passage_vectors.npy")

    def item_vectors(self) -> np.ndarray | None:
        """The previous generation's item vectors (a memory map), rows as ``row_of``."""
        if self.gen is None or not self.gen.has("item_vectors.npy"):
            return None
        return self.gen.array("item_vectors.npy")

    def split_as_now(self) -> bool:
        """Whether the previous generation split passages as this version does (its
        manifest's ``split``, 1 when missing)."""
        return self.gen is not None and self.gen.manifest.get("split", 1) == SPLIT_VERSION

    def passages_by_item(
        self, max_words: int
    ) -> dict[str, tuple[Item | None, list[Passage], list[str]]]:
        """item id -> (its previous item, passages, text hashes), when the previous build
        split with the same ``max_words`` (else nothing): splitting and hashing every
        passage again took 9.5 s of a one-file re-index at 100k items. Nothing either when
        it split another way (``split_as_now``)."""
        if self.gen is None or not self.split_as_now():
            return {}
        if self.gen.manifest.get("max_words") != max_words:
            return {}
        old = {it.id: it for its in self.items.values() for it in its}
        out: dict[str, tuple[Item | None, list[Passage], list[str]]] = {}
        for item_id, idx, start, text, h in store.read_passages(self.gen.db()):
            got = out.get(item_id)
            if got is None:
                got = out[item_id] = (old.get(item_id), [], [])
            got[1].append(Passage(item_id, idx, text, start))
            got[2].append(h)
        return out


def _open_previous(idx: store.IndexDir, model: str, rebuild: bool) -> _Previous:
    if rebuild or not idx.exists():
        return _Previous(None)
    try:
        gen = idx.current()
        prev = _Previous(gen)
    except AbsorbError as e:
        raise AbsorbError(
            f"the existing index cannot be reused: {e.message}",
            f"rebuild it from the captures: absorb index --rebuild --index {idx.root}",
        ) from None
    if gen.manifest.get("model") != model:
        raise IndexIncompatible(
            f"{idx.root} was built with model {gen.manifest.get('model')!r}, not {model!r}",
            "pass --rebuild to re-embed everything with the new model, or use --index for a new folder",
        )
    return prev


def _previous_map(prev: _Previous):
    from .topics import PreviousMap

    if prev.gen is None:
        return None
    db = prev.gen.db()
    rows = store.map_points(db)
    if not rows:
        return None
    ords, ivecs = prev.row_of, prev.item_vectors()  # rows in ``ord`` order, as read_items
    if ivecs is None:
        return None
    finer = store.finer_paths(db)  # empty for maps built before topic levels
    paths = [[r[3], *finer.get(r[0], [])] for r in rows]
    return PreviousMap(
        ids=[r[0] for r in rows],
        coords=np.array([[r[1], r[2]] for r in rows], dtype=np.float32),
        topic_ids=np.array([r[3] for r in rows], dtype=np.int32),
        topics=store.read_topics(db, by_size=False),
        vectors=ivecs[[ords[r[0]] for r in rows]],
        paths=np.array(paths, np.int32) if finer and len({len(p) for p in paths}) == 1 else None,
        finer=[
            t for lv in range(1, store.topic_levels(db)) for t in store.read_topics(db, False, lv)
        ],
    )


def _chrono_counts(prev: _Previous) -> Any:
    """Chronology's token counts from the previous build (``chrono_text.Counts``) or None."""
    from .chrono_text import from_saved

    kept = prev.gen.counts("chrono_counts") if prev.gen is not None else None
    return from_saved(*kept) if kept is not None else None
