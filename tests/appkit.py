"""Helpers for the app's AppTest files (tests/test_view_*.py): reading what a run shows.

The shared index (bundled captures + one capture full of markup, fake embedder) and the
``app`` factory are fixtures in conftest.py.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from streamlit.testing.v1 import AppTest

TIMEOUT = 60
BACKPROP = "Yes you should understand backprop"
XSS_CAPTURE = {
    "title": "Probe <b>bold</b> **stars** :red[x]",
    "text": 'Hello <script>window.__pwned=1</script> and <img src=x onerror="window.__pwned=2">'
    " plus [a link](javascript:alert(1)) and $x$\n\n"
    "Code:\n\non:\n  push:\n  schedule:\n    - cron: '5 * * * *'\n\n"
    "See https://example.org/page and javascript:alert(2).",
    "date": "2030-01-02",
    "kind": "note",
}
N_ITEMS = 47  # the 46 bundled items and the probe


def bodies(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def unmd(label: str) -> str:
    """A widget label as the reader sees it (``appdata.esc_md`` escapes with backslashes)."""
    return re.sub(r"\\(.)", r"\1", label)


def titles(at: AppTest, where: str = "card") -> list[str]:
    """Titles of the items listed as ``where`` (card, hit1.., sel, sim, like...), in order."""
    pat = re.compile(rf"^open-{where}\d*-")
    return [unmd(b.label) for b in at.button if b.key and pat.match(b.key)]


def open_keys(at: AppTest, where: str) -> list[str]:
    pat = re.compile(rf"^open-{where}\d*-")
    return [b.key for b in at.button if b.key and pat.match(b.key)]


def item_param(at: AppTest) -> str | None:
    v = at.query_params.get("item")
    return v[0] if isinstance(v, list) else v


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def doc_html(at: AppTest) -> str:
    """The item view's text block (empty when no item is open)."""
    return next((m.value for m in at.markdown if 'class="ab-doc"' in m.value), "")


def probe_json() -> str:
    return json.dumps(XSS_CAPTURE) + "\n"


def unescape(s: str) -> str:
    return html.unescape(re.sub(r"<br>", "\n", s))


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium under Playwright with absorb's headless flags (browser tests), with
    software WebGL (SwiftShader): the map (views/mapview) draws with WebGL."""
    from playwright.sync_api import sync_playwright

    from indexer.appserver import CHROMIUM, chromium_args

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args(webgl=True))
        try:
            yield b
        finally:
            b.close()


@contextmanager
def new_page(browser, height: int = 1000, wait_ms: int = 60_000) -> Iterator[object]:
    """A fresh 1400-wide page (own context, so no state leaks between tests)."""
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 1400, "height": height})
    pg = ctx.new_page()
    pg.set_default_timeout(wait_ms)
    expect.set_options(timeout=wait_ms)
    try:
        yield pg
    finally:
        ctx.close()


@contextmanager
def fake_app(caps, base, timeout: float = 60) -> Iterator[str]:
    """``caps`` indexed with the fake embedder under ``base``, served; yields the app's URL."""
    import os

    from indexer.appserver import running_app
    from indexer.build import build_index

    index = base / "index"
    build_index([caps], index, model="fake:64", progress=False)
    env = {**os.environ, "ABSORB_MODEL": "fake:64", "ABSORB_CACHE": str(base / "cache")}
    env["HF_HUB_OFFLINE"] = "1"
    with running_app(index, env=env, log=base / "server.log", timeout=timeout) as app:
        yield app.url
