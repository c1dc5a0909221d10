"""absorb: the app. A chronological feed, question search and a topic map over one author's work.

Run it with ``absorb serve`` (or ``streamlit run app.py``); it opens the index at
``$ABSORB_INDEX`` (default ``data/index``). This file is views only: every answer
comes from ``indexer`` (search, similar, map, topics) and ``indexer.appdata``
(pure data shaping, escaping).

Security: captured text is never rendered as markup. Everything that came from
a capture goes through ``appdata.esc``/``highlight_html`` before it meets HTML,
and only http(s) URLs become links.
"""

from __future__ import annotations

import contextlib
import html
import threading
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

import indexer
from indexer import appdata as A
from indexer import config
from indexer.models import AbsorbError, Hit, IndexMissing

ROOT = Path(__file__).resolve().parent
DEFAULT_CAPTURES = ROOT / "data" / "captures"
VIEWS = ("Feed", "Search", "Map")
RESULTS = 15  # search results shown
SIMILAR = 8  # "more like this" results
MAP_SIDE_LIST = 60  # items listed beside the map
EXAMPLES = (
    "why should I understand backprop?",
    "how do I train neural networks reliably?",
    "where does fat go when you lose weight?",
    "advice for a PhD student",
)
# Theme-neutral accents (translucent, so they read on light and dark backgrounds).
KIND_HUES = {
    "summary": "99,110,250",
    "article": "0,170,160",
    "post": "255,140,0",
    "transcript": "171,99,250",
    "note": "60,180,75",
    "paper": "230,80,120",
}
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

CSS = """
<style>
[data-testid="stMainBlockContainer"] {padding-top:3.6rem}
[data-testid="stAppDeployButton"] {display:none}
.ab-head {display:flex; align-items:baseline; gap:.75rem; flex-wrap:wrap; margin:0 0 .25rem}
.ab-logo {font-size:1.9rem; font-weight:750; letter-spacing:-.02em}
.ab-sub {opacity:.65}
.ab-title {font-size:1.08rem; font-weight:650; line-height:1.35; margin:0 0 .3rem}
.ab-title a {color:inherit; text-decoration:none}
.ab-title a:hover {text-decoration:underline}
.ab-ext {font-size:.8em; opacity:.55; margin-left:.25rem}
.ab-meta {display:flex; flex-wrap:wrap; gap:.35rem; margin:.1rem 0 .45rem; font-size:.78rem}
.ab-chip {display:inline-block; padding:.08rem .55rem; border-radius:999px;
  background:rgba(128,128,128,.14); border:1px solid transparent; white-space:nowrap}
.ab-chip.date-inferred {background:transparent; border:1px dashed rgba(128,128,128,.6); font-style:italic}
.ab-chip.date-unknown {background:transparent; border:1px dotted rgba(128,128,128,.45); opacity:.7}
.ab-chip.score {font-variant-numeric:tabular-nums}
.ab-chip.src {opacity:.75}
.ab-summary {line-height:1.55; opacity:.88; margin:0}
.ab-related {font-size:.82rem; opacity:.75; margin-top:.4rem}
.ab-passage {line-height:1.6; border-left:3px solid rgba(255,75,75,.55); padding:.15rem 0 .15rem .8rem;
  margin:.2rem 0 .1rem}
.ab-passage mark, .ab-text mark {background:rgba(255,190,0,.38); color:inherit; border-radius:3px;
  padding:0 .12em}
.ab-text {line-height:1.65; max-height:34rem; overflow-y:auto; overflow-wrap:anywhere; padding-right:.5rem}
.ab-mini {padding:.45rem 0; border-bottom:1px solid rgba(128,128,128,.18); font-size:.88rem; line-height:1.35}
.ab-mini:last-child {border-bottom:none}
.ab-mini a {color:inherit}
.ab-mini .ab-title {font-size:.95rem}
.ab-mini .m {opacity:.6; font-size:.78rem}
.ab-empty {opacity:.7; padding:1.5rem 0}
.ab-bar {display:inline-block; height:.45rem; border-radius:3px; background:rgba(255,75,75,.6);
  vertical-align:middle; margin-right:.3rem}
</style>
"""


