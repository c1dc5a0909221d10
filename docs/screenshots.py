"""Regenerate the README screenshots (docs/feed.png, search.png, item.png; map.png comes from
bench/map_explorer.py --screenshot on the simonw-til index).

Builds (or reuses) an index of the bundled captures with the real bundled model,
serves the app on a free local port and photographs each view with Playwright
driving Debian's Chromium::

    python docs/screenshots.py                      # index in /tmp/absorb-shot-index
    python docs/screenshots.py --index data/index --theme dark --out /tmp/shots
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.appserver import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

QUESTION = "why should I understand backprop?"


def settle(page, ms: int = 1200) -> None:
    """Wait until the app has finished running (no "Running…" widget), then let charts draw."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)
    page.wait_for_timeout(ms)


def shoot(url: str, out: Path, theme: str, chromium: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    q = urllib.parse.quote_plus(QUESTION)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, color_scheme=theme)
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)

        page.goto(url)
        expect(page.locator('[class*="st-key-card-"]').first).to_be_visible()
        settle(page)  # let the timeline chart draw
        page.screenshot(path=str(out / "feed.png"))
        print("wrote", out / "feed.png")

        page.goto(f"{url}/?view=Search&q={q}")
        expect(page.locator(".ab-passage mark").first).to_be_visible()
        page.locator('[class*="st-key-hit-1"] button', has_text="More like this").first.click()
        expect(page.get_by_text("Closest in meaning to")).to_be_visible()
        settle(page)
        page.screenshot(path=str(out / "search.png"))
        print("wrote", out / "search.png")

        # the item view, opened from the first result (a drawer over the search)
        page.locator('[class*="st-key-open-hit1-"] button').first.click()
        expect(page.locator('[role="dialog"] .ab-doc')).to_be_visible()
        settle(page)
        page.screenshot(path=str(out / "item.png"))
        print("wrote", out / "item.png")

        # docs/map.png is the 577-note TIL map, taken by bench/map_explorer.py --screenshot
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--index", default="/tmp/absorb-shot-index")
    ap.add_argument("--captures", default=str(ROOT / "data" / "captures"))
    ap.add_argument("--model", default=None, help="default: the bundled MiniLM")
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--theme", choices=["light", "dark"], default="light")
    ap.add_argument("--chromium", default=CHROMIUM)
    args = ap.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "ABSORB_MODEL"}
    if args.model:
        env["ABSORB_MODEL"] = args.model
    subprocess.run(
        [sys.executable, "-m", "indexer.cli", "index", args.captures, "--index", args.index, "-q"]
        + (["--model", args.model] if args.model else []),
        cwd=ROOT,
        env=env,
        check=True,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with running_app(args.index, env=env, extra=("--theme.base", args.theme)) as app:
        shoot(app.url, out, args.theme, args.chromium)


if __name__ == "__main__":
    main()
