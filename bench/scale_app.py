"""App first paint for bench/scale_bench.py: Streamlit + headless Chromium on one index.

Starts ``python -m streamlit run app.py`` with ``ABSORB_INDEX=<index>``, loads the
page once to warm up (the server reads the index into its cache), then times
fresh page loads until the first feed card's title is visible. Also reports the
server's peak RSS (``VmHWM``), i.e. the app serving that index.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.appserver import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

FIRST_CARD = '[class*="st-key-card-"] .ab-title'
TIMEOUT_MS = 300_000


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def first_paint(index: Path, loads: int = 3, log: Path | None = None) -> dict[str, Any]:
    """Seconds from navigation to the first visible feed card: warm-up, then ``loads`` runs."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        return {"skipped": f"{CHROMIUM} not found"}
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with running_app(index, env=env, log=log, timeout=120) as app:
        url, start_s = app.url, app.start_s
        times: list[float] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for n in range(loads + 1):
                    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                    page = ctx.new_page()
                    t = time.perf_counter()
                    page.goto(url)
                    page.locator(FIRST_CARD).first.wait_for(state="visible", timeout=TIMEOUT_MS)
                    times.append(time.perf_counter() - t)
                    ctx.close()
                    if n == 0:
                        time.sleep(1.0)  # let the warm-up's background model load settle
            finally:
                browser.close()
        return {
            "server_start_s": round(start_s, 2),
            "warmup_s": round(times[0], 2),
            "first_paint_s": [round(x, 2) for x in times[1:]],
            "server_peak_rss_mb": _vm_hwm_mb(app.proc.pid),
        }
