"""BM25 tokens without importing bm25s (the saved index is read by ``store.bm25_files``).

``import bm25s`` pulls in numba and scipy.sparse: about 0.4 s of CPU on every
cold ``absorb search``, for a query that needs a regex, a stemmer and three
memory-mapped arrays. Building still goes through bm25s (``search.build_bm25``);
this module reads what bm25s saved and tokenises exactly as ``bm25s.tokenize``
does (lower-case, ``\\w\\w+`` words, stop words dropped, then stemmed), which
``tests/test_cold_path.py`` checks against bm25s itself on the seed captures.

>>> tokenize(["Why do the Networks overfit?"], ("why", "do", "the"), None)
[['networks', 'overfit']]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s's (and scikit-learn's) default token pattern


def tokenize(
    texts: Iterable[str], stopwords: Iterable[str], stem: Callable[[list[str]], list[str]] | None
) -> list[list[str]]:
    """``bm25s.tokenize(texts, stopwords=..., stemmer=..., return_ids=False)``, the same tokens.

    Each distinct word is stemmed once, as bm25s does, so a long corpus costs one
    stemmer call per vocabulary word.
    """
    stop = frozenset(stopwords)
    docs = [[w for w in WORD.findall(t.lower()) if w not in stop] for t in texts]
    if stem is None:
        return docs
    vocab = list(dict.fromkeys(w for d in docs for w in d))
    stems = dict(zip(vocab, stem(vocab), strict=True))
    return [[stems[w] for w in d] for d in docs]
