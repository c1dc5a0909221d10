"""Tests for indexer/chronology.py: linking captures of one work, and dating undated items.

Fast and offline: lexical evidence and fake vectors only, no model. The corpus tests parse
data/captures with ../shared/corpora/karpathy-blog (skipped when that folder is absent) and
score the links against the hand-made tests/data/chronology_truth.json.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from indexer.chronology import (
    Link,
    apply_chronology,
    assign_dates,
    feed_order,
    format_date,
    link_items,
)
from indexer.models import Item

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
TRUTH = ROOT / "tests" / "data" / "chronology_truth.json"
D = dt.date

TOPICS = {
    "recipe": "neural network training recipe inspect data baselines overfit regularize tune "
    "hyperparameters learning rate leaky abstraction silent failures ensembles",
    "cifar": "cifar manual classification human accuracy test images kmeans whitening centroids "
    "svm intra class variability poses scales",
    "pong": "reinforcement learning pong policy gradients raw pixels atari rewards rollouts "
    "credit assignment episodes",
    "rnn": "recurrent networks character level language model lstm shakespeare sampling "
    "generated text hidden state latex linux source",
    "jekyll": "jekyll wordpress static site markdown github pages posts templates php "
    "security deploy",
    "selfie": "selfie convnet instagram likes faces cropped forehead filters borders "
    "oversaturated vggnet finetuned",
    "gist": "numpy adagrad gist mutable arrays zip loop globals comments character level lstm",
}
FILLER = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "it",
    "that",
    "this",
    "we",
    "with",
    "for",
    "on",
    "as",
    "are",
    "be",
    "by",
    "an",
    "or",
    "at",
]


def _text(topic: str, n: int, seed: int) -> str:
    """n words: the topic's words, shuffled, with common filler (deterministic)."""
    rng = np.random.default_rng(seed)
    vocab = TOPICS[topic].split()
    return " ".join(
        str(rng.choice(vocab)) if rng.random() < 0.6 else str(rng.choice(FILLER)) for _ in range(n)
    )


def blog(topic: str, date: dt.date, title: str | None = None, url: str | None = None) -> Item:
    return Item(
        id=f"blog-{topic}",
        title=title or f"{topic.title()} post",
        text=_text(topic, 1500, sum(map(ord, topic))),
        source=f"blog/{date}-{topic}.md",
        kind="article",
        date=date,
        url=url,
    )


def feed(topics: list[str], source: str = "captures/feed.txt") -> list[Item]:
    """A newest-first feed page of undated summaries, one per topic, in the given order."""
    return [
        Item(
            id=f"sum-{t}-{k}",
            title=f"Summary about {t}",
            text=_text(t, 80, 7 + k),
            source=source,
            kind="summary",
            position=k,
        )
        for k, t in enumerate(topics)
    ]


def by_id(items: list[Item]) -> dict[str, Item]:
    return {it.id: it for it in items}


# --- linking ---------------------------------------------------------------------------


def test_summaries_link_to_their_posts_and_take_their_dates() -> None:
    posts = [
        blog("recipe", D(2019, 4, 25)),
        blog("rnn", D(2015, 5, 21)),
        blog("cifar", D(2011, 4, 27)),
    ]
    page = feed(["recipe", "rnn", "cifar"])
    items = page + posts
    links = apply_chronology(items)
    got = {frozenset((ln.a, ln.b)) for ln in links}
    assert got == {
        frozenset((f"sum-{t}-{k}", f"blog-{t}")) for k, t in enumerate(["recipe", "rnn", "cifar"])
    }
    s = by_id(items)
    assert s["sum-recipe-0"].date == D(2019, 4, 25) and s["sum-recipe-0"].date_kind == "linked"
    assert format_date(s["sum-recipe-0"]) == "2019-04-25 (from linked blog post)"
    assert s["blog-recipe"].date_kind == "captured" and s["blog-recipe"].related == ["sum-recipe-0"]
    assert s["sum-recipe-0"].related == ["blog-recipe"]  # symmetric
    for ln in links:
        assert 0 < ln.confidence <= 1 and any(e.startswith("text ") for e in ln.evidence)


