"""Any saved HTML page: the main content as text, metadata from the head.

Saved pages carry far more chrome than content, so the parser skips navigation,
headers, footers, sidebars, scripts, styles, frames and forms while reading the
first ``<article>`` (or ``<main>``, ``[role=main]``, else ``<body>``). Block
elements become paragraph breaks and ``<br>`` a line break; all other whitespace
is collapsed as a browser would, except inside ``<pre>``. The tree is walked with
an explicit stack and never modified: bs4's own insert/decompose calls cost time
proportional to the nesting depth, which made 10,000-deep pages take seconds.

Metadata, first match wins: title from ``og:title``, ``<title>``, the first
``<h1>``; date from ``article:published_time``, ``<meta name=date>`` and friends,
JSON-LD ``datePublished``, ``<time datetime>``; url from ``og:url`` or the
canonical link; author from ``<meta name=author>``; tags from ``article:tag`` and
``keywords``. Pages nested too deeply for the tree builder fall back to a plain
tag-stripping pass rather than failing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import warnings
from collections.abc import Callable

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import PreformattedString, Script, Stylesheet, TemplateString

from ..models import Item, stable_id
from .common import first_sentence_title, one_line, tidy, trim_title
from .dates import parse_date

DROP = ("nav", "header", "footer", "aside", "script", "style", "noscript", "iframe", "form",
        "svg", "template", "button", "select", "object", "embed", "canvas")  # fmt: skip
BLOCKS = ("p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li",
          "ul", "ol", "dl", "dt", "dd", "blockquote", "figure", "figcaption", "table", "tr",
          "pre", "hr", "body", "details", "summary", "address")  # fmt: skip
PARA, BR, SP = "\ue000", "\ue001", "\ue002"  # private-use markers: paragraph, line, pre space
DATE_METAS = ("article:published_time", "og:published_time", "date", "pubdate", "publishdate",
              "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created",
              "citation_publication_date", "datepublished", "sailthru.date")  # fmt: skip


def sniff(text: str, source: str) -> bool:
    # The page must *start* as HTML: Markdown notes often show HTML in code samples.
    head = re.sub(r"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*", "", text[:4096], flags=re.S).lower()
    if re.match(r"<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s", head):
        return True
    return source.lower().endswith((".html", ".htm", ".xhtml")) and "<" in head


def _meta(soup: BeautifulSoup, *names: str) -> list[str]:
    found = []
    for tag in soup.find_all("meta"):
        key = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        content = tag.get("content")
        if key in names and isinstance(content, str) and content.strip():
            found.append(content.strip())
    return found


def _date(soup: BeautifulSoup, raw: str) -> dt.date | None:
    candidates = _meta(soup, *DATE_METAS)
    candidates += re.findall(r'"datePublished"\s*:\s*"([^"]{4,40})"', raw)
    for t in soup.find_all("time"):
        if isinstance(t.get("datetime"), str):
            candidates.append(str(t["datetime"]))
    for c in candidates:
        d = parse_date(c)
        if d:
            return d
    return None


# newsletter platforms' subscribe buttons and widgets inside the post body (Substack)
CHROME_CLASS = re.compile(r"^(?:button-wrapper|subscription-widget|subscribe-widget|share-dialog)")


def _chrome(tag: Tag) -> bool:
    classes = tag.get("class") or ()
    return any(CHROME_CLASS.match(c) for c in classes) if tag.name in ("div", "p") else False


def _text(root: Tag) -> str:
    """Text of ``root`` without dropped elements; an explicit stack, as pages nest deeply."""
    out: list[str] = []
    stack: list[tuple[PageElement, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            out.append(PARA)
        elif isinstance(node, NavigableString):
            if not isinstance(node, (PreformattedString, Script, Stylesheet, TemplateString)):
                out.append(str(node))
        elif isinstance(node, Tag) and node.name not in DROP and not _chrome(node):
            if node.name == "br":
                out.append(BR)
            elif node.name == "pre":
                code = node.get_text().expandtabs(4).replace(" ", SP).replace("\n", BR)
                out.append(PARA + code + PARA)
            else:
                if node.name in BLOCKS:
                    out.append(PARA)
                    stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
    raw = re.sub(r"\s+", " ", "".join(out))
    raw = re.sub(rf" ?{BR} ?", "\n", raw)
    raw = re.sub(rf"(?: ?{PARA} ?)+", "\n\n", raw)
    return tidy("\n".join(ln.strip() for ln in raw.split("\n")).replace(SP, " "))


def fragment_text(fragment: str) -> str:
    """Readable text of an HTML fragment (a feed entry, a toot, a post body).

    Subscribe buttons and widgets that newsletter platforms put in the body go (``_chrome``).

    >>> fragment_text("<p>One &amp; two</p><p class='button-wrapper'><a>Sign up</a></p>")
    'One & two'
    """
    fragment = fragment.replace("\xad", "").replace("&shy;", "")  # soft hyphens: invisible
    if "<" not in fragment:
        return tidy(html.unescape(fragment))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(fragment, "lxml")
    try:
        return _text(soup)
    except RecursionError:
        return _fallback(fragment)


def _fallback(text: str) -> str:
    """Regex-only text for pages the tree builder cannot handle."""
    s = re.sub(r"<!--.*?(?:-->|\Z)", " ", text, flags=re.S)
    s = re.sub(
        r"<(script|style|noscript|template|svg|iframe)\b.*?(?:</\1\s*>|\Z)",
        " ",
        s,
        flags=re.S | re.I,
    )
    s = re.sub(r"</?(?:p|div|br|li|h[1-6]|tr|section|article)\b[^>]*>", "\n\n", s, flags=re.I)
    s = re.sub(r"<[^>]*>?", " ", s)
    s = html.unescape(s)
    return tidy("\n".join(re.sub(r"[ \t\xa0]+", " ", ln).strip() for ln in s.split("\n")))


def _parse_tree(text: str, source: str) -> Item:
    with warnings.catch_warnings():  # "looks like a file name / XML": we know it's a page
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(text, "lxml")
    og_title = _meta(soup, "og:title", "twitter:title")
    h1 = soup.find("h1")
    title = (
        (og_title[0] if og_title else "")
        or (one_line(soup.title.get_text()) if soup.title else "")
        or (one_line(h1.get_text()) if h1 else "")
    )
    url = next(iter(_meta(soup, "og:url")), None)
    canonical = soup.find("link", rel="canonical")
    if not url and canonical is not None and isinstance(canonical.get("href"), str):
        url = str(canonical["href"])
    authors = [a for a in _meta(soup, "author", "article:author", "dc.creator") if "://" not in a]
    tags: list[str] = _meta(soup, "article:tag")
    for kw in _meta(soup, "keywords", "news_keywords"):
        tags += [t.strip() for t in kw.split(",") if t.strip()]
    date = _date(soup, text)

    root = soup.find("article") or soup.find("main") or soup.select_one('[role="main"]')
    body = _text(root) if root is not None else ""
    if not body.strip():
        body = _text(soup.body or soup)
    return Item(
        id=stable_id(source),
        title=trim_title(title) or first_sentence_title(body),
        text=body,
        source=source,
        kind="article",
        date=date,
        url=url if url and url.startswith(("http://", "https://")) else None,
        author=authors[0] if authors else None,
        tags=list(dict.fromkeys(one_line(t) for t in tags)),
    )


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    text = text.replace(PARA, " ").replace(BR, " ").replace(SP, " ")
    try:
        item = _parse_tree(text, source)
    except RecursionError:
        warn(f"{source}: HTML nested too deeply for the parser; reading it as plain text")
        body = _fallback(text)
        m = re.search(r"<title[^>]*>(.*?)</title", text, re.S | re.I)
        title = trim_title(html.unescape(m.group(1))) if m else ""
        item = Item(
            id=stable_id(source),
            title=title or first_sentence_title(body),
            text=body,
            source=source,
        )
    return [item] if item.text.strip() else []
