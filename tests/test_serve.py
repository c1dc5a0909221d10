"""``absorb serve`` behaves like a server: SIGTERM and SIGINT stop the Streamlit child and
its process group and free the port (a real process: slow tier). The taken-port refusal
is in test_cli_polish.py (CliRunner)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.appserver import free_port, port_in_use

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    st = Path(f"/proc/{pid}/stat")
    return not (st.exists() and st.read_text().split()[2] == "Z")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_everything(tmp_path: Path, sig: signal.Signals) -> None:
    from indexer.build import build_index

    idx = tmp_path / "idx"
    build_index([ROOT / "data" / "captures"], idx, model="fake:64", progress=False)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ABSORB_MODEL": "fake:64"}
    p = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "serve", "--index", str(idx), "--port", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert p.stdout is not None
    seen, t0 = "", time.monotonic()
    while "absorb: serving" not in seen and time.monotonic() - t0 < 120:
        seen += p.stdout.readline() or ""
        if p.poll() is not None:
            break
    assert "absorb: serving" in seen, seen
    assert port_in_use("127.0.0.1", port)
    kids = _children(p.pid)
    assert kids, "no Streamlit child found"
    p.send_signal(sig)
    assert p.wait(timeout=30) == 128 + sig
    deadline = time.monotonic() + 10
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(k) for k in kids)
    assert port_in_use("127.0.0.1", port) is None
