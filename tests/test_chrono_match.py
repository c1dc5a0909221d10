"""``chrono_match.mutual_best`` (date windows, blocks in date order) equals the plain
all-pairs computation it replaced, ties and boosts included."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.preprocessing import normalize

from indexer import chrono_match as M


def _reference(x, vectors, day, r, c, boost):
    """The all-pairs version (chronology.py before date windows), one block; a pair stated
    more than MAX_GAP_DAYS apart scores 0 on both sides."""
    lex = (x[r] @ x[c].T.tocsr()).toarray()
    far = np.abs(day[r][:, None] - day[c][None, :]) > M.MAX_GAP_DAYS
    lex[far] = 0.0
    score = lex.copy()
    if vectors is not None:  # stated too far apart: no vector evidence either
        vc = np.asarray(vectors[c], np.float32)
        vec = M.VEC_WEIGHT * np.clip(np.asarray(vectors[r], np.float32) @ vc.T, 0, None)
        score += np.where(far, 0.0, vec)
    for (ii, jj), add in boost.items():
        score[ii, jj] += add
    out = []
    for ii in range(len(r)):
        jj = int(np.argmax(score[ii]))
        if int(np.argmax(score[:, jj])) != ii:
            continue
        rest_r = np.delete(score[ii], jj)
        rest_c = np.delete(score[:, jj], ii)
        rival = max(rest_r.max(initial=-np.inf), rest_c.max(initial=-np.inf))
        margin = score[ii, jj] - (0.0 if rival == -np.inf else rival)
        out.append((ii, jj, float(score[ii, jj]), float(lex[ii, jj]), float(margin)))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("with_vectors", [False, True])
def test_equals_all_pairs(seed: int, with_vectors: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = np.random.default_rng(seed)
    n = 160
    x = sparse.random(n, 300, density=0.03, random_state=seed, format="csr")
    x.data = np.round(x.data, 1)  # coarse values: exact ties happen
    x = sparse.vstack([x[:5], x[4], x[4], x[7:]]).tocsr()  # duplicate rows: ties
    x = normalize(x)
    day = rnd.integers(730_000, 730_400, n).astype(float)
    day[rnd.random(n) < 0.1] = np.nan  # some undated items
    vectors = normalize(rnd.normal(size=(n, 8))).astype(np.float32) if with_vectors else None
    r, c = list(range(0, 70)), list(range(70, n))
    boost = {(3, 7): 0.5, (40, 2): 0.5}
    monkeypatch.setattr(M, "BLOCK_CELLS", 90 * 9)  # 9 rows a block: many blocks
    got = M.mutual_best(x, vectors, day, r, c, boost)
    want = _reference(x, vectors, day, r, c, boost)
    assert [g[:2] for g in got] == [w[:2] for w in want]
    # lexical sums are bit for bit; float32 vector products may differ in the last bit
    # with the block's shape (BLAS), as they did between blocks before
    tol = 1e-6 if with_vectors else 0.0
    assert np.allclose([g[2:] for g in got], [w[2:] for w in want], rtol=0, atol=tol)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("with_vectors", [False, True])
def test_many_groups_at_once_equal_each_pair(
    seed: int, with_vectors: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns of several groups in one pass: per group, what the all-pairs computation
    gives, including groups wholly out of the rows' date reach and rows whose best is 0."""
    rnd = np.random.default_rng(seed)
    n = 240
    x = sparse.random(n, 400, density=0.01, random_state=seed, format="csr")  # many zeros
    x.data = np.round(x.data, 1)
    x = normalize(x)
    day = rnd.integers(730_000, 731_000, n).astype(float)
    day[rnd.random(n) < 0.05] = np.nan
    day[200:215] = 740_000  # a group nobody can reach by date
    vectors = normalize(rnd.normal(size=(n, 8))).astype(np.float32) if with_vectors else None
    r = list(range(0, 60))
    cs = [list(range(60, 61)), list(range(61, 130)), list(range(130, 200)), list(range(200, 215)),
          list(range(215, 240))]  # fmt: skip
    boosts = [{}, {(3, 7): 0.5}, {(40, 2): 0.5, (41, 2): 0.5}, {(5, 1): 0.5}, {}]
    monkeypatch.setattr(M, "BLOCK_CELLS", 180 * 7)  # 7 rows a block
    got = M.mutual_best_many(x, vectors, day, r, cs, boosts)
    for g, (c, boost) in enumerate(zip(cs, boosts, strict=True)):
        want = _reference(x, vectors, day, r, c, boost)
        assert [w[:2] for w in got[g]] == [w[:2] for w in want], g
        tol = 1e-6 if with_vectors else 0.0
        assert np.allclose([w[2:] for w in got[g]], [w[2:] for w in want], rtol=0, atol=tol)
