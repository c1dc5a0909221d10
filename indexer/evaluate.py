"""Retrieval evaluation: MRR@10, Success@1 and Success@5 for absorb and its baselines.

A questions file is JSON Lines: ``{"q": "...", "rel": [[glob, substring], ...]}``.
An item is relevant when its source path (or file name) matches ``glob`` and
``substring`` (case-insensitive) occurs in its title or text, or is null.
All methods run over the same index, in the same process:

- ``absorb``: the hybrid ranking users get (``Index.search``);
- ``bm25``: BM25 alone over the same passages (best passage per item);
- ``dense-item``: cosine to the whole-item vector alone;
- ``dense-passage``: best passage cosine alone.
"""

from __future__ import annotations

import fnmatch
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .models import AbsorbError

METHODS = ("absorb", "bm25", "dense-item", "dense-passage")


@dataclass
class Result:
    n: int = 0
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    ranks: dict[str, list[int | None]] = field(default_factory=dict)
    questions: list[str] = field(default_factory=list)
    seconds: float = 0.0


def load_questions(path: str | Path) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
            assert isinstance(q["q"], str) and isinstance(q["rel"], list)
        except (ValueError, KeyError, AssertionError, TypeError):
            raise AbsorbError(
                f"{path}: line {n} is not a question object",
                'each line must be {"q": "...", "rel": [["glob", "substring"]]}',
            ) from None
        out.append(q)
    return out


def relevant_ids(items: list[Any], rel: list[list[Any]]) -> set[str]:
    ids = set()
    for glob, sub in rel:
        for it in items:
            base = it.source.rsplit("/", 1)[-1]
            if not (fnmatch.fnmatch(it.source, glob) or fnmatch.fnmatch(base, glob)):
                continue
            if sub is None or sub.lower() in it.title.lower() or sub.lower() in it.text.lower():
                ids.add(it.id)
    return ids


def metrics(ranks: list[int | None], k: int = 10) -> dict[str, float]:
    """MRR@k, Success@1, Success@5 from 1-based ranks (None = not in the top k)."""
    n = max(1, len(ranks))
    return {
        "MRR@10": sum(1.0 / r for r in ranks if r and r <= k) / n,
        "S@1": sum(1 for r in ranks if r == 1) / n,
        "S@5": sum(1 for r in ranks if r and r <= 5) / n,
    }


def evaluate(
    questions: str | Path, index_dir: str | Path, k: int = 10, index: Any = None
) -> Result:
    from . import open_index

    t0 = time.perf_counter()
    idx = index or open_index(index_dir)
    qs = load_questions(questions)
    items = list(idx.items())
    ids, ivecs = idx.item_vectors()
    res = Result(n=len(qs), questions=[q["q"] for q in qs])
    for m in METHODS:
        res.ranks[m] = []
    for q in qs:
        rel = relevant_ids(items, q["rel"])
        if not rel:
            raise AbsorbError(
                f"no indexed item matches {q['rel']} (question: {q['q']!r})",
                "index the captures the questions refer to",
            )
        runs = {
            "absorb": [h.id for h in idx.search(q["q"], k=k)],
            "bm25": [h.id for h in idx.search(q["q"], k=k, mode="bm25")],
            "dense-passage": [h.id for h in idx.search(q["q"], k=k, mode="dense")],
        }
        qv = idx.embed_query(q["q"])
        runs["dense-item"] = [ids[i] for i in np.argsort(-(ivecs @ qv), kind="stable")[:k]]
        for m in METHODS:
            rank = next((r for r, i in enumerate(runs[m], 1) if i in rel), None)
            res.ranks[m].append(rank)
    res.metrics = {m: metrics(res.ranks[m], k) for m in METHODS}
    res.seconds = time.perf_counter() - t0
    return res


def format_table(res: Result, verbose: bool = False) -> str:
    lines = [
        f"{res.n} questions ({res.seconds:.1f}s)",
        "",
        f"{'method':<14} {'MRR@10':>7} {'S@1':>6} {'S@5':>6}",
    ]
    for m in METHODS:
        x = res.metrics[m]
        lines.append(f"{m:<14} {x['MRR@10']:>7.3f} {x['S@1']:>6.3f} {x['S@5']:>6.3f}")
    if verbose:
        lines += ["", "ranks (absorb / bm25 / dense-item / dense-passage):"]
        for i, q in enumerate(res.questions):
            r = " ".join(f"{str(res.ranks[m][i] or '-'):>3}" for m in METHODS)
            lines.append(f"{r}  {q[:90]}")
    return "\n".join(lines)
