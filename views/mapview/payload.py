"""What the map component is sent: columnar arrays, rounded, plus the topics of every level.

Pure (no Streamlit) so it is tested directly. At 100k items (three topic levels) the
arguments are 4.8 MB of JSON (coordinates kept to 4 decimals, about 1/20,000 of the map's
width; no titles above ``TITLE_LIMIT`` items, where hover text would double the size).

>>> import datetime as dt, numpy as np
>>> p = payload(np.array([[0.123456, 1.0]]), np.array([[2, 5]]), [], ["note"], ["note"],
...             [dt.date(2020, 7, 2)], [None], ["A"], data_key="k")
>>> p["x"], p["topics"], p["kind"], round(p["t0"][0], 2), p["t1"]
([0.1235], [[2], [5]], [0], 2020.5, [None])
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
    xy = np.round(np.asarray(xy, np.float64).reshape(n, 2), 4)
    paths = np.asarray(paths, np.int64).reshape(n, -1)
    code = {k: i for i, k in enumerate(kind_order)}
    t0 = [year_fraction(d or e) for d, e in zip(dates, date_ends, strict=True)]
    # an end only where it differs from the start (most items): a quarter less to send
    t1 = [
        year_fraction(e) if e and d and e != d else None
        for d, e in zip(dates, date_ends, strict=True)
    ]
    return {
        "dataKey": data_key,
        "height": int(height),
        "x": xy[:, 0].tolist(),
        "y": xy[:, 1].tolist(),
        "topics": [paths[:, k].tolist() for k in range(paths.shape[1])],
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
        "kind": [code.get(k, len(code)) for k in kinds],
        "kinds": list(kind_order),
        "t0": t0,
        "t1": t1,
        "titles": [t[:TITLE_CHARS] for t in titles] if n <= TITLE_LIMIT else None,
        "hits": [int(h) for h in hits],
        "query": [round(float(query[0]), 4), round(float(query[1]), 4)] if query else None,
        "queryText": query_text,
        "selection": selection,
    }


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
