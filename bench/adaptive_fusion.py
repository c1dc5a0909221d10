"""Which per-query fusion signals generalise? Measured on held-out questions of every corpus.

For every question the candidates are computed once (``search.candidates``);
each variant is then scored in numpy. Variants, each on top of the current
standard-score fusion (indexer/search.py ``rank``):

- ``lead``: each side's weight grows with how far its best candidate stands
  above its second (in standard scores), so a side with a clear winner speaks
  louder for *this* query;
- ``short``: BM25 gains weight on short queries (few content words);
- ``prf``: dense pseudo-relevance feedback, the query vector moved toward the
  mean item vector of the first pass's top items (Rocchio), dense side re-scored;
- ``rrf``: reciprocal-rank fusion of BM25 and best-passage dense (k = 60), the
  standard parameter-free baseline, over the same candidates.

Only ``tune`` questions may choose a variant; the table prints every set's
``tune`` and ``holdout`` MRR@10 side by side.

    python bench/adaptive_fusion.py /tmp/sq-kb:tests/data/questions_karpathy.jsonl:tests/data/hard_karpathy.jsonl:../shared/eval/seed_questions.jsonl \\
        /tmp/sq-til:tests/data/questions_til.jsonl:tests/data/hard_til.jsonl \\
        /tmp/sq-masto:tests/data/heldout_mastodon.jsonl /tmp/sq-jake:tests/data/heldout_jakevdp.jsonl
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from indexer import search as S
from indexer.evaluate import judged_candidates


@dataclass
class Q:
    c: S.Candidates
    labels: np.ndarray
    split: str
    qv: np.ndarray
    st: object
    rows: np.ndarray  # every passage row of every candidate, item by item
    starts: np.ndarray


def collect(index_path: str, questions: str) -> list[Q]:
    out = []
    for j in judged_candidates(index_path, questions):
        c, st = j.c, j.state
        c.fb_dense = c.fb_item_sim = None  # every variant starts from the fixed mix
        lens = st.p_end[c.items] - st.p_start[c.items]
        starts = np.r_[0, np.cumsum(lens)[:-1]]
        rows = np.arange(int(lens.sum())) + np.repeat(st.p_start[c.items] - starts, lens)
        out.append(Q(c, j.labels, j.split, j.qv, st, rows, starts))
    return out


def rrf_score(c: S.Candidates, k: int = 60) -> np.ndarray:
    out = np.zeros(len(c.items))
    for side in (c.lex, c.dense):
        r = np.empty(len(side))
        r[np.argsort(-side, kind="stable")] = np.arange(1, len(side) + 1)
        out += np.where(side > 0, 1.0 / (k + r), 0.0) if side is c.lex else 1.0 / (k + r)
    return out


def lead(z: np.ndarray) -> float:
    if len(z) < 2:
        return 0.0
    a, b = np.sort(z)[-2:][::-1]
    return float(a - b)


def variant(q: Q, name: str, p: dict) -> np.ndarray:
    c = q.c
    if name == "rrf":
        return rrf_score(c)
    if name == "bm25":
        return c.lex
    if name == "dense":
        return c.dense
    w_d, w_i = p.get("w_dense", S.W_DENSE), p.get("w_item", S.W_ITEM_VEC)
    dense, item_sim = c.dense, c.item_sim
    if p.get("prf"):
        first = S.rank(c)
        top = np.argsort(-first, kind="stable")[: p.get("prf_m", 3)]
        q2 = S.feedback_query(q.qv, np.asarray(q.st.ivecs[c.items[top]]), p["prf"])
        dense = np.maximum.reduceat(np.asarray(q.st.vecs[q.rows] @ q2), q.starts)
        item_sim = np.asarray(q.st.ivecs[c.items] @ q2)
    zd = S.zscore((1 - w_i) * dense + w_i * item_sim)
    zl = S.zscore(c.lex) * c.coverage
    a, b = w_d, 1 - w_d
    if p.get("lead"):
        a *= 1 + p["lead"] * lead(zd)
        b *= 1 + p["lead"] * lead(zl)
    if p.get("short") and 0 < len(c.terms) <= p.get("short_n", 3):
        b *= 1 + p["short"]
    return a * zd + b * zl


def mrr(data: list[Q], name: str, p: dict) -> dict[str, float]:
    res: dict[str, list[float]] = {"tune": [], "holdout": []}
    for q in data:
        s = variant(q, name, p)
        order = np.argsort(-s, kind="stable")[:10]
        hit = np.flatnonzero(q.labels[order])
        res[q.split].append(1.0 / (hit[0] + 1) if len(hit) else 0.0)
    return {k: float(np.mean(v)) if v else float("nan") for k, v in res.items()}


GRID = [("bm25", {}), ("dense", {}), ("rrf", {}), ("hybrid", {})]
GRID += [("hybrid", {"lead": x}) for x in (0.25, 0.5, 1.0)]
GRID += [("hybrid", {"short": x}) for x in (0.5, 1.0)]
GRID += [
    ("hybrid", {"prf": a, "prf_m": m}) for a in (0.2, 0.3, 0.45, 0.6, 1.0) for m in (1, 2, 3, 5)
]
GRID += [("hybrid", {"prf": a, "prf_m": 3, "lead": 0.5}) for a in (0.2, 0.3, 0.6)]
GRID += [("hybrid", {"w_dense": w, "prf": 0.6, "prf_m": 3}) for w in (0.6, 0.8)]


def main(args: list[str]) -> None:
    sets: dict[str, list[Q]] = {}
    for a in args:
        path, *qss = a.split(":")
        for qs in qss:
            sets[qs.rsplit("/", 1)[-1].replace(".jsonl", "")[:16]] = collect(path, qs)
    head = "".join(f" {n:>16}" for n in sets)
    print(f"{'variant':<44} {'tune':>5}{head}   (each set: tune/holdout MRR@10)")
    best = (-1.0, "")
    for name, p in GRID:
        per = {n: mrr(d, name, p) for n, d in sets.items()}
        tune = float(np.mean([v["tune"] for v in per.values() if not np.isnan(v["tune"])]))
        cells = "".join(
            f" {v['tune']:>7.3f}/{v['holdout']:<8.3f}".replace("nan", "  - ") for v in per.values()
        )
        print(f"{name + ' ' + str(p):<44} {tune:>5.3f}{cells}")
        best = max(best, (tune, f"{name} {p}"))
    print(f"best on tune questions: {best[1]} ({best[0]:.3f})")


if __name__ == "__main__":
    main(sys.argv[1:])
