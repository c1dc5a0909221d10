"""The Streamlit app (app.py), driven headless with ``streamlit.testing``.

One small index of the bundled captures is built with the fake embedder and
shared by the module; each test points ``ABSORB_INDEX`` at it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from indexer import appdata as A  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SEEDS = ROOT / "data" / "captures"
TIMEOUT = 60
BACKPROP = "Yes you should understand backprop"
XSS_CAPTURE = {
    "title": "Probe <b>bold</b> **stars** :red[x]",
    "text": 'Hello <script>window.__pwned=1</script> and <img src=x onerror="window.__pwned=2">'
    " plus [a link](javascript:alert(1)) and $x$",
    "date": "2030-01-02",
    "kind": "note",
}


@pytest.fixture(scope="module")
def app_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.build import build_index

    caps = tmp_path_factory.mktemp("app_caps") / "captures"
    shutil.copytree(SEEDS, caps)
    (caps / "zz_probe.jsonl").write_text(json.dumps(XSS_CAPTURE) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("app_index") / "index"
    build_index([caps], out, model="fake:64", progress=False)
    return out


@pytest.fixture
def app(app_index: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ABSORB_INDEX", str(app_index))

    def make(**params: str | list[str]) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        for k, v in params.items():
            at.query_params[k] = v
        return at.run(timeout=TIMEOUT)

    return make


def bodies(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def titles(at: AppTest) -> list[str]:
    """Titles of the cards on screen, in order (unescaped)."""
    import html
    import re

    out = []
    for m in at.markdown:
        for t in re.findall(r'<div class="ab-title">(.*?)</div>', m.value):
            out.append(html.unescape(re.sub(r"<[^>]+>", "", t)).replace("↗", "").strip())
    return out


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# ----------------------------------------------------------------------------- feed


def test_feed_lists_items_newest_first_with_pages(app) -> None:
    at = app()
    no_errors(at)
    shown = titles(at)
    assert len(shown) == A.PAGE_SIZE  # 47 items: the first page of 25
    assert shown[0].startswith("Probe")  # dated 2030: the newest
    assert any("of 47 items" in c.value for c in at.caption)
    assert "date unknown" in bodies(at)  # undated items are marked, not hidden


def test_feed_second_page_from_the_url(app) -> None:
    at = app(page="2")
    no_errors(at)
    assert any("showing 26–47 of 47 items" in c.value for c in at.caption)
    assert len(titles(at)) == 47 - A.PAGE_SIZE


def test_feed_more_like_this_opens_search(app) -> None:
    at = app()
    key = next(b.key for b in at.button if b.key and b.key.startswith("flike-"))
    at.button(key=key).click().run(timeout=TIMEOUT)
    no_errors(at)
    assert at.session_state["view"] == "Search"
    assert "Closest in meaning to" in bodies(at)


def test_feed_filters_change_the_list(app) -> None:
    at = app()
    at.multiselect(key="kind").set_value(["post"]).run(timeout=TIMEOUT)
    no_errors(at)
    assert any("of 12 items" in c.value for c in at.caption)
    assert all("post</span>" in m.value for m in at.markdown if 'class="ab-title"' in m.value)

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
    assert "&#60;b&#62;bold&#60;/b&#62;" in body  # shown as text
    assert "javascript" not in body.split("Probe", 1)[1].split("ab-summary", 1)[0]


# ----------------------------------------------------------------------------- search


def test_search_finds_the_seed_item(app) -> None:
    at = app(view="Search")
    no_errors(at)
    assert "Ask your archive" in bodies(at)
    at.text_input(key="q").set_value("backprop").run(timeout=TIMEOUT)
    no_errors(at)
    shown = titles(at)
    assert shown and shown[0] == BACKPROP
    assert "<mark>backprop</mark>" in bodies(at)


def test_search_from_a_shared_link_with_filters(app) -> None:
    at = app(view="Search", q="backprop", kind="summary")
    no_errors(at)
    shown = titles(at)
    assert shown and BACKPROP not in shown  # the article is filtered out
    assert all("summary</span>" in m.value for m in at.markdown if 'class="ab-title"' in m.value)


def test_search_more_like_this(app) -> None:
    at = app(view="Search", q="backprop")
    hit_id = next(b.key for b in at.button if b.key and b.key.startswith("like-"))
    at.button(key=hit_id).click().run(timeout=TIMEOUT)
    no_errors(at)
    assert "More like this" in bodies(at)
    assert at.query_params.get("like") in (
        hit_id.removeprefix("like-"),
        [hit_id.removeprefix("like-")],
    )
    assert at.button(key="like-close") is not None


@pytest.mark.parametrize("q, message", [("   ", "empty"), ("why " * 600, "characters long")])
def test_search_empty_and_overlong_queries_get_a_message(app, q: str, message: str) -> None:
    at = app(view="Search", q=q)
    no_errors(at)
    assert any(message in i.value for i in at.info)


def test_search_escapes_captured_markup(app) -> None:
    at = app(view="Search", q="window pwned script", weak="true")  # a weak match, shown
    no_errors(at)
    body = bodies(at)
    assert "<script" not in body and "<img" not in body
    assert "&#60;<mark>script</mark>&#62;" in body  # highlighted, and still just text


# (not <script>: this index holds a probe capture that really contains one)
@pytest.mark.parametrize("q", ["???!!!", "🤖🤖🤖", "<blink></blink>"])
def test_search_nonsense_finds_no_good_match(app, q: str) -> None:
    at = app(view="Search", q=q)
    no_errors(at)
    assert titles(at) == []
    assert any("No good match" in i.value for i in at.info)
    at.toggle(key="weak").set_value(True).run(timeout=TIMEOUT)
    no_errors(at)
    assert titles(at)  # the closest items, on request


# ----------------------------------------------------------------------------- map


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


def test_map_has_one_point_per_item(app) -> None:
    at = app(view="Map")
    no_errors(at)
    fig = _figure(at)
    topic_traces = [t for t in fig["data"] if t.get("legendgroup", "").startswith("t")]
    assert all(t["type"] == "scattergl" for t in topic_traces)
    rows = [r for t in topic_traces for r in _values(t["customdata"])]
    assert len(rows) == 47 and len(set(rows)) == 47
    assert fig["layout"]["legend"]["itemclick"] == "toggleothers"


def test_map_highlights_the_search_hits(app) -> None:
    at = app(view="Map", q="backprop")
    no_errors(at)
    fig = _figure(at)
    names = [t.get("name") for t in fig["data"]]
    assert "Search results" in names
    assert "Results for your question" in bodies(at)


def test_map_follows_the_filters(app) -> None:
    at = app(view="Map", kind="post")
    fig = _figure(at)
    n = sum(
        len(_values(t["customdata"]))
        for t in fig["data"]
        if t.get("legendgroup", "").startswith("t")
    )
    assert n == 12


# ----------------------------------------------------------------------------- no index


def test_no_index_explains_how_to_build_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ABSORB_INDEX", str(tmp_path / "none"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    assert not at.exception
    assert any("no index yet" in i.value for i in at.info)
    assert any("absorb index data/captures" in c.value for c in at.code)
    assert at.button[0].label == "Build the sample index"


def test_no_index_button_builds_the_sample(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ABSORB_INDEX", str(tmp_path / "built"))  # ABSORB_MODEL=fake:64 (conftest)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    at.button[0].click().run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    assert (tmp_path / "built").is_dir()
    at.run(timeout=TIMEOUT)
    assert len(titles(at)) == A.PAGE_SIZE


# ----------------------------------------------------------------------------- appdata


def test_escaping_helpers() -> None:
    assert A.esc("<script>x</script>") == "&#60;script&#62;x&#60;/script&#62;"
    assert "<mark>" in A.highlight_html("a <b> backprop", [(8, 16)])
    assert A.highlight_html("<i>", [(0, 3)]) == "<mark>&#60;i&#62;</mark>"
    assert A.link_html("javascript:alert(1)", "x") == "x"
    assert A.link_html('https://e.com/"onmouseover=1', "x") == "x"
    assert A.link_html("https://e.com/a?b=1&c=2", "x").startswith(
        '<a href="https://e.com/a?b=1&amp;c=2"'
    )
    assert A.summary("word " * 200).endswith("…") and len(A.summary("word " * 200)) <= 302


def test_page_bounds() -> None:
    assert A.page_bounds(47, 1) == (0, 25, 2)
    assert A.page_bounds(47, 2) == (25, 47, 2)
    assert A.page_bounds(47, 9) == (25, 47, 2)
    assert A.page_bounds(0, 1) == (0, 0, 1)
