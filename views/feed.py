"""The feed: every item in an order that says what it is, with a timeline beside it.

Dated items (stated or inferred, ranges shown as ranges) come newest first; undated ones
follow under their own heading in capture order (``indexer.reading.feed_sections``). When
nothing is dated the feed says so and orders by title, source or topic.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from indexer import appdata as A
from indexer import reading as R
from indexer.search import Filters

from . import components as C
from . import state


def order_control(cat: A.Catalog, rows: np.ndarray) -> str:
    note = R.order_note(cat, rows)
    options = [o for o in R.ORDERS if not (note and o == "newest")]
    cur = st.session_state.get(state.ORDER) or st.query_params.get(state.ORDER)
    if cur not in options:
        st.session_state[state.ORDER] = options[0] if not note else "source"
    if note:
        C.html_block(f'<div class="ab-note">{A.esc(note)}</div>')
    # Streamlit's type overloads do not list its ``bind`` argument
    order = st.segmented_control(  # type: ignore[call-overload]
        "Order",
        options,
        format_func=R.ORDER_LABELS.get,
        key=state.ORDER,
        bind="query-params",
        required=True,
        on_change=state.reset_page,
        label_visibility="collapsed",
    )
    return order or options[0]


def feed_view(cat: A.Catalog, flt: Filters) -> None:
    left, right = st.columns([7, 3], gap="large")
    with left:
        text = st.text_input(
            "Quick filter",
            key=state.QUICK,
            bind="query-params",
            on_change=state.reset_page,
            placeholder="Filter by words in the title or text…",
            icon=":material/filter_list:",
            label_visibility="collapsed",
        )
        rows = A.filter_rows(cat, flt, text)
        if len(rows) == 0:
            C.empty("Nothing matches these filters.", cat, "reset-empty")
            return
        order = order_control(cat, rows)
        sections = R.feed_sections(cat, rows, order)
        flat = [(s.title, int(r)) for s in sections for r in s.rows]
        n = len(flat)
        top = st.container(horizontal=True, vertical_alignment="center")
        count = top.empty()
        start, end, pages = A.page_bounds(n, 1)
        if pages > 1:
            with top:
                page = st.pagination(pages, key=state.PAGE, bind="query-params", width="content")
            start, end, pages = A.page_bounds(n, page)
        count.caption(f"Showing {start + 1:,}–{end:,} of {R.plural(n, 'item')}")
        shown = None
        for title, r in flat[start:end]:
            if title != shown:
                if title:
                    size = sum(1 for t, _ in flat if t == title)
                    C.html_block(
                        f'<div class="ab-section">{A.esc(title)} · {R.plural(size, "item")}</div>'
                    )
                shown = title
            card(cat, r)
    with right:
        timeline(cat, rows)


def card(cat: A.Catalog, r: int) -> None:
    with st.container(border=True, key=f"card-{cat.ids[r]}"):
        C.open_button(cat, r, "card")
        summary = f'<p class="ab-summary">{A.esc(cat.summaries[r])}</p>' if cat.summaries[r] else ""
        C.html_block(C.meta_html(cat, r, words=True) + summary)


def year_counts(cat: A.Catalog, rows: np.ndarray) -> tuple[dict[int, int], int]:
    years: dict[int, int] = {}
    undated = 0
    for r in rows:
        d, e = cat.dates[r], cat.date_ends[r]
        if d and e:
            y = (d + (e - d) / 2).year
        elif d or e:
            y = (d or e).year
        else:
            undated += 1
            continue
        years[y] = years.get(y, 0) + 1
    return years, undated


def timeline(cat: A.Catalog, rows: np.ndarray) -> None:
    years, undated = year_counts(cat, rows)
    st.markdown("**When**")
    if years:
        lo, hi = min(years), max(years)
        values = [{"year": str(y), "items": years.get(y, 0)} for y in range(lo, hi + 1)]
        # a plain Vega-Lite bar chart: st.bar_chart adds scale-bound zoom, which Vega
        # refuses on a binned (ordinal) axis and logs a "Scale bindings" warning for
        st.vega_lite_chart(
            {
                "data": {"values": values},
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "x": {"field": "year", "type": "ordinal", "title": None},
                    "y": {
                        "field": "items",
                        "type": "quantitative",
                        "title": None,
                        "axis": {"tickMinStep": 1, "format": "d"},
                    },
                },
                "height": 160,
            },
            width="stretch",
        )
        st.caption(f"{R.plural(undated, 'undated item')}" if undated else "every item is dated")
    else:
        st.caption(f"No item is dated ({R.plural(undated, 'item')}).")
    st.markdown("**What**")
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[cat.kinds[r]] = kinds.get(cat.kinds[r], 0) + 1
    C.html_block(
        "<div>"
        + " ".join(
            f"{C.kind_chip(k)} {n:,}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])
        )
        + "</div>"
    )
