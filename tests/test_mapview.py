"""The map component's Python side: the committed bundle is current, and what it is sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from views.mapview import STATIC, data_key, decode, payload, year_fraction

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend" / "mapview"


def source_hash() -> str:
    """Same as frontend/mapview/build.mjs: sha256 of "path\\0content\\0", paths sorted."""
    files = ["build.mjs", "package.json", "package-lock.json"]
    files += [f"src/{p.name}" for p in (FRONTEND / "src").iterdir() if p.is_file()]
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.encode() + b"\0" + (FRONTEND / f).read_bytes() + b"\0")
    return h.hexdigest()


def test_bundle_was_built_from_the_current_sources():
    recorded = (STATIC / "SOURCE_HASH").read_text().strip()
    assert recorded == source_hash(), (
        "views/mapview/static is stale: cd frontend/mapview && npm ci && npm run build"
    )
    assert (STATIC / "index.html").read_text() == (FRONTEND / "src" / "index.html").read_text()


def test_the_page_loads_only_its_own_files():
    page = (STATIC / "index.html").read_text()
    assert re.findall(r'<script src="([^"]+)"', page) == ["map.js"]
    assert "default-src 'self'" in page  # the browser refuses any other host
    assert not re.search(r"(src|href)=\"(https?:)?//", page)


def test_payload_is_columnar_and_keeps_every_level():
    xy = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    paths = np.array([[0, 0], [0, 1], [1, 2]])
    topics = [
        {"level": 0, "id": 0, "label": "a · b", "size": 2, "x": 1.0, "y": 2.0},
        {"level": 1, "id": 2, "label": "c", "size": 1, "x": float("nan"), "y": 0.0},
    ]
    dates = [dt.date(2020, 1, 1), None, None]
    ends = [dt.date(2022, 12, 31), dt.date(2019, 6, 1), None]
    p = payload(xy, paths, topics, ["post", "note", "x"], ["note", "post"], dates, ends,
                ["t1", "t2", "t3"], hits=[2, 0], query=(1.0, 2.0), data_key="k")  # fmt: skip
    assert all(isinstance(p[k], bytes) for k in ("xy", "topics", "kind", "t0", "t1"))
    p = decode(p)
    assert p["x"] == [0.0, 2.0, 4.0] and p["y"] == [1.0, 3.0, 5.0]
    assert p["topics"] == [[0, 0, 1], [0, 1, 2]]
    assert [t["id"] for t in p["topicInfo"]] == [0]  # a topic without a place is left out
    assert p["kind"] == [1, 0, 2]
    assert p["t0"][0] < 2020.01 and p["t1"][0] > 2022.99  # a range spans its years
    assert p["t0"][1] == pytest.approx(year_fraction(dt.date(2019, 6, 1)), abs=1e-3)
    assert p["t1"][1] is None  # an end only where it differs
    assert p["t0"][2] is None and p["hits"] == [2, 0] and p["query"] == [1.0, 2.0]


def test_data_key_changes_with_the_points():
    a = np.arange(5)
    assert data_key("g1", a) == data_key("g1", a.copy())
    assert data_key("g1", a) != data_key("g1", a[:4]) != data_key("g2", a)


def test_doctests():
    import doctest
    import importlib

    module = importlib.import_module("views.mapview.payload")  # not the function of that name

    assert doctest.testmod(module).failed == 0
