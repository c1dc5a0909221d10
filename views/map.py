"""The map view: every item on the topic map, the question and its hits, selections listed.

Plotly WebGL scatter, one trace per topic (the legend filters by topic). Lasso or box
selections list their items beside the map; each row, and a click on a single point,
opens the item view.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import streamlit as st

from indexer import appdata as A
from indexer.search import Filters

from . import components as C
from . import data, state
from .search import hits_for, question_box

MAP_SIDE_LIST = 60  # items listed beside the map
PALETTE = [
    "#636EFA",
    "#EF553B",
    "#00CC96",
    "#AB63FA",
    "#FFA15A",
    "#19D3F3",
    "#FF6692",
    "#B6E880",
    "#FF97FF",
    "#FECB52",
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#17BECF",
    "#BCBD22",
    "#7F7F7F",
]


def map_figure(
    cat: A.Catalog,
    rows: np.ndarray,
    topics: list[dict[str, Any]],
    hit_rows: list[int],
    qxy: tuple[float, float] | None,
    q: str,
) -> Any:
    """The topic map: one WebGL trace per topic (the legend filters by topic), hits, question.

    Built from plain dicts (no per-point validation) so 50k points stay quick.
    """
    import plotly.graph_objects as go

    by_topic: dict[int, list[int]] = {}
    for r in rows.tolist():
        by_topic.setdefault(int(cat.topics[r]), []).append(r)
    n = len(rows)
    size = 9 if n < 500 else 6 if n < 5000 else 4
    hov = cat.hovers()
    hover = "%{hovertext}<extra></extra>"
    traces: list[dict[str, Any]] = []
    order = sorted(by_topic, key=lambda t: (t == -1, -len(by_topic[t]), t))
    for i, t in enumerate(order):
        rs = np.asarray(by_topic[t], dtype=np.int64)
        label = A.short(cat.topic_labels.get(t, f"topic {t}"), 38)
        color = "rgba(128,128,128,.55)" if t == -1 else PALETTE[i % len(PALETTE)]
        traces.append(
            {
                "type": "scattergl",
                "mode": "markers",
                "x": cat.xy[rs, 0],
                "y": cat.xy[rs, 1],
                "name": f"{html.escape(label)} · {len(rs):,}",
                "legendgroup": f"t{t}",
                "customdata": rs,
                "hovertext": [hov[r] for r in by_topic[t]],
                "hovertemplate": hover,
                "marker": {"size": size, "color": color, "opacity": 0.82, "line": {"width": 0}},
            }
        )
    if hit_rows:
        hs = np.asarray(hit_rows, dtype=np.int64)
        traces.append(
            {
                "type": "scattergl",
                "mode": "markers",
                "x": cat.xy[hs, 0],
                "y": cat.xy[hs, 1],
                "name": "Search results",
                "customdata": hs,
                "hovertemplate": hover,
                "hovertext": [f"#{k} " + hov[r] for k, r in enumerate(hit_rows, 1)],
                "marker": {
                    "size": size + 10,
                    "symbol": "circle-open",
                    "color": "#FF4B4B",
                    "line": {"width": 2.5, "color": "#FF4B4B"},
                },
            }
        )
    if qxy:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [qxy[0]],
                "y": [qxy[1]],
                "name": "Your question",
                "customdata": [-1],
                "hovertemplate": hover,
                "hovertext": [f"<b>{html.escape(A.short(q, 70))}</b><br>your question"],
                "marker": {
                    "size": 22,
                    "symbol": "star",
                    "color": "#FFBF00",
                    "line": {"width": 1.5, "color": "rgba(60,60,60,.9)"},
                },
            }
        )
    notes = []
    for t in topics:
        x, y = float(t.get("x", 0.0)), float(t.get("y", 0.0))
        if t["id"] not in by_topic or t["id"] == -1 or not (np.isfinite(x) and np.isfinite(y)):
            continue
        notes.append(
            {
                "x": x,
                "y": y,
                "text": html.escape(A.short(t["label"], 28)),
                "showarrow": False,
                "font": {"size": 11},
                "borderpad": 3,
                "bgcolor": "rgba(128,128,128,.20)",
                "opacity": 0.95,
            }
        )
    layout = {
        "height": 660,
        "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        # pan, not lasso, by default: Streamlit lets a click select a point (which opens
        # it) only while the drag mode is not a selection; lasso and box are on the toolbar
        "dragmode": "pan",
        "uirevision": "absorb-map",
        "hovermode": "closest",
        "annotations": notes,
        "legend": {
            "itemclick": "toggleothers",
            "itemdoubleclick": "toggle",
            "title": {"text": "Topics"},
            "font": {"size": 11},
        },
        "xaxis": {"visible": False, "showgrid": False, "zeroline": False},
        "yaxis": {"visible": False, "showgrid": False, "zeroline": False, "scaleanchor": "x"},
    }
    try:
        return go.Figure(data=traces, layout=layout, _validate=False)
    except TypeError:  # a plotly without the private fast path
        return go.Figure(data=traces, layout=layout)


def selected_rows(event: Any, n: int) -> list[int]:
    """Catalog rows of the points selected on the map (customdata holds the row)."""
    try:
        points = event.selection.points if event is not None else []
    except (AttributeError, KeyError):
        return []
    out: list[int] = []
    seen: set[int] = set()
    for p in points or []:
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, list):
            cd = cd[0] if cd else None
        try:
            r = int(cd)
        except (TypeError, ValueError):
            continue
        if 0 <= r < n and r not in seen:
            seen.add(r)
            out.append(r)
    return out


def map_view(path: str, gen: str, cat: A.Catalog, flt: Filters) -> None:
    rows = A.filter_rows(cat, flt)
    rows = rows[np.isfinite(cat.xy[rows]).all(axis=1)] if len(rows) else rows
    q = question_box()
    hit_rows: list[int] = []
    qxy = None
    used = state.used_query(q)
    if used:
        with st.spinner("Placing your question on the map…"):
            hits = hits_for(path, gen, used, flt)
            visible = set(int(r) for r in rows)
            hit_rows = [cat.pos[h.id] for h in hits if cat.pos.get(h.id) in visible]
            try:
                qxy = data.query_position(path, gen, used)
            except Exception:  # the map still works without the question's position
                qxy = None
    topics = data.get_topics(path, gen)
    left, right = st.columns([3, 1], gap="medium")
    with left:
        if not len(rows):
            C.empty("No items match these filters.")
            return
        fig = map_figure(cat, rows, topics, hit_rows, qxy, q)
        event = st.plotly_chart(
            fig,
            key="map",
            on_select="rerun",
            selection_mode=("points", "box", "lasso"),
            config={"scrollZoom": True, "displaylogo": False},
        )
        hint = (
            "Click a point to read it · lasso or box-select (toolbar, top right) to list many · "
            "click a topic in the legend to show only it, double-click to bring the others "
            "back · scroll to zoom"
        )
        if q.strip() and qxy:
            hint = f"★ your question “{A.esc_md(A.short(q, 60))}” and ◯ its results · " + hint
        st.caption(hint)
    with right:
        picked = selected_rows(event, len(cat))
        open_clicked(cat, picked)
        if picked:
            st.markdown(f"**{len(picked):,} selected**")
            more = len(picked) - MAP_SIDE_LIST
            note = f"… and {more:,} more" if more > 0 else ""
            C.item_rows(cat, picked[:MAP_SIDE_LIST], "sel", note)
        elif hit_rows:
            st.markdown("**Results for your question**")
            C.item_rows(cat, hit_rows, "maphit")
        else:
            st.markdown(f"**{len(rows):,} items · {len(set(cat.topics[rows].tolist())):,} topics**")
            st.caption("Select points on the map to list them here.")
            big = [t for t in topics if t["id"] in set(cat.topics[rows].tolist())][:12]
            out = []
            for t in big:
                reps = [cat.pos[i] for i in t.get("representative_ids", [])[:2] if i in cat.pos]
                eg = "; ".join(A.esc(A.short(cat.titles[r], 60)) for r in reps)
                out.append(
                    f'<div class="ab-mini"><b>{A.esc(t["label"])}</b> '
                    f'<span class="m">· {int(t["size"]):,}</span><br>'
                    f'<span class="m">{eg}</span></div>'
                )
            C.html_block("<div>" + "".join(out) + "</div>")


def open_clicked(cat: A.Catalog, picked: list[int]) -> None:
    """A click on one point opens it, once: not again on every rerun while it stays selected."""
    sig = ",".join(cat.ids[r] for r in picked)
    if sig == st.session_state.get(state.MAP_OPENED):
        return
    st.session_state[state.MAP_OPENED] = sig
    if len(picked) == 1:
        state.open_item(cat.ids[picked[0]])