# ----------------------------------------------------------------------------- data access


def index_path() -> str:
    return str(Path(config.index_from_env() or ROOT / config.DEFAULT_INDEX).expanduser())


@st.cache_resource(show_spinner=False)
def get_index(path: str) -> indexer.Index:
    """One Index per process; it follows new builds by itself."""
    return indexer.open_index(path)


@st.cache_resource(show_spinner=False)
def warm_model(path: str) -> threading.Thread:
    """Load the embedding model in the background (once per process) so the first search is quick."""

    def load() -> None:
        with contextlib.suppress(Exception):  # the search itself reports real problems
            get_index(path).embedder()

    t = threading.Thread(target=load, name="absorb-warm-model", daemon=True)
    t.start()
    return t


@st.cache_resource(show_spinner="Reading the index…", max_entries=3)
def get_catalog(path: str, generation: str) -> A.Catalog:
    """Feed-ordered rows for the feed and the map (read-only; one per index generation)."""
    from indexer.chronology import feed_order, format_date

    idx = get_index(path)
    items = feed_order(list(idx.items()))
    return A.build_catalog(items, idx.map(), idx.topics(), format_date)


@st.cache_data(show_spinner=False, max_entries=4)
def get_topics(path: str, generation: str) -> list[dict[str, Any]]:
    return [t.to_dict() for t in get_index(path).topics()]


@st.cache_data(show_spinner=False, max_entries=256)
def run_search(
    path: str,
    generation: str,
    q: str,
    k: int,
    since: str | None,
    until: str | None,
    kinds: tuple[str, ...],
    min_match: str | None = "fair",
) -> list[Hit]:
    return get_index(path).search(
        q, k=k, since=since, until=until, kind=list(kinds) or None, min_match=min_match
    )


@st.cache_data(show_spinner=False, max_entries=256)
def run_similar(path: str, generation: str, item_id: str, k: int) -> list[Hit]:
    return get_index(path).similar(item_id, k=k)


@st.cache_data(show_spinner=False, max_entries=64)
def query_position(path: str, generation: str, q: str) -> tuple[float, float] | None:
    """Where the question lands on the map (``indexer.topics.project_query``)."""
    from indexer.topics import project_query

    idx = get_index(path)
    cat = get_catalog(path, generation)
    ids, vectors = idx.item_vectors()
    rows = [cat.pos[i] for i in ids]
    coords = cat.xy[rows]
    x, y = project_query(idx.embed_query(q), ids, coords, vectors)
    if not (np.isfinite(x) and np.isfinite(y)):
        return None
    return float(x), float(y)


@st.cache_data(show_spinner=False, max_entries=512)
def item_text(path: str, generation: str, item_id: str) -> str:
    return get_index(path).get(item_id).text


# ----------------------------------------------------------------------------- rendering


def html_block(body: str, container: Any = st) -> None:
    """Show HTML we built ourselves (every captured piece inside is already escaped)."""
    container.markdown(body, unsafe_allow_html=True)


def kind_chip(kind: str) -> str:
    hue = KIND_HUES.get(kind)
    style = f' style="background:rgba({hue},.18)"' if hue else ""
    return f'<span class="ab-chip kind"{style}>{A.esc(kind)}</span>'


def date_chip(cat: A.Catalog, row: int) -> str:
    label = cat.date_labels[row]
    cls = A.date_class(cat.date_kinds[row], label)
    tip = {
        "captured": "Date stated in the capture",
        "inferred": f"Inferred date ({cat.date_kinds[row]}): not stated in this capture",
        "unknown": "No date could be found or inferred",
    }[cls]
    text = ("≈ " if cls == "inferred" else "") + label
    return f'<span class="ab-chip date-{cls}" title="{html.escape(tip)}">{A.esc(text)}</span>'


