"""Data shaping for the app (``app.py``): pure functions, no Streamlit, no disk I/O.

The app shows captured text, which may contain HTML, scripts or Markdown. Every
piece of it passes through :func:`esc` (or :func:`highlight_html`) before it is
placed into markup, and only ``http(s)`` URLs ever become links.

>>> esc("<b>*hi*</b>")
'&#60;b&#62;&#42;hi&#42;&#60;/b&#62;'
>>> is_web_url("javascript:alert(1)"), is_web_url("https://karpathy.github.io/")
(False, True)
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .models import Item
from .search import Filters, item_mask

PAGE_SIZE = 25
SUMMARY_CHARS = 300
HOVER_TITLE_CHARS = 70
INFERRED_KINDS = ("linked", "interpolated", "mentioned")

# HTML specials, plus the characters Markdown (and Streamlit's extensions: :emoji:,
# :red[...], $math$) would interpret, as numeric entities: they always display literally.
_ESC = {ord(c): f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~:$="}
_ESC[ord("\n")] = "<br>"
_URL_OK = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.I)


def esc(text: Any) -> str:
    """Text -> HTML that shows it literally: tags escaped, Markdown neutralised, newlines kept."""
    s = str(text if text is not None else "").replace("\r\n", "\n").replace("\r", "\n")
    return s.translate(_ESC)


def esc_md(text: Any) -> str:
    """Text -> Markdown source that renders it literally (for widget labels and captions)."""
    s = " ".join(str(text if text is not None else "").split())
    s = re.sub(r"([\\`*_{}\[\]()#+\-.!|~:$<>&])", r"\\\1", s)
    return s


def is_web_url(url: Any) -> bool:
    """Only plain http(s) URLs may become links."""
    return isinstance(url, str) and bool(_URL_OK.match(url.strip()))


def link_html(url: Any, label_html: str, cls: str = "") -> str:
    """``label_html`` (already escaped) as a link when ``url`` is http(s), else as plain text."""
    if not is_web_url(url):
        return label_html
    c = f' class="{cls}"' if cls else ""
    href = html.escape(url.strip(), quote=True)
    return (
        f'<a{c} href="{href}" target="_blank" rel="noopener noreferrer nofollow">{label_html}</a>'
    )


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first ~``limit`` characters of ``text`` on one line, cut at a word boundary."""
    flat = " ".join((text or "")[: limit * 4].split())  # long texts: look at the start only
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,;:.-") + " …"


