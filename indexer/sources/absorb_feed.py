"""absorb feed pages: a chronological list of titled summaries.

The page is plain text made of blank-line separated blocks::

    absorb.md
    Andrej Karpathy
    Chronological feed of everything captured from Andrej Karpathy.
    <title>
    <summary paragraph>
    <title>
    <summary paragraph>
    ...

Each title/summary pair becomes one ``summary`` item. The page is newest-first and
carries no dates, so ``date`` stays ``None`` and ``position`` keeps the page order.
A block that is too long to be a title while a title is expected is taken as a
further paragraph of the previous summary, so a multi-paragraph summary does not
shift every later pair.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..models import Item, stable_id
from .common import one_line, tidy, trim_title, unique_keys

MARKER = "absorb.md"
DESCRIPTION = re.compile(r"^Chronological feed of everything captured from\s+(.+?)\.?\s*$")
MAX_TITLE = 300  # longer single blocks are summary text, not titles


def _blocks(text: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def sniff(text: str, source: str) -> bool:
    head = text.lstrip()[:2000]
    return head.startswith(MARKER) and "Chronological feed of everything captured" in head


def _looks_like_title(block: str) -> bool:
    return "\n" not in block and len(block) <= MAX_TITLE


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    blocks = _blocks(text)
    author: str | None = None
    if blocks and blocks[0] == MARKER:
        blocks = blocks[1:]
    # Header: optional site/author line, then the description line.
    for i, block in enumerate(blocks[:3]):
        m = DESCRIPTION.match(one_line(block))
        if m:
            author = one_line(blocks[i - 1]) if i > 0 else m.group(1)
            blocks = blocks[i + 1 :]
            break

    pairs: list[tuple[str, list[str]]] = []
    for block in blocks:
        if pairs and (not pairs[-1][1] or not _looks_like_title(block)):
            pairs[-1][1].append(block)
        else:
            pairs.append((block, []))

    items: list[Item] = []
    kept = [(t, body) for t, body in pairs if body]
    for title, _ in (p for p in pairs if not p[1]):
        warn(f"{source}: feed entry {trim_title(title, 60)!r} has no summary; skipped")
    titles = [trim_title(t) for t, _ in kept]
    for pos, ((full, body), title, key) in enumerate(
        zip(kept, titles, unique_keys(titles), strict=True)
    ):
        full = one_line(full)
        items.append(
            Item(
                id=stable_id(source, key),
                title=title,
                text=tidy("\n\n".join(body)),
                source=source,
                kind="summary",
                author=author,
                position=pos,
                extra={"full_title": full} if full != title else {},
            )
        )
    return items
