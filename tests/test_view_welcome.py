"""The app before there is an index (views/welcome.py)."""

from __future__ import annotations

from pathlib import Path

from appkit import TIMEOUT, titles
from streamlit.testing.v1 import AppTest

from indexer import appdata as A

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_no_index_explains_how_to_build_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ABSORB_INDEX", str(tmp_path / "none"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    assert not at.exception
    assert any("no index yet" in i.value for i in at.info)
    assert any("absorb index data/captures" in c.value for c in at.code)
    assert at.button[0].label == "Build the sample index"


def test_no_index_button_builds_the_sample(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ABSORB_INDEX", str(tmp_path / "built"))  # ABSORB_MODEL=fake:64 (conftest)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    at.button[0].click().run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    assert (tmp_path / "built").is_dir()
    at.run(timeout=TIMEOUT)
    assert len(titles(at)) == A.PAGE_SIZE
