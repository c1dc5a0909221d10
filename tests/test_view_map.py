"""The Map view (views/map.py) under AppTest: points, the question's hits, rows that open."""

from __future__ import annotations

import json

from appkit import N_ITEMS, TIMEOUT, bodies, item_param, no_errors, open_keys
from streamlit.testing.v1 import AppTest


def _values(v) -> list:
    """A plotly array: a plain list, or plotly's base64 typed array ({dtype, bdata})."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no plotly chart on the map view"
    return json.loads(charts[0].proto.spec)


def _points(fig: dict) -> list[int]:
    return [
        r
        for t in fig["data"]
        if t.get("legendgroup", "").startswith("t")
        for r in _values(t["customdata"])
    ]


def test_map_has_one_point_per_item(app) -> None:
    at = app(view="Map")
    no_errors(at)
    fig = _figure(at)
    rows = _points(fig)
    assert len(rows) == N_ITEMS and len(set(rows)) == N_ITEMS
    assert fig["layout"]["legend"]["itemclick"] == "toggleothers"


def test_map_result_rows_open_the_item_view(app) -> None:
    at = app(view="Map", q="backprop")
    no_errors(at)
    assert "Search results" in [t.get("name") for t in _figure(at)["data"]]
    assert "Results for your question" in bodies(at)
    key = open_keys(at, "maphit")[0]
    at.button(key=key).click().run(timeout=TIMEOUT)
    no_errors(at)
    assert item_param(at) == key.removeprefix("open-maphit-")
    assert at.get("plotly_chart")  # the map is still there under the item view


def test_map_follows_the_filters(app) -> None:
    at = app(view="Map", kind="post")
    assert len(_points(_figure(at))) == 12


def test_selected_points_and_a_click_open_once() -> None:
    """Selection rows come from customdata; a single clicked point opens, but only once."""
    from types import SimpleNamespace

    import streamlit as st

    from indexer.appdata import Catalog
    from views import map as M
    from views import state

    event = SimpleNamespace(
        selection=SimpleNamespace(points=[{"customdata": [2]}, {"customdata": 0}, {"x": 1}])
    )
    assert M.selected_rows(event, 3) == [2, 0]
    assert M.selected_rows(None, 3) == []
    cat = Catalog(ids=["a", "b", "c"])
    opened: list[str] = []
    st.session_state.clear()
    real = state.open_item
    state.open_item = opened.append  # type: ignore[assignment]
    try:
        M.open_clicked(cat, [1])
        M.open_clicked(cat, [1])  # the same selection on the next rerun
        M.open_clicked(cat, [0, 1])  # a lasso of two lists them, opens nothing
    finally:
        state.open_item = real
    assert opened == ["b"]
