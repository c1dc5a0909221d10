"""The sidebar: filters (kind, topic, source, years) shared by every view, and index facts.

The filters come back as the engine's own ``indexer.search.Filters``: search applies them in
``Index.search``, the feed and map with the same ``item_mask``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from indexer import appdata as A
from indexer import reading as R
from indexer.search import Filters

from . import state


def topic_options(cat: A.Catalog) -> dict[str, int]:
    """Unique topic labels (largest first) -> topic id."""
    counts = cat.topic_counts()
    order = sorted(counts, key=lambda t: (t == -1, -counts[t], t))
    out: dict[str, int] = {}
    for t in order:
        label = " ".join(cat.topic_labels.get(t, f"topic {t}").split()) or f"topic {t}"
        name, n = label, 2
        while name in out:
            name, n = f"{label} ({n})", n + 1
        out[name] = t
    return out


def years_slider(cat: A.Catalog) -> tuple[int, int] | None:
    span = cat.year_span()
    if not (span and span[0] < span[1]):
        return None
    cur = st.session_state.get(state.YEARS)
    if cur is not None and not (
        isinstance(cur, (tuple, list))
        and len(cur) == 2
        and span[0] <= min(cur) <= max(cur) <= span[1]
    ):
        st.session_state[state.YEARS] = span  # a stale range from an older build of the index
    # Streamlit's type overloads do not list its ``bind`` argument
    return st.sidebar.slider(  # type: ignore[call-overload]
        "Years",
        span[0],
        span[1],
        **({} if state.YEARS in st.session_state else {"value": span}),
        key=state.YEARS,
        bind="query-params",
        on_change=state.reset_page,
        help="Items whose date (or inferred date range) falls in these years. "
        "Undated items are hidden while the range is narrowed.",
    )


def sidebar(cat: A.Catalog, stats: dict[str, Any]) -> Filters:
    sb = st.sidebar
    sb.markdown("### Filters")
    kinds = sb.multiselect(
        "Kind",
        list(cat.kind_counts()),
        key=state.KIND,
        bind="query-params",
        placeholder="All kinds",
        on_change=state.reset_page,
    )
    topic_map = topic_options(cat)
    topics = sb.multiselect(
        "Topic",
        list(topic_map),
        key=state.TOPIC,
        bind="query-params",
        placeholder="All topics",
        on_change=state.reset_page,
    )
    groups = R.source_groups(cat)
    source = sb.selectbox(
        "Source",
        list(groups),
        index=None,
        key=state.SOURCE,
        bind="query-params",
        placeholder="All sources",
        on_change=state.reset_page,
        help="A folder of captures, or one capture file",
    )
    years = years_slider(cat)
    since, until = A.year_range_dates(years, cat.year_span())
    sb.button(
        "Reset filters",
        on_click=state.reset_filters,
        args=(cat.year_span(),),
        icon=":material/restart_alt:",
        type="tertiary",
    )
    index_facts(cat, stats)
    topic_ids = [topic_map[t] for t in topics or () if t in topic_map]
    return Filters(
        since=since,
        until=until,
        kind=list(kinds) or None,
        source=groups.get(source or ""),
        topic=topic_ids or None,
    )


def short_count(n: int) -> str:
    """A count that fits half the sidebar: "191,614" was cut to "191,…".

    >>> short_count(99_985), short_count(191_614), short_count(2_345_678)
    ('99,985', '191.6k', '2.35M')
    """
    if n < 100_000:
        return f"{n:,}"
    return f"{n / 1e3:.1f}k" if n < 999_950 else f"{n / 1e6:.2f}M"  # not "1000.0k"


def index_facts(cat: A.Catalog, stats: dict[str, Any]) -> None:
    sb = st.sidebar
    sb.divider()
    sb.markdown("### Index")
    c1, c2 = sb.columns(2)
    for col, name in ((c1, "Items"), (c2, "Passages")):
        n = int(stats[name.lower()])
        shown = short_count(n)
        col.metric(name, shown, help=f"{n:,} {name.lower()}" if shown != f"{n:,}" else None)
    sb.caption(" · ".join(A.esc_md(R.plural(n, k)) for k, n in cat.kind_counts().items()))
    first, last = stats.get("first"), stats.get("last")
    span_txt = f"{first:%b %Y} – {last:%b %Y}" if first and last else "no dates"
    sb.caption(f"**Dates** {span_txt} ({stats['dated']:,} of {stats['items']:,} dated)")
    sb.caption(
        f"**Model** {A.esc_md(stats['model'])} · {A.esc_md(stats.get('vector_index') or '')}"
    )
    if stats.get("created"):
        sb.caption(f"**Built** {A.esc_md(str(stats['created'])[:16].replace('T', ' '))}")
