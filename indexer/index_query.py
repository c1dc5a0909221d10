"""Answering ``Index.search`` and ``Index.similar`` over one loaded generation, as ``Hit``s.

``search_hits`` turns the filters into an item mask, gathers candidates (``search/``),
ranks them, grades the top ``k`` with the match model (``search/confidence.py``) and
loads only the hits it keeps; ``similar_hits`` ranks items by whole-item vector. Split
from ``index.py``, which keeps the generation up to date and checks the arguments.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import numpy as np

from . import search as S
from . import store
from .embed import Embedder
from .index_state import _State
from .models import AbsorbError, Hit
from .search import confidence as C
from .sources.subtitles import time_at


def search_hits(
    st: _State,
    q: str,
    k: int,
    since: str | dt.date | None,
    until: str | dt.date | None,
    kind: str | list[str] | None,
    source: str | None,
    mode: str,
    min_match: str | None,
    topic: int | list[int] | None,
    filters: S.Filters | None,
    embedder: Callable[[], Embedder],
    lock: threading.RLock,
) -> list[Hit]:
    """The top-``k`` hits for the cleaned question ``q`` (see ``Index.search``)."""
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
    if not kind and "repost" in st.kinds:  # retweets/boosts: others' words, only on request
        mine = np.fromiter((k != "repost" for k in st.kinds), bool, len(st.kinds))
        allowed = mine if allowed is None else allowed & mine
    if allowed is not None and not allowed.any():
        return []
    qv = embedder().encode([q])[0] if mode != "bm25" else None
    c = S.candidates(st, q, qv, allowed, mode, lock=lock)
    if c is None:
        return []
    score = S.rank(c, mode)
    items, best_row, terms = c.items, c.best_row, c.terms
    marked = S.marked_terms(st.bm25, terms)
    order = np.argsort(-score, kind="stable")
    conf = (
        C.probability(C.features(c.dense, c.item_sim, c.lex, c.coverage, score, order)[:k])
        if mode == "hybrid"
        else [None] * k
    )
    hits = []
    for o, p in zip(order[:k], conf, strict=False):
        p = None if p is None else round(float(p), 3)
        match = None if p is None else C.level(p)
        if p is not None and not C.at_least(match, min_match):
            continue  # weaker than asked for: never loaded
        h = make_hit(st, lock, int(items[o]), float(score[o]), int(best_row[o]), terms, marked)
        h.confidence, h.match = p, match
        hits.append(h)
    return hits


def make_hit(
    st: _State,
    lock: threading.RLock,
    i: int,
    score: float,
    row: int,
    terms: list[str],
    marked: list[str] | None = None,
) -> Hit:
    """Item ``i`` as a hit, with passage ``row`` as its snippet (and its time in a talk)."""
    with lock:
        db = st.gen.db()
        text = store.item_text(db, st.ids[i])
        passage = store.passage_text(db, row)
        cues = (
            store.item_extra(db, st.ids[i]).get("cue_times")
            if st.kinds[i] == "transcript"
            else None
        )
        at = time_at(cues, store.passage_start(db, row)) if cues else None
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
        at=at,
        highlights=S.highlight_spans(passage, marked or []),
    )


def similar_hits(st: _State, lock: threading.RLock, item_id: str, k: int) -> list[Hit]:
    """Items nearest to ``item_id`` by whole-item vector (see ``Index.similar``)."""
    if item_id not in st.pos:
        raise AbsorbError(f"no item with id {item_id!r}", "list ids with: absorb items --json")
    i = st.pos[item_id]
    sims = np.asarray(st.ivecs @ st.ivecs[i], dtype=np.float32)
    sims[i] = -np.inf
    order = np.argsort(-sims, kind="stable")[: max(0, k)]
    return [
        make_hit(st, lock, int(j), float(sims[j]), int(st.p_start[j]), [])
        for j in order
        if np.isfinite(sims[j])
    ]
