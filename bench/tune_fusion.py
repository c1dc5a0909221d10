"""Tune the hybrid fusion weights on our own question sets (not part of the tests).

For every question, the candidates and their per-item evidence are computed
once (``search.candidates``); then each weight setting is scored in numpy.
Questions marked ``"split": "holdout"`` are never used to choose weights: their
figures are printed beside the tuning figures to show whether a choice
generalises.

    python bench/tune_fusion.py /tmp/kb:tests/data/questions_karpathy.jsonl \\
                                /tmp/til:tests/data/questions_til.jsonl
"""

from __future__ import annotations

import itertools
import sys

import numpy as np

from indexer import search as S
from indexer.evaluate import judged_candidates


def collect(index_path: str, questions: str) -> list[tuple[S.Candidates, np.ndarray, str]]:
    return [(j.c, j.labels, j.split) for j in judged_candidates(index_path, questions)]


def mrr(data, **w) -> dict[str, float]:
    res: dict[str, list[float]] = {"tune": [], "holdout": []}
    for c, labels, split in data:
        s = S.rank(c, "hybrid", **w)
        order = np.argsort(-s, kind="stable")[:10]
        hit = np.flatnonzero(labels[order])
        res[split].append(1.0 / (hit[0] + 1) if len(hit) else 0.0)
    return {k: float(np.mean(v)) if v else 0.0 for k, v in res.items()}


def main(args: list[str]) -> None:
    sets = {}
    for a in args:
        path, *qss = a.split(":")
        for qs in qss:
            sets[qs.rsplit("/", 1)[-1]] = collect(path, qs)
    grid = {"w_dense": [0.4, 0.5, 0.6, 0.7, 0.8, 0.9], "w_item": [0.0, 0.2, 0.35, 0.5, 0.65]}
    rows = []
    for vals in itertools.product(*grid.values()):
        w = dict(zip(grid, vals, strict=True))
        per = {name: mrr(d, **w) for name, d in sets.items()}
        tune = np.mean([p["tune"] for p in per.values()])
        rows.append((tune, w, per))
    rows.sort(key=lambda r: -r[0])
    for tune, w, per in rows[:15]:
        detail = "  ".join(
            f"{n[:14]} tune {p['tune']:.3f} hold {p['holdout']:.3f}" for n, p in per.items()
        )
        print(f"{tune:.3f}  {w}  {detail}")
    cur = {name: mrr(d) for name, d in sets.items()}
    print("current defaults:", cur)


if __name__ == "__main__":
    main(sys.argv[1:])
