"""Cached loaders: one Index (and model) per process, derived frames per index generation.

``st.cache_resource`` holds what must not be copied (the Index, the catalog's arrays, the
background model load); ``st.cache_data`` holds small answers (hits, topics, texts), keyed
by the index generation so a new build is picked up.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

import indexer
from indexer import appdata as A
from indexer import config
from indexer.models import Hit, Item
from indexer.search import Filters

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CAPTURES = ROOT / "data" / "captures"


def index_path() -> str:
    return str(Path(config.index_from_env() or ROOT / config.DEFAULT_INDEX).expanduser())


@st.cache_resource(show_spinner=False)
def get_index(path: str) -> indexer.Index:
    """One Index per process; it follows new builds by itself."""
    return indexer.open_index(path)


@st.cache_resource(show_spinner=False)
def warm_model(path: str) -> threading.Thread:
    """Load the embedding model in the background (once per process): a quick first search."""

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
    roots = idx.manifest.get("roots") or []
    return A.build_catalog(items, idx.map(), idx.topics(), format_date, roots)


@st.cache_data(show_spinner=False, max_entries=4)
def get_topics(path: str, generation: str) -> list[dict[str, Any]]:
    return [t.to_dict() for t in get_index(path).topics()]


@st.cache_data(show_spinner=False, max_entries=256)
def run_search(path: str, generation: str, q: str, k: int, flt: Filters) -> list[Hit]:
    return get_index(path).search(q, k=k, filters=flt)


@st.cache_data(show_spinner=False, max_entries=256)
def run_similar(path: str, generation: str, item_id: str, k: int) -> list[Hit]:
    return get_index(path).similar(item_id, k=k)


@st.cache_data(show_spinner=False, max_entries=512)
def get_item(path: str, generation: str, item_id: str) -> Item:
    return get_index(path).get(item_id)


@st.cache_data(show_spinner=False, max_entries=64)
def query_position(path: str, generation: str, q: str) -> tuple[float, float] | None:
    """Where the question lands on the map (``indexer.topics.project_query``)."""
    from indexer.topics import project_query

    idx = get_index(path)
    cat = get_catalog(path, generation)
    ids, vectors = idx.item_vectors()
    coords = cat.xy[[cat.pos[i] for i in ids]]
    x, y = project_query(idx.embed_query(q), ids, coords, vectors)
    if not (np.isfinite(x) and np.isfinite(y)):
        return None
    return float(x), float(y)
