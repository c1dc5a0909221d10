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


def make_snippet(text: str, terms: list[str], width: int = 320) -> str:
    """A window of ``text`` around its densest run of query terms, terms in **bold**."""
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
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(text[pos:a])
        out.append(f"**{text[a:b]}**")
        pos = b
    out.append(text[pos:end])
    s = "".join(out).replace("\n", " ").strip()
    return ("… " if start > 0 else "") + s + (" …" if end < len(text) else "")
