"""Fit the match-strength model (indexer/search/confidence.py) and check its calibration.

For every question, the top 10 of absorb's ranking are labelled relevant or not
and described by ``confidence.features``. A logistic regression is fitted on
the ``tune`` questions only; the reliability table and the expected calibration
error (ECE) are printed for the held-out questions of every set, so a
coefficient set is kept only when it stays calibrated where it was not fitted.
Paste the printed COEF / INTERCEPT into indexer/search/confidence.py.

``--neg INDEX:QUESTIONS`` adds questions asked of an index that cannot answer
them (another author's questions: every hit is irrelevant), as the "topic the
author never wrote about" case; ``--neg-check`` does the same for reporting
only (held-out questions of one held-out corpus against the other).

    python bench/calibrate.py /tmp/sq-kb:tests/data/questions_karpathy.jsonl:tests/data/hard_karpathy.jsonl \\
        /tmp/sq-til:tests/data/questions_til.jsonl:tests/data/hard_til.jsonl \\
        /tmp/sq-masto:tests/data/heldout_mastodon.jsonl /tmp/sq-jake:tests/data/heldout_jakevdp.jsonl
"""

from __future__ import annotations

import argparse

import numpy as np

from indexer import search as S
from indexer.evaluate import expected_calibration_error, judged_candidates, reliability
from indexer.search import confidence as C

TOP = 10


def collect(
    index_path: str, questions: str, negative: bool = False, check: bool = False
) -> list[dict]:
    """Per question: features and labels of the top hits, and its split."""
    out = []
    for j in judged_candidates(index_path, questions):
        if negative and not check and j.split != "tune":
            continue  # held-out questions stay out of fitting, as negatives too
        c = j.c
        score = S.rank(c, "hybrid")
        order = np.argsort(-score, kind="stable")
        x = C.features(c.dense, c.item_sim, c.lex, c.coverage, score, order)[:TOP]
        y = np.zeros(len(x)) if negative else j.labels[order[:TOP]].astype(float)
        split = ("neg-check" if check else "neg") if negative else j.split
        out.append({"x": x, "y": y, "split": split, "q": j.q["q"]})
    return out


def fit(rows: list[dict], c: float = 1.0) -> tuple[tuple[float, ...], float]:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([r["x"] for r in rows])
    y = np.concatenate([r["y"] for r in rows])
    mu, sd = x.mean(0), x.std(0) + 1e-9
    m = LogisticRegression(C=c, max_iter=2000).fit((x - mu) / sd, y)
    w = m.coef_[0] / sd  # fold the scaling into plain coefficients
    b = float(m.intercept_[0] - (m.coef_[0] * mu / sd).sum())
    return tuple(round(float(v), 4) for v in w), round(b, 4)


def report(name: str, rows: list[dict], coef, b) -> None:
    if not rows:
        return
    p = np.concatenate([C.probability(r["x"], coef, b) for r in rows])
    y = np.concatenate([r["y"] for r in rows])
    top = np.array([C.level(float(C.probability(r["x"][:1], coef, b)[0])) for r in rows])
    print(
        f"{name:<34} n={len(rows):>3} hits={len(y):>4} ECE {expected_calibration_error(p, y):.3f}"
        f"  top strong/fair/weak {sum(top == 'strong')}/{sum(top == 'fair')}/{sum(top == 'weak')}"
    )
    for lo, mc, n, acc in reliability(p, y):
        print(f"    {lo:.1f}-{lo + 0.2:.1f}  mean {mc:.2f}  hits {n:>4}  relevant {acc:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="+", help="INDEX:QUESTIONS[:QUESTIONS...]")
    ap.add_argument("--neg", action="append", default=[], help="INDEX:QUESTIONS, all irrelevant")
    ap.add_argument("--neg-check", action="append", default=[], help="the same, report only")
    ap.add_argument("-C", type=float, default=1.0, help="inverse regularisation strength")
    a = ap.parse_args()
    data: dict[str, list[dict]] = {}
    for s in a.sets:
        path, *qss = s.split(":")
        for qs in qss:
            data[qs.rsplit("/", 1)[-1]] = collect(path, qs)
    for s in a.neg:
        path, qs = s.split(":")
        data["neg " + qs.rsplit("/", 1)[-1] + " @" + path] = collect(path, qs, negative=True)
    for s in a.neg_check:
        path, qs = s.split(":")
        data["neg " + qs.rsplit("/", 1)[-1] + " @" + path] = collect(path, qs, True, True)
    tune = [r for rows in data.values() for r in rows if r["split"] in ("tune", "neg")]
    coef, b = fit(tune, a.C)
    print("FEATURES =", C.FEATURES)
    print(f"COEF = {coef}\nINTERCEPT = {b}\n")
    for name, rows in data.items():
        for split in ("tune", "holdout", "neg", "neg-check"):
            report(f"{name} [{split}]", [r for r in rows if r["split"] == split], coef, b)
    held = [r for rows in data.values() for r in rows if r["split"] == "holdout"]
    report("every held-out question", held, coef, b)


if __name__ == "__main__":
    main()
