"""JSON Lines import: one JSON object per line, for programmatic imports.

Each line looks like::

    {"title": "...", "text": "...", "date": "2016-12-19", "url": "https://...",
     "kind": "article", "tags": ["ml"], "author": "...", "id": "..."}

Only ``text`` is required. ``kind`` defaults to ``article``; a missing title is
taken from the text's first line. A broken line (bad JSON, not an object, no
text) is reported through ``warn`` with its 1-based line number and skipped, so
one bad record never loses the rest of the file. An unreadable date becomes
``None`` with a warning. Unknown keys are kept in ``extra``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ..models import Item, stable_id
from .common import first_sentence_title, one_line, tidy, trim_title, unique_keys
from .dates import parse_date

KNOWN = {"title", "text", "date", "url", "kind", "tags", "author", "id"}


def sniff(text: str, source: str) -> bool:
    if source.lower().endswith((".jsonl", ".ndjson", ".jsonlines")):
        return True
    first = next((ln.strip() for ln in text.split("\n", 50) if ln.strip()), "")
    if not (first.startswith("{") and first.endswith("}")):
        return False
    try:
        obj = json.loads(first)
    except ValueError:
        return False
    return isinstance(obj, dict) and "text" in obj


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return list(dict.fromkeys(one_line(t) for t in value if isinstance(t, str) and t.strip()))


def _record(obj: Any, where: str, warn: Callable[[str], None]) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        warn(f"{where}: not a JSON object ({type(obj).__name__}); skipped")
        return None
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        warn(f"{where}: missing or empty 'text'; skipped")
        return None
    body = tidy(text)
    if not body.strip():
        warn(f"{where}: missing or empty 'text'; skipped")
        return None
    raw_date = obj.get("date")
    date = parse_date(raw_date) if raw_date not in (None, "") else None
    if date is None and raw_date not in (None, ""):
        warn(f"{where}: unreadable date {str(raw_date)[:40]!r}; left empty")
    title = _str(obj.get("title"))
    url = _str(obj.get("url"))
    return {
        "title": trim_title(title) if title else first_sentence_title(body),
        "text": body,
        "date": date,
        "url": url if url and re.match(r"https?://", url) else None,
        "kind": _str(obj.get("kind")) or "article",
        "tags": _tags(obj.get("tags")),
        "author": _str(obj.get("author")),
        "key": _str(obj.get("id")),
        "extra": {k: v for k, v in obj.items() if k not in KNOWN},
    }


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    records: list[dict[str, Any]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source}: line {n}"
        try:
            obj = json.loads(line)
        except ValueError as e:
            warn(f"{where}: invalid JSON ({str(e).split(':')[0]}); skipped")
            continue
        except RecursionError:
            warn(f"{where}: JSON nested too deeply; skipped")
            continue
        rec = _record(obj, where, warn)
        if rec:
            records.append(rec)
    keys = unique_keys([r["key"] or r["title"] for r in records])
    return [
        Item(
            id=stable_id(source, key),
            title=r["title"],
            text=r["text"],
            source=source,
            kind=r["kind"],
            date=r["date"],
            url=r["url"],
            author=r["author"],
            tags=r["tags"],
            position=pos,
            extra=r["extra"],
        )
        for pos, (r, key) in enumerate(zip(records, keys, strict=True))
    ]