def test_a_summary_without_its_post_links_to_nothing() -> None:
    """Near misses stay apart: the Pong summary has no post here, the RNN gist loses to the
    RNN summary, and two summaries on one page are never linked to each other."""
    items = feed(["recipe", "pong", "rnn", "gist"]) + [
        blog("recipe", D(2019, 4, 25)),
        blog("rnn", D(2015, 5, 21)),
    ]
    links = link_items(items)
    assert {frozenset((ln.a, ln.b)) for ln in links} == {
        frozenset(("sum-recipe-0", "blog-recipe")),
        frozenset(("sum-rnn-2", "blog-rnn")),
    }
    apply_chronology(items)
    s = by_id(items)
    assert s["sum-pong-1"].date_kind == "interpolated"  # between its linked neighbours
    assert (s["sum-pong-1"].date, s["sum-pong-1"].date_end) == (D(2015, 5, 21), D(2019, 4, 25))
    assert s["sum-gist-3"].related == [] and s["sum-gist-3"].date_end == D(2015, 5, 21)


def test_only_items_of_different_sources_link() -> None:
    a, b = feed(["selfie", "selfie"])
    twin = copy.deepcopy(a)
    twin.id, twin.source = "twin", "other/feed.txt"
    assert link_items([a, b]) == []  # one page: never linked
    assert [(ln.a, ln.b) for ln in link_items([a, b, twin])] in (
        [("sum-selfie-0", "twin")],
        [("twin", "sum-selfie-0")],
    )


def test_announcement_links_despite_little_shared_text() -> None:
    post = blog("cifar", D(2015, 3, 30), title="Breaking Linear Classifiers on ImageNet")
    gplus = [
        Item(
            id="g0",
            title="Caffe timings",
            text="Was timing caffe on a K40 today, conv layers dominate.",
            source="gplus.txt",
            kind="post",
            position=0,
        ),
        Item(
            id="g1",
            title="Fooling Linear Classifiers on ImageNet",
            text="Fooling Linear Classifiers on ImageNet\nnew blog post with a few interpretations of the fooling papers",
            source="gplus.txt",
            kind="post",
            position=1,
        ),
    ]
    items = gplus + [post]
    links = apply_chronology(items)
    assert [(ln.a, ln.b) for ln in links] == [("g1", "blog-cifar")] or [
        (ln.b, ln.a) for ln in links
    ] == [("g1", "blog-cifar")]
    assert any(e.startswith("mention: 'new blog post") for e in links[0].evidence)
    assert by_id(items)["g1"].date == D(2015, 3, 30) and by_id(items)["g1"].date_kind == "linked"
    assert format_date(by_id(items)["g1"]) == "2015-03-30 (from linked blog post)"
    assert by_id(items)["g0"].date_kind == "interpolated"  # above its dated neighbour
    assert format_date(by_id(items)["g0"]) == "after Mar 2015"


def test_an_announcement_names_its_post_on_its_own_line() -> None:
    post = blog("cifar", D(2015, 3, 30), title="Breaking Linear Classifiers on ImageNet")
    text = (
        "A new blog post is coming soon!\nMeanwhile I keep breaking linear classifiers on ImageNet"
    )
    notes = [
        Item(id="g0", title="Soon", text=text, source="gplus.txt", kind="post", position=0),
        Item(
            id="g1",
            title="Lunch",
            text="lunch was great",
            source="gplus.txt",
            kind="post",
            position=1,
        ),
    ]
    links = link_items(notes + [post])
    assert not [e for ln in links for e in ln.evidence if e.startswith("mention")]


def test_shared_url_links_a_short_note_to_its_post() -> None:
    post = blog(
        "jekyll", D(2014, 7, 1), url="https://karpathy.github.io/2014/07/01/switching-to-jekyll/"
    )
    notes = [
        Item(
            id="t0",
            title="note",
            text="moved house, see https://karpathy.github.io/2014/07/01/switching-to-jekyll",
            source="tweets.jsonl",
            kind="post",
            position=0,
        ),
        Item(
            id="t1",
            title="note",
            text="lunch was great",
            source="tweets.jsonl",
            kind="post",
            position=1,
        ),
    ]
    links = link_items(notes + [post])
    assert len(links) == 1 and {links[0].a, links[0].b} == {"t0", "blog-jekyll"}
    assert any(e.startswith("shared url") for e in links[0].evidence)


