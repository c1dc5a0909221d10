"""Small text helpers shared by the capture parsers.

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

import re
from collections.abc import Iterable

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
