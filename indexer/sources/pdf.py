"""PDF papers: the text of the paper as prose, with its title, authors and date.

Read with pypdf (pure Python, no dependencies, 4.3 MB installed). Measured on the
sample paper (8 pages, CVPR 2014): pypdf extracts the text in 0.9 s, pdfminer.six in
2.4 s (and would add 9.6 MB plus the ``cryptography`` wheel); both give the same lines
(38,076 vs 38,227 chars), pdfminer's only gain being blank lines between paragraphs,
which the repair below rebuilds.

What a PDF's text layer gives is lines, not paragraphs, so:

* running headers and footers go: a line in the first or last two lines of a page
  that recurs (digits ignored) on at least half the pages, and bare page numbers
  ("3", "Page 3", "3 of 8");
* ligatures (ﬁ, ﬂ) become letters; a word hyphenated across a line break is joined
  ("es-" + "tablished" -> "established") unless the hyphenated form occurs elsewhere
  in the paper ("spatio-temporal" stays);
* lines are joined into paragraphs, which end at a short line that ends a sentence,
  and headings ("Abstract", "1. Introduction") stand alone.

Title: the document's ``/Title`` metadata unless empty or a file name, else the first
line of the first page. Date: an arXiv stamp on the first page ("arXiv:1406.2199v1
[cs.CV] 8 Jun 2014") first, as it is the publication date, else the ``/CreationDate``.
Authors come from ``/Author``. A page whose text cannot be extracted is reported by
number; an encrypted or image-only PDF is a ``ParseError`` saying so.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from ..models import Item, ParseError, stable_id
from .common import one_line, tidy, trim_title
from .dates import parse_date

LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
PAGE_NO = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$", re.I
)
HEADING = re.compile(
    r"^(?:abstract|introduction|references|acknowledge?ments?|conclusions?|appendix"
    r"|(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.|[IVX]{1,5}\.)\s+[A-Z][^.]{0,80})$",
    re.I,
)
ARXIV = re.compile(
    r"arXiv:(\d{4}\.\d{4,5}|[a-z-]+/\d{7})(v\d+)?\s*\[[^\]]*\]\s*(\d{1,2} \w{3} \d{4})"
)
BAD_TITLES = re.compile(r"^(untitled|microsoft word|document\d*)\b|\.(docx?|pdf|tex|dvi)$", re.I)


def is_pdf(data: bytes) -> bool:
    """A PDF starts with its header (a note that mentions "%PDF-" later is text)."""
    return data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"%PDF-")


def _pdf_date(value: Any) -> dt.date | None:
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(value or ""))
    return parse_date(f"{m[1]}-{m[2]}-{m[3]}") if m else None


def _strip_running(pages: list[list[str]]) -> list[list[str]]:
    """Pages without recurring header/footer lines and page numbers."""

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", one_line(line).lower())

    edges: Counter[str] = Counter()
    for lines in pages:
        edges.update({key(ln) for ln in lines[:2] + lines[-2:] if ln.strip()})
    running = {k for k, n in edges.items() if len(pages) >= 3 and n >= len(pages) / 2}
    out = []
    for lines in pages:
        keep = list(lines)
        for idx in (0, 1, -1, -2):  # only the edges of a page hold running lines
            if -len(keep) <= idx < len(keep):
                ln = keep[idx].strip()
                if ln and (PAGE_NO.match(ln) or key(ln) in running):
                    keep[idx] = ""
        out.append(keep)
    return out


def _paragraphs(lines: list[str]) -> str:
    """Lines of the whole paper -> paragraphs, hyphenation repaired."""
    lines = [one_line(ln) for ln in lines]
    body = "\n".join(lines)
    hyphenated = set(re.findall(r"\b([a-z]{2,})-([a-z]{2,})\b", body))
    widths = sorted(len(ln) for ln in lines if len(ln) > 20)
    full = widths[len(widths) // 2] if widths else 60
    paras: list[str] = []
    cur = ""
    for ln in lines:
        if not ln:
            continue
        if HEADING.match(ln) and len(ln) < full:
            if cur:
                paras.append(cur)
            paras.append(ln)
            cur = ""
            continue
        if re.search(r"\w-$", cur):
            head = re.search(r"([a-z]+)-$", cur)
            tail = re.match(r"[a-z]+", ln)
            if head and tail and (head[1], tail[0]) not in hyphenated:
                cur = cur[:-1] + ln  # "es-" + "tablished"
            else:
                cur += ln  # a real compound ("spatio-temporal", "UCF-101"): keep the hyphen
        else:
            cur = f"{cur} {ln}" if cur else ln
        if len(ln) < 0.8 * full and re.search(r"[.!?:]\)?$", ln):
            paras.append(cur)
            cur = ""
    if cur:
        paras.append(cur)
    return tidy("\n\n".join(paras))


def parse_pdf(data: bytes, source: str, warn: Callable[[str], None]) -> list[Item]:
    from pypdf import PdfReader  # imported here: only PDF captures pay for it
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError(f"{source}: encrypted PDF; save an unencrypted copy to index it")
        n_pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise ParseError(f"{source}: unreadable PDF ({e}); is the file complete?") from None
    pages: list[list[str]] = []
    for n in range(n_pages):
        try:
            text = reader.pages[n].extract_text() or ""
        except Exception as e:  # one broken page (bad font, bad stream) must not lose the rest
            warn(
                f"{source}: page {n + 1}: text could not be extracted ({type(e).__name__}); skipped"
            )
            text = ""
        for lig, plain in LIGATURES.items():
            text = text.replace(lig, plain)
        pages.append(text.split("\n"))
    if not any(ln.strip() for p in pages for ln in p):
        raise ParseError(f"{source}: no text layer in this PDF (scanned images?); OCR it first")
    pages = _strip_running(pages)
    body = _paragraphs([ln for p in pages for ln in p])
    try:
        meta: Any = reader.metadata or {}
    except Exception:  # a damaged info dictionary: the text is still good
        meta = {}
    title = one_line(str(meta.get("/Title") or ""))
    first = next((one_line(ln) for ln in pages[0] if ln.strip()), "") if pages else ""
    if not title or BAD_TITLES.search(title):
        title = first or PurePosixPath(source).stem
    if title and body.startswith(title):  # the title printed on page 1 is not body text
        body = body[len(title) :].lstrip()
    head = " ".join(" ".join(p) for p in pages[:1])
    arxiv = ARXIV.search(head)
    date = parse_date(arxiv[3]) if arxiv else None
    date = date or _pdf_date(meta.get("/CreationDate")) or _pdf_date(meta.get("/ModDate"))
    if date is None:
        warn(f"{source}: no date in the PDF's metadata or an arXiv stamp; left undated")
    extra: dict[str, Any] = {"pages": n_pages}
    subject = one_line(str(meta.get("/Subject") or ""))
    if subject:
        extra["venue"] = subject
    author = one_line(str(meta.get("/Author") or "")) or None
    return [
        Item(
            id=stable_id(source),
            title=trim_title(title),
            text=body,
            source=source,
            kind="paper",
            date=date,
            url=f"https://arxiv.org/abs/{arxiv[1]}" if arxiv else None,
            author=author,
            extra=extra,
        )
    ]
