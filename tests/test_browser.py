"""The app in a real headless Chromium: search, the map, and captured markup staying text.

Starts ``streamlit run app.py`` on a free port against a small fake-model index
(the bundled captures plus one capture full of HTML/script), drives it with
Playwright and saves screenshots under pytest's tmp_path. Skipped when Chromium
or Playwright is missing (``playwright install`` is not needed: Debian's
/usr/bin/chromium is used).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from appkit import fake_app, new_page

from indexer.appserver import CHROMIUM, map_frame

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
BACKPROP = "Yes you should understand backprop"
PROBE = {
    "title": "Probe of markup <b>in a title</b>",
    "text": 'Hello <script>window.__pwned=1</script> and <img src=x onerror="window.__pwned=2">'
    " and **not bold** and [a link](javascript:window.__pwned=3)",
    "date": "2030-01-02",
    "kind": "note",
}
WAIT_MS = 30_000

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("browser")
    caps = base / "captures"
    shutil.copytree(ROOT / "data" / "captures", caps)
    (caps / "zz_probe.jsonl").write_text(json.dumps(PROBE) + "\n", encoding="utf-8")
    with fake_app(caps, base, timeout=30) as url:
        yield url


@pytest.fixture
def page(browser, server: str):
    with new_page(browser, height=900, wait_ms=WAIT_MS) as pg:
        yield pg


def test_search_then_map(page, server: str, tmp_path: Path) -> None:
    page.goto(server)
    page.get_by_role("tab", name="Search").click()
    box = page.get_by_placeholder("Ask anything", exact=False)
    box.fill("why should I understand backprop?")
    box.press("Enter")
    first = page.locator('[class*="st-key-open-hit1-"] button').first
    sync_api.expect(first).to_contain_text(BACKPROP)
    sync_api.expect(page.locator(".ab-passage mark").first).to_be_visible()
    assert "q=why" in page.url  # the question is in the URL: a shareable link
    page.screenshot(path=str(tmp_path / "search.png"))

    page.get_by_role("tab", name="Map").click()
    frame = map_frame(page)
    box_ = page.locator('iframe[title*="absorb_map"]').first.bounding_box()
    assert box_ and box_["width"] > 600 and box_["height"] >= 600
    assert frame.evaluate("() => absorbMap.points.length") == 47
    ranks = frame.locator(".rank").all_inner_texts()
    assert ranks and ranks == [str(k) for k in range(1, len(ranks) + 1)]  # numbered by rank
    assert frame.locator(".star").count() == 1  # the question's own place
    marks = frame.evaluate(
        "() => [...document.querySelectorAll('.hit, .rank, .star')].map((e) => {"
        " const r = e.getBoundingClientRect();"
        " return {x: r.left, y: r.top, width: r.width, height: r.height}; })"
    )
    labels = frame.evaluate("() => absorbMap.visibleLabels")
    assert labels and marks
    assert not [
        (lab["text"], m)
        for lab in labels
        for m in marks
        if lab["x"] < m["x"] + m["width"]
        and m["x"] < lab["x"] + lab["width"]
        and lab["y"] < m["y"] + m["height"]
        and m["y"] < lab["y"] + lab["height"]
    ]  # no topic label covers a numbered hit or the question
    sync_api.expect(page.get_by_text("Results for your question")).to_be_visible()
    page.screenshot(path=str(tmp_path / "map.png"))


def test_a_click_on_a_map_point_opens_it(page, server: str) -> None:
    page.goto(f"{server}/?view=Map")
    frame = map_frame(page)
    point = frame.evaluate("() => absorbMap.points.find((p) => p.visible && p.y > 60 && p.y < 560)")
    box = page.locator('iframe[title*="absorb_map"]').first.bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    dialog = page.locator('[role="dialog"]')
    sync_api.expect(dialog.locator(".ab-doc")).to_be_visible()
    sync_api.expect(page).to_have_url(re.compile(r"[?&]item="))
    sync_api.expect(dialog.get_by_text(point["title"][:40]).first).to_be_visible()


def test_a_box_selection_lists_items_that_open(page, server: str) -> None:
    page.goto(f"{server}/?view=Map")
    frame = map_frame(page)
    frame.locator("[data-mode=box]").click()
    box = page.locator('iframe[title*="absorb_map"]').first.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 50)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 5, box["y"] + box["height"] - 70, steps=10)
    page.mouse.up()
    n = len(frame.evaluate("() => absorbMap.selection"))
    assert n > 10
    sync_api.expect(page.get_by_text(f"{n} selected").first).to_be_visible()  # Python got them
    assert "sel=box" in page.url  # the selection is in the URL
    page.locator('[class*="st-key-open-sel-"] button').first.click()
    doc = page.locator('[role="dialog"] .ab-doc')
    sync_api.expect(doc).to_be_visible()
    assert len(doc.inner_text()) > 50  # the item's text


def test_captured_markup_is_shown_as_text(page, server: str, tmp_path: Path) -> None:
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(server)
    card = page.locator('[class*="st-key-card-"]', has_text="Probe of markup").first
    sync_api.expect(card).to_be_visible()
    title = card.locator('[class*="st-key-open-card-"] button').first
    sync_api.expect(title).to_contain_text("<b>in a title</b>")
    sync_api.expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    title.click()
    text = page.locator('[role="dialog"] .ab-doc')
    sync_api.expect(text).to_contain_text("<script>window.__pwned=1</script>")
    sync_api.expect(text).to_contain_text("**not bold**")
    page.wait_for_timeout(500)
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator(".ab-doc a").count() == 0
    assert not [m for m in console if "Scale bindings" in m], console  # the timeline chart
    page.screenshot(path=str(tmp_path / "feed.png"))
