"""RSS 2.0, RSS 1.0 and Atom feeds: one item per entry, read with feedparser.

Feeds are the most varied XML on the web (CDATA or escaped HTML, four date syntaxes,
invalid dates like "Thurs, 30 May 2019 00:00:00 UTC", namespaces for iTunes and Media
RSS), so a library made for them does the reading: feedparser normalises every dialect
to entries with ``title``, ``link``, ``published``/``updated``, ``tags``, ``author`` and
``content``/``summary``, and its loose parser still returns the entries of an
ill-formed feed (reported, with feedparser's reason and line, through ``warn``).

Each entry's HTML becomes text; the item is a ``post`` when short (under
``POST_WORDS`` words: an excerpt or a note) and an ``article`` otherwise. The date is
the entry's own, as written (``parse_date``), else feedparser's parsed UTC date.
An entry with neither title nor text is reported by its 1-based number and skipped;
one without a date is kept undated and reported. The samples: colah's RSS (6 excerpts:
6 posts), jakevdp's Atom (66 entries, opening paragraphs: 62 posts, 4 articles), Simon
Willison's Substack RSS (20 whole newsletters: 20 articles), every entry dated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import feedparser

from ..models import Item, ParseError
from .common import first_sentence_title, one_line, trim_title
from .dates import parse_date
from .html_page import fragment_text
from .records import items_from_records

POST_WORDS = 300
FEED_ROOT = re.compile(r"<(rss|feed|rdf:RDF)\b[^>]*>", re.I)


def sniff(text: str, source: str) -> bool:
    head = re.sub(
        r"^(?:\s|<!--.*?-->|<\?xml[^>]*>|<\?xml-stylesheet[^>]*>)*", "", text[:8192], flags=re.S
    )
    m = FEED_ROOT.match(head)
    if not m:
        return False
    return m.group(1).lower() != "feed" or "http://www.w3.org/2005/Atom" in m.group(0)


def _date(entry: Any) -> dt.date | None:
    for key in ("published", "updated", "created", "dc_date"):
        d = parse_date(entry.get(key))
        if d:
            return d
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        st = entry.get(key)
        if st:
            return dt.date(st.tm_year, st.tm_mon, st.tm_mday)
    return None


def _body(entry: Any) -> str:
    contents = [c.get("value", "") for c in entry.get("content") or [] if c.get("value")]
    html = max(contents, key=len) if contents else entry.get("summary", "")
    return fragment_text(html or "")


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    # bytes, so that feedparser never takes a short document for a file name or URL
    d = feedparser.parse(
        text.encode("utf-8"), response_headers={"content-type": "application/xml; charset=utf-8"}
    )
    if d.bozo and not d.entries:
        raise ParseError(f"{source}: unreadable feed ({d.get('bozo_exception')})")
    if d.bozo:
        warn(f"{source}: feed is not well-formed ({d.get('bozo_exception')}); read leniently")
    site = one_line(d.feed.get("title", "")) or None
    records: list[dict[str, Any]] = []
    for n, entry in enumerate(d.entries, start=1):
        body = _body(entry)
        title = fragment_text(entry.get("title", ""))
        if not body and not title:
            warn(f"{source}: entry {n} has no title or text; skipped")
            continue
        date = _date(entry)
        if date is None:
            warn(f"{source}: entry {n} ({trim_title(title or body, 60)!r}) has no readable date")
        url = entry.get("link")
        records.append(
            {
                "title": trim_title(title) if title else first_sentence_title(body),
                "text": body or title,
                "kind": "post" if len((body or title).split()) < POST_WORDS else "article",
                "extra": {"site": site} if site else {},
                "date": date,
                "url": url
                if isinstance(url, str) and url.startswith(("http://", "https://"))
                else None,
                "author": one_line(entry.get("author", "")) or None,
                "tags": list(
                    dict.fromkeys(
                        one_line(t.get("term") or "")
                        for t in entry.get("tags") or []
                        if t.get("term")
                    )
                ),
                "key": entry.get("id") or url or title,
            }
        )
    return items_from_records(source, records)
