"""Capture parsers: raw bytes of one capture file -> clean items.

Detection is by content first (a ``.txt`` file may hold a Medium export or a
transcript page), file name second. Each parser module exposes::

    sniff(text: str, source: str) -> bool   # does this look like my format?
    parse(text: str, source: str, warn: Warn) -> list[Item]

``warn(message)`` reports a recoverable problem (e.g. one broken JSONL line) while
the rest of the file is still indexed.

``parse_capture`` is the only entry point the rest of absorb uses. It never lets
an exception escape: anything unexpected becomes a ``ParseError`` that names the
file, so the indexer can report it and move on.

>>> items = parse_capture("notes/hello.md", b"# Hello\\n\\nWorld of text.", print)
>>> (items[0].title, items[0].kind, items[0].text)
('Hello', 'note', 'World of text.')
"""

from __future__ import annotations

from collections.abc import Callable

from ..models import Item, ParseError
from . import (
    absorb_feed,
    code,
    feed,
    gplus,
    html_page,
    jsonl,
    markdown,
    mastodon,
    medium_pandoc,
    notebook,
    pdf,
    project,
    substack,
    subtitles,
    transcript,
    twitter,
    wordpress,
)
from .common import decode_capture

# Order matters: specific formats before generic fallbacks.
Warn = Callable[[str], None]
Read = Callable[[str], "bytes | None"]  # a file near the capture, by relative path
PARSERS: list[tuple[str, Callable[[str, str], bool], Callable[[str, str, Warn], list[Item]]]] = [
    ("notebook", notebook.sniff, notebook.parse),
    ("twitter", twitter.sniff, twitter.parse),
    ("mastodon", mastodon.sniff, mastodon.parse),
    ("subtitles", subtitles.sniff, subtitles.parse),
    ("wordpress", wordpress.sniff, wordpress.parse),
    ("substack", substack.sniff, substack.parse),
    ("feed", feed.sniff, feed.parse),
    ("jsonl", jsonl.sniff, jsonl.parse),
    ("absorb-feed", absorb_feed.sniff, absorb_feed.parse),
    ("medium-pandoc", medium_pandoc.sniff, medium_pandoc.parse),
    ("gplus", gplus.sniff, gplus.parse),
    ("transcript", transcript.sniff, transcript.parse),
    ("html", html_page.sniff, html_page.parse),
    ("code", code.sniff, code.parse),
    ("project", project.sniff, project.parse),
    ("markdown", markdown.sniff, markdown.parse),  # also plain text: the fallback
]


def decode(data: bytes) -> str:
    """Bytes -> text (``common.decode_capture`` without its refusals; never fails).

    >>> decode("café".encode("cp1252"))
    'café'
    """
    try:
        return decode_capture(data, "").text
    except ParseError:
        return data.decode("latin-1")


def _lines(numbers: list[int], show: int = 10) -> str:
    """'line 3', 'lines 2, 5, 9', 'lines 1, 2, ... (+40 more)'."""
    head = ", ".join(map(str, numbers[:show]))
    more = f" (+{len(numbers) - show} more)" if len(numbers) > show else ""
    return f"line{'s' if len(numbers) > 1 else ''} {head}{more}"


def detect(text: str, source: str) -> str:
    """Name of the parser that will handle this capture."""
    for name, sniff, _ in PARSERS:
        if sniff(text, source):
            return name
    return "markdown"


def owner(source: str, read: Read) -> str | None:
    """Why ``source`` is read as part of another capture (a Substack body), else None."""
    return substack.owner(source, read)


def parse_capture(source: str, data: bytes, warn: Warn, read: Read | None = None) -> list[Item]:
    """Parse one capture's bytes into items; raises ParseError with the reason.

    Item ids are stable: the same capture gives the same ids on every run. ``read`` gives
    the files a multi-file format keeps beside its capture (a Substack export's posts).
    """
    return parse_capture_as(source, data, warn, read)[1]


def parse_capture_as(
    source: str, data: bytes, warn: Warn, read: Read | None = None
) -> tuple[str, list[Item]]:
    """``parse_capture``, and the name of the format it was read as (shown to the reader)."""
    if not data.strip():
        raise ParseError(f"{source}: empty file")
    if pdf.is_pdf(data):  # the one binary format: parsed from bytes
        return "pdf", _checked(source, "pdf", lambda: pdf.parse_pdf(data, source, warn))
    decoded = decode_capture(data, source)  # ParseError: binary, or a false byte-order mark
    if decoded.bad_lines:
        warn(f"{source}: {_lines(decoded.bad_lines)}: stray control bytes, not text; skipped")
    text = decoded.text
    name = detect(text, source)
    if name == "substack":
        return name, _checked(source, name, lambda: substack.parse(text, source, warn, read))
    parser = next(p for n, _, p in PARSERS if n == name)
    return name, _checked(source, name, lambda: parser(text, source, warn))


def _checked(source: str, name: str, run: Callable[[], list[Item]]) -> list[Item]:
    """Run a parser: its bugs become ParseErrors naming the file; empty results are errors."""
    try:
        items = run()
    except ParseError:
        raise
    except Exception as e:  # a parser bug must not stop the run: report it instead
        raise ParseError(f"{source}: could not parse as {name} ({type(e).__name__}: {e})") from e
    items = [it for it in items if it.text.strip()]
    if not items:
        raise ParseError(f"{source}: no readable text found (parsed as {name})")
    return items
