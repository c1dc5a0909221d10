"""The Map view (views/map.py) under AppTest: what the map component is drawn with, rows
that open the item view, the selection restored from the URL, a click handled once.

AppTest does not run the component's front end; the browser tests (test_browser.py,
test_map_browser.py) do.
"""

from __future__ import annotations

import json

from appkit import N_ITEMS, TIMEOUT, bodies, item_param, no_errors, open_keys
from streamlit.testing.v1 import AppTest

from views.mapview import decode


def _map_args(at: AppTest) -> dict:
    """The arguments the map component (views/mapview) was drawn with."""
    maps = [
        e for e in at.get("component_instance") if e.proto.component_name.endswith("absorb_map")
    ]
    assert maps, "no map component on the map view"
    args = json.loads(maps[0].proto.json_args)
    args.update({a.key: a.bytes for a in maps[0].proto.special_args if a.HasField("bytes")})
    return decode(args)  # the columns travel as bytes (views/mapview/payload.py)


def test_map_has_one_point_per_item_and_every_level(app) -> None:
    at = app(view="Map")
    no_errors(at)
    args = _map_args(at)
    n = len(args["x"])
    assert n == N_ITEMS and len(args["y"]) == n and len(args["t0"]) == n
    assert all(len(level) == n for level in args["topics"])
    ids = {(t["level"], t["id"]) for t in args["topicInfo"]}
    for level, col in enumerate(args["topics"]):  # every point's topic has a label record
        assert {(level, t) for t in col if t >= 0} <= ids


def test_map_result_rows_open_the_item_view(app) -> None:
    at = app(view="Map", q="backprop")
    no_errors(at)
    args = _map_args(at)
    assert args["hits"] and args["query"] and args["queryText"] == "backprop"
    assert "Results for your question" in bodies(at)
    key = open_keys(at, "maphit")[0]
    at.button(key=key).click().run(timeout=TIMEOUT)
    no_errors(at)
    assert item_param(at) == key.removeprefix("open-maphit-")
    assert _map_args(at)  # the map is still there under the item view


def test_map_calls_no_weak_hit_a_result(app) -> None:
    at = app(view="Map", q="🤖🤖🤖 zzzz qqqq")
    no_errors(at)
    assert _map_args(at)["hits"]  # still numbered on the map, by rank
    text = bodies(at)
    assert "No good match for your question" in text and "Results for your question" not in text
    assert open_keys(at, "mapweak") and not open_keys(at, "maphit")


def test_map_follows_the_filters(app) -> None:
    at = app(view="Map", kind="post")
    assert len(_map_args(at)["x"]) == 12


def test_map_restores_a_selection_from_the_url(app) -> None:
    at = app(view="Map", sel="box:-100,-100;100,-100;100,100;-100,100")
    no_errors(at)
    assert _map_args(at)["selection"]["type"] == "box"
    at = app(view="Map", sel="nonsense:1,2")
    no_errors(at)
    assert _map_args(at)["selection"] is None


def test_a_click_value_opens_once_and_selection_rows_are_listed(monkeypatch) -> None:
    """The component's answers, as views/mapview/explorer.py handles them."""
    import numpy as np
    import streamlit as st

    from indexer.appdata import Catalog
    from views.mapview import explorer as E

    cat = Catalog(ids=["a", "b", "c"], titles=["A", "B", "C"], kinds=["note"] * 3)
    cat.dates, cat.date_ends = [None] * 3, [None] * 3
    cat.xy = np.zeros((3, 2), np.float32)
    rows = np.array([2, 0])
    key = E.data_key("g", rows)
    answers = iter(
        [
            {"event": "open", "row": 1, "rows": [0], "dataKey": key, "nonce": 5},
            {"event": "open", "row": 1, "rows": [0], "dataKey": key, "nonce": 5},  # rerun
            {"event": "select", "rows": [0, 1], "dataKey": "other points", "nonce": 6},
        ]
    )
    monkeypatch.setattr(E, "topic_map", lambda args, key: next(answers))
    st.session_state.clear()
    paths = np.zeros((3, 1), np.int32)
    first = E.explorer(cat, rows, paths, [], "g")
    assert first.opened == 0 and first.selected == [2]  # catalog rows, not point indices
    assert E.explorer(cat, rows, paths, [], "g").opened is None  # the same click, once
    stale = E.explorer(cat, rows, paths, [], "g")
    assert stale.selected == [] and stale.opened is None  # about other points: ignored
