"""Match strength: confidence and strong/fair/weak on every hit; nonsense finds no good match.

The fast tier uses the fake embedder (word hashing): it knows no meaning, but a
query of symbols or words the corpus lacks still has no evidence on either side,
so it must come out weak. The real-model checks (``model``) use the seed index.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from indexer import open_index
from indexer.build import build_index
from indexer.cli import main
from indexer.evaluate import (
    expected_calibration_error,
    load_questions,
    ndcg,
    relevant_grades,
    reliability,
    rrf,
)
from indexer.models import AbsorbError, Item
from indexer.search import confidence as C

NONSENSE = ["???!!!", "🤖🤖🤖", "<script>alert(1)</script>", "zxqv wobblefrump glorptastic"]
OFF_TOPIC = [
    "best sourdough bread recipe with a long cold proof",
    "symptoms of a sprained ankle and how long it takes to heal",
    "knitting patterns for a baby blanket",
]


@pytest.fixture(scope="module")
def fake_index(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("match") / "idx"
    build_index([Path(__file__).resolve().parents[1] / "data" / "captures"], out, model="fake:64")
    return out


# ----------------------------------------------------------------- the model itself


def test_confidence_grows_with_the_evidence() -> None:
    rng = np.random.default_rng(0)
    dense = rng.uniform(0.1, 0.3, 50).astype(np.float32)
    lex = rng.uniform(0, 2, 50).astype(np.float32)
    order = np.arange(50)
    low = C.probability(C.features(dense, dense, lex, 0.5, dense, order))
    dense2, lex2 = dense.copy(), lex.copy()
    dense2[0], lex2[0] = 0.75, 9.0  # one candidate that clearly answers the question
    high = C.probability(C.features(dense2, dense2, lex2, 1.0, dense2, order))
    assert high[0] > C.STRONG > C.FAIR > low.max()
    assert ((high >= 0) & (high <= 1)).all()


def test_levels_and_minimum() -> None:
    assert [C.level(p) for p in (0.95, C.STRONG, 0.45, C.FAIR, 0.1)] == [
        "strong",
        "strong",
        "fair",
        "fair",
        "weak",
    ]
    assert C.at_least("strong", "fair") and C.at_least("fair", "fair")
    assert not C.at_least("weak", "fair") and not C.at_least(None, "weak")
    assert C.at_least("weak", None)


# ----------------------------------------------------------------- API


def test_hits_carry_match_and_confidence(fake_index: Path) -> None:
    hits = open_index(fake_index).search("backprop", k=5)
    assert hits and all(h.match in C.LEVELS for h in hits)
    assert all(0.0 <= h.confidence <= 1.0 for h in hits)
    conf = [h.confidence for h in hits]
    assert hits[0].match == "strong" and conf[0] == max(conf)
    # the comparison modes have no calibrated strength
    assert all(h.match is None for h in open_index(fake_index).search("backprop", mode="bm25"))


@pytest.mark.parametrize("query", NONSENSE)
def test_nonsense_has_no_fair_hit(fake_index: Path, query: str) -> None:
    idx = open_index(fake_index)
    assert idx.search(query, k=10, min_match="fair") == []
    assert all(h.match == "weak" for h in idx.search(query, k=10))  # still there on request


def test_min_match_is_checked(fake_index: Path) -> None:
    with pytest.raises(AbsorbError, match="match strength"):
        open_index(fake_index).search("backprop", min_match="great")


# ----------------------------------------------------------------- CLI


def test_cli_hides_weak_hits_unless_all(fake_index: Path) -> None:
    r = CliRunner().invoke(main, ["search", "???!!!", "--index", str(fake_index)])
    assert r.exit_code == 0 and "No good match" in r.output and "--all" in r.output
    r = CliRunner().invoke(main, ["search", "???!!!", "--index", str(fake_index), "--all"])
    assert r.exit_code == 0 and r.output.count(" weak ") >= 5
    r = CliRunner().invoke(main, ["search", "backprop", "--index", str(fake_index)])
    assert "--all adds the weak ones" in r.output
    r = CliRunner().invoke(main, ["search", "backprop", "--index", str(fake_index), "--json"])
    rows = [json.loads(x) for x in r.output.splitlines()]
    assert rows and all(o["match"] in ("strong", "fair") for o in rows)
    assert rows[0]["confidence"] >= C.STRONG


# ----------------------------------------------------------------- evaluation helpers


def test_reliability_and_ece() -> None:
    conf = [0.05, 0.1, 0.15, 0.9, 0.95, 0.85]
    rel = [0, 0, 0, 1, 1, 1]
    table = reliability(conf, rel, bins=5)
    assert [(n, acc) for _, _, n, acc in table] == [(3, 0.0), (3, 1.0)]
    assert expected_calibration_error(conf, rel, bins=5) == pytest.approx(0.1)
    assert expected_calibration_error([0.9] * 4, [0, 0, 0, 0]) == pytest.approx(0.9)


def test_graded_and_title_only_judgements(tmp_path: Path) -> None:
    items = [
        Item(id="a", title="Waiting Time Paradox", text="buses", source="x/feed.jsonl"),
        Item(
            id="b", title="Other", text="see the Waiting Time Paradox post", source="x/feed.jsonl"
        ),
    ]
    assert relevant_grades(items, [["feed.jsonl", "title:waiting time"]]) == {"a": 1.0}
    assert relevant_grades(items, [["feed.jsonl", "waiting time", 2]]) == {"a": 2.0, "b": 2.0}
    assert ndcg(["a", "b"], {"a": 2.0, "b": 1.0}) == pytest.approx(1.0)
    assert ndcg(["b", "a"], {"a": 2.0, "b": 1.0}) < 1.0
    assert rrf(["a", "b"], ["a", "c"])[0] == "a"
    q = tmp_path / "q.jsonl"
    q.write_text(
        '{"q": "x", "rel": [["*", null]], "split": "tune"}\n{"q": "y", "rel": [["*", null]]}\n'
        '{"q": "z", "rel": [["*", null]], "split": "holdout"}\n'
    )
    assert [x["q"] for x in load_questions(q, "holdout")] == ["z"]
    assert [x["q"] for x in load_questions(q, "tune")] == ["x", "y"]


def test_eval_prints_baselines_and_calibration(fake_index: Path, tmp_path: Path) -> None:
    q = tmp_path / "q.jsonl"
    q.write_text(
        json.dumps({"q": "backprop", "rel": [["001_*", "backprop"]], "split": "holdout"}) + "\n"
    )
    r = CliRunner().invoke(main, ["eval", str(q), "--index", str(fake_index), "--split", "holdout"])
    assert r.exit_code == 0, r.output
    for word in ("absorb", "bm25", "dense-item", "dense-passage", "rrf", "ECE", "strong"):
        assert word in r.output


# ----------------------------------------------------------------- the real model


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("query", NONSENSE + OFF_TOPIC)
def test_real_model_nonsense_has_no_fair_hit(seed_index: Path, query: str) -> None:
    hits = open_index(seed_index).search(query, k=10)
    assert [h.match for h in hits if h.match != "weak"] == [], [
        (h.title, h.confidence) for h in hits
    ]


@pytest.mark.slow
@pytest.mark.model
def test_real_model_seed_questions_keep_a_strong_top_hit(seed_index: Path) -> None:
    q = Path(__file__).resolve().parents[2] / "shared" / "eval" / "seed_questions.jsonl"
    if not q.exists():
        pytest.skip("public eval questions not present")
    idx = open_index(seed_index)
    tops = {x["q"]: idx.search(x["q"], k=1)[0] for x in load_questions(q)}
    weak = {t: (h.title, h.confidence) for t, h in tops.items() if h.match != "strong"}
    assert not weak


@pytest.mark.slow
@pytest.mark.model
def test_real_model_cli_nonsense_shows_nothing(seed_index: Path) -> None:
    for q in NONSENSE:
        r = CliRunner().invoke(main, ["search", q, "--index", str(seed_index), "--json"])
        # nothing on stdout; stderr may carry the one-time model note and "No good match"
        assert r.exit_code == 0 and r.stdout.strip() == "", (q, r.stdout[:200])