def header_html(
    cat: A.Catalog, row: int, score: float | None = None, with_summary: bool = True
) -> str:
    url = cat.urls[row]
    ext = '<span class="ab-ext">↗</span>' if A.is_web_url(url) else ""
    title = A.link_html(url, A.esc(cat.titles[row]) + ext)
    chips = [date_chip(cat, row), kind_chip(cat.kinds[row])]
    if score is not None:
        width = max(4, min(48, int(48 * max(0.0, min(1.0, score)))))
        chips.append(
            f'<span class="ab-chip score" title="relevance score">'
            f'<span class="ab-bar" style="width:{width}px"></span>{score:.2f}</span>'
        )
    src = Path(cat.sources[row]).name
    chips.append(f'<span class="ab-chip src" title="{A.esc(cat.sources[row])}">{A.esc(src)}</span>')
    parts = [f'<div class="ab-title">{title}</div>', f'<div class="ab-meta">{"".join(chips)}</div>']
    if with_summary and cat.summaries[row]:
        parts.append(f'<p class="ab-summary">{A.esc(cat.summaries[row])}</p>')
    rel = A.related_rows(cat, row)
    if rel:
        also = "; ".join(
            f"{A.esc(cat.kinds[r])} “{A.link_html(cat.urls[r], A.esc(A.short(cat.titles[r], 80)))}”"
            f" ({A.esc(cat.date_labels[r])})"
            for r in rel[:5]
        )
        parts.append(f'<div class="ab-related">Also captured as: {also}</div>')
    return "<div>" + "".join(parts) + "</div>"


def full_text(path: str, gen: str, cat: A.Catalog, row: int, key: str) -> None:
    """A lazily filled expander with the whole text (only loaded when opened)."""
    words = cat.words(row)
    exp = st.expander(
        f"Full text · {words:,} words", key=key, on_change="rerun", icon=":material/article:"
    )
    if exp.open:
        text = item_text(path, gen, cat.ids[row])
        html_block(f'<div class="ab-text">{A.esc(text)}</div>', exp)


def mini_list(cat: A.Catalog, rows: list[int], note: str = "") -> None:
    out = []
    for r in rows:
        title = A.link_html(cat.urls[r], A.esc(A.short(cat.titles[r], 110)))
        meta = A.esc(f"{cat.date_labels[r]} · {cat.kinds[r]}")
        out.append(f'<div class="ab-mini">{title}<br><span class="m">{meta}</span></div>')
    if note:
        out.append(f'<div class="ab-mini m">{A.esc(note)}</div>')
    html_block("<div>" + "".join(out) + "</div>")


# ----------------------------------------------------------------------------- state


def reset_page() -> None:
    st.session_state["page"] = 1


def reset_filters(span: tuple[int, int] | None) -> None:
    st.session_state["kind"] = []
    st.session_state["topic"] = []
    st.session_state["f"] = ""
    if span and span[0] < span[1]:
        st.session_state["years"] = span
    st.session_state["page"] = 1


def set_query(q: str) -> None:
    st.session_state["q"] = q
    st.session_state["view"] = "Search"


def show_like(item_id: str | None, switch: bool = False) -> None:
    if item_id:
        st.query_params["like"] = item_id
        if switch:
            st.session_state["view"] = "Search"
    else:
        st.query_params.pop("like", None)


def topic_options(cat: A.Catalog, topics: list[dict[str, Any]]) -> dict[str, int]:
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


# ----------------------------------------------------------------------------- sidebar


