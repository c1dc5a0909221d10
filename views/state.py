"""Session and URL state: every view, question, filter and open item is in the URL.

Widgets bind their own keys to ``st.query_params`` (``bind="query-params"``); the keys
below that are not widgets (``item``, ``like``) are set by the callbacks here, so a copied
link reopens the same view, question, filters and item.
"""

from __future__ import annotations

import streamlit as st

from indexer.models import AbsorbError
from indexer.search import MAX_QUERY_CHARS, clean_query

VIEWS = ("Feed", "Search", "Map")
VIEW = "view"  # the open tab
QUERY = "q"  # the question (Search and Map)
ITEM = "item"  # the item open in the item view
LIKE = "like"  # the item whose neighbours the Search view lists beside the results
PAGE = "page"  # feed page
ORDER = "order"  # feed order
QUICK = "f"  # feed quick filter
KIND, TOPIC, SOURCE, YEARS = "kind", "topic", "src", "years"
CUT = "_q_cut"  # (kept text, original length) of a question cut to MAX_QUERY_CHARS


def param(key: str) -> str | None:
    v = st.query_params.get(key)
    return v or None


def open_item(item_id: str) -> None:
    st.query_params[ITEM] = item_id


def close_item() -> None:
    st.query_params.pop(ITEM, None)


def show_like(item_id: str | None) -> None:
    if item_id:
        st.query_params[LIKE] = item_id
    else:
        st.query_params.pop(LIKE, None)


def set_query(q: str) -> None:
    st.session_state[QUERY] = q
    st.session_state[VIEW] = "Search"


def reset_page() -> None:
    st.session_state[PAGE] = 1


def reset_filters(span: tuple[int, int] | None) -> None:
    st.session_state[KIND] = []
    st.session_state[TOPIC] = []
    st.session_state[SOURCE] = None
    st.session_state[QUICK] = ""
    if span and span[0] < span[1]:
        st.session_state[YEARS] = span
    st.session_state[PAGE] = 1


def used_query(q: str) -> str:
    """The question as search uses it ("" when it cannot be searched)."""
    try:
        return clean_query(q)
    except AbsorbError:
        return ""


def trim_query(before_widget: bool = False) -> None:
    """Keep only the part of an overlong question that is used, in the box and the URL.

    Runs before the question box is drawn (on a URL that carries a long ``q``) and as the
    box's on_change (a pasted long question).
    """
    q = st.session_state.get(QUERY)
    if q is None:
        q = st.query_params.get(QUERY)
    if isinstance(q, str) and len(q) > MAX_QUERY_CHARS:
        cut = used_query(q).rstrip()
        st.session_state[CUT] = (cut, len(q))
        st.session_state[QUERY] = cut
        st.query_params[QUERY] = cut
        if before_widget:  # a bound box takes the page's URL value on this run: start over
            st.rerun()
