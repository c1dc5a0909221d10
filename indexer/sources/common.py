"""Small text helpers shared by the capture parsers, and the bytes -> text step they all share.

``decode_capture`` turns a capture's bytes into text: UTF-8 (with or without a
byte-order mark), UTF-16 and UTF-32 with a byte-order mark (or UTF-16 without one,
recognised by its NUL pattern), else cp1252, else latin-1. It refuses, with a
``ParseError`` naming the file, a binary file and one whose byte-order mark is false
(ASCII behind a UTF-16 mark only "decodes" to CJK-looking mojibake). Lines of stray
control bytes in an otherwise textual file are blanked and their numbers returned,
so a line-oriented format keeps every good line and the file's line numbers.

>>> d = decode_capture(b'{"text": "a"}\\n\\x00\\x01\\n{"text": "b"}\\n', "x.jsonl")
>>> d.text.split("\\n"), d.bad_lines
(['{"text": "a"}', '', '{"text": "b"}', ''], [2])
>>> decode_capture("\\ufeffhé".encode("utf-16-le"), "x.txt").text
'hé'
>>> decode_capture(codecs.BOM_UTF16_LE + b"bad utf16ish\\n", "x.txt")
Traceback (most recent call last):
...
indexer.models.ParseError: x.txt: starts with a UTF-16 byte-order mark but the rest is plain ASCII (decoded it would be mojibake); remove the first 2 bytes or save the file as UTF-8

Every parser ends the same way: tidy the text into blank-line separated
paragraphs, cut an over-long title at a word boundary, and give each item an id
that is stable across runs even when two items on one page share a title.

>>> trim_title("word " * 40)[-6:]
' word…'
>>> tidy("  a  \\n\\n\\n\\nb\\n")
'a\\n\\nb'
>>> unique_keys(["A", "B", "A"])
['A', 'B', 'A#2']
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import ParseError

TITLE_LIMIT = 120
ABBREVIATIONS = {"vs", "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "prof", "st", "no", "cf", "al"}


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def trim_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """A readable title: one line, at most ``limit`` chars, cut at a word with "…"."""
    s = one_line(text)
    if len(s) <= limit:
        return s
    cut = s[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def first_sentence_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """Title from free text: its first line, or that line's first sentence if long."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) > limit:
        for m in re.finditer(r"[.!?](?=\s)", line[: limit + 1]):
            word = (
                line[: m.start()].rsplit(None, 1)[-1].lower().lstrip("([\"'") if m.start() else ""
            )
            if m.end() >= 15 and len(word) > 1 and word not in ABBREVIATIONS:
                return line[: m.end()]
    return trim_title(line, limit)


def tidy(text: str) -> str:
    """Strip line ends, keep at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [ln.rstrip() for ln in text.split("\n")]
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip("\n").strip()


def unique_keys(titles: Iterable[str]) -> list[str]:
    """Id keys for items of one capture: repeated titles get "#2", "#3", ..."""
    seen: dict[str, int] = {}
    keys = []
    for t in titles:
        n = seen.get(t, 0) + 1
        seen[t] = n
        keys.append(t if n == 1 else f"{t}#{n}")
    return keys


# ---------------------------------------------------------------- decoding

BOMS = [  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # not \t \n \f \r
MAX_BAD_SHARE = 0.2  # more of the text than this in bad lines: a binary file, not a damaged text


@dataclass
class Decoded:
    text: str  # newlines normalised to \n; bad lines blanked (the line count is kept)
    encoding: str
    bad_lines: list[int] = field(default_factory=list)  # 1-based numbers of blanked lines


def decode_capture(data: bytes, source: str) -> Decoded:
    """A capture's bytes as text (see module docstring); ParseError naming ``source`` if not."""
    text, encoding = _decode(data, source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    bad: list[int] = []
    bad_chars = 0
    for n, line in enumerate(lines):
        ctrl = len(_CONTROL.findall(line))
        if not ctrl:
            continue
        if "\x00" in line or ctrl > 0.1 * len(line):  # stray bytes, not a character or two
            bad.append(n + 1)
            bad_chars += len(line)
            lines[n] = ""
        else:
            lines[n] = _CONTROL.sub("", line)
    good = sum(1 for ln in lines if ln.strip())
    if bad and (bad_chars > MAX_BAD_SHARE * max(1, len(text)) or len(bad) > good):
        raise ParseError(f"{source}: binary file, not a text capture")
    return Decoded("\n".join(lines), encoding, bad)


def _decode(data: bytes, source: str) -> tuple[str, str]:
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if name != "UTF-8" and body and _ascii_share(body) >= 0.95:
                raise ParseError(
                    f"{source}: starts with a {name} byte-order mark but the rest is plain ASCII "
                    f"(decoded it would be mojibake); remove the first {len(bom)} bytes or save "
                    "the file as UTF-8"
                )
            try:
                return body.decode(codec), codec
            except UnicodeDecodeError as e:
                if name == "UTF-8":  # a UTF-8 mark before damaged UTF-8: keep what reads
                    return body.decode(codec, errors="replace"), codec
                raise ParseError(
                    f"{source}: starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {e.start + len(bom)}); save it again as UTF-8"
                ) from None
    bare = _bare_utf16(data)
    if bare:
        try:
            return data.decode(bare), bare
        except UnicodeDecodeError:
            pass
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"


def _ascii_share(body: bytes) -> float:
    """Share of printable ASCII and whitespace bytes: ~1 for ASCII, ~0.5 for UTF-16 Latin text."""
    head = body[:8192]
    return sum(1 for b in head if 32 <= b < 127 or b in (9, 10, 13)) / len(head)


def _bare_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: NUL in (nearly) every other byte, on one side only."""
    head = data[:8192]
    if len(head) < 8 or len(data) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    # the other side must read as Latin text (b"\x00\xff" * 500 is binary, not "ÿÿÿ")
    if nul_odd > 0.9 and nul_even < 0.1 and _ascii_share(even) >= 0.8:
        return "utf-16-le"
    if nul_even > 0.9 and nul_odd < 0.1 and _ascii_share(odd) >= 0.8:
        return "utf-16-be"
    return None
