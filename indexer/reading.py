"""What the reader is told about items: where each came from, how it is dated, in what order.

Pure functions over an :class:`~indexer.appdata.Catalog` (no Streamlit), so the app's views
only lay them out.

Sources are shown as the capture's format and its path relative to the indexed folder,
with long hash-like file names shortened:

>>> readable_source("001_b345f262e875569b.txt", ["/x/captures"], "absorb-feed")
'absorb feed page · captures/001_….txt'
>>> readable_source("sqlite/column-combinations.md", ["/c/simonw-til"], "markdown")
'Markdown · simonw-til/sqlite/column-combinations.md'
>>> plural(1, "result"), plural(2, "summary"), plural(1_200, "match", "matches")
('1 result', '2 summaries', '1,200 matches')

The feed never interleaves undated items with dated ones: ``feed_sections`` puts every
item with a date or an inferred range newest first, then the rest in capture order under
their own heading; when nothing is dated it says so and orders by title, source or topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np

from .appdata import Catalog

FORMAT_LABELS = {
    "absorb-feed": "absorb feed page",
    "medium-pandoc": "Medium article (pandoc export)",
    "gplus": "Google+ profile page",
    "transcript": "video transcript page",
    "html": "saved web page",
    "markdown": "Markdown",
    "jsonl": "JSON Lines",
}
ORDERS = ("newest", "title", "source", "topic")
ORDER_LABELS = {"newest": "Newest first", "title": "Title", "source": "Source", "topic": "Topic"}
UNDATED = "Date unknown — in capture order"
_HASHY = re.compile(r"(?<=[_-])[0-9a-f]{10,}(?=\.|$)")


def plural(n: int, one: str, many: str | None = None) -> str:
    if many is None:
        many = one[:-1] + "ies" if re.search(r"[^aeiou]y$", one) else one + "s"
    return f"{n:,} {one if n == 1 else many}"


def short_name(name: str) -> str:
    """A file name with its hash part elided: ``001_b345f262e875569b.txt`` -> ``001_….txt``."""
    return _HASHY.sub("…", name)


def readable_source(source: str, roots: list[str], fmt: str | None = None) -> str:
    """'format · folder/relative/path' (see module docstring)."""
    parts = list(PurePosixPath(source).parts)
    if parts:
        parts[-1] = short_name(parts[-1])
    rel = "/".join(parts)
    if len(roots) == 1:  # one indexed folder: sources are relative to it, name it
        rel = f"{PurePosixPath(roots[0]).name}/{rel}"
    label = FORMAT_LABELS.get(fmt or "", "")
    return f"{label} · {rel}" if label else rel


def source_groups(cat: Catalog) -> dict[str, str]:
    """Source filter options: readable label -> glob for ``Filters.source``.

    One option per folder holding captures (``sqlite/*``), else per capture file.
    """
    out: dict[str, str] = {}
    by_pattern: dict[str, int] = {}
    for s, f in zip(cat.sources, cat.formats, strict=True):
        parent = str(PurePosixPath(s).parent)
        pattern = f"{parent}/*" if parent != "." else s
        if pattern not in by_pattern:
            by_pattern[pattern] = 0
            label = (parent + "/") if parent != "." else readable_source(s, [], f)
            out[label] = pattern
        by_pattern[pattern] += 1
    return dict(sorted(out.items(), key=lambda kv: kv[0].lower()))


def date_how(cat: Catalog, row: int) -> str:
    """How the item's date was obtained, in words."""
    kind, label = cat.date_kinds[row], cat.date_labels[row]
    if cat.dates[row] is None and cat.date_ends[row] is None:
        return "no date stated or inferred"
    if kind == "interpolated":
        return f"{label}, from its dated neighbours on the page"
    if kind == "linked":
        return label.replace("(", "— ", 1).rstrip(")") if "(" in label else f"{label}, linked"
    if kind == "mentioned":
        return label.replace(" (mentioned in text)", ", as mentioned in the text")
    return f"{label}, stated in the capture"


def is_dated(cat: Catalog, row: int) -> bool:
    return cat.dates[row] is not None or cat.date_ends[row] is not None


@dataclass
class Section:
    title: str  # "" for the single untitled section of an ordering
    rows: np.ndarray


def feed_sections(cat: Catalog, rows: np.ndarray, order: str = "newest") -> list[Section]:
    """``rows`` in the reading order ``order`` (one of ORDERS), cut into titled sections.

    "newest": dated (or range-dated) items newest first — the catalog's order — then the
    undated ones in capture order (source, position on the page). The other orders sort
    every row by title, source path, or topic label (then title).
    """
    rows = np.asarray(rows, dtype=np.int64)
    if order == "title":
        return [Section("", _sorted(rows, lambda r: (cat.titles[r].lower(), cat.sources[r])))]
    if order == "source":
        return [Section("", _sorted(rows, lambda r: (cat.sources[r], cat.positions[r])))]
    if order == "topic":
        return [Section("", _sorted(rows, lambda r: (_topic_key(cat, r), cat.titles[r].lower())))]
    dated = np.fromiter((is_dated(cat, int(r)) for r in rows), bool, len(rows))
    out = []
    if dated.any():
        out.append(Section("Newest first", rows[dated]))
    if (~dated).any():  # the catalog keeps each page's order; sort by page, then position
        out.append(
            Section(UNDATED, _sorted(rows[~dated], lambda r: (cat.sources[r], cat.positions[r])))
        )
    return out


def _topic_key(cat: Catalog, r: int) -> tuple[bool, str]:
    t = int(cat.topics[r])
    return t == -1, cat.topic_labels.get(t, "").lower()


def _sorted(rows: np.ndarray, key) -> np.ndarray:
    return np.asarray(sorted(rows.tolist(), key=key), dtype=np.int64)


def order_note(cat: Catalog, rows: np.ndarray) -> str | None:
    """What to tell the reader when 'newest first' cannot order these items, else None."""
    n_dated = sum(is_dated(cat, int(r)) for r in rows)
    if len(rows) and n_dated == 0:
        return (
            f"None of these {plural(len(rows), 'item')} carries a date, so they cannot be put "
            "in time order. Order them by title, source or topic instead."
        )
    return None
