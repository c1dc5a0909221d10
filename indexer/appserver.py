"""Start the Streamlit app as a local server, and the headless browser that looks at it.

One place for what ``absorb serve``, the browser tests, the screenshots script and the
scale benchmark all need: the ``streamlit run`` command line, a free port, waiting for the
health endpoint, and Debian Chromium's launch flags.

    >>> with running_app("data/index") as app:  # doctest: +SKIP
    ...     print(app.url)
    http://127.0.0.1:40531
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"
CHROMIUM = os.environ.get("ABSORB_CHROMIUM", "/usr/bin/chromium")
WEBGL_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]
CHROMIUM_ARGS = [  # headless in a container: no sandbox, GPU, or calls home
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_args(webgl: bool = False) -> list[str]:
    """Chromium's flags; ``webgl``: software WebGL (SwiftShader) in place of no GPU at all."""
    return (
        [a for a in CHROMIUM_ARGS if a != "--disable-gpu"] + WEBGL_ARGS if webgl else CHROMIUM_ARGS
    )


def streamlit_command(
    port: int, host: str = "127.0.0.1", *extra: str, app: Path = APP
) -> list[str]:
    """``python -m streamlit run app.py`` on ``host:port``, headless, no usage stats."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port), "--server.address", host, "--server.headless", "true",
        "--browser.gatherUsageStats", "false", *extra,
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningApp:
    url: str
    proc: subprocess.Popen[bytes]
    start_s: float  # seconds until the health endpoint answered


@contextmanager
def running_app(
    index: str | os.PathLike[str],
    env: dict[str, str] | None = None,
    log: str | os.PathLike[str] | None = None,
    extra: tuple[str, ...] = (),
    timeout: float = 60,
    app: Path = APP,
) -> Iterator[RunningApp]:
    """The app serving ``index`` on a free local port until the block ends.

    ``env`` replaces the inherited environment (``ABSORB_INDEX`` is set either way); output
    goes to ``log`` (default: discarded). Raises RuntimeError with the log's tail if the
    server exits or is not healthy within ``timeout`` seconds. ``app``: another script to
    run (the map benchmark's page).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**(os.environ if env is None else env), "ABSORB_INDEX": str(Path(index).resolve())}
    cmd = streamlit_command(port, "127.0.0.1", "--server.fileWatcherType", "none", *extra, app=app)
    out = open(log or os.devnull, "wb")  # noqa: SIM115 (closed in finally)
    proc = subprocess.Popen(cmd, cwd=APP.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield RunningApp(url, proc, _wait_healthy(url, proc, timeout, log))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], limit: float, log) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited before it was healthy{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit not healthy after {limit:.0f} s{_tail(log)}")


def _tail(log: str | os.PathLike[str] | None) -> str:
    if not log:
        return ""
    try:
        return ":\n" + Path(log).read_text(errors="replace")[-3000:]
    except OSError:
        return ""


def map_frame(page, timeout: float = 60):  # noqa: ANN001 (a Playwright Page)
    """The frame of ``page`` that holds the topic map, once it has drawn (``window.absorbMap``
    with ``ready``; see views/mapview). Raises TimeoutError after ``timeout`` seconds."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        for frame in page.frames:
            try:
                if frame.evaluate("() => !!(window.absorbMap && window.absorbMap.ready)"):
                    return frame
            except Exception:  # a frame navigating or gone: look again
                continue
        time.sleep(0.05)
    raise TimeoutError(f"the map did not draw within {timeout:.0f} s")
