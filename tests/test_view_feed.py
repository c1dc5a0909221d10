"""The Feed view (views/feed.py) under AppTest: order that says what it is, cards that open."""

from __future__ import annotations

from pathlib import Path

import pytest
from appkit import BACKPROP, N_ITEMS, TIMEOUT, bodies, item_param, no_errors, titles
from streamlit.testing.v1 import AppTest

from indexer import appdata as A


def test_feed_dated_first_then_undated_in_their_own_section(app) -> None:
    at = app()
    no_errors(at)
    shown = titles(at)
    assert len(shown) == A.PAGE_SIZE
    assert shown[0].startswith("Probe")  # dated 2030: the newest
    body = bodies(at)
    assert "Newest first · 3 items" in body  # the probe, the transcript, the article
    assert "Date unknown — in capture order · 44 items" in body
    assert body.index("Newest first") < body.index("Date unknown")
    assert any(f"of {N_ITEMS} items" in c.value for c in at.caption)


def test_feed_second_page_from_the_url(app) -> None:
    at = app(page="2")
    no_errors(at)
    assert any(f"Showing 26–{N_ITEMS} of {N_ITEMS} items" in c.value for c in at.caption)
    assert len(titles(at)) == N_ITEMS - A.PAGE_SIZE


def test_feed_card_opens_the_item_view_and_keeps_the_page(app) -> None:
    at = app(page="2")
    key = next(b.key for b in at.button if b.key and b.key.startswith("open-card-"))
    at.button(key=key).click().run(timeout=TIMEOUT)
    no_errors(at)
    assert item_param(at) == key.removeprefix("open-card-")
    assert 'class="ab-doc"' in bodies(at)
    assert at.session_state["page"] == 2  # the feed underneath stays where it was


def test_feed_filters_change_the_list(app) -> None:
    at = app()
    at.multiselect(key="kind").set_value(["post"]).run(timeout=TIMEOUT)
    no_errors(at)
    assert any("of 12 items" in c.value for c in at.caption)
    at.multiselect(key="kind").set_value([]).run(timeout=TIMEOUT)
    at.text_input(key="f").set_value("backprop").run(timeout=TIMEOUT)
    shown = titles(at)
    assert BACKPROP in shown and len(shown) < 25
    at.text_input(key="f").set_value("zzzz-no-such-words").run(timeout=TIMEOUT)
    assert titles(at) == [] and "Nothing matches" in bodies(at)


def test_feed_year_filter_keeps_only_dated_items(app) -> None:
    at = app(years=["2016", "2016"])
    no_errors(at)
    shown = titles(at)
    assert BACKPROP in shown
    assert not any(t.startswith("Probe") for t in shown)


def test_feed_never_renders_captured_markup(app) -> None:
    at = app()
    body = bodies(at)
    assert "<script" not in body and "<img" not in body and "<b>bold" not in body
    assert "&#60;script&#62;" in body  # shown as text
    assert "Probe <b>bold</b> **stars** :red[x]" in titles(at)  # the label shows it literally


def test_feed_timeline_is_a_plain_bar_chart(app) -> None:
    """No scale-bound zoom on the ordinal year axis (Vega's "Scale bindings" warning)."""
    import json

    at = app()
    charts = at.get("vega_lite_chart")
    assert charts, "no timeline chart"
    spec = json.loads(charts[0].proto.spec)
    assert spec["mark"]["type"] == "bar" and "params" not in spec and "selection" not in spec


@pytest.fixture
def undated_index(tmp_path: Path) -> Path:
    from indexer.build import build_index

    caps = tmp_path / "notes"
    for folder, name, title in [
        ("sqlite", "b-note.md", "Zebra facts in SQLite"),
        ("sqlite", "a-note.md", "Apple counts in SQLite"),
        ("bash", "loop.md", "Looping in bash"),
    ]:
        (caps / folder).mkdir(parents=True, exist_ok=True)
        (caps / folder / name).write_text(f"# {title}\n\nSome text about {title}.\n")
    out = tmp_path / "index"
    build_index([caps], out, model="fake:64", progress=False)
    return out


def test_feed_says_when_nothing_is_dated_and_orders_otherwise(
    undated_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABSORB_INDEX", str(undated_index))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=TIMEOUT)
    at.run(timeout=TIMEOUT)
    no_errors(at)
    assert "None of these 3 items carries a date" in bodies(at)
    assert "Newest first" not in bodies(at)
    order = at.get("button_group")[0]
    assert at.session_state["order"] == "source"
    assert titles(at) == ["Looping in bash", "Apple counts in SQLite", "Zebra facts in SQLite"]
    order.set_value("title").run(timeout=TIMEOUT)
    assert titles(at) == ["Apple counts in SQLite", "Looping in bash", "Zebra facts in SQLite"]
