"""Chronology's pair scoring: each row's and each column's best match between two groups.

Split from ``chronology.py``. A pair of items stated more than ``MAX_GAP_DAYS`` apart
cannot be one work, so it scores 0 (lexical and vector alike). Rows are taken a block at a
time in date order and multiplied only with the columns their dates can reach (plus every
undated column; a block with an undated row takes all of them), and one group's rows meet
every later group's columns in the same pass (``mutual_best_many``): a column out of reach
scores exactly 0 for the whole block, so its share of each row's best, runner-up and
first-best column follows without computing it. The products of the columns taken are the
same sums in the same order and ties keep the earlier row and column explicitly, so the
pairs are those of the plain all-pairs computation, group pair by group pair, the lexical
scores bit for bit (``tests/test_chrono_match.py``; float32 vector products can differ in
the last bit with a block's shape). A re-index and a full build form the same blocks from
the same items, so they agree exactly (``test_incremental.py``).

Measured (``link_items`` alone on built indexes, fake:384, idle 2-core machine): 100 JSON
Lines pages of 1,000 dated items (4,950 page pairs) 115 s as 39,600 per-pair blocks, 62 s
in one pass per page, 54 s with blocks of 32 rows instead of 128 (fewer days, fewer columns
reached); the 100k Markdown scale corpus 14.3 s -> 8.6 s. Links on the samples + seeds +
karpathy-blog are unchanged (``bench/chronology_eval.py --mode passages``: 23, precision
1.000, recall 0.958).
"""

from __future__ import annotations

import numpy as np

MAX_GAP_DAYS = 60  # stated dates further apart than this are not one work
VEC_WEIGHT = 0.2  # how much the vector cosine adds to the lexical score
BLOCK_CELLS = 10_000_000  # scores held at once (rows per block = this / columns)
BLOCK_ROWS = 32  # at most: fewer rows span fewer days, so reach fewer columns (see above)


Match = tuple[int, int, float, float, float]  # (row, column, score, lexical score, margin)


def mutual_best(
    x, vectors: np.ndarray | None, day: np.ndarray, r: list[int], c: list[int], boost: dict
) -> list[Match]:
    """Pairs (row, column, score, lexical score, margin) of rows ``r`` and columns ``c`` that
    are each other's best match; margin = score - the best rival in that row or column."""
    return mutual_best_many(x, vectors, day, r, [c], [boost])[0]