def test_stated_dates_far_apart_are_never_one_work() -> None:
    post = blog("pong", D(2016, 5, 31))
    copy_ = copy.deepcopy(post)
    copy_.id, copy_.source, copy_.date = "old", "elsewhere/old.md", D(2012, 1, 1)
    copy_.kind = "post"
    assert link_items([post, copy_]) == []
    copy_.date = D(2016, 6, 2)
    assert len(link_items([post, copy_])) == 1


def test_vectors_nudge_but_never_link_alone() -> None:
    items = feed(["recipe", "pong"]) + [blog("cifar", D(2011, 4, 27))]
    vecs = np.eye(3, dtype=np.float32)
    vecs[2] = vecs[0]  # the "model" says the recipe summary is the cifar post
    assert link_items(items, vecs) == []  # no shared words: no link
    same = np.ones((3, 4), dtype=np.float32) / 2.0
    items = feed(["recipe", "cifar"]) + [blog("cifar", D(2011, 4, 27))]
    links = link_items(items, same)
    assert len(links) == 1 and any(e.startswith("vector 1.00") for e in links[0].evidence)


def test_empty_and_wordless_inputs() -> None:
    assert link_items([]) == [] and apply_chronology([]) == []
    items = [
        Item(id="x", title="…", text="...", source="a"),
        Item(id="y", title="!", text="?!", source="b"),
    ]
    assert (
        apply_chronology(items) == [] and [format_date(it) for it in items] == ["date unknown"] * 2
    )


# --- dates -----------------------------------------------------------------------------


def page(dates: list[dt.date | None], source: str = "page.txt") -> list[Item]:
    return [
        Item(id=f"p{k}", title=f"t{k}", text="x", source=source, position=k, date=d)
        for k, d in enumerate(dates)
    ]


def test_interpolation_between_after_and_before() -> None:
    items = page([None, D(2020, 3, 1), None, None, D(2019, 7, 4), None])
    assign_dates(items, [])
    labels = [format_date(it) for it in items]
    assert labels == [
        "after Mar 2020",
        "2020-03-01",
        "between Jul 2019 and Mar 2020",
        "between Jul 2019 and Mar 2020",
        "2019-07-04",
        "before Jul 2019",
    ]
    assert (items[2].date, items[2].date_end, items[2].date_kind) == (
        D(2019, 7, 4),
        D(2020, 3, 1),
        "interpolated",
    )
    assert (items[0].date, items[0].date_end) == (D(2020, 3, 1), None)
    assert (items[5].date, items[5].date_end) == (None, D(2019, 7, 4))
    assert [it.date_kind for it in items if it.date_kind != "interpolated"] == [
        "captured",
        "captured",
    ]


def test_no_range_across_a_contradiction() -> None:
    """Neighbours dated against the newest-first order: trust them, draw nothing between."""
    items = page([None, D(2015, 3, 30), None, None, D(2015, 5, 21), None, D(2014, 9, 2)])
    assign_dates(items, [])
    assert [format_date(it) for it in items] == [
        "after Mar 2015",
        "2015-03-30",
        "date unknown",
        "date unknown",
        "2015-05-21",
        "between Sep 2014 and May 2015",
        "2014-09-02",
    ]


def test_same_month_range_label() -> None:
    items = page([D(2014, 7, 3), None, D(2014, 7, 1)])
    assign_dates(items, [])
    assert format_date(items[1]) == "in Jul 2014"


def test_linked_dates_feed_interpolation_and_are_redone() -> None:
    items = page([None, None, None]) + [
        Item(id="b", title="B", text="y", source="b.md", date=D(2018, 1, 20))
    ]
    assign_dates(items, [Link("p1", "b", 0.9, ["test"])])
    assert [format_date(it) for it in items[:3]] == [
        "after Jan 2018",
        "2018-01-20 (from linked blog post)",
        "before Jan 2018",
    ]
    assert items[1].related == ["b"] and items[3].related == ["p1"]
    assign_dates(items, [])  # the link is gone: every inference goes with it
    assert [format_date(it) for it in items[:3]] == ["date unknown"] * 3
    assert items[3].date_kind == "captured" and items[3].related == []


