"""Retrieval evaluation: MRR@10, Success@1/5, nDCG@10 and match-strength calibration.

A questions file is JSON Lines: ``{"q": "...", "rel": [[glob, substring], ...]}``.
An item is relevant when its source path (or file name) matches ``glob`` and
``substring`` (case-insensitive) occurs in its title or text, or is null;
``"title:..."`` matches the title only. A third element grades the judgement
(``[glob, substring, 2]``; default 1); graded files also get nDCG@10.
``"split": "tune" | "holdout"`` says whether the question was used to choose
weights; ``absorb eval --split holdout`` scores the held-out ones only.

All methods run over the same index, in the same process:

- ``absorb``: the ranking users get (``Index.search``);
- ``bm25``: BM25 alone over the same passages (best passage per item);
- ``dense-item``: cosine to the whole-item vector alone;
- ``dense-passage``: best passage cosine alone;
- ``rrf``: reciprocal-rank fusion of ``bm25`` and ``dense-passage`` (k = 60),
  the standard parameter-free hybrid.

Calibration: every absorb hit in the top k carries a confidence; the reliability
table bins them and shows the share that is relevant, and ECE is the
hit-weighted mean gap between the two (0 = perfectly calibrated).

>>> expected_calibration_error([0.9, 0.9, 0.1, 0.1], [1, 1, 0, 0], bins=5)
0.1
"""

from __future__ import annotations

import fnmatch
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .models import AbsorbError

METHODS = ("absorb", "bm25", "dense-item", "dense-passage", "rrf")
RRF_K = 60
BINS = 5


@dataclass
class Result:
    n: int = 0
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    ranks: dict[str, list[int | None]] = field(default_factory=dict)
    questions: list[str] = field(default_factory=list)
    seconds: float = 0.0
    graded: bool = False
    # every absorb hit in the top k: (confidence, relevant, match)
    hits: list[tuple[float, bool, str]] = field(default_factory=list)
    top_match: list[str] = field(default_factory=list)


def load_questions(path: str | Path, split: str | None = None) -> list[dict[str, Any]]:
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
        if split is None or q.get("split", "tune") == split:
            out.append(q)
    return out


def relevant_grades(items: list[Any], rel: list[list[Any]]) -> dict[str, float]:
    """Item id -> graded relevance (the highest grade of any rule it matches)."""
    out: dict[str, float] = {}
    for glob, sub, *grade in rel:
        g = float(grade[0]) if grade else 1.0
        title_only = isinstance(sub, str) and sub.startswith("title:")
        s = sub[6:].lower() if title_only else sub.lower() if sub else None
        for it in items:
            base = it.source.rsplit("/", 1)[-1]
            if not (fnmatch.fnmatch(it.source, glob) or fnmatch.fnmatch(base, glob)):
                continue
            if s is None or s in it.title.lower() or (not title_only and s in it.text.lower()):
                out[it.id] = max(g, out.get(it.id, 0.0))
    return {i: g for i, g in out.items() if g > 0}


def relevant_ids(items: list[Any], rel: list[list[Any]]) -> set[str]:
    return set(relevant_grades(items, rel))


@dataclass
class Judged:
    """One question's candidates, as ranked inside search, with the relevant ones marked."""

    q: dict[str, Any]
    c: Any  # search.Candidates
    labels: np.ndarray  # over c.items
    qv: np.ndarray
    state: Any  # the index state the candidates were taken from (vectors, ids)

    @property
    def split(self) -> str:
        return self.q.get("split", "tune")


def judged_candidates(index_path: str | Path, questions: str | Path) -> list[Judged]:
    """Candidates and labels for every question, for the bench scripts that tune search."""
    from . import open_index
    from . import search as S

    idx = open_index(index_path)
    st = idx.state()
    items = list(idx.items())
    out = []
    for q in load_questions(questions):
        rel = relevant_ids(items, q["rel"])
        text = S.clean_query(q["q"])
        qv = idx.embed_query(text)
        c = S.candidates(st, text, qv, None, "hybrid")
        assert c is not None, "dense search always finds candidates in a non-empty index"
        out.append(Judged(q, c, np.array([st.ids[i] in rel for i in c.items]), qv, st))
    return out


