"""The map view: every item on the topic map (views/mapview), the question and its hits.

The map itself is a deck.gl component: labels that never collide, finer topics on zoom,
density, colour by topic/kind/date, a time bar, box and lasso selection, a click that opens
the item view. Beside it: the items selected (each row opens the item view), the search
results, or how to use the map.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from indexer import appdata as A
from indexer.search import Filters

from . import components as C
from . import data, state
from .mapview.explorer import explorer, level_paths
from .search import hits_for, question_box

MAP_SIDE_LIST = 60  # items listed beside the map


@st.cache_resource(show_spinner=False, max_entries=3)
def map_levels(path: str, generation: str) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Every catalog row's topic path and the topics of every level (read once per generation)."""
    idx = data.get_index(path)
    cat = data.get_catalog(path, generation)
    topics = [t.to_dict() for lv in range(idx.topic_levels()) for t in idx.topics(level=lv)]
    return level_paths(cat.ids, idx.map()), topics


def map_view(path: str, gen: str, cat: A.Catalog, flt: Filters) -> None:
    rows = A.filter_rows(cat, flt)
    rows = rows[np.isfinite(cat.xy[rows]).all(axis=1)] if len(rows) else rows
    q = question_box()
    hit_rows: list[int] = []
    weak_rows: set[int] = set()
    qxy = None
    used = state.used_query(q)
    if used:
        with st.spinner("Placing your question on the map…"):
            hits = hits_for(path, gen, used, flt)
            visible = set(int(r) for r in rows)
            hit_rows = [cat.pos[h.id] for h in hits if cat.pos.get(h.id) in visible]
            weak_rows = {cat.pos[h.id] for h in hits if h.match == "weak"}
            try:
                qxy = data.query_position(path, gen, used)
            except Exception:  # the map still works without the question's position
                qxy = None
    if not len(rows):
        C.empty("No items match these filters.")
        return
    paths, topics = map_levels(path, gen)
    left, right = st.columns([4, 1], gap="small")
    with left:
        act = explorer(cat, rows, paths, topics, gen, hit_rows, qxy, used)
    if act.opened is not None:
        state.open_item(cat.ids[act.opened])  # the item view opens after the views
    with right:
        if act.selected:
            st.markdown(f"**{len(act.selected):,} selected**")
            more = len(act.selected) - MAP_SIDE_LIST
            note = f"… and {more:,} more" if more > 0 else ""
            C.item_rows(cat, act.selected[:MAP_SIDE_LIST], "sel", note)
        elif hit_rows:
            # the same words as the Search view: weak hits are not called results
            good = [r for r in hit_rows[:10] if r not in weak_rows]
            weak = [r for r in hit_rows[:10] if r in weak_rows]
            if good:
                st.markdown("**Results for your question**")
                C.item_rows(cat, good, "maphit")
            else:
                st.markdown("**No good match for your question**")
            if weak:
                st.caption("Weaker matches")
                C.item_rows(cat, weak, "mapweak")
        else:
            st.markdown(f"**{len(rows):,} items**")
            st.caption(
                "Scroll to zoom (finer topics appear), drag to pan, click a point to open it. "
                "▭ box or ◌ lasso lists the items inside; the bar under the map filters by year."
            )