def test_mentioned_date_is_conservative() -> None:
    def one(text: str, **kw: object) -> Item:
        it = Item(id="m", title="m", text=text, source="m.txt", **kw)  # type: ignore[arg-type]
        assign_dates([it], [])
        return it

    it = one("Benchmarks as of May 2015: conv layers are the bottleneck.")
    assert (it.date, it.date_end, it.date_kind) == (D(2015, 5, 1), D(2015, 5, 31), "mentioned")
    assert format_date(it) == "May 2015 (mentioned in text)"
    assert (
        format_date(one("Updated: March 3, 2016. Fixed the link."))
        == "2016-03-03 (mentioned in text)"
    )
    assert one("as of May 2015 and as of June 2016").date is None  # two dates: ambiguous
    assert one("I trained it in May 2015.").date is None  # no cue
    assert one("as of May 2015 " + "words " * 500).date is None  # not a short text
    assert one("as of May 2015", date=D(2020, 1, 1)).date_kind == "captured"  # stated wins


def test_mentioned_date_must_fit_the_page_range() -> None:
    items = page([D(2016, 1, 1), None, None, D(2015, 1, 1)])
    items[1].text = "as of May 2015 this is what I use"
    items[2].text = "as of May 2018 this is what I use"
    assign_dates(items, [])
    assert format_date(items[1]) == "May 2015 (mentioned in text)"
    assert format_date(items[2]) == "between Jan 2015 and Jan 2016"


def test_inferred_dates_are_never_captured() -> None:
    items = feed(["recipe", "pong", "rnn"]) + [
        blog("recipe", D(2019, 4, 25)),
        blog("rnn", D(2015, 5, 21)),
    ]
    apply_chronology(items)
    for it in items:
        assert (it.date_kind == "captured") == it.source.startswith("blog/")


# --- order and labels --------------------------------------------------------------------


def test_feed_order_keeps_an_undated_page_in_page_order() -> None:
    items = page([None] * 5)
    assign_dates(items, [])
    assert [it.id for it in feed_order(list(reversed(items)))] == ["p0", "p1", "p2", "p3", "p4"]


def test_feed_order_places_ranges_and_unknowns_between_dated_neighbours() -> None:
    a = page([None, D(2015, 3, 30), None, D(2015, 5, 21), None, D(2014, 9, 2)], "a.txt")
    b = [
        Item(id=f"b{k}", title="b", text="x", source="b.md", date=d)
        for k, d in enumerate([D(2016, 1, 1), D(2015, 1, 15), D(2014, 1, 1)])
    ]
    assign_dates(a + b, [])
    order = [it.id for it in feed_order(b + a)]
    # p0 "after Mar 2015" just above p1; p2 (between contradicting anchors) right after p1;
    # p4's range (Sep 2014 .. May 2015) sorts at its midpoint, Jan 2015.
    assert order == ["b0", "p3", "p0", "p1", "p2", "b1", "p4", "p5", "b2"]


def test_format_date_labels() -> None:
    it = Item(id="x", title="x", text="x", source="s")
    assert format_date(it) == "date unknown"
    it.date = D(2019, 4, 25)
    it.__post_init__()
    assert format_date(it) == "2019-04-25"
    it.date_end = D(2019, 4, 28)
    assert format_date(it) == "2019-04-25 to 2019-04-28"


# --- the real corpora ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> tuple:
    if not (CORPORA / "karpathy-blog").is_dir():
        pytest.skip("../shared/corpora/karpathy-blog is absent")
    spec = importlib.util.spec_from_file_location(
        "chronology_eval", ROOT / "bench" / "chronology_eval.py"
    )
    bench = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    items = bench.load_items([ROOT / "data" / "captures", CORPORA / "karpathy-blog"])
    return bench, items, json.loads(TRUTH.read_text())


