"""Medium posts saved as HTML and run through pandoc to Markdown.

What such a capture looks like (after the first line)::

    <div class="metabar ...">                 raw HTML fragments pandoc kept
    -1                                        "-1" / "null" noise lines, often
    null                                      inside code blocks and links
    [Sign
    in](https://medium.com/m/signin?redirect=https%3A%2F%2Fmedium.com%2F%40karpathy%2F...){.button
    .button--primary ...}                     pandoc attribute blocks, wrapped
    Dec 19, 2016[]{.middotDivider ...}        the byline date
    Yes you should understand backprop {#bc38 .graf .graf--h3 .graf--title ...}
    ==================================        the title heading starts the body
    ...article...
    [ '![](https://cdn-.../1*x.png',          image debris left by a scraper
      index: 0,
      input: '![](...){.graf-image}' ]
    -   [Machine Learning](https://medium.com/tag/machine-learning?source=post)
    One clap, two clap, three clap, forty?    the footer

The parser removes the noise lines and image debris, cuts the article body out
between the title heading and the first footer marker, and converts that region
with the shared Markdown-to-text code after stripping pandoc ``{...}`` attributes
and ``[text]{.class}`` spans. Metadata comes from the page chrome the body leaves
out: author from "Go to the profile of", date from the byline, tags from
``medium.com/tag/`` links, url from the sign-in redirect or a post link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ..models import Item, stable_id
from .common import one_line, tidy, trim_title
from .dates import parse_date
from .markdown import FENCE, md_to_text

DEBRIS = re.compile(r"^\[ '!\[[^\n]*(?:\n[^\n]*){0,6}?' \][ \t]*$", re.M)
ATTRS = re.compile(r"\{[#.][^{}]*\}")
SPAN = re.compile(r"(?<![\\!])\[((?:[^\[\]]|\\[\[\]])*)\]\{[^{}]*\}")  # [text]{.class}
TITLE = re.compile(r"^([^\n{}]*?[^\s{}])[ \t]*\{#[^{}]{0,300}?\.graf--title[^{}]{0,300}\}", re.M)
HEADING = re.compile(
    r"^(?:#{1,6}[ \t]+)?([^\n]*?\S)[ \t]*\{#[^{}]{0,300}?\.graf--h\d[^{}]{0,300}\}", re.M
)
FOOTER = re.compile(
    r"js-postTags|postActions|One clap, two clap|js-postAttributionFooter|js-responsesWrapper"
    r"|Never miss a story from|Responses\s*$",
    re.M,
)
BYLINE_DATE = re.compile(r"^([A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)\b", re.M)
POST_URL = re.compile(r"https://medium\.com/@[\w.-]+/[\w-]+-[0-9a-f]{8,12}\b")
CHROME = re.compile(
    r"^(Follow|Following|Blocked|Unblock|Sign in|Get started|Homepage|Get updates|"
    r"About membership|Responses|[\d.,]+K?|Go to the profile of .*)$"
)


def sniff(text: str, source: str) -> bool:
    head = text[:200_000]
    if ".graf--" in head or "postArticle-content" in head:
        return True
    return "\n-1\nnull\n" in head and "medium.com" in head


def _denoise(text: str) -> str:
    text = re.sub(r"^-1[ \t]*\n(?:null[ \t]*\n)?", "", text, flags=re.M)
    text = re.sub(r"^null[ \t]*\n", "", text, flags=re.M)
    return DEBRIS.sub("", text)


def _pandoc_to_text(md: str) -> str:
    """Pandoc Markdown (attributes, spans, raw HTML) -> text, code blocks untouched."""
    parts: list[str] = []
    pos = 0
    for m in FENCE.finditer(md):
        parts.append(_strip_pandoc(md[pos : m.start()]))
        code = m.group(3) if m.group(3) is not None else (m.group(4) or "")
        parts.append("\n\n```\n" + code.strip("\n") + "\n```\n\n")
        pos = m.end()
    parts.append(_strip_pandoc(md[pos:]))
    return md_to_text("".join(parts))


def _strip_pandoc(s: str) -> str:
    s = re.sub(r"<[A-Za-z/][^<>]*(?:>|$)", "\n", s)  # raw HTML from the export (multi-line tags)
    s = HEADING.sub(lambda m: "#### " + m.group(1), s)
    s = SPAN.sub(r"\1", s)
    s = ATTRS.sub("", s)
    # pandoc wraps paragraphs at 72 columns: re-join the lines of each paragraph,
    # keeping headings as paragraphs of their own and list items on their own lines.
    out: list[str] = []
    for para in re.split(r"\n[ \t]*\n", s):
        lines = [ln.strip() for ln in para.split("\n")]
        lines = [ln for ln in lines if ln]
        if len(lines) == 1 and CHROME.match(lines[0]):  # a lone button label or counter
            continue
        block: list[str] = []
        for ln in lines:
            if re.match(r"#{1,6} ", ln):
                out.extend(["\n".join(block), ln])
                block = []
            elif block and not re.match(r"([-*+]|\d+\.) ", ln):
                block[-1] += " " + (ln[1:].strip() if ln.startswith(">") else ln)
            else:
                block.append(ln)
        out.append("\n".join(block))
    return "\n\n".join(p for p in out if p)


def _meta(page: str) -> dict[str, Any]:
    flat = one_line(page)
    meta: dict[str, Any] = {}
    m = re.search(r"Go to the profile of ([^\]\"(){}]+?)\s*[\]\"]", flat)
    if m:
        meta["author"] = m.group(1).strip()
    tags: list[str] = []
    for t in re.findall(r"\[([^\[\]]+)\]\(https?://medium\.com/tag/", flat):
        t = one_line(t)
        if t not in tags:
            tags.append(t)
    meta["tags"] = tags
    m = re.search(r"redirect=(https?%3A%2F%2F[^&)\s]+)", page)
    url = unquote(m.group(1)) if m else None
    if not url:
        m = POST_URL.search(page) or re.search(r'rel="canonical" href="([^"]+)"', page)
        url = m.group(m.lastindex or 0) if m else None
    meta["url"] = url
    m = re.search(r'data-post-id="([0-9a-f]+)"', page)
    if m:
        meta["post_id"] = m.group(1)
    m = re.search(r'title="(\d+ min read)"', flat)
    if m:
        meta["reading_time"] = m.group(1)
    return meta


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    page = _denoise(text)
    m = TITLE.search(page)
    if m:
        title = one_line(ATTRS.sub("", m.group(1)))
        header, rest = page[: m.start()], page[m.end() :]
        rest = re.sub(r"^\s*=+[ \t]*\n", "", rest)  # setext underline of the title
    else:
        header, rest = "", page
        title = ""
    end = FOOTER.search(rest)
    cut = end.start() if end else len(rest)
    lt = rest.rfind("<", 0, cut)  # the marker may sit inside an (unfinished) tag
    if lt != -1 and ">" not in rest[lt:cut]:
        cut = lt
    body = rest[:cut]
    body_text = tidy(_pandoc_to_text(body))
    if not body_text.strip():
        return []
    if not title:
        title = next((ln for ln in body_text.splitlines() if ln.strip()), "") or source
        warn(f"{source}: no Medium title heading found; using the first line")

    meta = _meta(page)
    date = None
    for d in BYLINE_DATE.findall(header):
        date = parse_date(d)
        if date:
            break
    extra: dict[str, Any] = {k: meta[k] for k in ("post_id", "reading_time") if k in meta}
    return [
        Item(
            id=stable_id(source),
            title=trim_title(title),
            text=body_text,
            source=source,
            kind="article",
            date=date,
            url=meta.get("url"),
            author=meta.get("author"),
            tags=meta["tags"],
            extra=extra,
        )
    ]