def sidebar(
    cat: A.Catalog, stats: dict[str, Any], manifest: dict[str, Any], topic_map: dict[str, int]
) -> dict[str, Any]:
    sb = st.sidebar
    sb.markdown("### Filters")
    kinds = list(cat.kind_counts())
    sel_kinds = sb.multiselect(
        "Kind",
        kinds,
        key="kind",
        bind="query-params",
        placeholder="All kinds",
        on_change=reset_page,
    )
    sel_topics = sb.multiselect(
        "Topic",
        list(topic_map),
        key="topic",
        bind="query-params",
        placeholder="All topics",
        on_change=reset_page,
    )
    span = cat.year_span()
    years = None
    if span and span[0] < span[1]:
        cur = st.session_state.get("years")
        if cur is not None and not (
            isinstance(cur, (tuple, list))
            and len(cur) == 2
            and span[0] <= min(cur) <= max(cur) <= span[1]
        ):
            st.session_state["years"] = span  # a stale range from an older build of the index
        years = sb.slider(
            "Years",
            span[0],
            span[1],
            **({} if "years" in st.session_state else {"value": span}),
            key="years",
            bind="query-params",
            on_change=reset_page,
            help="Items whose date (or inferred date range) falls in these years. "
            "Undated items are hidden while the range is narrowed.",
        )
    since, until = A.year_range_dates(years, span)
    sb.button(
        "Reset filters",
        on_click=reset_filters,
        args=(span,),
        icon=":material/restart_alt:",
        type="tertiary",
    )

    sb.divider()
    sb.markdown("### Index")
    c1, c2 = sb.columns(2)
    c1.metric("Items", f"{stats['items']:,}")
    c2.metric("Passages", f"{stats['passages']:,}")
    kinds_line = " · ".join(f"{n:,} {A.esc_md(k)}" for k, n in cat.kind_counts().items())
    sb.caption(kinds_line)
    first, last = stats.get("first"), stats.get("last")
    span_txt = f"{first:%b %Y} – {last:%b %Y}" if first and last else "no dates"
    sb.caption(f"**Dates** {span_txt} ({stats['dated']:,} of {stats['items']:,} dated)")
    sb.caption(
        f"**Model** {A.esc_md(stats['model'])} · {A.esc_md(stats.get('vector_index') or '')}"
    )
    if stats.get("created"):
        sb.caption(f"**Built** {A.esc_md(str(stats['created'])[:16].replace('T', ' '))}")
    return {
        "kinds": tuple(sel_kinds or ()),
        "topics": tuple(topic_map[t] for t in sel_topics or () if t in topic_map),
        "since": since,
        "until": until,
        "active": bool(sel_kinds or sel_topics or since or until),
    }


# ----------------------------------------------------------------------------- views


def feed_view(path: str, gen: str, cat: A.Catalog, flt: dict[str, Any]) -> None:
    left, right = st.columns([7, 3], gap="large")
    with left:
        text = st.text_input(
            "Quick filter",
            key="f",
            bind="query-params",
            on_change=reset_page,
            placeholder="Filter by words in the title or text…",
            icon=":material/filter_list:",
            label_visibility="collapsed",
        )
        rows = A.filter_rows(cat, flt["kinds"], flt["topics"], flt["since"], flt["until"], text)
        n = len(rows)
        if n == 0:
            html_block('<div class="ab-empty">Nothing matches these filters.</div>')
            st.button(
                "Reset filters", on_click=reset_filters, args=(cat.year_span(),), key="reset-empty"
            )
            return
        start, end, pages = A.page_bounds(n, 1)
        top = st.container(horizontal=True, vertical_alignment="center")
        count = top.empty()
        if pages > 1:
            with top:
                page = st.pagination(pages, key="page", bind="query-params", width="content")
            start, end, pages = A.page_bounds(n, page)
        count.caption(f"Newest first · showing {start + 1:,}–{end:,} of {n:,} items")
        for r in rows[start:end]:
            r = int(r)
            with st.container(border=True, key=f"card-{cat.ids[r]}"):
                html_block(header_html(cat, r))
                with st.container(horizontal=True, vertical_alignment="top"):
                    st.button(
                        "More like this",
                        key=f"flike-{cat.ids[r]}",
                        on_click=show_like,
                        args=(cat.ids[r], True),
                        icon=":material/hub:",
                        type="tertiary",
                        width="content",
                    )
                    full_text(path, gen, cat, r, key=f"ft-{cat.ids[r]}")
    with right:
        timeline(cat, rows)


