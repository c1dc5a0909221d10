"""Salvage the entries of a JSON array that may be truncated or corrupt in places.

Archives (a Twitter ``tweets.js``, a Mastodon ``outbox.json``) are one big JSON array of
entries, and an interrupted download or a hand edit breaks ``json.loads`` for the whole
file. ``array_entries`` decodes the array entry by entry instead: a broken entry is
reported with its 1-based number and line, decoding resumes at the next place that
looks like the start of an entry (``resync``), and every good entry is kept.

>>> text = '[{"a": 1}, {"a": 2, oops}, {"a": 3}]'
>>> got = array_entries(text, text.index("["), "x.json", print, r'\\{"a"')
x.json: entry 2 (line 1) is not valid JSON (Expecting property name enclosed in double quotes); skipped
>>> [n for n, _ in got], [e["a"] for _, e in got]
([1, 3], [1, 3])
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[\s,]*")


def array_entries(
    text: str, start: int, source: str, warn: Callable[[str], None], resync: str
) -> list[tuple[int, Any]]:
    """(entry number, value) for each decodable entry of the array opening at ``start``."""
    out: list[tuple[int, Any]] = []
    pos = start + 1
    n = 0
    again = re.compile(resync)
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text) or text[pos] == "]":
            if pos >= len(text):
                warn(f"{source}: file ends before the list is closed (truncated?)")
            return out
        n += 1
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError) as e:
            reason = e.msg if isinstance(e, json.JSONDecodeError) else type(e).__name__
            line = text.count("\n", 0, pos) + 1
            m = again.search(text, pos + 1)
            tail = "skipped" if m else "skipped (and nothing readable after it)"
            warn(f"{source}: entry {n} (line {line}) is not valid JSON ({reason}); {tail}")
            if not m:
                return out
            pos = m.start()
            continue
        out.append((n, value))
