"""Chronology's pair scoring: each row's and each column's best match between two groups.

Split from ``chronology.py``. Measured on the 100k-item scale corpus (py-spy over
``bench/scale_phases.py build --touch``): the lexical products took 13 s of chronology's
47 s, although a pair of items stated more than ``MAX_GAP_DAYS`` apart has its lexical
score zeroed anyway. Rows are now taken a block at a time in date order and multiplied only
with the columns their dates can reach (plus every undated column; a block with an undated
row takes all of them). Blocks hold at most 128 rows, so between two 1,000-item pages
(the JSON Lines scale corpus: 4,950 such pairs) a block reaches about a tenth of the other.
Such a pair's vector cosine is zeroed too (it was computed for every pair and still counted:
a match the merge would refuse anyway could crowd out or narrow the margin of a real one),
so both products are taken over the reachable columns only. The products of the columns
taken are the same sums in the same order, the others are the zeros the mask wrote, and
ties between blocks keep the earlier row explicitly: the pairs are those of the plain
all-pairs computation, the lexical scores bit for bit (``tests/test_chrono_match.py``;
float32 vector products can differ in the last bit with a block's shape). On the samples +
seeds + karpathy-blog (``bench/chronology_eval.py --mode passages``) the links are the
same: 23, precision 1.000, recall 0.958. ``link_items`` alone, idle machine, fake:384: the
100k Markdown scale corpus 14.3 -> 10.9 s; 100 JSON Lines pages of 1,000 items 115 -> 116 s,
where the 4,950 page pairs' per-block overhead (39,600 blocks of small sparse products,
argmax and runner-up passes over full-width blocks) is the cost, not the products. A re-index and a full build
form the same blocks from the same items, so they agree exactly (``test_incremental.py``).
"""

from __future__ import annotations

import numpy as np

MAX_GAP_DAYS = 60  # stated dates further apart than this are not one work
VEC_WEIGHT = 0.2  # how much the vector cosine adds to the lexical score
BLOCK_CELLS = 10_000_000  # scores held at once (rows per block = this / columns)
BLOCK_ROWS = 128  # at most: a block of fewer rows spans fewer days, so reaches fewer columns


def mutual_best(
    x, vectors: np.ndarray | None, day: np.ndarray, r: list[int], c: list[int], boost: dict
) -> list[tuple[int, int, float, float, float]]:
    """Pairs (row, column, score, lexical score, margin) of rows ``r`` and columns ``c`` that
    are each other's best match; margin = score - the best rival in that row or column.

    Scores are computed a block of rows at a time, keeping per-column running bests, so
    4k articles against 100k notes need ~200 MB instead of gigabytes.
    """
    step = max(1, min(BLOCK_ROWS, int(BLOCK_CELLS // max(len(c), 1))))
    row_j = np.zeros(len(r), np.int64)
    row_s, row_2, row_lex = (np.full(len(r), -np.inf) for _ in range(3))
    col_i = np.zeros(len(c), np.int64)
    col_s, col_2 = np.full(len(c), -np.inf), np.full(len(c), -np.inf)
    ra, ca = np.asarray(r, np.int64), np.asarray(c, np.int64)
    dc = day[ca]
    by_day = np.argsort(dc, kind="stable")  # undated (NaN) last
    dc_sorted, undated = dc[by_day], np.flatnonzero(np.isnan(dc))
    vc = None if vectors is None else np.asarray(vectors[ca], np.float32)
    r_order = np.argsort(day[ra], kind="stable")
    boosts: dict[int, list[tuple[int, float]]] = {}
    for (ii, jj), add in boost.items():
        boosts.setdefault(ii, []).append((jj, add))
    for a in range(0, len(r), step):
        blk = np.sort(r_order[a : a + step])  # positions in r, ascending (ties: first wins)
        rows, dr = ra[blk], day[ra[blk]]
        if np.isnan(dr).any():
            win = np.arange(len(c))
        else:
            lo, hi = np.searchsorted(
                dc_sorted, [dr.min() - MAX_GAP_DAYS, dr.max() + MAX_GAP_DAYS + 0.5]
            )
            win = np.sort(np.r_[by_day[lo:hi], undated])
        score = np.zeros((len(rows), len(c)))
        part = np.zeros((len(rows), 0))
        if len(win):
            part = (x[rows] @ x[ca[win]].T.tocsr()).toarray()
            far = np.abs(dr[:, None] - dc[win][None, :]) > MAX_GAP_DAYS  # NaN: False
            part[far] = 0.0
            both = part
            if vc is not None and vectors is not None:
                vec = np.clip(np.asarray(vectors[rows], np.float32) @ vc[win].T, 0, None)
                vec = (VEC_WEIGHT * vec).astype(np.float64)
                vec[far] = 0.0  # stated too far apart to be one work: no evidence either way
                both = vec + part
            if len(win) == len(c):
                score = part.copy() if both is part else both  # part is read again below
            else:
                score[:, win] = both  # 0 off the window, as for a pair with no evidence
        for t, ii in enumerate(blk.tolist()):
            for jj, add in boosts.get(ii, ()):
                score[t, jj] += add
        top = np.argmax(score, axis=1)
        at = np.arange(len(rows))
        row_j[blk], row_s[blk] = top, score[at, top]
        where = np.full(len(c), -1, np.int64)
        where[win] = np.arange(len(win))
        w = where[top]
        row_lex[blk] = np.where(w >= 0, part[at, np.maximum(w, 0)] if len(win) else 0.0, 0.0)
        b1 = np.argmax(score, axis=0)
        cols = np.arange(len(c))
        v1 = score[b1, cols]
        # runners-up: the largest left once the best is set aside (what partition's [-2] is)
        score[at, top] = -np.inf
        if len(c) > 1:
            row_2[blk] = score.max(axis=1)
        score[at, top] = row_s[blk]
        score[b1, cols] = -np.inf
        v2 = score.max(axis=0) if len(rows) > 1 else np.full(len(c), -np.inf)
        col_2 = np.maximum(np.maximum(col_2, v2), np.minimum(col_s, v1))  # 2nd of the union
        who = blk[b1]
        better = (v1 > col_s) | ((v1 == col_s) & (who < col_i))  # a tie keeps the earlier row
        col_i[better], col_s = who[better], np.maximum(col_s, v1)
    out = []
    for ii in range(len(r)):
        jj = int(row_j[ii])
        if int(col_i[jj]) != ii:
            continue  # not each other's best
        rival = max(row_2[ii], col_2[jj])
        margin = row_s[ii] - (0.0 if rival == -np.inf else rival)
        out.append((ii, jj, float(row_s[ii]), float(row_lex[ii]), float(margin)))
    return out
