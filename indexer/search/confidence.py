"""Match strength: how likely a search hit is to answer the question, as a number and a word.

Every query gets a ranked list, even ``???!!!``; the ranking alone cannot say
that nothing fits, because fusion works in *relative* terms (standard scores
among the candidates: there is always a winner). Confidence adds the
*absolute* evidence available at query time, per hit:

- the best passage's cosine and the whole item's cosine to the query
  (nonsense and off-topic questions stay low on both);
- how far the hit stands above the other candidates on each side, and BM25's
  share of the best lexical score, scaled by how much of the query the corpus
  knows at all (coverage);
- its rank and the gap to the next fused score.

A logistic model maps these to P(relevant). Its coefficients were fitted with
``bench/calibrate.py`` on the ``tune`` questions of our own sets (relevant vs
not among each question's top 10) and are stored below as plain numbers; the
same script prints the reliability table and ECE on the held-out questions.
They are fitted for the bundled all-MiniLM-L6-v2: another model's cosines
live on another scale, so its confidences are only roughly calibrated.

Negatives matter: fitted on answerable questions alone, the model learns "the
top of the list is relevant" from the relative features and calls the top hit
of ``???!!!`` strong. So ``bench/calibrate.py --neg`` adds each tune corpus's
questions asked of the *other* tune corpus (every hit irrelevant). Measured
(``absorb eval ... --split holdout``, top-10 hits; README): ECE 0.028 / 0.045
on the karpathy sets, 0.019 / 0.011 on the TIL sets, 0.055 on the Mastodon
posts and 0.020 on the jakevdp abstracts (never fitted on). Short posts come
out underconfident: 17 of 48 Mastodon top hits are weak, though 0.79 of the
top hits there are relevant.

``match`` is ``strong`` from STRONG up, ``fair`` from FAIR up, else ``weak``.

>>> level(0.8), level(0.4), level(0.05)
('strong', 'fair', 'weak')
"""

from __future__ import annotations

import numpy as np

LEVELS = ("weak", "fair", "strong")
STRONG = 0.6  # more likely relevant than not, by a clear margin
FAIR = 0.3

FEATURES = (
    "cos_passage",
    "cos_item",
    "dense_lead",  # best-passage cosine minus the best other candidate's
    "lex_share",  # BM25 over the best BM25 among candidates, times coverage
    "lex_lead",  # the same share minus the best other candidate's
    "coverage",
    "log_rank",
    "fused_gap",  # gap to the next fused score, over the fused scores' spread
)

# fitted by bench/calibrate.py (see its docstring for the command and the figures)
COEF = (5.0033, 5.5806, 2.5952, -1.9286, 4.1238, 6.2952, -1.4789, 0.4937)
INTERCEPT = -8.8854


def _lead(x: np.ndarray) -> np.ndarray:
    """Each value minus the largest *other* value."""
    if len(x) < 2:
        return np.zeros_like(x)
    top2 = np.sort(x)[-2:]
    other = np.where(x >= top2[1], top2[0], top2[1])
    return x - other


def features(
    dense: np.ndarray,
    item_sim: np.ndarray,
    lex: np.ndarray,
    coverage: float,
    fused: np.ndarray,
    order: np.ndarray,
) -> np.ndarray:
    """One row of FEATURES per hit in ``order`` (candidate positions, best first)."""
    lmax = float(lex.max()) if len(lex) else 0.0
    share = lex / lmax * coverage if lmax > 0 else np.zeros_like(lex)
    spread = float(fused.std()) if len(fused) > 1 else 0.0
    fo = fused[order]
    nxt = np.r_[fo[1:], fo[-1:]] if len(fo) else fo
    gap = (fo - nxt) / spread if spread > 1e-9 else np.zeros_like(fo)
    return np.column_stack(
        [
            dense[order],
            item_sim[order],
            _lead(dense)[order],
            share[order],
            _lead(share)[order],
            np.full(len(order), coverage),
            np.log1p(np.arange(len(order))),
            gap,
        ]
    ).astype(np.float64)


def probability(
    x: np.ndarray, coef: tuple[float, ...] = COEF, intercept: float = INTERCEPT
) -> np.ndarray:
    z = x @ np.asarray(coef, dtype=np.float64) + intercept
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def level(p: float) -> str:
    return "strong" if p >= STRONG else "fair" if p >= FAIR else "weak"


def at_least(match: str | None, min_match: str | None) -> bool:
    """Whether ``match`` is ``min_match`` or stronger (no minimum: always)."""
    if not min_match:
        return True
    return match is not None and LEVELS.index(match) >= LEVELS.index(min_match)
