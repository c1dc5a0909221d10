"""The search view: a question, the hits with their best passage, and neighbours beside them.

Match strength comes from the engine (``Hit.match``, ``Hit.confidence``) and is shown in
words; hits it calls weak fold under "Weaker matches". Raw fused scores are not shown:
they rank, they do not measure. Highlighting marks the spans the engine returns
(``Hit.highlights``), which leave out the corpus's common words.
"""

from __future__ import annotations

import streamlit as st

from indexer import appdata as A
from indexer import reading as R
from indexer import textview
from indexer.models import Hit
from indexer.search import MAX_QUERY_CHARS, Filters

from . import components as C
from . import data, state

RESULTS = 15
SIMILAR = 8
EXAMPLES = (
    "why should I understand backprop?",
    "how do I train neural networks reliably?",
    "where does fat go when you lose weight?",
    "advice for a PhD student",
)


def question_box() -> str:
    """The question (shared by the Search and Map tabs; only one of them runs at a time)."""
    state.trim_query(before_widget=True)
    q = st.text_input(
        "Ask a question",
        key=state.QUERY,
        bind="query-params",
        persist_state="session",
        placeholder="Ask anything, e.g. why should I understand backprop?",
        icon=":material/search:",
        label_visibility="collapsed",
        on_change=state.trim_query,
    )
    return q or ""


def hits_for(path: str, gen: str, q: str, flt: Filters) -> list[Hit]:
    return data.run_search(path, gen, q, RESULTS, flt)


def search_view(path: str, gen: str, cat: A.Catalog, flt: Filters) -> None:
    q = question_box()
    like = state.param(state.LIKE)
    if like and like not in cat.pos:
        like = None
    left, right = st.columns([3, 2] if like else [7, 3], gap="large")
    with left:
        used = state.used_query(q)
        if not used:
            st.markdown("#### Ask your archive")
            st.caption(
                "Search blends meaning (embeddings) with exact words (BM25), so both "
                "questions and rare names work. Try:"
            )
            ex = st.container(horizontal=True)
            for i, e in enumerate(EXAMPLES):
                ex.button(e, key=f"ex-{i}", on_click=state.set_query, args=(e,))
            if q:
                st.info("The question is empty: type a question or a few words.")
        else:
            cut = st.session_state.get(state.CUT)
            if cut and cut[0] == used:
                st.info(
                    f"That question was {cut[1]:,} characters long; only the first "
                    f"{MAX_QUERY_CHARS:,} are used (and kept in the link). Shorter questions "
                    "usually work better."
                )
            with st.spinner("Searching…"):
                hits = hits_for(path, gen, used, flt)
            show_hits(cat, hits, flt)
    with right:
        if like:
            similar_panel(path, gen, cat, like)
        elif used:
            st.markdown("**Tips**")
            st.caption(
                "Click a title to read the item. **More like this** lists a result's "
                "neighbours here. The URL holds the question and filters, so it can be "
                "shared or bookmarked; the **Map** tab shows where the results sit."
            )


def show_hits(cat: A.Catalog, hits: list[Hit], flt: Filters) -> None:
    hits = [h for h in hits if h.id in cat.pos]  # the index may have moved on mid-run
    if not hits:
        active = flt.active()
        msg = "No results" + (" with these filters." if active else ".")
        C.empty(msg, cat if active else None, "reset-noresults")
        return
    good = [h for h in hits if h.match != "weak"]
    weak = [h for h in hits if h.match == "weak"]
    if good:
        st.caption(f"{R.plural(len(good), 'result')}, best first")
    else:
        st.info(
            "No good match: nothing in the archive answers this well. The closest items "
            "are under **Weaker matches**."
        )
    for rank, h in enumerate(good, 1):
        hit_card(cat, h, rank)
    if weak:
        with st.expander(f"Weaker matches · {len(weak):,}"):
            for rank, h in enumerate(weak, len(good) + 1):
                hit_card(cat, h, rank)


def hit_card(cat: A.Catalog, h: Hit, rank: int) -> None:
    r = cat.pos[h.id]
    passage = h.passage or h.text[:600]
    body = textview.to_html(passage, h.highlights or [], cls="ab-passage")
    with st.container(border=True, key=f"hit-{rank}"):
        C.open_button(cat, r, f"hit{rank}")
        C.html_block(C.meta_html(cat, r, C.match_chip(h)) + body)
        st.button(
            "More like this",
            key=f"like-{h.id}",
            on_click=state.show_like,
            args=(h.id,),
            icon=":material/hub:",
            type="tertiary",
        )


def similar_panel(path: str, gen: str, cat: A.Catalog, item_id: str) -> None:
    r0 = cat.pos[item_id]
    with st.container(border=True):
        head = st.container(horizontal=True, vertical_alignment="center")
        head.markdown("**More like this**")
        head.button(
            "Close",
            key="like-close",
            on_click=state.show_like,
            args=(None,),
            icon=":material/close:",
            type="tertiary",
        )
        C.html_block(
            f'<div class="ab-rowmeta">Closest in meaning to “{A.esc(A.short(cat.titles[r0], 120))}”'
            "</div>"
        )
        hits = data.run_similar(path, gen, item_id, SIMILAR)
        C.item_rows(cat, [cat.pos[h.id] for h in hits if h.id in cat.pos], "like")
