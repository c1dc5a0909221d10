"""Items -> passages: overlapping windows of text that fit the embedding model.

Long items (a 76 KB transcript, a long blog post) are split on paragraph
boundaries, overlong paragraphs on sentence boundaries, and packed into windows
of at most ``max_words`` words. Each window starts with the last sentence of
the previous one, so an answer that straddles a boundary is still whole in
one passage. Short items are a single passage.

Every passage is embedded with its item's title in front (``embed_text``): a
passage deep inside a transcript rarely repeats what the whole piece is about.

>>> from indexer.models import Item
>>> it = Item(id="a", title="T", text="One. Two.\\n\\nThree.", source="s")
>>> [p.text for p in split_item(it, max_words=100)]
['One. Two.\\n\\nThree.']
>>> [p.text for p in split_item(it, max_words=2)]
['One. Two.', 'Two.\\n\\nThree.']

A paragraph keeps its indentation, so an indented line of code is still code when a
search result shows the passage (``textview``):

>>> split_text("Use this:\\n\\n    x == 'y'\\n\\nDone.", 100)
[(0, "Use this:\\n\\n    x == 'y'\\n\\nDone.")]
"""

from __future__ import annotations

import re

from .models import Item, Passage

VERSION = 2  # of the splitting; 2: paragraphs keep their indentation (was: stripped)
_SENT = re.compile(r"(?<=[.!?…])\s+(?=[\"'(\[A-Z0-9])|(?<=[.!?])\s+(?=[a-z])")
_WORD = re.compile(r"\S+")


def _words(s: str) -> int:
    return len(_WORD.findall(s))


def _sentences(paragraph: str, max_words: int) -> list[str]:
    """Sentences of a paragraph; runs with no punctuation are cut every max_words words."""
    out: list[str] = []
    for s in _SENT.split(paragraph):
        s = s.strip()
        if not s:
            continue
        words = s.split()
        if len(words) <= max_words:
            out.append(s)
        else:  # transcripts have no punctuation at all: cut into thirds of a window
            step = max(1, max_words // 3)
            out.extend(" ".join(words[i : i + step]) for i in range(0, len(words), step))
    return out


def split_text(text: str, max_words: int) -> list[tuple[int, str]]:
    """(char offset, passage) windows over ``text``; see the module docstring."""
    units: list[tuple[int, str, bool]] = []  # (offset, text, starts a paragraph)
    pos = 0
    for para in re.split(r"\n\s*\n", text):
        start = text.find(para, pos)
        pos = start + len(para)
        para = para.rstrip().lstrip("\n")
        if not para:
            continue
        if _words(para) <= max_words:
            units.append((start, para, True))
        else:
            sub = 0
            for i, s in enumerate(_sentences(para, max_words)):
                at = text.find(s[:20], start + sub)
                sub = max(sub, (at - start) if at >= 0 else sub)
                units.append((start + sub, s, i == 0))
    windows: list[tuple[int, str]] = []
    cur: list[tuple[int, str, bool]] = []
    count = 0
    for u in units:
        n = _words(u[1])
        if cur and count + n > max_words:
            windows.append(_join(cur))
            last = cur[-1]
            tail = (_sentences(last[1] or "", max_words) or [""])[-1]
            whole = len(cur) == 1 and tail == last[1]  # carrying it would repeat the window
            if tail and not whole and _words(tail) + n <= max_words:
                cur, count = [(last[0], tail, False)], _words(tail)
            else:
                cur, count = [], 0
        cur.append(u)
        count += n
    if cur:
        windows.append(_join(cur))
    return windows


def _join(units: list[tuple[int, str, bool]]) -> tuple[int, str]:
    parts: list[str] = []
    for _, s, new_para in units:
        if s is None:
            continue
        if parts:
            parts.append("\n\n" if new_para else " ")
        parts.append(s)
    return units[0][0], "".join(parts)


def split_item(item: Item, max_words: int) -> list[Passage]:
    """The passages of one item (at least one, even for an empty body)."""
    chunks = split_text(item.text, max_words) or [(0, item.text.strip() or item.title)]
    return [Passage(item.id, i, t, start) for i, (start, t) in enumerate(chunks)]


def embed_text(item: Item, passage: Passage) -> str:
    """What the model sees for a passage: the item's title, then the passage."""
    title = item.title.strip()
    if not title or passage.text.startswith(title):
        return passage.text
    return f"{title}\n\n{passage.text}"
