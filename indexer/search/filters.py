"""Query cleaning and filters: date range, kind, source glob, topic -> a mask over items.

Filters restrict the candidate rows *before* ranking, so k hits come back
whenever k matching items exist. The same functions serve the CLI, the Python
API and the app, so a filter means the same thing everywhere.

>>> parse_date("2014-02", "until")
datetime.date(2014, 2, 28)
>>> clean_query("  why\\x00 backprop? ")
'why backprop?'
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass

import numpy as np

from ..models import AbsorbError

MAX_QUERY_CHARS = 2_000  # longer queries are cut (documented in the README)


@dataclass
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    kind: str | list[str] | None = None
    source: str | None = None  # glob over the capture path, e.g. "karpathy-blog/*"
    topic: int | list[int] | None = None  # topic id(s) on the map (``absorb topics``)

    def active(self) -> bool:
        return any(
            v is not None for v in (self.since, self.until, self.kind, self.source, self.topic)
        )


def clean_query(query: str) -> str:
    """Strip control characters and cut overlong queries; raises on empty ones."""
    if not isinstance(query, str):
        raise AbsorbError(f"the query must be text, not {type(query).__name__}")
    q = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", query)
    q = " ".join(q.split())[:MAX_QUERY_CHARS]
    if not q:
        raise AbsorbError("the query is empty", "type a question or a few words")
    return q


def parse_date(value: str | dt.date | None, name: str) -> dt.date | None:
    """A filter date from 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    v = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", v):
            return dt.date(int(v), 1, 1) if name == "since" else dt.date(int(v), 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", v):
            y, m = map(int, v.split("-"))
            if name == "since":
                return dt.date(y, m, 1)
            nxt = dt.date(y + m // 12, m % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date.fromisoformat(v)
    except ValueError:
        raise AbsorbError(
            f"--{name} {value!r} is not a date", "use YYYY, YYYY-MM or YYYY-MM-DD"
        ) from None


def item_mask(
    dates: list[dt.date | None],
    date_ends: list[dt.date | None],
    kinds: list[str],
    sources: list[str],
    f: Filters,
    topics: np.ndarray | None = None,
) -> np.ndarray:
    """Boolean mask over items that pass the filters.

    An item with a date range passes a date filter when the ranges overlap;
    an undated item never passes a date filter. ``topics`` holds each item's topic id
    (needed only when ``f.topic`` is set).
    """
    n = len(kinds)
    mask = np.ones(n, dtype=bool)
    if f.topic is not None:
        want_t = [f.topic] if isinstance(f.topic, int) else list(f.topic)
        have = np.full(n, -1, np.int64) if topics is None else np.asarray(topics, np.int64)
        mask &= np.isin(have, np.asarray(want_t, dtype=np.int64))
    if f.kind:
        want = {f.kind} if isinstance(f.kind, str) else set(f.kind)
        mask &= np.fromiter((k in want for k in kinds), bool, n)
    if f.source:
        pat = f.source
        mask &= np.fromiter(
            (
                fnmatch.fnmatch(s, pat) or fnmatch.fnmatch(s.rsplit("/", 1)[-1], pat)
                for s in sources
            ),
            bool,
            n,
        )
    if f.since or f.until:
        lo, hi = f.since or dt.date.min, f.until or dt.date.max
        ok = []
        for d, e in zip(dates, date_ends, strict=True):
            start = d or e
            end = e or d
            ok.append(start is not None and end is not None and start <= hi and end >= lo)
        mask &= np.array(ok, dtype=bool)
    return mask
