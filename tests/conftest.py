"""Shared fixtures: every test runs in a temp folder with the fake embedder by default.

Nothing writes into the working tree: the index, caches and outputs live under
pytest's tmp_path. Tests that need the real bundled MiniLM use ``real_embedder``.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "captures"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """The default tier (``-m "not slow"``) on two workers when pytest-xdist is installed
    (the dev extra), a test file per worker: 57 s -> 43 s on a 2-core machine. The slow
    tier stays in one process: its browser and timing tests want the machine to themselves.
    ``-n 0`` (or any ``-n``) on the command line wins."""
    opt = config.option
    if getattr(opt, "markexpr", "") != "not slow" or not config.pluginmanager.has_plugin("xdist"):
        return
    if os.environ.get("PYTEST_XDIST_WORKER"):  # a worker itself: never spawn more
        return
    interactive = opt.usepdb or getattr(opt, "trace", False) or opt.capture == "no"
    if interactive or getattr(opt, "collectonly", False) or opt.dist != "no":
        return  # --pdb, --trace, -s, --collect-only or a --dist of the user's own
    if getattr(opt, "numprocesses", None) is None:
        opt.numprocesses, opt.dist = 2, "loadfile"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABSORB_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("ABSORB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ABSORB_MODEL", "fake:64")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the bundled captures (tests may modify it)."""
    dst = tmp_path / "captures"
    shutil.copytree(SEEDS, dst)
    return dst


def corpus(name: str) -> Path:
    p = CORPORA / name
    if not p.is_dir():
        pytest.skip(f"{p} not present")
    return p


_REAL: dict[str, object] = {}


@pytest.fixture
def real_embedder():
    """The bundled all-MiniLM-L6-v2, loaded once per test session."""
    from indexer.embed import load_embedder

    if "e" not in _REAL:
        _REAL["e"] = load_embedder("all-MiniLM-L6-v2")
    return _REAL["e"]


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed captures indexed once with the real model (shared, read-only)."""
    from indexer.build import build_index
    from indexer.embed import load_embedder

    if "e" not in _REAL:
        _REAL["e"] = load_embedder("all-MiniLM-L6-v2")
    out = tmp_path_factory.mktemp("seed_index") / "index"
    build_index([SEEDS], out, embedder=_REAL["e"], progress=False)
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that load the real model or drive Chromium are ``slow`` by definition.

    The default tier is ``pytest -m "not slow"`` (under a minute); CI runs every tier.
    """
    for item in items:
        if item.get_closest_marker("model") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


def cli(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Run ``absorb ARGS`` in-process with click's CliRunner (stderr kept apart)."""
    from click.testing import CliRunner

    from indexer.cli import main

    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _tried() -> dict[str, int]:
    """What this process's reliability tests tried (``test_reliability.TRIED``)."""
    import sys

    mod = sys.modules.get("tests.test_reliability") or sys.modules.get("test_reliability")
    return dict(getattr(mod, "TRIED", None) or {})


_WORKERS_TRIED: Counter[str] = Counter()  # on the controller: what the xdist workers tried


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workeroutput"):  # an xdist worker: hand the counts over
        session.config.workeroutput["absorb_tried"] = _tried()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown without pytest-xdist
def pytest_testnodedown(node, error) -> None:  # type: ignore[no-untyped-def]
    """(xdist, on the controller) A worker finished: keep what it tried."""
    _WORKERS_TRIED.update(getattr(node, "workeroutput", {}).get("absorb_tried", {}))


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Print what the reliability tests tried (bad files, kill points, hostile queries)."""
    tried = Counter(_tried()) + _WORKERS_TRIED
    if tried:
        parts = ", ".join(f"{n} {what}" for what, n in sorted(tried.items()))
        terminalreporter.write_line(
            f"reliability: tried {parts}; each was reported, nothing indexed was lost"
        )


@pytest.fixture(scope="session")
def app_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled captures plus one capture full of markup, indexed with the fake embedder
    once for every AppTest file (tests/test_view_*.py)."""
    from appkit import probe_json

    from indexer.build import build_index

    caps = tmp_path_factory.mktemp("app_caps") / "captures"
    shutil.copytree(SEEDS, caps)
    (caps / "zz_probe.jsonl").write_text(probe_json(), encoding="utf-8")
    out = tmp_path_factory.mktemp("app_index") / "index"
    build_index([caps], out, model="fake:64", progress=False)
    return out


@pytest.fixture
def app(app_index: Path, monkeypatch: pytest.MonkeyPatch):
    """``app(view="Search", q="...")``: a finished AppTest run of app.py with those URL params."""
    from appkit import TIMEOUT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ABSORB_INDEX", str(app_index))
    _scan_component_packages_once()

    def make(**params: str | list[str]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        for k, v in params.items():
            at.query_params[k] = v
        return at.run(timeout=TIMEOUT)

    return make


def _scan_component_packages_once() -> None:
    """Every AppTest run scans all installed packages for Streamlit v2 components (about
    0.25 s of metadata parsing each, a sixth of the default tier); what is installed does not
    change during a test session, so the scan's answer is kept. absorb uses none (its map is a
    v1 component)."""
    try:
        from streamlit.components.v2 import manifest_scanner as ms
    except ImportError:  # another Streamlit: nothing to save
        return
    if not hasattr(ms.scan_component_manifests, "cache_info"):
        ms.scan_component_manifests = functools.cache(ms.scan_component_manifests)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test (tests/test_browser*.py)."""
    from appkit import chromium

    with chromium() as b:
        yield b
