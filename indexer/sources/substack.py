"""Substack export: ``posts.csv`` plus one ``posts/<post_id>.html`` body per post.

A Substack export unpacks to::

    posts.csv           post_id,post_date,is_published,email_sent_at,type,audience,title,subtitle,...
                        123401.plain-text,2019-07-26T20:48:19.814Z,TRUE,...,Plain Text,"This quote..."
    posts/123401.plain-text.html     the body as an HTML fragment (no <head>)

The CSV is the capture: each published row is one ``article`` (drafts, ``is_published``
false, are skipped) titled and dated from the CSV, its subtitle kept in
``extra["subtitle"]`` and as the first paragraph, its body read from the sibling HTML
file through the ``read`` callback the build passes (``store.read_near``), with
Substack's subscribe buttons dropped. The bodies are read as part of the CSV, so the
build does not index them a second time: ``owner`` says so for any ``posts/*.html``
next to a Substack ``posts.csv``. A row whose body file is missing keeps its subtitle
and is reported; a row without a usable id or title is reported by line and skipped.
The sample (Ghost's Substack fixture: 5 rows, one draft) gives 4 items.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from ..models import Item, ParseError, stable_id
from .common import first_sentence_title, one_line, tidy, trim_title
from .dates import parse_date
from .html_page import fragment_text

Read = Callable[[str], "bytes | None"]
HEADER = re.compile(r"^\ufeff?post_id,post_date,.*\bis_published\b.*\btitle\b")
POST_ID = re.compile(r"^[\w][\w.-]{0,200}$")


def sniff(text: str, source: str) -> bool:
    return bool(HEADER.match(text[:500]))


def owner(source: str, read: Read) -> str | None:
    """Why ``source`` is not a capture of its own (part of an export), else None."""
    if source[-5:].lower() != ".html":  # most files: decided without a path object
        return None
    p = PurePosixPath(source)
    if p.parent.name != "posts":
        return None
    csv_bytes = read("../posts.csv")
    if csv_bytes and HEADER.match(csv_bytes[:500].decode("utf-8", "replace")):
        return "body of a post in the Substack export ../posts.csv (indexed with it)"
    return None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes", "t")


def parse(
    text: str, source: str, warn: Callable[[str], None], read: Read | None = None
) -> list[Item]:
    rows = csv.DictReader(io.StringIO(text, newline=""))
    items: list[Item] = []
    try:
        for line, row in enumerate(rows, start=2):
            _row(row, line, source, warn, read, items)
    except csv.Error as e:  # a stray quote or NUL: keep the rows before it
        if not items:
            raise ParseError(f"{source}: unreadable CSV ({e})") from None
        warn(f"{source}: CSV unreadable after line {rows.line_num} ({e}); later rows lost")
    return items


def _row(
    row: dict[str, str | None],
    line: int,
    source: str,
    warn: Callable[[str], None],
    read: Read | None,
    items: list[Item],
) -> None:
    """Append the item of one CSV row (published, with text) to ``items``."""
    if not _truthy(row.get("is_published")):
        return
    post_id = (row.get("post_id") or "").strip()
    title = one_line(html.unescape(row.get("title") or ""))
    if not POST_ID.match(post_id) or ".." in post_id:
        warn(f"{source}: line {line}: unusable post_id {post_id[:40]!r}; skipped")
        return
    subtitle = one_line(html.unescape(row.get("subtitle") or ""))
    body_bytes = read(f"posts/{post_id}.html") if read else None
    if body_bytes is None:
        warn(f"{source}: line {line}: posts/{post_id}.html not found; indexed from the CSV only")
    body = fragment_text(body_bytes.decode("utf-8", "replace")) if body_bytes else ""
    text_ = tidy("\n\n".join(p for p in (subtitle, body) if p))
    if not text_:
        warn(f"{source}: line {line}: post {post_id!r} has no text; skipped")
        return
    date = parse_date(row.get("post_date")) or parse_date(row.get("email_sent_at"))
    if date is None:
        warn(f"{source}: line {line}: post {post_id!r} has no readable post_date")
    extra: dict[str, Any] = {
        k: v for k, v in (("subtitle", subtitle), ("type", row.get("type"))) if v
    }
    if (row.get("podcast_url") or "").startswith(("http://", "https://")):
        extra["podcast_url"] = row["podcast_url"]
    items.append(
        Item(
            id=stable_id(source, post_id),
            title=trim_title(title) if title else first_sentence_title(text_),
            text=text_,
            source=source,
            kind="article",
            date=date,
            position=len(items),
            extra=extra,
        )
    )
