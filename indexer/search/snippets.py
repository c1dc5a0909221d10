"""Snippets: the window of a passage around its densest run of query terms, and what to mark.

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

MARK_MAX_DF = 0.05  # a word in more than 1 passage in 20 is too common here to be worth marking


def marked_terms(retriever, terms: list[str], max_df: float = MARK_MAX_DF) -> list[str]:
    """The query tokens worth marking in a result: known to the corpus and rare in it.

    Stop words are gone already (``tokenize``); this also drops the corpus's own common
    words by document frequency in the BM25 index. Measured on our corpora (share of
    passages holding the stem): in karpathy-blog "say" 9.5%, "understand" 9.2%, "time"
    26.5%, "data" 20.3% are dropped while "backprop" 3.1% and "fat" 2.1% stay marked; in
    simonw-til "github" 22.6% and "run" 44.1% are dropped, "workflow" 4.3% and "schedul"
    0.9% stay. When every word is that common, the rarest one is still marked.
    """
    sc = getattr(retriever, "scores", None)
    vocab = getattr(retriever, "vocab_dict", None)
    if not terms or not isinstance(sc, dict) or "indptr" not in sc or vocab is None:
        return list(terms)
    indptr, n = sc["indptr"], max(1, int(sc.get("num_docs", 1)))
    df: dict[str, int] = {}
    for t in dict.fromkeys(terms):
        i = vocab.get(t)
        if i is not None and i + 1 < len(indptr):
            df[t] = int(indptr[i + 1] - indptr[i])
    out = [t for t, d in df.items() if d <= max_df * n]
    if not out and df:  # every word is common here: the rarest is still what it is about
        out = [min(df, key=lambda t: df[t])]
    return out


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