def timeline(cat: A.Catalog, rows: np.ndarray) -> None:
    import pandas as pd

    years: dict[int, int] = {}
    undated = 0
    for r in rows:
        d, e = cat.dates[r], cat.date_ends[r]
        if d and e:
            y = (d + (e - d) / 2).year
        elif d or e:
            y = (d or e).year  # type: ignore[union-attr]
        else:
            undated += 1
            continue
        years[y] = years.get(y, 0) + 1
    st.markdown("**When**")
    if years:
        lo, hi = min(years), max(years)
        s = pd.Series({str(y): years.get(y, 0) for y in range(lo, hi + 1)}, name="items")
        st.bar_chart(s, height=180, x_label="", y_label="")
    st.caption(f"{undated:,} undated" if undated else "every item is dated")
    st.markdown("**What**")
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[cat.kinds[r]] = kinds.get(cat.kinds[r], 0) + 1
    html_block(
        "<div>"
        + " ".join(f"{kind_chip(k)} {n:,}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        + "</div>"
    )


def _hits_for(
    path: str, gen: str, cat: A.Catalog, q: str, flt: dict[str, Any], weak: bool = False
) -> list[Hit]:
    k = RESULTS * 8 if flt["topics"] else RESULTS
    hits = run_search(
        path,
        gen,
        q,
        k,
        flt["since"] and flt["since"].isoformat(),
        flt["until"] and flt["until"].isoformat(),
        flt["kinds"],
        None if weak else "fair",
    )
    if flt["topics"]:
        want = set(flt["topics"])
        hits = [h for h in hits if h.id in cat.pos and int(cat.topics[cat.pos[h.id]]) in want]
    return hits[:RESULTS]


def query_problem(q: str) -> str | None:
    """A kind message for a query we cannot search, else None."""
    from indexer.search import clean_query

    try:
        clean_query(q)
    except AbsorbError:
        return "Type a question or a few words to search."
    return None


def question_box() -> str:
    """The question (shared by the Search and Map tabs; only one of them runs at a time)."""
    q = st.text_input(
        "Ask a question",
        key="q",
        bind="query-params",
        persist_state="session",
        placeholder="Ask anything, e.g. why should I understand backprop?",
        icon=":material/search:",
        label_visibility="collapsed",
    )
    return q or ""


def search_view(path: str, gen: str, cat: A.Catalog, flt: dict[str, Any]) -> None:
    from indexer.search import MAX_QUERY_CHARS, highlight_spans, query_terms

    q = question_box()
    like = st.query_params.get("like")
    if like and like not in cat.pos:
        like = None
    left, right = st.columns([3, 2] if like else [7, 3], gap="large")
    with left:
        if not q.strip():
            st.markdown("#### Ask your archive")
            st.caption(
                "Search blends meaning (embeddings) with exact words (BM25), so both "
                "questions and rare names work. Try:"
            )
            ex = st.container(horizontal=True)
            for i, e in enumerate(EXAMPLES):
                ex.button(e, key=f"ex-{i}", on_click=set_query, args=(e,), type="secondary")
            if q:
                st.info("The question is empty: type a few words.")
        else:
            problem = query_problem(q)
            if len(q) > MAX_QUERY_CHARS:
                st.info(
                    f"That question is {len(q):,} characters long; only the first "
                    f"{MAX_QUERY_CHARS:,} are used. Shorter questions usually work better."
                )
            if problem:
                st.info(problem)
            else:
                weak = st.toggle("Show weak matches", key="weak", bind="query-params")
                with st.spinner("Searching…"):
                    hits = _hits_for(path, gen, cat, q, flt, weak)
                if not hits and not weak:
                    st.info(
                        "No good match: nothing in the archive answers this well. "
                        "Turn on **Show weak matches** to see the closest items anyway."
                    )
                if hits or weak or flt["active"]:
                    show_hits(
                        path,
                        gen,
                        cat,
                        hits,
                        q,
                        query_terms(A.short(q, MAX_QUERY_CHARS)),
                        highlight_spans,
                        flt,
                    )
    with right:
        if like:
            similar_panel(path, gen, cat, like)
        elif q.strip():
            st.markdown("**Tips**")
            st.caption(
                "Press **More like this** on a result to see its neighbours here. The "
                "sidebar filters narrow the search; the URL holds the question and "
                "filters, so it can be shared or bookmarked. The **Map** tab shows where "
                "the question and its results sit."
            )


def show_hits(
    path: str,
    gen: str,
    cat: A.Catalog,
    hits: list[Hit],
    q: str,
    terms: list[str],
    highlight_spans: Any,
    flt: dict[str, Any],
) -> None:
    if not hits:
        msg = "No results" + (" with these filters." if flt["active"] else ".")
        html_block(f'<div class="ab-empty">{A.esc(msg)}</div>')
        if flt["active"]:
            st.button(
                "Reset filters",
                on_click=reset_filters,
                args=(cat.year_span(),),
                key="reset-noresults",
            )
        return
    st.caption(f"{len(hits)} results, best first")
    for rank, h in enumerate(hits, 1):
        r = cat.pos.get(h.id)
        if r is None:  # the index moved on to a newer build mid-run
            continue
        passage = h.passage or h.text[:600]
        body = A.highlight_html(passage, highlight_spans(passage, terms))
        with st.container(border=True, key=f"hit-{rank}"):
            html_block(
                header_html(cat, r, score=h.score, with_summary=False)
                + f'<div class="ab-passage">{body}</div>'
            )
            with st.container(horizontal=True, vertical_alignment="top"):
                st.button(
                    "More like this",
                    key=f"like-{h.id}",
                    on_click=show_like,
                    args=(h.id,),
                    icon=":material/hub:",
                    type="tertiary",
                    width="content",
                )
                full_text(path, gen, cat, r, key=f"sft-{h.id}")


def similar_panel(path: str, gen: str, cat: A.Catalog, item_id: str) -> None:
    r0 = cat.pos[item_id]
    with st.container(border=True):
        head = st.container(horizontal=True, vertical_alignment="center")
        head.markdown("**More like this**")
        head.button(
            "Close",
            key="like-close",
            on_click=show_like,
            args=(None,),
            icon=":material/close:",
            type="tertiary",
        )
        html_block(
            f'<div class="ab-mini m">Closest in meaning to “{A.esc(A.short(cat.titles[r0], 120))}”'
            "</div>"
        )
        hits = run_similar(path, gen, item_id, SIMILAR)
        for h in hits:
            r = cat.pos.get(h.id)
            if r is None:
                continue
            html_block(
                f'<div class="ab-mini">{header_html(cat, r, score=h.score, with_summary=False)}'
                "</div>"
            )
            st.button(
                "More like this",
                key=f"like2-{h.id}",
                on_click=show_like,
                args=(h.id,),
                icon=":material/hub:",
                type="tertiary",
            )


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
        "dragmode": "lasso",
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


def map_view(path: str, gen: str, cat: A.Catalog, flt: dict[str, Any]) -> None:
    rows = A.filter_rows(cat, flt["kinds"], flt["topics"], flt["since"], flt["until"])
    rows = rows[np.isfinite(cat.xy[rows]).all(axis=1)] if len(rows) else rows
    q = question_box()
    hit_rows: list[int] = []
    qxy = None
    if q.strip() and not query_problem(q):
        with st.spinner("Placing your question on the map…"):
            hits = _hits_for(path, gen, cat, q, flt)
            visible = set(int(r) for r in rows)
            hit_rows = [cat.pos[h.id] for h in hits if cat.pos.get(h.id) in visible]
            try:
                qxy = query_position(path, gen, q)
            except Exception:  # the map still works without the question's position
                qxy = None
    topics = get_topics(path, gen)
    left, right = st.columns([3, 1], gap="medium")
    with left:
        if not len(rows):
            html_block('<div class="ab-empty">No items match these filters.</div>')
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
            "Lasso or box-select points to list them · click a topic in the legend to show "
            "only it, double-click to bring the others back · scroll to zoom"
        )
        if q.strip() and qxy:
            hint = f"★ your question “{A.esc_md(A.short(q, 60))}” and ◯ its results · " + hint
        st.caption(hint)
    with right:
        picked = selected_rows(event, len(cat))
        if picked:
            st.markdown(f"**{len(picked):,} selected**")
            more = len(picked) - MAP_SIDE_LIST
            mini_list(cat, picked[:MAP_SIDE_LIST], f"… and {more:,} more" if more > 0 else "")
        elif hit_rows:
            st.markdown("**Results for your question**")
            mini_list(cat, hit_rows)
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
            html_block("<div>" + "".join(out) + "</div>")


