"""absorb: the app. A chronological feed, question search and a topic map over one author's work.

Run it with ``absorb serve`` (or ``streamlit run app.py``); it opens the index at
``$ABSORB_INDEX`` (default ``data/index``). This file sets up the page and the tabs; each
view lives in ``views/`` and every answer comes from ``indexer``.

Security: captured text is never rendered as markup. Everything that came from a capture
goes through ``indexer.appdata.esc`` (or ``textview``/``highlight_html``, built on it)
before it meets HTML, and only http(s) URLs become links.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `views` next to this file

from indexer import appdata as A  # noqa: E402
from indexer.models import AbsorbError  # noqa: E402
from views import components as C  # noqa: E402
from views import data, item, state  # noqa: E402
from views.feed import feed_view  # noqa: E402
from views.map import map_view  # noqa: E402
from views.search import search_view  # noqa: E402
from views.sidebar import sidebar  # noqa: E402
from views.welcome import no_index_view  # noqa: E402


def header(cat: A.Catalog, stats: dict) -> None:
    first, last = stats.get("first"), stats.get("last")
    span = f" · {first:%Y}–{last:%Y}" if first and last else ""
    sub = f"{len(cat):,} pieces{span}" + (f" by {cat.author}" if cat.author else "")
    C.html_block(
        f'<div class="ab-head"><span class="ab-logo">absorb</span>'
        f'<span class="ab-sub">{A.esc(sub)}</span></div>'
    )


def main() -> None:
    st.set_page_config(page_title="absorb", page_icon="🧽", layout="wide")
    C.stylesheet()
    path = data.index_path()
    try:
        idx = data.get_index(path)
        manifest = idx.manifest
    except AbsorbError as e:
        no_index_view(path, e)
        return
    gen = str(manifest.get("generation") or manifest.get("created") or "0")
    cat = data.get_catalog(path, gen)
    stats = idx.stats()
    flt = sidebar(cat, stats)
    header(cat, stats)

    feed, search, mapv = st.tabs(list(state.VIEWS), key=state.VIEW, bind="query-params")
    if feed.open:
        with feed:
            feed_view(cat, flt)
    if search.open:
        with search:
            search_view(path, gen, cat, flt)
    if mapv.open:
        with mapv:
            map_view(path, gen, cat, flt)
    item.show(path, gen)  # after the views: a map click may have just opened an item
    data.warm_model(path)  # after the page is out: the first search then finds the model loaded


if __name__ == "__main__":  # streamlit runs the script as __main__
    main()