def short(text: str, limit: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def highlight_html(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` as escaped HTML with each (start, end) span wrapped in ``<mark>``."""
    out: list[str] = []
    pos = 0
    for a, b in sorted(spans):
        if a < pos or b <= a:
            continue
        out.append(esc(text[pos:a]))
        out.append(f"<mark>{esc(text[a:b])}</mark>")
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


def word_count(text: str) -> int:
    return len((text or "").split())


def date_class(date_kind: str | None, label: str) -> str:
    """How a date label is styled: captured (stated), inferred, or unknown."""
    if label == "date unknown" or date_kind is None:
        return "unknown" if label == "date unknown" else "captured"
    return "inferred" if date_kind in INFERRED_KINDS else "captured"


@dataclass
class Catalog:
    """Everything the feed and the map show about each item, in feed order (newest first).

    Built once per index generation; treat it as read-only.
    """

    ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    formats: list[str | None] = field(default_factory=list)  # parser name, when recorded
    positions: list[int] = field(default_factory=list)  # place in the capture (0 = first)
    urls: list[str | None] = field(default_factory=list)
    dates: list[dt.date | None] = field(default_factory=list)
    date_ends: list[dt.date | None] = field(default_factory=list)
    date_kinds: list[str | None] = field(default_factory=list)
    date_labels: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    related: list[list[str]] = field(default_factory=list)
    topics: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    topic_labels: dict[int, str] = field(default_factory=dict)
    xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    haystack: list[str] = field(default_factory=list)
    pos: dict[str, int] = field(default_factory=dict)
    author: str = ""  # the most common author, for the header
    roots: list[str] = field(default_factory=list)  # the indexed folders
    _hover: list[str] | None = field(default=None, repr=False)
    _any_dated: bool | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def words(self, row: int) -> int:
        """Word count of the item's text (computed on demand: cheap for one page of items)."""
        return max(0, len(self.haystack[row].split()) - len(self.titles[row].split()))

    def hovers(self) -> list[str]:
        """Short escaped hover text per row, computed once (the map reuses it every rerun)."""
        if self._hover is None:
            self._hover = [hover_text(self, r) for r in range(len(self.ids))]
        return self._hover

    def any_dated(self) -> bool:
        """Whether any item has a date or a date range (computed once)."""
        if self._any_dated is None:
            self._any_dated = any(self.dates) or any(self.date_ends)
        return self._any_dated

    def year_span(self) -> tuple[int, int] | None:
        years = [d.year for d in self.dates if d] + [d.year for d in self.date_ends if d]
        return (min(years), max(years)) if years else None

    def kind_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for k in self.kinds:
            out[k] = out.get(k, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def topic_counts(self) -> dict[int, int]:
        ids, counts = np.unique(self.topics, return_counts=True)
        return {int(t): int(c) for t, c in zip(ids, counts, strict=True)}


def build_catalog(
    items: Sequence[Item],
    points: Sequence[Any],
    topics: Sequence[Any],
    format_date: Callable[[Item], str],
    roots: Sequence[str] = (),
) -> Catalog:
    """A Catalog from items already in feed order, the map points and the topics."""
    where = {p.id: p for p in points}
    labels = {int(t.id): str(t.label) for t in topics}
    c = Catalog(roots=[str(r) for r in roots])
    topic_ids: list[int] = []
    xy: list[tuple[float, float]] = []
    for it in items:
        c.pos[it.id] = len(c.ids)
        c.ids.append(it.id)
        c.titles.append(it.title or "(untitled)")
        c.kinds.append(it.kind)
        c.sources.append(it.source)
        c.formats.append((it.extra or {}).get("capture_format"))
        c.positions.append(int(it.position or 0))
        c.urls.append(it.url)
        c.dates.append(it.date)
        c.date_ends.append(it.date_end)
        c.date_kinds.append(it.date_kind)
        c.date_labels.append(format_date(it))
        c.summaries.append(summary(it.text))
        c.related.append(list(it.related or []))
        c.haystack.append(f"{it.title}\n{it.text}".lower())
        p = where.get(it.id)
        if p is None:
            topic_ids.append(-1)
            xy.append((np.nan, np.nan))
        else:
            topic_ids.append(int(p.topic))
            xy.append((float(p.x), float(p.y)))
            labels.setdefault(int(p.topic), str(p.topic_label))
    c.topics = np.asarray(topic_ids, dtype=np.int64)
    c.xy = np.asarray(xy, dtype=np.float32).reshape(-1, 2)
    labels.setdefault(-1, "unsorted")
    c.topic_labels = labels
    authors: dict[str, int] = {}
    for it in items:
        if it.author:
            authors[it.author] = authors.get(it.author, 0) + 1
    c.author = max(authors, key=lambda a: authors[a]) if authors else ""
    return c


def year_range_dates(
    years: tuple[int, int] | None, span: tuple[int, int] | None
) -> tuple[dt.date | None, dt.date | None]:
    """(since, until) for a year range; None on a side left at the corpus bound."""
    if not years or not span:
        return None, None
    lo, hi = int(min(years)), int(max(years))
    since = dt.date(lo, 1, 1) if lo > span[0] else None
    until = dt.date(hi, 12, 31) if hi < span[1] else None
    return since, until


def filter_rows(cat: Catalog, flt: Filters | None = None, text: str = "") -> np.ndarray:
    """Row numbers (feed order) of items passing every filter.

    ``flt`` is the search engine's own :class:`~indexer.search.Filters` (kind, dates, source,
    topic), applied by the same ``item_mask`` that search uses; ``text`` keeps items containing
    every word.
    """
    n = len(cat)
    mask = np.ones(n, dtype=bool)
    if flt is not None and flt.active():
        mask &= item_mask(cat.dates, cat.date_ends, cat.kinds, cat.sources, flt, cat.topics)
    words = (text or "").lower().split()
    if words:
        rows = np.flatnonzero(mask)
        keep = [r for r in rows if all(w in cat.haystack[r] for w in words)]
        mask[:] = False
        mask[np.asarray(keep, dtype=np.int64)] = True
    return np.flatnonzero(mask)


def page_bounds(n: int, page: int, size: int = PAGE_SIZE) -> tuple[int, int, int]:
    """(start, end, pages) of 1-based ``page`` out of ``n`` rows, clamped to a valid page."""
    pages = max(1, -(-n // size))
    page = min(max(1, int(page or 1)), pages)
    start = (page - 1) * size
    return start, min(n, start + size), pages


def hover_text(cat: Catalog, row: int) -> str:
    """Short, escaped hover text for an item (a little HTML)."""
    title = html.escape(short(cat.titles[row], HOVER_TITLE_CHARS))
    meta = html.escape(f"{cat.date_labels[row]} · {cat.kinds[row]}")
    return f"<b>{title}</b><br>{meta}"


def related_rows(cat: Catalog, row: int) -> list[int]:
    return [cat.pos[r] for r in cat.related[row] if r in cat.pos]
