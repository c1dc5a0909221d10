"""The item view (views/item.py) under AppTest: ``?item=ID``, text as written, rows that open."""

from __future__ import annotations

from appkit import TIMEOUT, bodies, doc_html, item_param, no_errors, open_keys, titles


def probe_id(app) -> str:
    at = app()
    key = next(k for k, t in zip(open_keys(at, "card"), titles(at), strict=True) if "Probe" in t)
    return key.removeprefix("open-card-")


def test_item_from_the_url_shows_text_as_written(app) -> None:
    at = app(item=probe_id(app))
    no_errors(at)
    doc = doc_html(at)
    # the YAML keeps its line breaks and indentation, in a monospace block
    assert '<div class="ab-code">on&#58;<br>  push&#58;<br>  schedule&#58;<br>    &#45; cron' in doc
    # captured markup is text; only the http(s) URL is a link
    assert "<script" not in doc and "<img" not in doc and "&#60;script&#62;" in doc
    assert doc.count("<a ") == 1 and 'href="https://example.org/page"' in doc
    assert "Probe &#60;b&#62;bold" in bodies(at)  # the title, escaped
    assert "stated in the capture" in bodies(at)  # how the date was obtained


def test_item_more_like_this_row_opens_that_item(app) -> None:
    first = probe_id(app)
    at = app(item=first)
    keys = open_keys(at, "sim")
    assert keys, "no more-like-this rows"
    at.button(key=keys[0]).click().run(timeout=TIMEOUT)
    no_errors(at)
    assert item_param(at) == keys[0].removeprefix("open-sim-") != first
    assert doc_html(at)


def test_item_close_returns_to_the_view(app) -> None:
    at = app(view="Search", q="backprop", item=probe_id(app))
    at.button(key="item-close").click().run(timeout=TIMEOUT)
    no_errors(at)
    assert item_param(at) is None and not doc_html(at)
    assert at.query_params.get("q") in ("backprop", ["backprop"])  # still on the same search
    assert titles(at, "hit")


def test_unknown_item_says_so(app) -> None:
    at = app(item="no-such-item")
    no_errors(at)
    assert any("not in the index" in i.value for i in at.info)
