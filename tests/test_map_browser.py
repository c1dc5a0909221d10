"""The map component in a real headless Chromium with software WebGL (SwiftShader).

On the benchmark's synthetic page (``bench/map_page.py``, 3,000 points, three topic
levels): labels never overlap and zooming in reveals more; the time control changes how
many points show; a box selection and a click come back to Python; nothing is requested
from any host but 127.0.0.1. Tests reach the map through ``window.absorbMap`` inside the
component's frame (``indexer.appserver.map_frame``). The app-level tests (a click or a
selected row opens the item view) are in tests/test_browser.py.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.appserver import CHROMIUM, map_frame, running_app

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[1]

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The synthetic map page in the session's Chromium (conftest: software WebGL)."""
    base = tmp_path_factory.mktemp("mapbrowser")
    env = {**os.environ, "ABSORB_MAP_N": "3000", "PYTHONPATH": str(ROOT)}
    with running_app(base, env=env, app=ROOT / "bench" / "map_page.py", log=base / "log") as app:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = ctx.new_page()
        pg.requests_off_host = []
        pg.on("request", lambda r: "127.0.0.1" in r.url or pg.requests_off_host.append(r.url))
        pg.goto(app.url)
        map_frame(pg, 120)
        yield pg
        ctx.close()


def frame_box(page) -> dict:
    return page.locator("iframe").first.bounding_box()


def overlaps(labels: list[dict]) -> int:
    n = 0
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
                    and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]):  # fmt: skip
                n += 1
    return n


def test_zooming_in_reveals_finer_labels_and_none_overlap(page):
    frame = map_frame(page)
    frame.evaluate("() => absorbMap.fit()")
    time.sleep(0.3)
    first = frame.evaluate("() => absorbMap.visibleLabels")
    assert first and overlaps(first) == 0 and {lab["level"] for lab in first} == {0}
    box = frame_box(page)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    seen = set()
    for _ in range(5):  # wheel in: each -100 is about +0.55 zoom, so ~2.7 in all
        page.mouse.wheel(0, -100)
        time.sleep(0.15)
        labels = frame.evaluate("() => absorbMap.visibleLabels")
        assert overlaps(labels) == 0
        seen |= {lab["text"] for lab in labels}
    deeper = frame.evaluate("() => absorbMap.visibleLabels")
    assert max(lab["level"] for lab in deeper) >= 1
    assert len(seen - {lab["text"] for lab in first}) > 0  # new, finer labels appeared
    for lab in deeper:  # whole: inside the frame
        assert lab["x"] >= 0 and lab["x"] + lab["width"] <= box["width"] + 1


def test_the_time_control_changes_the_visible_points(page):
    frame = map_frame(page)
    frame.evaluate("() => absorbMap.setTimeRange(null)")
    total = frame.evaluate("() => absorbMap.visibleCount")
    hist = frame.locator(".tb-hist").bounding_box()  # page coordinates, frame included
    y = hist["y"] + hist["height"] / 2
    page.mouse.move(hist["x"] + hist["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(hist["x"] + hist["width"] * 0.5, y, steps=5)
    page.mouse.up()
    brushed = frame.evaluate("() => absorbMap.visibleCount")
    assert 0 < brushed < total
    frame.locator(".tb-undated input").uncheck()
    assert frame.evaluate("() => absorbMap.visibleCount") < brushed
    frame.locator(".tb-all").click()
    frame.locator(".tb-undated input").check()
    assert frame.evaluate("() => absorbMap.visibleCount") == total


def test_a_box_selection_and_a_click_come_back_to_python(page):
    frame = map_frame(page)
    frame.evaluate("() => absorbMap.fit()")
    frame.locator("[data-mode=box]").click()
    fb = frame_box(page)
    page.mouse.move(fb["x"] + fb["width"] * 0.3, fb["y"] + fb["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(fb["x"] + fb["width"] * 0.6, fb["y"] + fb["height"] * 0.7, steps=8)
    page.mouse.up()
    chosen = frame.evaluate("() => absorbMap.selection")
    assert chosen
    page.get_by_text('"event":"select"').first.wait_for(timeout=20_000)
    frame.locator("[data-mode=pan]").click()
    pt = frame.evaluate(
        "() => absorbMap.points.find((p) => p.visible && p.x > 200 && p.y > 120 && p.y < 500)"
    )
    page.mouse.click(fb["x"] + pt["x"], fb["y"] + pt["y"])
    page.get_by_text('"event":"open"').first.wait_for(timeout=20_000)


def test_nothing_is_requested_from_another_host(page):
    assert page.requests_off_host == []
