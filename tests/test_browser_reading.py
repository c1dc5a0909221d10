"""Reading in a real headless Chromium, on TIL notes: the item view opened from a search hit,
a reload of ``?item=ID``, a more-like-this row, a map selection row and a map point.

Uses a copy of a few folders of ``../shared/corpora/simonw-til`` indexed with the fake
embedder (quick; BM25 still finds the schedule note), served by ``indexer.appserver``.
Screenshots go to pytest's tmp_path.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from appkit import fake_app, new_page

from indexer.appserver import CHROMIUM, map_frame

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.corpus]

ROOT = Path(__file__).resolve().parents[1]
TIL = ROOT.parent / "shared" / "corpora" / "simonw-til"
FOLDERS = ("github-actions", "bash", "docker", "caddy")
QUESTION = "how do I run a GitHub Actions workflow on a schedule"
WAIT_MS = 60_000

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)
if not TIL.is_dir():
    pytest.skip(f"{TIL} not present", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("til_browser")
    caps = base / "simonw-til"
    for f in FOLDERS:
        shutil.copytree(TIL / f, caps / f)
    with fake_app(caps, base) as url:
        yield url


@pytest.fixture
def page(browser, server: str):
    with new_page(browser, height=1000, wait_ms=WAIT_MS) as pg:
        yield pg


def settle(page) -> None:
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def item_title(page) -> str:
    return page.locator('[role="dialog"] .ab-itemtitle').inner_text()


def test_search_hit_opens_the_item_view_with_code_as_written(page, server, tmp_path) -> None:
    from urllib.parse import quote_plus

    page.goto(f"{server}/?view=Search&q={quote_plus(QUESTION)}")
    first = page.locator('[class*="st-key-open-hit1-"] button').first
    title = first.inner_text()
    first.click()
    dialog = page.locator('[role="dialog"]')
    expect(dialog.locator(".ab-itemtitle")).to_have_text(title)
    code = dialog.locator(".ab-doc .ab-code").first
    expect(code).to_be_visible()
    lines = code.inner_text().split("\n")
    assert any(ln.startswith("  ") and ln.strip() for ln in lines), lines[:12]  # indentation
    style = code.evaluate(
        "e => { const s = getComputedStyle(e); return [s.fontFamily, s.whiteSpace, s.overflowX]; }"
    )
    assert "mono" in style[0].lower() and style[1] == "pre" and style[2] == "auto", style
    expect(page).to_have_url(re.compile(r"[?&]item="))
    page.screenshot(path=str(tmp_path / "item.png"))

    url = page.url  # a reload of the shared link shows the same item
    page.goto(url)
    expect(page.locator('[role="dialog"] .ab-itemtitle')).to_have_text(title)

    page.keyboard.press("Escape")  # closing returns to the search, where it was
    expect(dialog).to_have_count(0)
    # the URL loses item= when the rerun that closing starts has run (on a loaded machine
    # that can be after the status widget was last seen): wait for it, up to 20 s
    expect(page).not_to_have_url(re.compile(r"[?&]item="), timeout=20_000)
    assert "q=" in page.url
    expect(page.locator('[class*="st-key-open-hit1-"] button').first).to_have_text(title)


def test_more_like_this_row_opens_that_item(page, server) -> None:
    from urllib.parse import quote_plus

    page.goto(f"{server}/?view=Search&q={quote_plus(QUESTION)}")
    page.locator('[class*="st-key-hit-1"] button', has_text="More like this").first.click()
    row = page.locator('[class*="st-key-open-like-"] button').first
    name = row.inner_text()
    row.click()
    expect(page.locator('[role="dialog"] .ab-itemtitle')).to_have_text(name)
    inner = page.locator('[role="dialog"] [class*="st-key-open-sim-"] button').first
    nxt = inner.inner_text()
    inner.click()  # and more like this inside the item view opens the next one in place
    expect(page.locator('[role="dialog"] .ab-itemtitle')).to_have_text(nxt)


def test_map_selection_row_and_point_open_the_item(page, server, tmp_path) -> None:
    page.goto(f"{server}/?view=Map")
    frame = map_frame(page)
    pts = [p for p in frame.evaluate("() => absorbMap.points") if p["visible"]]
    assert len(pts) > 20
    xs, ys = sorted(p["x"] for p in pts), sorted(p["y"] for p in pts)
    box = page.locator('iframe[title*="absorb_map"]').first.bounding_box()
    x0, x1 = box["x"] + xs[len(xs) // 5], box["x"] + xs[-len(xs) // 5]
    y0, y1 = box["y"] + ys[len(ys) // 5], box["y"] + ys[-len(ys) // 5]
    frame.locator("[data-mode=lasso]").click()
    page.mouse.move(x0, y0)  # lasso a box around the middle of the map
    page.mouse.down()
    for x, y in ((x1, y0), (x1, y1), (x0, y1), (x0, y0 + 1)):
        page.mouse.move(x, y, steps=8)
    page.mouse.up()
    row = page.locator('[class*="st-key-open-sel-"] button').first
    expect(row).to_be_visible()
    expect(page.get_by_text("selected", exact=False).first).to_be_visible()
    name = row.inner_text()
    row.click()
    expect(page.locator('[role="dialog"] .ab-itemtitle')).to_have_text(name)
    page.screenshot(path=str(tmp_path / "map-row.png"))

    page.goto(f"{server}/?view=Map")  # a click on one point opens it
    frame = map_frame(page)
    pts = [p for p in frame.evaluate("() => absorbMap.points") if p["visible"] and p["y"] > 60]
    lone = max(
        pts,
        key=lambda p: min(
            (p["x"] - q["x"]) ** 2 + (p["y"] - q["y"]) ** 2 for q in pts if q is not p
        ),
    )
    page.mouse.click(box["x"] + lone["x"], box["y"] + lone["y"])
    expect(page.locator('[role="dialog"] .ab-doc')).to_be_visible()


def test_feed_on_til_says_nothing_is_dated(page, server) -> None:
    page.goto(server)
    expect(page.locator(".ab-note")).to_contain_text("None of these")
    expect(page.locator(".ab-note")).to_contain_text("carries a date")
    expect(page.get_by_text("Newest first")).to_have_count(0)
    first = page.locator('[class*="st-key-card-"]').first
    expect(first).to_contain_text("simonw-til/")  # the source with its folder
