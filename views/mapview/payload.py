"""What the map component is sent: columnar arrays as raw little-endian bytes, plus the
topics of every level.

Pure (no Streamlit) so it is tested directly. Streamlit hands ``bytes`` arguments to the
frame as binary, outside the JSON: at 100k items (three topic levels) the points are
2.8 MB of typed arrays the frame reads as they are, where they were 4.8 MB of JSON before
(first paint of a 100k map 4.9-5.2 s -> see bench/map_explorer.py; titles still go as JSON
and only up to ``TITLE_LIMIT`` items). ``decode`` turns a payload back into lists (tests and
tools read it so).

>>> import datetime as dt, numpy as np
>>> p = payload(np.array([[0.125, 1.0]]), np.array([[2, 5]]), [], ["note"], ["note"],
...             [dt.date(2020, 7, 2)], [None], ["A"], data_key="k")
>>> type(p["xy"]), p["n"], p["levels"]
(<class 'bytes'>, 1, 2)
>>> d = decode(p)
>>> d["x"], d["topics"], d["kind"], round(d["t0"][0], 2), d["t1"]
([0.125], [[2], [5]], [0], 2020.5, [None])
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

TITLE_LIMIT = 20_000
TITLE_CHARS = 90
HEIGHT = 660  # px: the map's frame (>= 600 px of plot at a 1000 px window)


def year_fraction(d: dt.date | None) -> float | None:
    """A date as a fractional year (2020-07-02 -> 2020.5), None when undated."""
    if d is None:
        return None
    start = dt.date(d.year, 1, 1)
    days = (dt.date(d.year + 1, 1, 1) - start).days
    return round(d.year + ((d - start).days + 0.5) / days, 3)


def data_key(*parts: Any) -> str:
    """A short key that changes whenever the points sent change (the front end reloads)."""
    h = hashlib.sha1()
    for p in parts:
        h.update(
            np.ascontiguousarray(p).tobytes() if isinstance(p, np.ndarray) else repr(p).encode()
        )
    return h.hexdigest()[:16]


def payload(
    xy: np.ndarray,
    paths: np.ndarray,
    topics: Sequence[dict[str, Any]],
    kinds: Sequence[str],
    kind_order: Sequence[str],
    dates: Sequence[dt.date | None],
    date_ends: Sequence[dt.date | None],
    titles: Sequence[str],
    hits: Sequence[int] = (),
    query: tuple[float, float] | None = None,
    query_text: str = "",
    selection: dict[str, Any] | None = None,
    data_key: str = "",
    height: int = HEIGHT,
) -> dict[str, Any]:
    """Arguments for the component; point i of every array is the same item.

    ``paths`` is (n, levels): each point's topic at every level, coarse to fine; ``topics``
    holds {level, id, label, size, x, y} records; ``hits`` are point indices by rank.
    """
    n = len(xy)
    xy = np.asarray(xy, np.float64).reshape(n, 2)
    paths = np.asarray(paths, np.int64).reshape(n, -1)
    code = {k: i for i, k in enumerate(kind_order)}
    t0 = [year_fraction(d or e) for d, e in zip(dates, date_ends, strict=True)]
    # an end only where it differs from the start; the frame reads NaN as "no end"
    t1 = [
        year_fraction(e) if e and d and e != d else None
        for d, e in zip(dates, date_ends, strict=True)
    ]
    return {
        "dataKey": data_key,
        "height": int(height),
        "n": n,
        "xy": xy.astype("<f4").tobytes(),  # x0, y0, x1, y1, ...
        "levels": int(paths.shape[1]),
        "topics": paths.T.astype("<i4").tobytes(),  # level 0's n topic ids, then level 1's, ...
        "topicInfo": [
            {
                "level": int(t.get("level", 0)),
                "id": int(t["id"]),
                "label": str(t["label"]),
                "size": int(t["size"]),
                "x": round(float(t["x"]), 4),
                "y": round(float(t["y"]), 4),
            }
            for t in topics
            if np.isfinite(float(t["x"])) and np.isfinite(float(t["y"]))
        ],
        "kind": np.array([code.get(k, len(code)) for k in kinds], "<i4").tobytes(),
        "kinds": list(kind_order),
        "t0": _years(t0),
        "t1": _years(t1),
        "titles": [t[:TITLE_CHARS] for t in titles] if n <= TITLE_LIMIT else None,
        "hits": [int(h) for h in hits],
        "query": [round(float(query[0]), 4), round(float(query[1]), 4)] if query else None,
        "queryText": query_text,
        "selection": selection,
    }


def _years(values: Sequence[float | None]) -> bytes:
    """Fractional years as float32 bytes, NaN for None (undated, or no end)."""
    return np.array([np.nan if v is None else v for v in values], "<f4").tobytes()


def decode(args: dict[str, Any]) -> dict[str, Any]:
    """``args`` with the binary columns as lists (x, y, topics per level, kind, t0, t1)."""
    n, out = int(args["n"]), dict(args)
    xy = np.frombuffer(args["xy"], "<f4").reshape(n, 2).astype(np.float64)
    out["x"], out["y"] = xy[:, 0].tolist(), xy[:, 1].tolist()
    out["topics"] = np.frombuffer(args["topics"], "<i4").reshape(-1, n).tolist()
    out["kind"] = np.frombuffer(args["kind"], "<i4").tolist()
    for key in ("t0", "t1"):
        v = np.frombuffer(args[key], "<f4").astype(np.float64)
        out[key] = [None if np.isnan(t) else float(t) for t in v]
    return out


def encode_shape(shape: dict[str, Any] | None) -> str:
    """A box or lasso selection (map coordinates) as a short URL value.

    >>> encode_shape({"type": "box", "points": [[0, 1.23456], [2, 3]]})
    'box:0,1.235;2,3'
    >>> decode_shape(encode_shape({"type": "lasso", "points": [[0, 0], [1, 0], [0, 1]]}))
    {'type': 'lasso', 'points': [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]}
    """
    if not shape or not shape.get("points"):
        return ""
    pts = ";".join(f"{float(x):.4g},{float(y):.4g}" for x, y in shape["points"])
    return f"{shape.get('type', 'lasso')}:{pts}"


def decode_shape(text: str | None) -> dict[str, Any] | None:
    """The selection kept in the URL, or None when absent or unreadable (then ignored)."""
    try:
        kind, _, rest = (text or "").partition(":")
        pts = [[float(v) for v in p.split(",")] for p in rest.split(";") if p]
    except ValueError:
        return None
    if kind not in ("box", "lasso") or len(pts) < 3 or any(len(p) != 2 for p in pts):
        return None
    return {"type": kind, "points": pts}