def mutual_best_many(
    x, vectors: np.ndarray | None, day: np.ndarray, r: list[int], cs: list[list[int]],
    boosts: list[dict],
) -> list[list[Match]]:  # fmt: skip
    """``mutual_best(x, vectors, day, r, c, boost)`` for each column group ``c`` of ``cs``
    (with its ``boost``: {(row position, column position): added score}), in one pass.

    Scores are computed a block of rows at a time against the columns the block's dates can
    reach in every group at once (plus undated and boosted ones), keeping per-column running
    bests. A column out of reach scores exactly 0 for every row of the block, so its part of
    each row's best, runner-up and first-best-column is worked out without computing it:
    scores are never negative, so a group's zeros only matter when its best is 0 (the
    lowest-numbered column at 0 wins, as ``argmax`` would pick).
    """
    sizes = [len(c) for c in cs]
    if not cs or not r or not sum(sizes):
        return [[] for _ in cs]
    ca = np.asarray([j for c in cs for j in c], np.int64)  # every column, group by group
    gid = np.repeat(np.arange(len(cs)), sizes)
    start = np.r_[0, np.cumsum(sizes)[:-1]]
    loc = np.arange(len(ca)) - start[gid]  # a column's position within its group
    step = max(1, min(BLOCK_ROWS, int(BLOCK_CELLS // len(ca))))
    n, g_n = len(r), len(cs)
    row_j = np.zeros((n, g_n), np.int64)
    row_s, row_2, row_lex = (np.full((n, g_n), -np.inf) for _ in range(3))
    col_i = np.zeros(len(ca), np.int64)
    col_s, col_2 = np.full(len(ca), -np.inf), np.full(len(ca), -np.inf)
    ra = np.asarray(r, np.int64)
    dc = day[ca]
    by_day = np.argsort(dc, kind="stable")  # undated (NaN) last
    dc_sorted, undated = dc[by_day], np.flatnonzero(np.isnan(dc))
    vc = None if vectors is None else np.asarray(vectors[ca], np.float32)
    boosted: dict[int, list[tuple[int, float]]] = {}  # row position -> (column, added)
    for g, boost in enumerate(boosts):
        for (ii, jj), add in boost.items():
            boosted.setdefault(ii, []).append((int(start[g] + jj), add))
    r_order = np.argsort(day[ra], kind="stable")
    for a in range(0, n, step):
        blk = np.sort(r_order[a : a + step])  # positions in r, ascending (ties: first wins)
        rows, dr = ra[blk], day[ra[blk]]
        extra = [j for ii in blk.tolist() for j, _ in boosted.get(ii, ())]
        if np.isnan(dr).any():
            win = np.arange(len(ca))
        else:
            lo, hi = np.searchsorted(
                dc_sorted, [dr.min() - MAX_GAP_DAYS, dr.max() + MAX_GAP_DAYS + 0.5]
            )
            win = np.unique(np.r_[by_day[lo:hi], undated, np.asarray(extra, np.int64)])
        score, part = _block_scores(x, vectors, vc, ra, ca, blk, dr, dc, win)
        at_w = np.full(len(ca), -1, np.int64)
        at_w[win] = np.arange(len(win))
        for t, ii in enumerate(blk.tolist()):
            for j, add in boosted.get(ii, ()):
                score[t, at_w[j]] += add
        _rows_best(score, part, win, gid, loc, sizes, blk, row_j, row_s, row_2, row_lex)
        # columns: out of reach, every row scores 0 (the block's first row is the best)
        v1, v2 = np.zeros(len(ca)), np.full(len(ca), 0.0 if len(rows) > 1 else -np.inf)
        who = np.full(len(ca), blk[0], np.int64)
        if len(win):
            b1 = np.argmax(score, axis=0)
            cols = np.arange(len(win))
            v1[win] = score[b1, cols]
            score[b1, cols] = -np.inf
            if len(rows) > 1:
                v2[win] = score.max(axis=0)
            who[win] = blk[b1]
        col_2 = np.maximum(np.maximum(col_2, v2), np.minimum(col_s, v1))  # 2nd of the union
        better = (v1 > col_s) | ((v1 == col_s) & (who < col_i))  # a tie keeps the earlier row
        col_i[better], col_s = who[better], np.maximum(col_s, v1)
    out = []
    for g in range(g_n):
        jj = row_j[:, g]
        mutual = np.flatnonzero(col_i[start[g] + jj] == np.arange(n))
        rival = np.maximum(row_2[mutual, g], col_2[start[g] + jj[mutual]])
        margin = row_s[mutual, g] - np.where(rival == -np.inf, 0.0, rival)
        out.append([
            (int(ii), int(jj[ii]), float(row_s[ii, g]), float(row_lex[ii, g]), float(m))
            for ii, m in zip(mutual.tolist(), margin.tolist(), strict=True)
        ])  # fmt: skip
    return out


def _block_scores(x, vectors, vc, ra, ca, blk, dr, dc, win) -> tuple[np.ndarray, np.ndarray]:
    """(lexical + vector scores, lexical scores) of the block's rows and the columns ``win``;
    0 for pairs stated more than MAX_GAP_DAYS apart."""
    rows = ra[blk]
    if not len(win):
        return np.zeros((len(rows), 0)), np.zeros((len(rows), 0))
    # the window's rows times the block's (small) transpose: the same sums in the same order
    # (over each pair's shared terms, ascending), without transposing the window every block
    part = (x[ca[win]] @ x[rows].T.tocsr()).toarray().T
    far = np.abs(dr[:, None] - dc[win][None, :]) > MAX_GAP_DAYS  # NaN: False
    part[far] = 0.0
    if vc is None or vectors is None:
        return part.copy(), part  # the first is changed by boosts and runner-up passes
    vec = np.clip(np.asarray(vectors[rows], np.float32) @ vc[win].T, 0, None)
    vec = (VEC_WEIGHT * vec).astype(np.float64)
    vec[far] = 0.0  # stated too far apart to be one work: no evidence either way
    return vec + part, part


def _rows_best(score, part, win, gid, loc, sizes, blk, row_j, row_s, row_2, row_lex):
    """Each block row's best column, its score, lexical score and runner-up in every group,
    written into the ``row_*`` arrays; columns outside ``win`` score 0."""
    n_rows, g_n = len(blk), len(sizes)
    reach = np.bincount(gid[win], minlength=g_n)
    off = np.asarray(sizes) - reach  # columns of each group out of reach (all 0)
    first_off = np.zeros(g_n, np.int64)  # the lowest-numbered of them
    taken = np.zeros(len(gid), bool)
    taken[win] = True
    for g in np.flatnonzero(off > 0).tolist():
        lo = int(np.searchsorted(gid, g))
        first_off[g] = int(np.argmin(taken[lo : lo + sizes[g]]))
    best = np.zeros((n_rows, g_n))  # a group out of reach: 0 at its first column
    arg, in_w = np.tile(first_off, (n_rows, 1)), np.zeros((n_rows, g_n), bool)
    lex = np.zeros((n_rows, g_n))
    second = np.where(off > 1, 0.0, -np.inf)[None, :].repeat(n_rows, 0)
    if len(win):
        seg = np.flatnonzero(np.r_[True, gid[win][1:] != gid[win][:-1]])
        gs = gid[win][seg]  # the groups in reach, in order
        m = np.maximum.reduceat(score, seg, axis=1)
        pos = np.arange(len(win))
        seg_of = np.repeat(np.arange(len(seg)), np.diff(np.r_[seg, len(win)]))
        first = np.minimum.reduceat(
            np.where(score == m[:, seg_of], pos[None, :], len(win)), seg, axis=1
        )  # the first column at the maximum, as a position in win
        zero_off = (m == 0) & (off[gs] > 0)[None, :] & (first_off[gs][None, :] < loc[win][first])
        best[:, gs] = m
        in_w[:, gs] = ~zero_off
        arg[:, gs] = np.where(zero_off, first_off[gs][None, :], loc[win][first])
        at = np.arange(n_rows)[:, None]
        lex[:, gs] = np.where(zero_off, 0.0, part[at, first])
        masked = score.copy()  # the best set aside, unless it was a zero out of reach
        masked[at, first] = np.where(zero_off, score[at, first], -np.inf)
        m2 = np.maximum.reduceat(masked, seg, axis=1)
        left = off[gs][None, :] - (~in_w[:, gs]).astype(np.int64)  # zeros not taken as best
        second[:, gs] = np.maximum(m2, np.where(left > 0, 0.0, -np.inf))
    row_j[blk], row_s[blk], row_2[blk], row_lex[blk] = arg, best, second, lex
