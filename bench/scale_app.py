"""App first paint for bench/scale_bench.py: Streamlit + headless Chromium on one index.

Starts ``python -m streamlit run app.py`` with ``ABSORB_INDEX=<index>``, loads the
page once to warm up (the server reads the index into its cache), then times
fresh page loads until the first feed card's title is visible. Also reports the
server's peak RSS (``VmHWM``), i.e. the app serving that index.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ABSORB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIRST_CARD = '[class*="st-key-card-"] .ab-title'
TIMEOUT_MS = 300_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], limit: float = 120) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        if proc.poll() is not None:
            raise RuntimeError("streamlit exited before it was healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit not healthy after {limit} s")


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
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ABSORB_INDEX": str(index), "HF_HUB_OFFLINE": "1"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    out = open(log or os.devnull, "wb")  # noqa: SIM115 (closed in finally)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        start_s = _wait_healthy(url, proc)
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
            "server_peak_rss_mb": _vm_hwm_mb(proc.pid),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
