"""One date parser shared by every capture format.

Captures state dates in many shapes: ISO dates ("2016-12-19"), Jekyll front matter
datetimes ("2014-07-01 20:00:00"), Medium bylines ("Dec 19, 2016"), video pages
("Tue Sep 21 2021"), HTML meta tags (ISO datetimes with a timezone) and e-mail style
headers ("Tue, 21 Sep 2021 10:00:00 GMT"). All of them become a ``datetime.date``
or ``None``: a date is only ever read from the capture, never guessed, so anything
not recognised gives ``None``.

The calendar date is taken as written: "2021-09-21T23:30:00-07:00" is the 21st,
which is the day the author saw, not the UTC day.

>>> parse_date("Dec 19, 2016"), parse_date("Tue Sep 21 2021")
(datetime.date(2016, 12, 19), datetime.date(2021, 9, 21))
>>> parse_date("2014-07-01 20:00:00"), parse_date("someday") is None
(datetime.date(2014, 7, 1), True)
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_tz

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[T\s_]|[+-]\d|Z)")
_SLASHED = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b", re.IGNORECASE)
_TIME_TAIL = re.compile(r"\s+(at\s+)?\d{1,2}:\d{2}.*$", re.IGNORECASE)
_FORMATS = (
    "%b %d %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y %b %d",
    "%Y %B %d",
)


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: object) -> dt.date | None:
    """A ``datetime.date`` from a date-like value, or ``None`` when unsure."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s or len(s) > 80:
        return None
    m = _ISO.match(s)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]))
    m = _SLASHED.match(s)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if re.fullmatch(r"\d{8}", s):  # 20161219
        return _make(int(s[:4]), int(s[4:6]), int(s[6:]))
    if "," in s and ":" in s:  # RFC 2822: "Tue, 21 Sep 2021 10:00:00 GMT"
        parts = parsedate_tz(s)
        if parts and parts[0] > 0:
            return _make(parts[0], parts[1], parts[2])
    return _parse_words(s)


def _parse_words(s: str) -> dt.date | None:
    """Month-name forms: "Dec 19, 2016", "19 December 2016", "Tue Sep 21 2021"."""
    s = _WEEKDAY.sub("", s)
    s = _TIME_TAIL.sub("", s)
    s = _ORDINAL.sub(r"\1", s)
    s = re.sub(r"\bSept\b", "Sep", s, flags=re.IGNORECASE)
    s = re.sub(r"[,.]", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None
