"""WordPress export (WXR, "WordPress eXtended RSS"): the published posts and pages.

An export is an RSS 2.0 file with the ``wp:`` namespace; every post, page, attachment
and menu entry is an ``<item>``::

    <item>
      <title>Speaking</title> <link>https://fettblog.eu/talks-slides/</link>
      <dc:creator><![CDATA[admin]]></dc:creator>
      <content:encoded><![CDATA[<p>From time to time I speak ...]]></content:encoded>
      <wp:post_date>2012-11-19 17:44:04</wp:post_date>   (the blog's local time)
      <wp:status>publish</wp:status> <wp:post_type>page</wp:post_type>
      <category domain="post_tag" nicename="yeoman"><![CDATA[yeoman]]></category>
    </item>

Only ``post`` and ``page`` items with status ``publish`` are kept (drafts, private and
trashed posts, attachments, menu items, custom types skipped); categories and tags become
tags. The body is stored as WordPress writes it (paragraphs as blank lines, not ``<p>``:
``wpautop`` adds those when rendering), so blank lines become paragraph breaks before the
HTML is read, and ``[caption]``-style shortcodes are removed, their content kept.
lxml's recovering parser reads a damaged export as far as it can; what it had to repair
is reported with line numbers, and an item without a title or text is reported by number.
The sample (fettblog.eu, 52 items: 22 published posts, 3 published pages, 12 drafts,
15 attachments) gives 25 items.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from ..models import Item, ParseError
from .common import first_sentence_title, one_line, trim_title
from .dates import parse_date
from .html_page import fragment_text
from .records import items_from_records

WP = re.compile(r"http://wordpress\.org/export/1\.\d+/?")
SHORTCODE = re.compile(
    r"\[/?(?:caption|gallery|embed|video|audio|playlist|code|sourcecode|youtube|vimeo|"
    r"tweet|wp_caption)\b[^\[\]]*\]"
)
PRE = re.compile(r"(<pre\b.*?</pre>)", re.S | re.I)


def sniff(text: str, source: str) -> bool:
    head = text[:20000]
    return "<rss" in head and bool(WP.search(head)) and "<wp:" in text[:200000]


def _body(raw: str) -> str:
    parts = PRE.split(SHORTCODE.sub("", raw))
    # outside <pre>, a blank line is a paragraph, as wpautop renders it
    parts = [p if p[:4].lower() == "<pre" else re.sub(r"\n\s*\n", "\n<p>\n", p) for p in parts]
    return fragment_text("".join(parts))


def _dedupe(tags: list[str]) -> list[str]:
    """Tags in order, first spelling wins: "Javascript" and "javascript" are one tag."""
    return list({t.lower(): t for t in reversed(tags)}.values())[::-1]


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as e:
        raise ParseError(f"{source}: unreadable WordPress export ({e})") from None
    if root is None:
        raise ParseError(f"{source}: unreadable WordPress export (no XML elements)")
    errors = [e for e in parser.error_log if e.level_name in ("ERROR", "FATAL")]
    if errors:
        where = ", ".join(f"line {e.line}" for e in errors[:5]) + (
            " ..." if len(errors) > 5 else ""
        )
        warn(f"{source}: damaged XML repaired at {where} ({errors[0].message.strip()})")
    m = WP.search(text[:20000])
    ns = {"wp": m.group(0) if m else "http://wordpress.org/export/1.2/"}
    content = "{http://purl.org/rss/1.0/modules/content/}encoded"
    excerpt_tag = [v for k, v in (root.nsmap or {}).items() if k == "excerpt"]
    records = []
    for n, node in enumerate(root.iter("item"), start=1):
        kind = node.findtext("wp:post_type", namespaces=ns) or ""
        status = node.findtext("wp:status", namespaces=ns) or ""
        if kind not in ("post", "page") or status != "publish":
            continue
        title = one_line(fragment_text(node.findtext("title") or ""))
        body = _body(node.findtext(content) or "")
        if not body:
            warn(f"{source}: item {n} ({title[:60]!r}) has no text; skipped")
            continue
        date = None
        for tag in ("wp:post_date", "wp:post_date_gmt", "pubDate"):
            date = date or parse_date(node.findtext(tag, namespaces=ns))
        if date is None:
            warn(f"{source}: item {n} ({title[:60]!r}) has no readable date; kept undated")
        tags = [
            one_line(c.text or "")
            for c in node.iter("category")
            if c.get("domain") in ("category", "post_tag") and (c.text or "").strip()
        ]
        excerpt = (
            fragment_text(node.findtext(f"{{{excerpt_tag[0]}}}encoded") or "")
            if excerpt_tag
            else ""
        )
        link = node.findtext("link") or ""
        records.append(
            {
                "title": trim_title(title) if title else first_sentence_title(body),
                "text": body,
                "kind": "article",
                "date": date,
                "url": link if link.startswith(("http://", "https://")) else None,
                "author": one_line(node.findtext("{http://purl.org/dc/elements/1.1/}creator") or "")
                or None,
                "tags": [t for t in _dedupe(tags) if t.lower() != "uncategorized"],
                "extra": {"post_type": kind} | ({"excerpt": excerpt} if excerpt else {}),
                "key": node.findtext("wp:post_id", namespaces=ns) or link or title,
            }
        )
    return items_from_records(source, records)
