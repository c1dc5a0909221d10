"""Video transcript pages (a YouTube statistics/captions site saved as text).

The capture looks like::

    Season 1 Ep.1 Andrej Karpathy on the visionary AI in Tesla's autonomous driving
    Video Statistics and Information
    Video / Captions Word Cloud / Reddit Comments      page tabs
    Captions
    [Music] today here with me is ...                  the transcript (one long line)
    Info
    Channel: The Robot Brains Podcast
    Views: 20,077
    Keywords: The Robot Brains Podcast, Podcast, AI, ...
    Id: PlLmdTcsAWU
    Length: 80min 19sec (4819 seconds)
    Published: Tue Sep 21 2021
    Related Videos / Note / Please note that this website ...

The transcript is the text between the "Captions" and "Info" lines; the "Key:
value" lines after "Info" give the metadata (channel, keywords as tags, the video
id as a YouTube url, the length in seconds, the publication date). Sound tags
such as "[Music]" are dropped; the words are kept as captioned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..models import Item, stable_id
from .common import one_line, tidy, trim_title
from .dates import parse_date

CHROME = {"video statistics and information", "video", "captions word cloud", "reddit comments"}
FIELD = re.compile(r"^([A-Z][A-Za-z ]{1,20}):\s*(.*)$")
SOUND_TAG = re.compile(r"\[(?:music|applause|laughter|laughs|silence|inaudible|noise)\]", re.I)


def sniff(text: str, source: str) -> bool:
    head = text[:300]
    if "Video Statistics and Information" in head:
        return True
    return bool(
        re.search(r"^Captions\s*$", text, re.M)
        and re.search(r"^Channel: ", text, re.M)
        and re.search(r"^(Published|Length): ", text, re.M)
    )


def _seconds(length: str) -> int | None:
    m = re.search(r"\((\d+) seconds?\)", length)
    if m:
        return int(m.group(1))
    parts = dict((u[0].lower(), int(n)) for n, u in re.findall(r"(\d+)\s*(h|min|m|s)", length))
    if not parts:
        return None
    return parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    lines = [ln.strip() for ln in text.split("\n")]
    title = next((ln for ln in lines if ln), "")
    start = next((i + 1 for i, ln in enumerate(lines) if ln == "Captions"), None)
    info = next(
        (i for i, ln in enumerate(lines) if ln == "Info" and (start is None or i >= start)),
        len(lines),
    )
    if start is None:  # no tab header: the transcript is the longest line
        warn(f"{source}: no 'Captions' marker; using the longest line as the transcript")
        longest = max(range(len(lines)), key=lambda i: len(lines[i]), default=0)
        start, info = longest, min(longest + 1, len(lines))
    body_lines = [ln for ln in lines[start:info] if ln.lower() not in CHROME]
    body = tidy("\n".join(body_lines))
    body = "\n".join(
        re.sub(r"[ \t]{2,}", " ", SOUND_TAG.sub("", ln)).strip() for ln in body.split("\n")
    )
    body = tidy(body)
    if not body.strip():
        return []

    fields: dict[str, str] = {}
    for ln in lines[info + 1 :]:
        m = FIELD.match(ln)
        if m and m.group(2) and m.group(2) != "undefined":
            fields.setdefault(m.group(1).strip().lower(), m.group(2).strip())
    extra: dict[str, Any] = {}
    channel = fields.get("channel")
    if channel:
        extra["channel"] = channel
    seconds = _seconds(fields.get("length", ""))
    if seconds is not None:
        extra["duration_s"] = seconds
    views = re.sub(r"[,\s]", "", fields.get("views", ""))
    if views.isdigit():
        extra["views"] = int(views)
    video_id = fields.get("id")
    url = None
    if video_id and re.fullmatch(r"[\w-]{6,20}", video_id):
        url = f"https://www.youtube.com/watch?v={video_id}"
        extra["video_id"] = video_id
    date = parse_date(fields["published"]) if "published" in fields else None
    if "published" in fields and date is None:
        warn(f"{source}: unreadable date {fields['published'][:40]!r}")
    tags = [one_line(t) for t in fields.get("keywords", "").split(",") if t.strip()]
    return [
        Item(
            id=stable_id(source),
            title=trim_title(title),
            text=body,
            source=source,
            kind="transcript",
            date=date,
            url=url,
            author=channel,
            tags=list(dict.fromkeys(tags)),
            extra=extra,
        )
    ]