@pytest.mark.corpus
def test_truth_file_names_every_feed_summary_once(corpus: tuple) -> None:
    bench, items, truth = corpus
    feed_items = [it for it in items if Path(it.source).name == truth["feed"]]
    described = {bench.find(items, p["a"]).id for p in truth["pairs"] if p["a"][0] == truth["feed"]}
    no_post = {bench.find(items, [truth["feed"], t]).id for t in truth["feed_without_blog_post"]}
    assert len(described) == 19 and len(no_post) == 13 and not described & no_post
    assert described | no_post == {it.id for it in feed_items}


@pytest.mark.corpus
def test_precision_recall_against_hand_made_truth(corpus: tuple) -> None:
    bench, base, truth = corpus
    items = copy.deepcopy(base)
    r = bench.evaluate(items, apply_chronology(items), truth)
    print(
        f"\nlinks {r['links']}  precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
        f"blog summaries dated {r['blog_summaries_dated']}/19  "
        f"other summaries interpolated {r['other_interpolated']}/{r['other_summaries']}"
    )
    assert r["wrong_links"] == [] and r["precision"] == 1.0
    assert r["recall"] >= 0.95, r["missed"]  # measured: 1.000 (22/22)
    assert r["blog_summaries_dated"] >= 17  # measured: 19/19
    assert r["other_interpolated"] == r["other_summaries"] == 13
    s = {it.title: it for it in items}
    recipe = next(it for t, it in s.items() if t.startswith("Recipe for Reliable"))
    cifar = next(it for t, it in s.items() if t.startswith("Human Achieves 94%"))
    fooling = next(it for t, it in s.items() if t == "Fooling Linear Classifiers on ImageNet")
    assert (recipe.date, cifar.date, fooling.date) == (
        D(2019, 4, 25),
        D(2011, 4, 27),
        D(2015, 3, 30),
    )
    assert format_date(recipe) == "2019-04-25 (from linked blog post)"


@pytest.mark.corpus
def test_corpus_with_fake_vectors_stays_precise(corpus: tuple) -> None:
    from indexer.embed import load_embedder

    bench, base, truth = corpus
    items = copy.deepcopy(base)
    vecs = load_embedder("fake:64").encode([f"{it.title}\n{it.text[:2000]}" for it in items])
    r = bench.evaluate(items, apply_chronology(items, vecs), truth)
    assert r["precision"] == 1.0 and r["recall"] >= 0.95 and r["blog_summaries_dated"] >= 17


@pytest.mark.corpus
def test_dropping_any_one_capture_never_makes_a_wrong_link(corpus: tuple) -> None:
    """Robustness: remove one blog post or G+ post at a time; the near misses it leaves
    behind (its summary, its announcement) must stay unlinked rather than link elsewhere."""
    bench, base, truth = corpus
    work: dict[str, int] = {}  # item id -> its work in the truth file
    for k, p in enumerate(truth["pairs"]):
        a, b = bench.find(base, p["a"]).id, bench.find(base, p["b"]).id
        joined = {k} | {work[x] for x in (a, b) if x in work}
        work.update({x: k for x, w in work.items() if w in joined} | {a: k, b: k})
    wrong = []
    for drop in [it for it in base if it.id in work and it.kind != "summary"]:
        items = [copy.deepcopy(it) for it in base if it.id != drop.id]
        wrong += [
            (drop.title, ln.evidence)
            for ln in link_items(items)
            if work.get(ln.a, ln.a) != work.get(ln.b, ln.b)
        ]
    assert wrong == []


def test_unit_rows_equal_scikit_learns_normalize_bit_for_bit() -> None:
    from scipy import sparse
    from sklearn.preprocessing import normalize

    from indexer.chrono_text import _unit_rows

    rng = np.random.default_rng(0)
    for seed in range(10):
        m = sparse.random(300, 2000, density=0.02, format="csr", random_state=seed)
        m.data = np.log1p(m.data * 7.3) * rng.random(len(m.data))
        want = normalize(m.copy(), copy=False)
        assert np.array_equal(_unit_rows(m.copy()).data, want.data)