def ndcg(run: list[str], grades: dict[str, float], k: int = 10) -> float:
    """nDCG@k with gains 2^g - 1.

    >>> round(ndcg(["a", "b"], {"b": 1.0}), 3)
    0.631
    """
    dcg = sum((2 ** grades.get(i, 0) - 1) / math.log2(r + 2) for r, i in enumerate(run[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def metrics(ranks: list[int | None], k: int = 10) -> dict[str, float]:
    """MRR@k, Success@1, Success@5 from 1-based ranks (None = not in the top k)."""
    n = max(1, len(ranks))
    return {
        "MRR@10": sum(1.0 / r for r in ranks if r and r <= k) / n,
        "S@1": sum(1 for r in ranks if r == 1) / n,
        "S@5": sum(1 for r in ranks if r and r <= 5) / n,
    }


def rrf(*runs: list[str], k: int = RRF_K) -> list[str]:
    """Reciprocal-rank fusion: score(d) = sum over runs of 1 / (k + rank).

    >>> rrf(["a", "b"], ["b", "c"])
    ['b', 'a', 'c']
    """
    score: dict[str, float] = {}
    for run in runs:
        for r, i in enumerate(run, 1):
            score[i] = score.get(i, 0.0) + 1.0 / (k + r)
    return sorted(score, key=lambda i: -score[i])


def reliability(
    conf: list[float], rel: list[bool | int], bins: int = BINS
) -> list[tuple[float, float, int, float]]:
    """Per confidence bin: (lower edge, mean confidence, hits, share relevant)."""
    c, y = np.asarray(conf, float), np.asarray(rel, float)
    b = np.minimum((c * bins).astype(int), bins - 1)
    out = []
    for j in range(bins):
        m = b == j
        if m.any():
            out.append((j / bins, float(c[m].mean()), int(m.sum()), float(y[m].mean())))
    return out


def expected_calibration_error(conf: list[float], rel: list[bool | int], bins: int = BINS) -> float:
    n = max(1, len(conf))
    return round(sum(k / n * abs(mc - acc) for _, mc, k, acc in reliability(conf, rel, bins)), 4)


def evaluate(
    questions: str | Path,
    index_dir: str | Path,
    k: int = 10,
    index: Any = None,
    split: str | None = None,
) -> Result:
    from . import open_index

    t0 = time.perf_counter()
    idx = index or open_index(index_dir)
    qs = load_questions(questions, split)
    if not qs:
        raise AbsorbError(
            f"{questions}: no questions" + (f" with split {split!r}" if split else "")
        )
    items = list(idx.items())
    ids, ivecs = idx.item_vectors()
    res = Result(n=len(qs), questions=[q["q"] for q in qs])
    res.graded = any(len(r) > 2 for q in qs for r in q["rel"])
    gains: dict[str, list[float]] = {m: [] for m in METHODS}
    for m in METHODS:
        res.ranks[m] = []
    deep = max(k, 100)  # RRF fuses deeper lists than it shows
    for q in qs:
        grades = relevant_grades(items, q["rel"])
        if not grades:
            raise AbsorbError(
                f"no indexed item matches {q['rel']} (question: {q['q']!r})",
                "index the captures the questions refer to",
            )
        hits = idx.search(q["q"], k=k)
        bm25 = [h.id for h in idx.search(q["q"], k=deep, mode="bm25")]
        dense = [h.id for h in idx.search(q["q"], k=deep, mode="dense")]
        qv = idx.embed_query(q["q"])
        runs = {
            "absorb": [h.id for h in hits],
            "bm25": bm25[:k],
            "dense-passage": dense[:k],
            "dense-item": [ids[i] for i in np.argsort(-(ivecs @ qv), kind="stable")[:k]],
            "rrf": rrf(bm25, dense)[:k],
        }
        for m in METHODS:
            rank = next((r for r, i in enumerate(runs[m], 1) if i in grades), None)
            res.ranks[m].append(rank)
            gains[m].append(ndcg(runs[m], grades, k))
        res.hits += [
            (h.confidence, h.id in grades, h.match or "") for h in hits if h.confidence is not None
        ]
        res.top_match.append((hits[0].match or "") if hits else "")
    res.metrics = {m: metrics(res.ranks[m], k) for m in METHODS}
    if res.graded:
        for m in METHODS:
            res.metrics[m]["nDCG@10"] = float(np.mean(gains[m]))
    res.seconds = time.perf_counter() - t0
    return res


def format_calibration(res: Result) -> list[str]:
    if not res.hits:
        return []
    conf = [c for c, _, _ in res.hits]
    rel: list[bool | int] = [r for _, r, _ in res.hits]
    lines = [
        "",
        f"match strength of absorb's top-{len(res.hits) // max(1, res.n)} hits "
        f"({len(conf)} hits): ECE {expected_calibration_error(conf, rel):.3f}",
        f"{'confidence':<11} {'mean':>5} {'hits':>5} {'relevant':>9}",
    ]
    for lo, mc, n, acc in reliability(conf, rel):
        lines.append(f"{lo:.1f}-{lo + 1 / BINS:.1f}    {mc:>5.2f} {n:>5} {acc:>9.2f}")
    for level in ("strong", "fair", "weak"):
        got = [r for _, r, m in res.hits if m == level]
        tops = sum(1 for m in res.top_match if m == level)
        share = f"{sum(got) / len(got):.2f}" if got else "-"
        lines.append(
            f"{level:<7} hits {len(got):>4}, relevant {share:>4}; top hit {level} on {tops}/{res.n}"
        )
    return lines


def format_table(res: Result, verbose: bool = False) -> str:
    cols = ["MRR@10", "S@1", "S@5"] + (["nDCG@10"] if res.graded else [])
    lines = [
        f"{res.n} questions ({res.seconds:.1f}s)",
        "",
        f"{'method':<14}" + "".join(f" {c:>7}" for c in cols),
    ]
    for m in METHODS:
        x = res.metrics[m]
        lines.append(f"{m:<14}" + "".join(f" {x[c]:>7.3f}" for c in cols))
    lines += format_calibration(res)
    if verbose:
        lines += ["", "ranks (" + " / ".join(METHODS) + "):"]
        for i, q in enumerate(res.questions):
            r = " ".join(f"{str(res.ranks[m][i] or '-'):>3}" for m in METHODS)
            lines.append(f"{r}  {q[:90]}")
    return "\n".join(lines)
