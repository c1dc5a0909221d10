"""The large-corpus map (``landmarks.py``), exercised at test size by lowering the
thresholds it starts from (``neighbours.LARGE``, ``HDBSCAN_SAMPLE``)."""

from __future__ import annotations

import numpy as np
import pytest

from indexer import landmarks, levels, neighbours, topics
from tests.test_topics import check, corpus


@pytest.fixture
def small_large(monkeypatch):
    """Treat 300+ items as a large corpus, with 300 landmarks."""
    for mod in (neighbours, topics):
        monkeypatch.setattr(mod, "LARGE", 300)
    monkeypatch.setattr(neighbours, "HDBSCAN_SAMPLE", 300)


def test_items_off_the_sample_land_among_their_theme(small_large):
    from sklearn.metrics import adjusted_mutual_info_score

    items, v, truth = corpus([200, 180, 160, 140, 120, 100], noise=0.3, seed=5)
    res = topics.build_map(items, v)
    check(res, len(items))
    sample = neighbours._sample(len(items), 42)
    assert len(sample) == 300 < len(items)  # the landmark path ran
    placed = np.setdiff1d(np.arange(len(items)), sample)
    for theme in range(6):  # a placed item is nearer its own theme's landmarks than others'
        own = res.coords[np.intersect1d(sample, np.flatnonzero(truth == theme))].mean(0)
        rows = placed[truth[placed] == theme]
        d_own = np.linalg.norm(res.coords[rows] - own, axis=1)
        for other in set(range(6)) - {theme}:
            far = res.coords[np.intersect1d(sample, np.flatnonzero(truth == other))].mean(0)
            assert (d_own < np.linalg.norm(res.coords[rows] - far, axis=1)).mean() > 0.95
    assert adjusted_mutual_info_score(truth, res.topic_ids) > 0.85


def test_landmarks_keep_their_own_layout_and_duplicates_sit_on_them(small_large):
    items, v, _ = corpus([200, 200], noise=0.3, seed=2)
    v = np.vstack([v, v[:50]])  # 50 exact copies of items
    x = v - v.mean(0)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    coords, sample = landmarks.landmark_layout(x, 10, 42, n_epochs=50)
    assert coords.shape == (450, 2) and np.isfinite(coords).all()
    twins = [i for i in range(50) if i in set(sample.tolist()) and 400 + i not in sample]
    assert twins  # some originals are landmarks whose copies were placed
    spread = np.linalg.norm(coords.max(0) - coords.min(0))
    for i in twins:  # the copy all but on its original (near neighbours weigh e^-5 or less)
        assert np.linalg.norm(coords[400 + i] - coords[i]) < 0.01 * spread


def test_small_topics_of_a_large_corpus_are_not_split():
    rng = np.random.default_rng(0)
    two_groups = np.repeat([[0.0, 0.0], [10.0, 10.0]], [5, 4], axis=0)  # a topic of 9

    def paths(n: int) -> np.ndarray:
        xy = rng.normal(scale=0.01, size=(n, 2)).astype(np.float32)
        xy[:9] += two_groups
        top = np.full(n, -1)  # the rest unsorted: never split
        top[:9] = 0
        return levels.finer_levels(xy, rng.normal(size=(n, 8)).astype(np.float32), top)

    assert paths(40)[:9, 1].tolist() == [0] * 5 + [1] * 4  # a small corpus splits it
    assert paths(20_000).shape[1] == 1  # 9 < 20,000 / SPLIT_PER: whole, no finer level


@pytest.mark.parametrize("min_items", [1, 2])
def test_term_counts_equal_scikit_learns(min_items):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    from indexer import labels

    texts = [f"{it.title}\n{it.text}" for it in corpus([30, 20, 10], seed=4)[0]]
    texts += ["Café naïve-ish CAFÉ résumé, x2 y_z 2015 is", "", "the and of", "déjà vu vu"]
    stop = ENGLISH_STOP_WORDS | labels.BOILERPLATE
    cv = CountVectorizer(
        ngram_range=(1, 2), stop_words=sorted(stop), token_pattern=labels._TOKEN, min_df=min_items
    )
    want = cv.fit_transform(texts)
    x, terms = labels._count(texts, stop, min_items)
    assert terms.tolist() == cv.get_feature_names_out().tolist()
    assert (x != want).nnz == 0
