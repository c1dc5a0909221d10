"""The item view: one item, read in full, opened from every list (``?item=ID``).

A right-hand drawer over whatever view the reader was in, so closing it (✕, Esc, a click
outside, or **Close**) leaves them exactly where they were: same tab, page, question,
map selection. It shows the title, the date and how it was obtained, kind, readable
source, the text as written (``indexer.textview``), the other captures of the same work
and the nearest items, each of which opens here in turn.
"""

from __future__ import annotations

import streamlit as st

from indexer import appdata as A
from indexer import reading as R
from indexer import textview

from . import components as C
from . import data, state

SIMILAR = 8


def close() -> None:
    state.close_item()


@st.dialog("Reading", width=900, position="right", on_dismiss=close)
def item_view(path: str, gen: str) -> None:
    # read the id here, not from arguments: buttons inside rerun only this function
    item_id = state.param(state.ITEM)
    cat = data.get_catalog(path, gen)
    if item_id is None:  # closed from inside: back to the full page
        st.rerun()
    if item_id not in cat.pos:
        st.info("This item is not in the index (any more). It may have been removed.")
        st.button("Close", on_click=close, key="item-close", icon=":material/close:")
        return
    row = cat.pos[item_id]
    item = data.get_item(path, gen, item_id)
    C.html_block(
        f'<div class="ab-itemtitle">{A.esc(cat.titles[row])}</div>'
        + C.meta_html(cat, row, words=True)
        + f'<div class="ab-how">Date: {A.esc(R.date_how(cat, row))}</div>'
    )
    with st.container(key="item-text"):
        C.html_block(textview.to_html(item.text))
    related = A.related_rows(cat, row)
    if related:
        st.markdown("**Also captured as**")
        C.item_rows(cat, related, "rel")
    st.markdown("**More like this**")
    hits = data.run_similar(path, gen, item_id, SIMILAR)
    C.item_rows(cat, [cat.pos[h.id] for h in hits if h.id in cat.pos], "sim")
    st.button("Close", on_click=close, key="item-close", icon=":material/close:")


def show(path: str, gen: str) -> None:
    """Open the item view when the URL names an item (one dialog per run, so call once)."""
    if state.param(state.ITEM):
        item_view(path, gen)