# ----------------------------------------------------------------------------- no index


def no_index_view(path: str, err: AbsorbError) -> None:
    html_block(
        '<div class="ab-head"><span class="ab-logo">absorb</span>'
        '<span class="ab-sub">search, read and map everything one author published</span>'
        "</div>"
    )
    if isinstance(err, IndexMissing):
        st.info("There is no index yet, so there is nothing to show.", icon=":material/info:")
        st.markdown("Build one from your captures in a terminal:")
        st.code(f"absorb index data/captures --index {path}", language="bash")
        st.markdown("…or build the bundled sample captures right here:")
        if st.button(
            "Build the sample index",
            type="primary",
            icon=":material/build:",
            disabled=not DEFAULT_CAPTURES.is_dir(),
        ):
            build_default(path)
    else:
        st.error(f"The index at `{A.esc_md(path)}` cannot be opened.", icon=":material/error:")
        st.code(str(err), language="text")


def build_default(path: str) -> None:
    from indexer.build import build_index

    with st.status(f"Indexing {DEFAULT_CAPTURES.name}…", expanded=True) as status:
        st.write(
            "Reading captures, embedding passages and laying out the topic map. "
            "The first build loads the embedding model, so it takes a little while."
        )
        try:
            report = build_index([str(DEFAULT_CAPTURES)], path, progress=False)
        except AbsorbError as e:
            status.update(label="The build failed", state="error")
            st.code(str(e), language="text")
            return
        status.update(
            label=f"Indexed {report.items} items ({report.passages} passages) in "
            f"{report.seconds:.1f}s",
            state="complete",
        )
    get_index.clear()
    st.rerun()


