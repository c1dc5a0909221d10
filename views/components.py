"""Pieces every view shares: the stylesheet, chips, an item's meta line, buttons that open items.

Captured text reaches markup only through ``appdata.esc`` (HTML) or ``appdata.esc_md``
(widget labels); only http(s) URLs become links.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from indexer import appdata as A
from indexer import reading as R
from indexer.models import Hit

from . import state

STYLESHEET = Path(__file__).with_name("style.css")
# Theme-neutral accents (translucent, so they read on light and dark backgrounds).
KIND_HUES = {
    "summary": "99,110,250",
    "article": "0,170,160",
    "post": "255,140,0",
    "transcript": "171,99,250",
    "note": "60,180,75",
    "paper": "230,80,120",
}
MATCH_TIPS = {
    "strong": "answers the question closely",
    "fair": "related to the question",
    "weak": "only loosely related",
}


def stylesheet() -> None:
    st.html(f"<style>{STYLESHEET.read_text(encoding='utf-8')}</style>")


def html_block(body: str, container: Any = st) -> None:
    """Show HTML we built ourselves (every captured piece inside is already escaped)."""
    container.markdown(body, unsafe_allow_html=True)


def chip(text: str, cls: str = "", tip: str = "", style: str = "") -> str:
    t = f' title="{html.escape(tip)}"' if tip else ""
    s = f' style="{style}"' if style else ""
    return f'<span class="ab-chip {cls}"{t}{s}>{A.esc(text)}</span>'


def kind_chip(kind: str) -> str:
    hue = KIND_HUES.get(kind)
    return chip(kind, "kind", style=f"background:rgba({hue},.18)" if hue else "")


def date_chip(cat: A.Catalog, row: int) -> str:
    label = cat.date_labels[row]
    cls = A.date_class(cat.date_kinds[row], label)
    text = ("≈ " if cls == "inferred" else "") + label
    return chip(text, f"date-{cls}", R.date_how(cat, row))


def source_chip(cat: A.Catalog, row: int) -> str:
    full = R.readable_source(cat.sources[row], cat.roots, cat.formats[row])
    return chip(full, "src", cat.sources[row])


def match_chip(hit: Hit) -> str:
    """The engine's match strength in words; nothing when it has none to give."""
    if not hit.match:
        return ""
    tip = MATCH_TIPS.get(hit.match, "")
    if hit.confidence is not None:
        tip += f" (about {hit.confidence:.0%} likely to be relevant)"
    return chip(f"{hit.match} match", f"match-{A.esc(hit.match)}", tip)


def original_link(cat: A.Catalog, row: int) -> str:
    """A link to where the item was published (only an http(s) URL; else nothing)."""
    url = cat.urls[row]
    return A.link_html(url, "original ↗", "ab-orig") if A.is_web_url(url) else ""


def meta_html(cat: A.Catalog, row: int, *extra: str, words: bool = False) -> str:
    # where nothing is dated, "date unknown" on every card says nothing the page has not
    date = date_chip(cat, row) if cat.any_dated() else ""
    chips = [*extra, date, kind_chip(cat.kinds[row]), source_chip(cat, row)]
    if words:
        chips.append(chip(R.plural(cat.words(row), "word"), "words"))
    chips.append(original_link(cat, row))
    return f'<div class="ab-meta">{"".join(c for c in chips if c)}</div>'


def open_button(cat: A.Catalog, row: int, key: str, limit: int = 140) -> None:
    """The item's title as a button that opens the item view."""
    st.button(
        A.esc_md(A.short(cat.titles[row], limit)),
        key=f"open-{key}-{cat.ids[row]}",
        on_click=state.open_item,
        args=(cat.ids[row],),
        type="tertiary",
    )


def item_rows(cat: A.Catalog, rows: Sequence[int], key: str, note: str = "") -> None:
    """A compact list of items (title button + date and kind) that each open the item view."""
    with st.container(key=f"rows-{key}", gap="small"):
        for r in rows:
            with st.container(key=f"row-{key}-{cat.ids[r]}", gap=None):
                open_button(cat, r, key, limit=110)
                when = f"{cat.date_labels[r]} · " if cat.any_dated() else ""
                html_block(f'<div class="ab-rowmeta">{A.esc(when + cat.kinds[r])}</div>')
        if note:
            html_block(f'<div class="ab-rowmeta">{A.esc(note)}</div>')


def empty(message: str, cat: A.Catalog | None = None, key: str = "") -> None:
    """A message where a list would be; with ``cat``, a button that resets the filters."""
    html_block(f'<div class="ab-empty">{A.esc(message)}</div>')
    if cat is not None:
        st.button("Reset filters", on_click=state.reset_filters, args=(cat.year_span(),), key=key)
