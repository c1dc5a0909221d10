"""Subtitle files (SubRip ``.srt``, WebVTT ``.vtt``): a talk's words as paragraphs, with times.

Both formats are blocks separated by blank lines, each a cue::

    12                                  SRT: cue number (VTT: optional identifier)
    00:01:02,500 --> 00:01:05,000       VTT writes 01:02.500 (hours optional) and may add
    the words spoken in that span       cue settings ("align:start") and <c>/<b> tags

Cue numbers, timings, tags and settings never reach the text. Auto-generated captions
(YouTube) roll: each cue repeats the previous cue's last line and adds one, so a cue's
words that merely repeat the end of the text so far are dropped. A new paragraph starts
where the speaker pauses for ``PAUSE_S`` seconds or more, so passages follow the talk's
own breaks. ``extra["cue_times"]`` maps text to time as ``[[char_offset, start_s], ...]``
(one pair per cue that added words), which lets a search hit say where in the talk it is
(``time_at``). A block whose timing line cannot be read is reported with its line number
and skipped; the other cues are kept.

There is no title or date inside a subtitle file: the title is the file name.

>>> items = parse("1\\n00:00:01,000 --> 00:00:02,000\\nHello\\n\\n2\\n00:00:09,000 --> "
...               "00:00:10,500\\nthere.\\n", "talk.srt", print)
>>> items[0].text, items[0].extra["cue_times"]
('Hello\\n\\nthere.', [[0, 1.0], [7, 9.0]])
>>> time_at(items[0].extra["cue_times"], 8)
9.0
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from ..models import Item, stable_id
from .common import one_line, tidy, trim_title

PAUSE_S = 2.0  # a silence this long starts a new paragraph
TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
TIMING = re.compile(rf"^\s*{TIME}\s*-->\s*{TIME}")
TAG = re.compile(r"</?[a-z][^<>]*>|<\d[\d:.]*>|\{\\[^{}]*\}", re.I)  # <c.x>, <00:01.000>, {\an8}
SOUND = re.compile(r"^\[(?:music|applause|laughter|laughs|silence|inaudible|noise)\]$", re.I)


def sniff(text: str, source: str) -> bool:
    if source.lower().endswith((".srt", ".vtt")):
        return True
    head = text.lstrip("\ufeff \n")[:500]
    if head.startswith("WEBVTT"):
        return True
    lines = head.split("\n", 3)
    return len(lines) > 2 and lines[0].strip().isdigit() and bool(TIMING.match(lines[1]))


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")[:3]) / 1000


def _cues(text: str, source: str, warn: Callable[[str], None]) -> list[tuple[float, float, str]]:
    cues: list[tuple[float, float, str]] = []
    line_no = 1
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.split("\n")
        first_line = line_no + next((i for i, ln in enumerate(lines) if ln.strip()), 0)
        line_no += len(lines) + 1
        lines = [ln for ln in lines if ln.strip()]
        if not lines:
            continue
        head = lines[0].lstrip("\ufeff")
        if head.startswith(("WEBVTT", "NOTE", "STYLE", "REGION", "Kind:", "Language:")):
            continue
        at = next((i for i, ln in enumerate(lines[:3]) if "-->" in ln), None)
        m = TIMING.match(lines[at]) if at is not None else None
        if m is None or at is None:
            warn(f"{source}: line {first_line}: cue without a readable timing; skipped")
            continue
        start, end = _seconds(*m.groups()[:4]), _seconds(*m.groups()[4:])
        words = " ".join(html.unescape(TAG.sub("", ln)).strip() for ln in lines[at + 1 :])
        words = one_line(words)
        if words and not SOUND.match(words):
            cues.append((start, end, words))
    return cues


def _new_words(tail: list[str], words: list[str]) -> list[str]:
    """``words`` minus a prefix that repeats the end of ``tail`` (rolling captions).

    One or two repeated words are common in speech ("the / the model"), so only an
    overlap of three words or a whole repeated cue counts as rolling.
    """
    for k in range(min(len(tail), len(words)), 0, -1):
        if (k >= 3 or k == len(words)) and tail[-k:] == words[:k]:
            return words[k:]
    return words


def time_at(cue_times: list[list[float]], offset: int) -> float | None:
    """Start time (s) of the cue that holds character ``offset`` of the text."""
    if not cue_times:
        return None
    i = bisect.bisect_right([c[0] for c in cue_times], offset) - 1
    return float(cue_times[max(i, 0)][1])


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    cues = _cues(text, source, warn)
    out = ""
    tail: list[str] = []
    cue_times: list[list[float]] = []
    last_end: float | None = None
    for start, end, words in cues:
        new = _new_words(tail[-40:], words.split())
        if not new:
            last_end = max(last_end or end, end)
            continue
        sep = (
            ""
            if not out
            else "\n\n"
            if last_end is not None and start - last_end >= PAUSE_S
            else " "
        )
        out += sep
        cue_times.append([len(out), round(start, 3)])
        out += " ".join(new)
        tail.extend(new)
        last_end = end
    body = tidy(out)
    if not body:
        return []
    stem = PurePosixPath(source).stem
    extra: dict[str, Any] = {"cue_times": cue_times, "duration_s": round(cues[-1][1])}
    return [
        Item(
            id=stable_id(source),
            title=trim_title(one_line(re.sub(r"[_]+", " ", stem))),
            text=body,
            source=source,
            kind="transcript",
            extra=extra,
        )
    ]
