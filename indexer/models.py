"""The plain records that flow through absorb: items, passages, search hits, topics,
and the report of a build.

Everything downstream of the parsers speaks these types, so they stay small,
typed and free of behaviour beyond (de)serialisation.

>>> it = Item(id="abc", title="Hello", text="World", source="a.md")
>>> it.to_dict()["date"] is None
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


class AbsorbError(Exception):
    """An error meant for a person: says what went wrong and what to do.

    The CLI prints ``str(err)`` and exits non-zero; nothing prints a traceback.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  -> {self.hint}" if self.hint else self.message


class IndexMissing(AbsorbError):
    """No index exists at the given path."""


class IndexIncompatible(AbsorbError):
    """The index was written by another format version or another model."""


class IndexCorrupt(AbsorbError):
    """A file of the index is damaged or inconsistent."""


class IndexLocked(AbsorbError):
    """Another writer holds the index lock."""


class ParseError(AbsorbError):
    """A capture could not be turned into items (the file is reported and skipped)."""


def stable_id(*parts: str) -> str:
    """A short deterministic id from the given strings.

    >>> stable_id("001.txt", "PixelCNN++")
    '0eea6023ce6a'
    """
    h = hashlib.sha1("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return h[:12]


@dataclass
class Item:
    """One piece of writing by the author, cleaned of page chrome.

    ``position`` is the item's place in its capture (0 = first on the page), which
    keeps newest-first feed pages ordered even when nothing is dated.
    ``extra`` holds format-specific fields (channel, duration, comments, ...).
    """

    id: str
    title: str
    text: str
    source: str
    kind: str = "article"
    date: dt.date | None = None
    url: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    position: int = 0
    date_kind: str | None = None  # captured | linked | interpolated | mentioned
    date_end: dt.date | None = None  # upper bound when the date is a range
    related: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.date is not None and self.date_kind is None:
            self.date_kind = "captured"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        d["date_end"] = self.date_end.isoformat() if self.date_end else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Item:
        d = dict(d)
        for key in ("date", "date_end"):
            if d.get(key):
                d[key] = dt.date.fromisoformat(d[key])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    def content_hash(self) -> str:
        """Hash of everything that affects embeddings and search of this item."""
        return stable_id(self.title, self.text, self.kind)


@dataclass
class Passage:
    """A window of an item's text sized for the embedding model."""

    item_id: str
    index: int
    text: str
    start: int = 0  # character offset into the item's text


@dataclass
class Hit:
    """A search result: the whole item plus its score and best passage."""

    id: str
    title: str
    date: dt.date | None
    kind: str
    source: str
    url: str | None
    score: float
    snippet: str
    text: str
    date_kind: str | None = None
    passage: str = ""  # the best passage, unmarked
    # how well the item answers the query: "strong" | "fair" | "weak", and a calibrated
    # probability of relevance in [0, 1]; None where no query was asked (``similar``)
    match: str | None = None
    confidence: float | None = None
    at: float | None = None  # seconds into a talk where the passage starts (subtitles)
    # (start, end) character spans in ``passage`` of the query's words that carry weight in
    # this corpus (``search.marked_terms``): what a reader should see marked
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        return d


@dataclass
class Topic:
    """A cluster of items on the map."""

    id: int
    label: str
    size: int
    representative_ids: list[str] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    level: int = 0  # 0 = the map's topics; 1, 2 = finer sub-topics (indexer/levels.py)
    parent: int = -1  # the topic one level up that holds this one (-1 at level 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BuildReport:
    """What ``build.build_index`` did: counts, skipped files and warnings, seconds."""

    files: int = 0
    items: int = 0
    passages: int = 0
    embedded: int = 0  # passages sent to the model this run
    reused: int = 0  # passages whose vectors came from the previous build
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, why)
    warnings: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # bad now, previous items kept
    unchanged: bool = False
    seconds: float = 0.0
    index: str = ""
