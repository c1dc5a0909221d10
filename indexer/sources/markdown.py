"""Markdown and plain-text notes, with or without YAML front matter.

Two shapes are common::

    ---                              # Jekyll / Hugo post
    title: "A Recipe for Training Neural Networks"
    excerpt: "A collection of practical advice ..."
    date:   2019-04-25 9:00:00
    ---
    Body in Markdown, often with raw HTML (<img>, <div>, <style>) mixed in.

    # How to almost get facet counts      # TIL note: title is the first heading
    Body in Markdown.

A post (front matter present) becomes one ``article``; anything else one ``note``.
Only a *leading* front matter block counts: a ``---`` block further down (e.g.
inside a code sample) stays in the body. Malformed YAML is reported and the file
is read as having no front matter. The date comes from the front matter, else
from a ``YYYY-MM-DD-`` file-name prefix, and is never guessed.

The body is turned into readable text by ``md_to_text``: code blocks are kept
verbatim, links and images become their text, HTML tags, comments, scripts and
styles are removed. This is also the parser of last resort for any text file.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import yaml

from ..models import Item, stable_id
from .common import first_sentence_title, one_line, tidy, trim_title
from .dates import parse_date

FRONT_MATTER = re.compile(r"---[ \t]*\n((?:.*?\n)??)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
FENCE = re.compile(
    r"^([ \t]*)(```+|~~~+)[^\n]*\n(.*?)(?:^\1?\2[ \t]*$|\Z)"
    r"|\{%-?\s*highlight\b[^%]*%\}(.*?)(?:\{%-?\s*endhighlight\s*-?%\}|\Z)",
    re.S | re.M,
)
NAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-")
TAGS = (
    "a|abbr|article|aside|audio|b|big|blockquote|body|br|button|canvas|center|cite|code|dd|"
    "del|details|div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|"
    "html|i|iframe|img|input|ins|kbd|label|li|link|main|mark|meta|nav|object|ol|p|param|pre|"
    "q|s|section|small|source|span|strike|strong|sub|summary|sup|table|tbody|td|tfoot|th|"
    "thead|tr|tt|u|ul|video"
)
HTML_TAG = re.compile(rf"</?(?:{TAGS})\b(?:\s[^<>]*)?/?>", re.I)
DROP_BLOCKS = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|svg|noscript|template)\b.*?(?:</\1\s*>|\Z)", re.S | re.I
)
IMG_ALT = re.compile(r"<img\b[^<>]*?\balt=[\"']([^\"']*)[\"'][^<>]*>", re.I)
BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|table|tr|blockquote|figure|pre)\b[^<>]*>", re.I
)
LINK_TARGET = r"\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
IMAGE = re.compile(r"!\[([^\[\]]*)\]" + LINK_TARGET)
LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]" + LINK_TARGET)
REF_LINK = re.compile(r"!?\[([^\[\]]+)\]\[[^\[\]]*\]")
LINK_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]+\S+.*$", re.M)
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~\"'])")


def sniff(text: str, source: str) -> bool:
    name = source.lower()
    if name.endswith((".md", ".markdown", ".mdown", ".mkd", ".txt", ".text")):
        return True
    return text.startswith("---\n") or bool(re.search(r"^#{1,6} \S", text[:5000], re.M))


# --- Markdown -> plain text ---------------------------------------------------------


def _heading_text(s: str) -> str:
    """ATX heading content without its optional closing hashes (no regex: long lines)."""
    s = s.strip()
    bare = s.rstrip("#")
    if bare != s and (not bare or bare[-1] in " \t"):
        s = bare.strip()
    return s


def _prose_to_text(s: str) -> str:
    s = DROP_BLOCKS.sub("", s)
    s = re.sub(r"\{%.{0,300}?%\}|\{\{.{0,300}?\}\}", "", s, flags=re.S)  # Liquid / Hugo tags
    s = IMG_ALT.sub(lambda m: f" {m.group(1)} " if m.group(1).strip() else "", s)
    s = BLOCK_TAG.sub("\n", s)
    s = HTML_TAG.sub("", s)
    s = re.sub(r"<(https?://[^<>\s]+)>", r"\1", s)
    s = LINK_DEF.sub("", s)
    s = IMAGE.sub(r"\1", s)
    for _ in range(3):  # [![alt](img)](link): images first, then the (nested) links
        s = LINK.sub(r"\1", s)
    s = REF_LINK.sub(r"\1", s)
    s = re.sub(r"\{:[^{}\n]*\}", "", s)  # kramdown attribute lists
    s = re.sub(r"^ {0,3}#{1,6}[ \t]+(.*)$", lambda m: _heading_text(m.group(1)), s, flags=re.M)
    s = re.sub(r"^ {0,3}(?:[-*_][ \t]*){3,}$", "", s, flags=re.M)  # rules
    s = re.sub(r"^ {0,3}=+[ \t]*$", "", s, flags=re.M)  # setext underline
    s = re.sub(r"^[ \t]*(?:>[ \t]?)+", "", s, flags=re.M)  # blockquote markers
    s = re.sub(r"\*\*(?=\S)((?:\\\*|[^*\n]|\n(?!\n))+?)(?<=\S)\*\*", r"\1", s)
    s = re.sub(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*\\])\*(?![\w*])", r"\1", s)
    s = re.sub(r"(?<![\w`])`([^`\n]+)`(?![\w`])", r"\1", s)
    s = ESCAPE.sub(r"\1", s)
    return html.unescape(s)


def md_to_text(md: str) -> str:
    """Readable plain text from Markdown (with embedded HTML); code kept verbatim."""
    out: list[str] = []
    pos = 0
    for m in FENCE.finditer(md):
        out.append(_prose_to_text(md[pos : m.start()]))
        code = m.group(3) if m.group(3) is not None else (m.group(4) or "")
        out.append("\n\n" + code.strip("\n") + "\n\n")
        pos = m.end()
    out.append(_prose_to_text(md[pos:]))
    text = "".join(out)
    return tidy(text)


# --- front matter and metadata -------------------------------------------------------


def split_front_matter(
    text: str, source: str, warn: Callable[[str], None]
) -> tuple[dict[str, Any] | None, str]:
    """(front matter mapping or None, body). Only a block at the very top counts."""
    m = FRONT_MATTER.match(text)
    if not m:
        return None, text
    try:
        data = yaml.safe_load(m.group(1)) if m.group(1).strip() else {}
    except Exception as e:  # YAMLError, but also ValueError from bad timestamps
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        warn(f"{source}: malformed front matter ignored ({first})")
        return None, text
    if not isinstance(data, dict):
        warn(f"{source}: front matter is not a mapping; ignored")
        return None, text
    return {str(k): v for k, v in data.items()}, text[m.end() :]


def _str(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        s = one_line(str(value))
        return s or None
    return None


def _tag_list(*values: Any) -> list[str]:
    tags: list[str] = []
    for v in values:
        if isinstance(v, str):
            v = v.split(",") if "," in v else v.split()
        if isinstance(v, (list, tuple)):
            for t in v:
                s = _str(t)
                if s and s not in tags:
                    tags.append(s)
    return tags


def _inline(s: str) -> str:
    """Links and images to their text, nothing else (for titles)."""
    s = IMAGE.sub(r"\1", s)
    for _ in range(3):
        s = LINK.sub(r"\1", s)
    return one_line(s)


def _heading_title(body: str) -> tuple[str | None, str]:
    """First level-1 heading outside code (ATX or setext), and the body without it."""
    prose = FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    m = re.search(r"^ {0,3}# +(.*\S)[ \t]*$", prose, re.M)
    setext = re.match(r"\n*[ \t]*([^\s#<>\[][^\n]*)\n=+[ \t]*(?:\n|$)", prose)
    if setext and (not m or setext.start(1) < m.start()):
        return setext.group(1).strip(), body[: setext.start(1)] + body[setext.end() :]
    if m:
        return _heading_text(m.group(1)), body[: m.start()] + body[m.end() :]
    return None, body


def _file_date(source: str) -> dt.date | None:
    m = NAME_DATE.match(PurePosixPath(source).name)
    return parse_date(m.group(1)) if m else None


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    fm, body = split_front_matter(text, source, warn)
    fm = fm or {}
    title = _str(fm.get("title"))
    if not title:
        heading, rest = _heading_title(body)
        if heading:
            title, body = _inline(heading) or heading, rest
    body_text = md_to_text(body)
    if not body_text.strip():
        return []
    if not title:
        title = first_sentence_title(body_text) or PurePosixPath(source).stem

    date = None
    raw_date = fm.get("date", fm.get("published", fm.get("pubDate")))
    if raw_date is not None:
        date = parse_date(raw_date)
        if date is None:
            warn(f"{source}: unreadable date {str(raw_date)[:40]!r} in front matter")
    if date is None:
        date = _file_date(source)

    extra: dict[str, Any] = {}
    excerpt = fm.get("excerpt", fm.get("description", fm.get("summary")))
    if isinstance(excerpt, str) and excerpt.strip():
        extra["excerpt"] = md_to_text(excerpt)
    url = _str(fm.get("url")) or _str(fm.get("canonical_url"))
    author = fm.get("author")
    is_post = bool(fm) and any(k in fm for k in ("title", "date", "layout"))
    return [
        Item(
            id=stable_id(source),
            title=trim_title(title),
            text=body_text,
            source=source,
            kind="article" if is_post else "note",
            date=date,
            url=url if url and url.startswith(("http://", "https://")) else None,
            author=_str(author) if not isinstance(author, dict) else _str(author.get("name")),
            tags=_tag_list(fm.get("tags"), fm.get("categories"), fm.get("category")),
            position=0,
            extra=extra,
        )
    ]
