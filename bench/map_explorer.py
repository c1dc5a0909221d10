"""The topic map explorer, measured in headless Chromium with software WebGL (SwiftShader).

Synthetic maps (``bench/map_page.py``) at 1k / 10k / 100k points: first paint with a warm
server (a fresh tab's navigation until the map has drawn its points), frames per second during a scripted
mouse-wheel zoom (in and out, about 3 s), and label overlaps at three zoom levels. With
``--index`` (the simonw-til index built with the real model), the same overlaps on the
real map in the app, the map's share of the content width and its height at 1400x1000,
the adjusted mutual information between topics and folders at each level, and with
``--screenshot`` the README's picture.

    PYTHONPATH=$PWD python bench/map_explorer.py --index /tmp/til-map --screenshot docs/map.png
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.appserver import CHROMIUM, chromium_args, map_frame, running_app  # noqa: E402

PAGE = ROOT / "bench" / "map_page.py"
VIEWPORT = {"width": 1400, "height": 1000}
OVERLAPS = """() => { const b = absorbMap.visibleLabels; let n = 0;
  for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++) {
    const p = b[i], q = b[j];
    if (p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height) n++;
  } return n; }"""


def label_overlaps(frame, steps=(0.0, 1.0, 2.5)) -> list[dict]:
    """Labels shown and overlapping pairs at the fitted zoom and two zooms further in."""
    out = []
    fit = frame.evaluate("() => absorbMap.fitZoom")
    for dz in steps:
        frame.evaluate(f"() => absorbMap.setZoom({fit + dz})")
        time.sleep(0.4)
        out.append(
            {
                "zoom_in": dz,
                "labels": frame.evaluate("() => absorbMap.visibleLabels.length"),
                "overlaps": frame.evaluate(OVERLAPS),
            }
        )
    frame.evaluate("() => absorbMap.fit()")
    return out


def scripted_zoom(page, frame, seconds: float = 3.0) -> float:
    """Mean animation frames per second inside the map's frame during a mouse-wheel zoom."""
    box = page.locator("iframe").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    samples, t0, k = [], time.perf_counter(), 0
    frame.evaluate("() => { window.__f0 = absorbMap.renders; }")
    while time.perf_counter() - t0 < seconds:
        page.mouse.wheel(0, -60 if (time.perf_counter() - t0) < seconds / 2 else 60)
        k += 1
        time.sleep(0.03)
        if k % 10 == 0:
            samples.append(frame.evaluate("() => absorbMap.fps"))
    samples.append(frame.evaluate("() => absorbMap.fps"))
    return round(sum(samples[1:]) / max(1, len(samples) - 1), 1)


BARE_GL = """<canvas id=c width=1240 height=660></canvas><script>
const gl = document.getElementById('c').getContext('webgl2'); let k = 0; const t0 = performance.now();
window.result = null;
(function step(now) { k++; gl.clearColor(Math.random(), .5, .5, 1); gl.clear(gl.COLOR_BUFFER_BIT);
  if (now - t0 < 3000) requestAnimationFrame(step); else window.result = k / ((now - t0) / 1000);
})(t0);</script>"""


def bare_webgl_fps(browser) -> float:
    """Frames per second of a page that only clears a map-sized WebGL canvas: what this
    machine's software WebGL gives at all right now (the ceiling for any map engine)."""
    page = browser.new_page(viewport=VIEWPORT)
    page.set_content(BARE_GL)
    page.wait_for_function("() => window.result !== null", timeout=30_000)
    fps = round(page.evaluate("() => window.result"), 1)
    page.close()
    return fps


def first_paint_s(page, frame) -> float:
    """Seconds from the tab's navigation to the map's first frame with its points.

    A fresh tab each time: a reload also waits for the old page of a 100k map to be torn
    down (about 2 s more here), which is not what a reader opening the map waits for.
    """
    frame.wait_for_function("() => absorbMap.firstPaintMs !== null", timeout=60_000)
    origin, paint = frame.evaluate("() => [performance.timeOrigin, absorbMap.firstPaintMs]")
    return round((origin + paint - page.evaluate("() => performance.timeOrigin")) / 1000, 2)


