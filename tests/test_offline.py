"""absorb makes no network requests: every absorb process runs under a network guard.

``tests/netguard/sitecustomize.py`` is put first on PYTHONPATH of each absorb
process (and so of the Streamlit child ``absorb serve`` starts): an audit hook logs
any connect/sendto to a non-loopback address and any lookup of a non-local name.
The page in Chromium is checked through Playwright's request log. HOME points at
an empty folder, which must stay empty (OpenVINO's telemetry wrote ~/intel).

The fast test covers the import that phoned out (``openvino``, whose converter
initialises its telemetry); the slow one runs the real thing end to end: a fresh
model export, ``absorb index``, ``absorb search``, ``absorb serve`` and a page load.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from importlib.machinery import PathFinder
from pathlib import Path

import pytest

from indexer.appserver import CHROMIUM, free_port

ROOT = Path(__file__).resolve().parents[1]
GUARD = Path(__file__).resolve().parent / "netguard"


def _guarded_env(tmp_path: Path, **extra: str) -> tuple[dict[str, str], Path, Path]:
    log, home = tmp_path / "net.log", tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(GUARD), str(ROOT)]),
        "ABSORB_NET_GUARD_LOG": str(log),
        "HOME": str(home),
        "CI": "",  # openvino_telemetry stays quiet under CI=true; absorb must not rely on that
        **extra,
    }
    for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "XDG_CACHE_HOME"):
        env.pop(k, None)  # absorb sets what it needs itself
    return env, log, home


def _run(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def _traffic(log: Path) -> str:
    return log.read_text("utf-8") if log.exists() else ""


def _files_under(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*"))


@pytest.mark.skipif(importlib.util.find_spec("openvino") is None, reason="openvino not installed")
def test_openvino_with_and_without_absorb(tmp_path: Path) -> None:
    code = "import openvino; from openvino.tools.ovc import convert_model"
    env, log, home = _guarded_env(tmp_path)
    p = _run(env, "-c", "import indexer; " + code)
    assert p.returncode == 0, p.stderr
    assert _traffic(log) == "" and _files_under(home) == []
    if PathFinder.find_spec("openvino_telemetry") is None:  # (absorb hides it from find_spec)
        return
    # the guard itself works: the same import without absorb's switch looks up Google Analytics
    p = _run(env, "-c", code)
    assert "getaddrinfo" in _traffic(log), "the guard saw no lookup: it cannot be trusted"


def test_offline_environment_is_set_by_absorb(tmp_path: Path) -> None:
    env, log, _ = _guarded_env(tmp_path)
    p = _run(env, "-c", "import indexer, os, sys; print(os.environ['HF_HUB_OFFLINE'],"
             " os.environ['TRANSFORMERS_OFFLINE'], sys.modules['openvino_telemetry'])")  # fmt: skip
    assert p.stdout.split() == ["1", "1", "None"], p.stderr


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.browser
def test_index_search_serve_and_page_make_no_traffic(tmp_path: Path, browser) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found")
    pytest.importorskip("playwright.sync_api")
    # the real model, exported afresh into an empty cache: the path that used to phone out
    env, log, home = _guarded_env(
        tmp_path, ABSORB_CACHE=str(tmp_path / "cache"), ABSORB_MODEL="all-MiniLM-L6-v2"
    )
    idx = tmp_path / "index"
    p = _run(
        env, "-m", "indexer.cli", "index", str(ROOT / "data" / "captures"), "--index", str(idx)
    )
    assert p.returncode == 0, p.stderr
    p = _run(env, "-m", "indexer.cli", "search", "why understand backprop", "--index", str(idx))
    assert p.returncode == 0 and "backprop" in p.stdout, p.stderr

    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "serve", "--index", str(idx), "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    requests: list[str] = []
    try:
        assert serve.stdout is not None
        seen = ""
        t0 = time.monotonic()
        while "absorb: serving" not in seen and time.monotonic() - t0 < 120:
            line = serve.stdout.readline()
            if not line:
                break
            seen += line
        assert "absorb: serving" in seen, seen
        # the session's one Chromium (tests/conftest.py): Playwright's sync API runs once
        ctx = browser.new_context()
        try:
            page = ctx.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle")
            page.get_by_text("Yes you should understand backprop").first.wait_for(timeout=60_000)
        finally:
            ctx.close()
    finally:
        serve.send_signal(signal.SIGTERM)
        rc = serve.wait(timeout=30)
    assert rc == 128 + signal.SIGTERM
    assert requests, "the page made no requests at all: the log is not working"
    outside = [
        u
        for u in requests
        if not u.startswith((f"http://127.0.0.1:{port}", "ws://127.0.0.1", "data:", "blob:"))
    ]
    assert outside == []
    assert _traffic(log) == ""
    assert _files_under(home) == []
