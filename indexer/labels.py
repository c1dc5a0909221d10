"""Topic labels: 2-4 terms that set a topic's items apart from the rest of the corpus.

Class-based TF-IDF (each topic's items as one document) over titles and prose, unigrams
and bigrams; stop words, capture boilerplate, code-looking lines, links and the author's
own name are left out; a term must be used by two of the topic's items unless the topic
is too small and mixed to have two such terms. Terms come back in their usual casing.

    "character-level language · Recurrent Neural · text generation · modeling"
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from typing import Any

import numpy as np

from .models import Item

Arr = np.ndarray

_BOILERPLATE = """post posts blog http https com www org html htm png jpg jpeg gif svg webp pdf
img src href amp nbsp url link links read also like just really thing things way use using used
new lot bit pretty quite able need want know get got make made def self return import const var
let true false null none tmp et al"""
BOILERPLATE = frozenset(_BOILERPLATE.split())
_TOKEN = r"(?u)\b[^\W\d_][\w-]*[^\W_]\b"  # 2+ characters starting with a letter: no numbers
_LINKS = re.compile(r"\]\([^)]*\)|https?://\S+|www\.\S+")  # link targets, URLs
_TLD = re.compile(r"\.(?:com|net|org|io|dev)\b")
_DOMAINS = re.compile(r"\b[\w.-]+\.(?:com|net|org|io|dev)\b")  # slow: only where _TLD is
_CODEISH = re.compile(r"[{}\[\]()<>=_/\\|$#*`@%^&~+\";]")  # > 5% of a line: code, not prose
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
_HANDLE = re.compile(  # a user name in a profile or repository link
    r"(?:github\.com|gist\.github\.com|twitter\.com|x\.com|medium\.com|huggingface\.co"
    r"|mastodon\.social|bsky\.app/profile|linkedin\.com/in)/@?([A-Za-z][\w-]{2,})"
    r"|//([A-Za-z][\w-]{2,})\.(?:github\.io|medium\.com|substack\.com)"
)
_NOT_HANDLES = frozenset(
    [
        "orgs",
        "users",
        "search",
        "topics",
        "settings",
        "marketplace",
        "apps",
        "features",
        "home",
        "i",
    ]
)
_DOMAIN = re.compile(r"//(?:www\.|til\.|blog\.|static\.)?([a-z][a-z0-9]{4,})\.[a-z]{2,6}\b")
AUTHOR_SAMPLE = 5000  # items read to find the author's name and handle (evenly spaced)
_STEM = re.compile(r"(?<=...)s$|\d+$")  # "tests" ~ "test", "sqlite3" ~ "sqlite"


def topic_labels(
    items: list[Item], topic_ids: Arr, k: int, avoid: list[set[str]] | None = None
) -> list[str]:
    """2-4 distinctive terms per topic by class-based TF-IDF, joined with ' · '.

    ``avoid[t]``: lower-case words that topic t's label should rather not repeat (a
    sub-topic's parent's terms); a term using one scores a third.

    Sparse throughout: at 100k items a dense topics x vocabulary matrix would take gigabytes.
    """
    from scipy.sparse import csr_matrix

    texts, x, terms, bigram = _counted(items)
    if x is None:  # nothing but stop words
        return [f"topic {t + 1}" for t in range(k)]
    sel = np.flatnonzero(topic_ids >= 0)
    m = csr_matrix((np.ones(len(sel), np.float32), (topic_ids[sel], sel)), shape=(k, len(items)))
    tf = (m @ x).tocsr()
    seen = x.copy()
    seen.data[:] = 1.0
    docs = (m @ seen).tocsr()  # same sparsity as tf: the items of the topic that use the term
    tf.sort_indices()
    docs.sort_indices()
    total = np.asarray(tf.sum(axis=0)).ravel()
    idf = np.log1p(total.sum() / max(k, 1) / np.maximum(total, 1e-12))
    labels: list[str] = []
    by_topic = np.argsort(topic_ids, kind="stable")  # members of each topic, in item order
    bounds = np.searchsorted(topic_ids[by_topic], np.arange(k + 1))
    for t in range(k):
        lo, hi = tf.indptr[t], tf.indptr[t + 1]
        cols, counts, used = tf.indices[lo:hi], tf.data[lo:hi], docs.data[lo:hi]
        score = counts / max(float(counts.sum()), 1e-12) * idf[cols]
        score = np.where(bigram[cols], 1.5 * score, score)  # a bigram says more than a word
        if avoid and avoid[t]:
            rep = np.fromiter(
                (bool(avoid[t] & set(terms[c].split())) for c in cols), bool, len(cols)
            )
            score = np.where(rep, score / 3, score)
        shared = used >= min(2.0, float(used.max(initial=0.0)))  # not just one item's word
        chosen = _pick(terms, cols, np.where(shared, score, 0.0), [])
        if len(chosen) < 2:  # a small, mixed topic: let one item's words fill the label
            chosen = _pick(terms, cols, score, chosen, limit=2)
        inside = by_topic[bounds[t] : bounds[t + 1]]
        # casing is a vote: 200 members (evenly spaced) tell it (all of them: 9 s at 100k)
        members = [texts[i] for i in inside[:: max(1, len(inside) // 200)].tolist()]
        labels.append(" · ".join(_cased(chosen, members)) or f"topic {t + 1}")
    return labels


_LAST: list = []  # (items, result) of the last _counted call: one map asks 3 times
PRUNE_FROM = 20_000  # from here on, terms only one item uses are dropped (see _count)


def _counted(items: list[Item]) -> tuple[list[str], Any, Arr, Arr]:
    """(prose per item, log-scaled term counts, terms, which terms are bigrams) for
    ``items``; the counts are None when only stop words are left. The map labels every
    level over the same items, so the last result is kept (at 100k items each count took
    ~15 s)."""
    if _LAST and _LAST[0] is items and _LAST[1] == len(items):
        return _LAST[2]
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    budget = int(min(5000, max(300, 2e7 / len(items))))  # characters of prose per item
    # prose is cut to the budget: 4x its length of raw text is enough to find it (the link
    # and code filters over whole texts took 8 of the 27 s of labelling 100k items)
    texts = [_prose(f"{it.title}\n{it.text[: 4 * budget]}")[:budget] for it in items]
    stop = ENGLISH_STOP_WORDS | BOILERPLATE | _author_words(items, texts)
    x, terms = _count(texts, stop, min_items=2 if len(items) >= PRUNE_FROM else 1)
    if x is None:
        out: tuple[list[str], Any, Arr, Arr] = (texts, None, terms, np.zeros(0, bool))
    else:
        x.data = np.log1p(x.data)  # one item repeating a word must not own its topic
        out = (texts, x, terms, np.char.find(terms.astype(str), " ") >= 0)
    _LAST[:] = [items, len(items), out]
    return out


def _count(texts: list[str], stop: frozenset[str], min_items: int = 1) -> tuple[Any, Arr]:
    """(items x terms counts, terms in sorted order) of words and word pairs, stop words
    left out: what scikit-learn's ``CountVectorizer(ngram_range=(1, 2), stop_words=...,
    token_pattern=_TOKEN)`` gives (a test compares them), without its cost at scale: on
    100k items of random words (3.5M distinct terms) it took 32 s, 12 of them sorting
    terms that only one item uses. Terms used by fewer than ``min_items`` items are dropped
    before sorting (they can label nothing in a large corpus).

    >>> x, terms = _count(["Deep nets, deep learning", "the nets"], frozenset({"the"}))
    >>> terms.tolist()
    ['deep', 'deep learning', 'deep nets', 'learning', 'nets', 'nets deep']
    >>> x.toarray().astype(int).tolist()
    [[2, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 0]]
    """
    from scipy.sparse import csr_matrix

    token = re.compile(_TOKEN)
    vocab: dict[str, int] = {}
    ids: list[int] = []
    ends = [0]
    for text in texts:
        words = [w for w in token.findall(text.lower()) if w not in stop]
        ids.extend(vocab.setdefault(w, len(vocab)) for w in words)
        ids.extend(vocab.setdefault(f"{a} {b}", len(vocab)) for a, b in pairwise(words))
        ends.append(len(ids))
    if not vocab:
        return None, np.zeros(0, object)
    cols = np.asarray(ids, np.int64)
    x = csr_matrix((np.ones(len(cols), np.float32), cols, np.asarray(ends, np.int64)),
                   shape=(len(texts), len(vocab)))  # fmt: skip
    x.sum_duplicates()
    keep = np.arange(len(vocab))
    if min_items > 1:
        keep = np.flatnonzero(np.bincount(x.indices, minlength=len(vocab)) >= min_items)
    names = np.array(list(vocab), dtype=object)[keep]
    order = np.argsort(names.astype(str), kind="stable")
    return x[:, keep[order]].tocsr(), names[order]


def forget() -> None:
    """Drop the kept counts (``_counted``) once the map is labelled."""
    _LAST.clear()


def _pick(terms: Arr, cols: Arr, score: Arr, chosen: list[str], limit: int = 4) -> list[str]:
    """The best terms by ``score``; after two, only those at least half as good as the best.
    Terms already ``chosen`` stay as they are (a filler never replaces a shared term)."""
    order = np.argsort(-score, kind="stable")[:40]
    floor = 0.5 * float(score[order[0]]) if len(order) else 0.0
    fixed = list(chosen)
    for j in order:
        if len(chosen) >= limit or score[j] <= 0 or (len(chosen) >= 2 and score[j] < floor):
            break
        grown = _add_term(chosen, str(terms[cols[j]]))
        chosen = grown if all(c in grown for c in fixed) else chosen
    return chosen


def _prose(text: str) -> str:
    """The text without URLs and code-looking lines (labels should be words, not code)."""
    text = _LINKS.sub(" ", text)
    if _TLD.search(text):
        text = _DOMAINS.sub(" ", text)
    lines = text.splitlines()
    return "\n".join(s for s in lines if len(_CODEISH.findall(s)) <= len(s) / 20)


def _add_term(chosen: list[str], term: str) -> list[str]:
    """``chosen`` plus ``term`` unless it repeats a word; a bigram replaces its own unigram."""
    stem = {c: {_STEM.sub("", w.lower()) for w in c.split()} for c in [*chosen, term]}
    inside = [c for c in chosen if stem[c] <= stem[term]]
    clash = any(stem[c] & stem[term] for c in chosen if c not in inside)
    if clash or (inside and len(stem[term]) == 1):
        return chosen
    return [c for c in chosen if c not in inside] + [term]


def _author_words(items: list[Item], texts: list[str]) -> set[str]:
    """The author's name, whether or not metadata gives it: ``item.author`` words, a
    capitalised name found in most items, and the handle most items link to (github.com/
    simonw, karpathy.github.io) with the words it is made of ("simonw" -> "simon") and the
    rest of a personal domain that starts with it ("simonwillison.net" -> "willison")."""
    words = {w.lower() for it in items for w in re.findall(r"\w+", it.author or "")}
    step = max(1, len(items) // AUTHOR_SAMPLE)  # shares of items: a sample tells them
    some, some_texts = items[::step], texts[::step]
    df = Counter(name for t in some_texts for name in set(_NAME.findall(t)))
    top = df.most_common(1)
    words |= {name.lower() for name, count in top if count > len(some) / 2 >= 1.5}
    handles = Counter(
        h.lower()
        for it in some
        for h in {a or b for a, b in _HANDLE.findall(it.text[:100_000])}
        if h.lower() not in _NOT_HANDLES
    )
    best = handles.most_common(1)
    if not best or best[0][1] < max(3, 0.05 * len(some)):
        return words
    handle = best[0][0]
    vocab = {
        w.lower() for t in some_texts for w in re.findall(_TOKEN, t) if handle.startswith(w.lower())
    }
    names = {handle} | {w for w in vocab if len(w) >= max(3, len(handle) - 2)}
    for it in items[:2000]:
        for dom in _DOMAIN.findall(it.text[:100_000]):
            stem = next((n for n in sorted(names, key=len) if dom.lower().startswith(n)), None)
            if stem and len(dom) - len(stem) >= 3:
                names.add(dom.lower()[len(stem) :])
    return words | names


def _cased(terms: list[str], texts: list[str]) -> list[str]:
    """Each term in the casing its words most often have in ``texts`` (ties: lower case);
    Title Case counts half, being mostly titles and sentence starts."""
    want = {w for t in terms for w in t.split()}
    forms = Counter(w for text in texts for w in re.findall(_TOKEN, text) if w.lower() in want)
    best: dict[str, str] = {}
    weight = {f: c / (2 if f.istitle() else 1) for f, c in forms.items()}  # titles, sentences
    for form in sorted(forms, key=lambda f: (weight[f], f.islower())):
        best[form.lower()] = form  # the most frequent form comes last and wins
    return [" ".join(best.get(w, w) for w in t.split()) for t in terms]