def synthetic(browser, n: int) -> dict:
    env = {**os.environ, "ABSORB_MAP_N": str(n), "PYTHONPATH": str(ROOT)}
    with running_app(ROOT, env=env, app=PAGE, timeout=90) as app:
        warm = browser.new_page(viewport=VIEWPORT)
        warm.goto(app.url)
        map_frame(warm, 180)  # cold: the server builds and caches the points
        warm.close()
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(app.url)
        frame = map_frame(page, 60)
        first = first_paint_s(page, frame)
        time.sleep(1.0)
        fps = scripted_zoom(page, frame)
        overlaps = label_overlaps(frame)
        page.close()
    return {"n": n, "first_paint_s": round(first, 2), "zoom_fps": fps, "labels": overlaps}


def real_map(browser, index: str, screenshot: str | None) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with running_app(index, env=env, timeout=90) as app:
        page = browser.new_page(viewport=VIEWPORT)
        off = []
        page.on("request", lambda r: off.append(r.url) if "127.0.0.1" not in r.url else None)
        warm = browser.new_page(viewport=VIEWPORT)
        warm.goto(f"{app.url}/?view=Map")
        map_frame(warm, 120)
        warm.close()
        page.goto(f"{app.url}/?view=Map")
        frame = map_frame(page, 60)
        first = first_paint_s(page, frame)
        time.sleep(1.5)
        share = page.evaluate(
            """() => { const f = document.querySelector('iframe[title*="absorb_map"]')
                || document.querySelector('iframe');
              const m = document.querySelector('[data-testid="stMainBlockContainer"]');
              const s = getComputedStyle(m);
              const w = m.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
              return [f.getBoundingClientRect().width / w, f.getBoundingClientRect().height]; }"""
        )
        if screenshot:
            page.screenshot(path=screenshot)
        out = {
            "first_paint_s": round(first, 2),
            "map_share_of_content_width": round(share[0], 3),
            "map_height_px": round(share[1]),
            "labels": label_overlaps(frame),
            "zoom_fps": scripted_zoom(page, frame),
            "requests_off_127.0.0.1": off,
        }
        page.close()
    return out


def ami_by_level(index: str) -> list[dict]:
    """AMI between each level's topics and the notes' folders (the TIL's own topics)."""
    import numpy as np
    from sklearn.metrics import adjusted_mutual_info_score as ami

    from indexer import open_index

    idx = open_index(index)
    folder = {it.id: it.source.replace("\\\\", "/").split("/", 1)[0] for it in idx.items()}
    pts = idx.map()
    paths = np.array([p.topic_path for p in pts])
    truth = [folder[p.id] for p in pts]
    return [
        {
            "level": k,
            "topics": len(set(paths[:, k]) - {-1}),
            "ami": round(ami(truth, paths[:, k]), 4),
        }
        for k in range(paths.shape[1])
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--index", help="an index of ../shared/corpora/simonw-til (real model)")
    ap.add_argument("--screenshot", help="save the real map at 1400x1000 here (PNG)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    fig: dict = {"synthetic": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", *chromium_args(True)]
        )
        fig["bare_webgl_fps"] = bare_webgl_fps(browser)
        fig["load_average"] = [round(x, 1) for x in os.getloadavg()]
        print(
            f"machine: {os.cpu_count()} CPUs, load average {fig['load_average']}; a bare WebGL "
            f"clear of a map-sized canvas runs at {fig['bare_webgl_fps']} fps",
            flush=True,
        )
        for n in [int(s) for s in args.sizes.split(",") if s]:
            r = synthetic(browser, n)
            fig["synthetic"].append(r)
            print(
                f"{n:>7,} points: first paint {r['first_paint_s']:.2f} s (warm)  zoom {r['zoom_fps']} fps  "
                "labels/overlaps " + "  ".join(f"+{x['zoom_in']}: {x['labels']}/{x['overlaps']}" for x in r["labels"]),
                flush=True,
            )  # fmt: skip
        if args.index:
            r = fig["til"] = real_map(browser, args.index, args.screenshot)
            print(
                f"TIL map: {r['map_share_of_content_width']:.0%} of the content width, "
                f"{r['map_height_px']} px high, first paint {r['first_paint_s']:.2f} s, zoom {r['zoom_fps']} fps, "
                "labels/overlaps " + "  ".join(f"+{x['zoom_in']}: {x['labels']}/{x['overlaps']}" for x in r["labels"])
                + f", requests off 127.0.0.1: {len(r['requests_off_127.0.0.1'])}"
            )  # fmt: skip
        browser.close()
    if args.index:
        fig["ami"] = ami_by_level(args.index)
        print("AMI topics~folders: " + "  ".join(f"level {a['level']} ({a['topics']} topics) {a['ami']:.3f}" for a in fig["ami"]))  # fmt: skip
    if args.json:
        print(json.dumps(fig, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
