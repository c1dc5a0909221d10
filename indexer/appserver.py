"""Start the Streamlit app as a local server, and the headless browser that looks at it.

One place for what ``absorb serve`` (``serve``: signals, a taken port), the browser tests, the screenshots script and the
scale benchmark all need: the ``streamlit run`` command line, a free port, waiting for the
health endpoint, and Debian Chromium's launch flags.

    >>> with running_app("data/index") as app:  # doctest: +SKIP
    ...     print(app.url)
    http://127.0.0.1:40531
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from . import config

APP = Path(__file__).resolve().parent.parent / "app.py"
CHROMIUM = config.chromium()
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


# ---------------------------------------------------------------- absorb serve


def port_in_use(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (None when it can), found by binding it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        # like the server will: a port in TIME_WAIT is reusable, one with a listener is not
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            return e.strerror or str(e)
    return None


def _die_with_parent() -> None:
    """In the child: SIGTERM when the parent dies, even by SIGKILL (Linux; elsewhere a no-op)."""
    os.setsid()  # own process group: the parent can stop all of it at once
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def serve(index: str | os.PathLike[str], port: int, host: str, say: Callable[[str], None]) -> int:
    """``absorb serve``: run the app until it exits or we get SIGTERM/SIGINT; its exit code.

    A taken port is refused before anything starts. "serving ..." is said only once the
    app answers its health check. SIGTERM or SIGINT stop the Streamlit child and its
    whole process group (SIGKILL after 10 s).
    """
    from .models import AbsorbError

    why = port_in_use(host, port)
    if why:
        raise AbsorbError(
            f"cannot listen on {host}:{port}: {why} (another absorb serve or program has it)",
            "pick a free port with --port, e.g. --port " + str(free_port()),
        )
    env = {**os.environ, "ABSORB_INDEX": str(Path(index).resolve())}
    proc = subprocess.Popen(
        streamlit_command(port, host), env=env, cwd=APP.parent, preexec_fn=_die_with_parent
    )
    stopping: list[float] = []  # [signal number, when] once asked to stop

    def stop(signum: int, _frame: object) -> None:
        # only signal here: waiting on the child inside a handler can deadlock with the
        # main thread's own wait (Popen's waitpid lock is not re-entrant)
        if not stopping:
            stopping.extend([signum, time.monotonic()])
        _signal_group(proc.pid, signal.SIGTERM)

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        try:
            _wait_healthy(f"http://{local}:{port}", proc, 120, None)
        except RuntimeError:
            if not stopping:
                _stop_group(proc)
                raise AbsorbError(
                    f"the app did not start on {host}:{port} (see Streamlit's messages above)"
                ) from None
        if not stopping:
            say(f"serving {index} on http://{host}:{port} (Ctrl-C stops it)")
        while True:
            try:
                code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stopping and time.monotonic() - stopping[1] > STOP_GRACE_S:
                    _signal_group(proc.pid, signal.SIGKILL)
        return 128 + int(stopping[0]) if stopping else code
    finally:
        _stop_group(proc)
        for s, h in old.items():
            signal.signal(s, h)


STOP_GRACE_S = 10.0


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's process group, then SIGKILL it if it is still there after 10 s."""
    if proc.poll() is not None:
        _signal_group(proc.pid, signal.SIGKILL)  # a grandchild left behind
        return
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()


def _signal_group(pgid: int, sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


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