# ----------------------------------------------------------------------------- main


def main() -> None:
    st.set_page_config(page_title="absorb", page_icon="🧽", layout="wide")
    st.html(CSS)
    path = index_path()
    try:
        idx = get_index(path)
        manifest = idx.manifest
    except AbsorbError as e:
        no_index_view(path, e)
        return
    gen = str(manifest.get("generation") or manifest.get("created") or "0")
    cat = get_catalog(path, gen)
    stats = idx.stats()
    topics = get_topics(path, gen)
    topic_map = topic_options(cat, topics)
    flt = sidebar(cat, stats, manifest, topic_map)

    author = cat.author
    first, last = stats.get("first"), stats.get("last")
    span = f" · {first:%Y}–{last:%Y}" if first and last else ""
    sub = f"{len(cat):,} pieces{span}" + (f" by {author}" if author else "")
    html_block(
        f'<div class="ab-head"><span class="ab-logo">absorb</span>'
        f'<span class="ab-sub">{A.esc(sub)}</span></div>'
    )

    feed, search, mapv = st.tabs(list(VIEWS), key="view", bind="query-params")
    if feed.open:
        with feed:
            feed_view(path, gen, cat, flt)
    if search.open:
        with search:
            search_view(path, gen, cat, flt)
    if mapv.open:
        with mapv:
            map_view(path, gen, cat, flt)
    warm_model(path)  # after the page is out: the first search then finds the model loaded


if __name__ == "__main__":  # streamlit runs the script as __main__
    main()
