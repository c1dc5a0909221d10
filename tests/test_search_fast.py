"""The vectorised search paths give exactly what the plain expressions they replace give."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import search as S
from indexer.build import build_index


def _reference_top(scores: np.ndarray, k: int) -> set[int]:
    nz = np.flatnonzero(scores)
    return set(nz[np.argsort(-scores[nz])[:k]].tolist())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=0, max_size=60),  # few values: many ties
    st.integers(1, 20),
)
def test_top_rows_is_the_sorted_top_k(values: list[int], k: int) -> None:
    scores = np.asarray(values, dtype=np.float32) / 3
    assert set(S.top_rows(scores, k).tolist()) == _reference_top(scores, k)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=6), min_size=1, max_size=30))
def test_segment_argmax_is_argmax_per_segment(segments: list[list[int]]) -> None:
    x = np.asarray([v for s in segments for v in s], dtype=np.float32)
    lens = np.asarray([len(s) for s in segments])
    starts = np.r_[0, np.cumsum(lens)[:-1]]
    want = [s + int(np.argmax(x[s : s + n])) for s, n in zip(starts, lens, strict=True)]
    assert S.segment_argmax(x, starts, lens).tolist() == want
    x[0] = np.nan  # argmax's NaN rule holds too
    want = [s + int(np.argmax(x[s : s + n])) for s, n in zip(starts, lens, strict=True)]
    assert S.segment_argmax(x, starts, lens).tolist() == want


def test_bm25_scores_equal_bm25s() -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.choice(words, rng.integers(1, 30))) for _ in range(500)]
    bm25 = S.build_bm25(texts)
    for q in (["w1"], ["w2", "w3", "w2"], words[:12], ["w39", "nope"]):
        known = [t for t in q if t in bm25.vocab_dict]
        want = np.asarray(bm25.get_scores(known), dtype=np.float32)
        assert np.array_equal(S.bm25_scores(bm25, q, len(texts)), want)


def test_highlight_spans_unchanged() -> None:
    text = "Training networks; the network trains. Networking is different, trained!"
    terms = S.query_terms("training the networks")
    stem = S._stemmer()
    want = [
        m.span()
        for m in re.finditer(r"\w\w+", text)
        if (stem.stemWord(m.group().lower()) if stem else m.group().lower()) in set(terms)
        or m.group().lower() in set(terms)
    ]
    assert S.highlight_spans(text, terms) == want and want


def test_a_file_that_keeps_failing_is_no_change(seeds: Path, tmp_path: Path) -> None:
    (seeds / "broken.json").write_bytes(b"\x00\x01 not a capture")  # unreadable every time
    idx = tmp_path / "idx"
    first = build_index([seeds], idx, progress=False)
    assert "broken.json" in dict(first.skipped)
    again = build_index([seeds], idx, progress=False)
    assert again.unchanged and "broken.json" in dict(again.skipped)
    (seeds / "broken.json").write_bytes(b"\x00\x02 still not one, but changed")
    assert not build_index([seeds], idx, progress=False).unchanged


@pytest.mark.parametrize("k", [1, 200])
def test_top_rows_without_enough_hits(k: int) -> None:
    scores = np.zeros(50, np.float32)
    scores[[3, 7]] = [1.0, 2.0]
    assert set(S.top_rows(scores, k).tolist()) == _reference_top(scores, k)


def test_a_filter_returns_every_matching_item_when_a_long_one_fills_the_top(
    tmp_path: Path,
) -> None:
    from indexer import open_index

    caps = tmp_path / "caps"
    caps.mkdir()
    para = "Gradient descent on a neural network, step by step, with its learning rate."
    long_text = "\n\n".join(f"{para} Part {i}." for i in range(2500))  # ~350 passages
    (caps / "long.md").write_text(f"# Long lecture\n\n{long_text}\n", encoding="utf-8")
    for i, topic in enumerate(["sourdough bread", "kayak repair", "tax forms"]):
        (caps / f"note{i}.md").write_text(f"# Note {i}\n\nA note on {topic}.\n", encoding="utf-8")
    build_index([caps], tmp_path / "idx", model="fake:64", progress=False)
    idx = open_index(tmp_path / "idx")
    assert len(idx.state().vecs) > 200  # the long item alone fills the top passages
    hits = idx.search("gradient descent neural network", k=10, kind="note")
    assert sorted(h.title for h in hits) == ["Long lecture", "Note 0", "Note 1", "Note 2"]
