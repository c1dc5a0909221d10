"""Snippets: the window of a passage around its densest run of query terms, terms in bold.

A word is marked when its stem (the same stemmer BM25 uses) or its lower-cased
form is one of the query's tokens, so "networks" in a passage lights up for a
query about "network". The whole passage is stemmed in one call.

>>> make_snippet("Training deep networks is hard.", ["network"])
'Training deep **networks** is hard.'
"""

from __future__ import annotations

import re

import numpy as np

from .lexical import _stemmer, tokenize


def query_terms(query: str) -> list[str]:
    """Stemmed query tokens, for marking matches in a snippet."""
    return tokenize([query])[0]


_WORDS = re.compile(r"\w\w+")


def highlight_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Character spans of words in ``text`` whose stem is one of ``terms``."""
    if not terms:
        return []
    stem = _stemmer()
    want = set(terms)
    found = list(_WORDS.finditer(text))
    words = [m.group().lower() for m in found]
    stems = stem.stemWords(words) if stem else words  # one call for the whole passage
    return [m.span() for m, w, s in zip(found, words, stems, strict=True) if s in want or w in want]


def snippet_spans(
    text: str, terms: list[str], width: int = 320
) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around its densest run of query terms, on one line, and the
    character spans of the terms in it (``absorb search --json``: ``snippet``, ``highlights``).

    >>> snippet_spans("Backprop is\\nleaky.", ["leaki"])
    ('Backprop is leaky.', [(12, 17)])
    """
    spans = highlight_spans(text, terms)
    if len(text) <= width:
        start, end = 0, len(text)
    else:
        best = spans[0][0] if spans else 0
        if spans:  # start where the most matches fit in one window
            counts = [sum(1 for s in spans if a <= s[0] < a + width) for a, _ in spans]
            best = spans[int(np.argmax(counts))][0]
        start = max(0, best - width // 4)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + width)
        cut = text.rfind(" ", start, end)
        end = cut if end < len(text) and cut > start else end
    window = text[start:end].replace("\n", " ")  # same length: the spans stay valid
    lead = len(window) - len(window.lstrip())
    body = window.strip()
    head = "… " if start > 0 else ""
    shift = len(head) - start - lead
    out = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    out = [(a, b) for a, b in out if len(head) <= a and b <= len(head) + len(body)]
    return head + body + (" …" if end < len(text) else ""), out


def make_snippet(text: str, terms: list[str], width: int = 320) -> str:
    """``snippet_spans`` with the terms in **bold** (the app's and the terminal's form)."""
    plain, spans = snippet_spans(text, terms, width)
    return mark(plain, spans, "**", "**")


def mark(text: str, spans: list[tuple[int, int]], before: str, after: str) -> str:
    """``text`` with ``before``/``after`` around each span.

    >>> mark("a bc d", [(2, 4)], "[", "]")
    'a [bc] d'
    """
    out, pos = [], 0
    for a, b in spans:
        out += [text[pos:a], before, text[a:b], after]
        pos = b
    out.append(text[pos:])
    return "".join(out)
