"""The map view's Streamlit side: the component fed from the catalog, its answers handled.

Shared by whichever page shows the map: it takes the catalog rows to draw (already
filtered), every item's topic path and the topics of every level, and gives back what the
user did: the selected catalog rows (kept in the URL as ``?sel=``) and the row clicked on
this run, if any (each click is handled once).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

from . import data_key, decode_shape, encode_shape, payload, topic_map

SEL = "sel"  # URL key of the box or lasso selection (map coordinates)
_NONCE = "_map_nonce"  # the last action handled (a value stays after its rerun)
_CACHE: OrderedDict[str, dict[str, Any]] = OrderedDict()  # data key -> points payload


@dataclass
class MapAction:
    selected: list[int] = field(default_factory=list)  # catalog rows, map selection order
    opened: int | None = None  # catalog row clicked on this run


def level_paths(ids: Sequence[str], points: Sequence[Any]) -> np.ndarray:
    """(len(ids), levels) topic paths in catalog order from ``Index.map()`` points
    (-1 where an item has no point or a shorter path)."""
    by_id = {p.id: list(getattr(p, "topic_path", None) or [p.topic]) for p in points}
    levels = max((len(v) for v in by_id.values()), default=1)
    out = np.full((len(ids), levels), -1, np.int32)
    for r, i in enumerate(ids):
        path = by_id.get(i)
        if path:
            out[r, : len(path)] = path
    return out


def explorer(
    cat: Any,
    rows: np.ndarray,
    paths: np.ndarray,
    topics: Sequence[dict[str, Any]],
    generation: str,
    hit_rows: Sequence[int] = (),
    query: tuple[float, float] | None = None,
    query_text: str = "",
    key: str = "topic-map",
) -> MapAction:
    """Draw the map of catalog ``rows``; ``paths`` and ``topics`` cover all levels."""
    rows = np.asarray(rows, np.int64)
    dk = data_key(generation, rows)
    if dk not in _CACHE:
        _CACHE[dk] = payload(
            cat.xy[rows], paths[rows], topics, [cat.kinds[r] for r in rows],
            list(cat.kind_counts()), [cat.dates[r] for r in rows],
            [cat.date_ends[r] for r in rows], [cat.titles[r] for r in rows], data_key=dk,
        )  # fmt: skip
        while len(_CACHE) > 4:
            _CACHE.popitem(last=False)
    where = {int(r): i for i, r in enumerate(rows.tolist())}
    args = {
        **_CACHE[dk],
        "hits": [where[r] for r in hit_rows if r in where],
        "query": [round(float(query[0]), 4), round(float(query[1]), 4)] if query else None,
        "queryText": query_text,
        "selection": decode_shape(st.query_params.get(SEL)),
    }
    value = topic_map(args, key=key)
    act = MapAction()
    if not value or value.get("dataKey") != dk:
        return act  # nothing yet, or an answer about other points (filters changed)
    act.selected = [int(rows[i]) for i in value.get("rows") or [] if 0 <= int(i) < len(rows)]
    shape = encode_shape(value.get("shape")) if act.selected else ""
    if shape != (st.query_params.get(SEL) or ""):
        if shape:
            st.query_params[SEL] = shape
        else:
            st.query_params.pop(SEL, None)
    if value.get("event") == "open" and st.session_state.get(_NONCE) != value.get("nonce"):
        st.session_state[_NONCE] = value.get("nonce")
        i = int(value.get("row", -1))
        act.opened = int(rows[i]) if 0 <= i < len(rows) else None
    return act
