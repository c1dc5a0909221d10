"""The Search view (views/search.py) under AppTest."""

from __future__ import annotations

import pytest
from appkit import BACKPROP, TIMEOUT, bodies, item_param, no_errors, open_keys, titles

from indexer.search import MAX_QUERY_CHARS


def test_search_finds_the_seed_item_and_marks_weighty_terms(app) -> None:
    at = app(view="Search")
    no_errors(at)
    assert "Ask your archive" in bodies(at)
    at.text_input(key="q").set_value("the backprop").run(timeout=TIMEOUT)
    no_errors(at)
    shown = titles(at, "hit")
    assert shown and shown[0] == BACKPROP
    assert "<mark>backprop</mark>" in bodies(at)
    assert "<mark>the</mark>" not in bodies(at).lower()
    assert not any(c for c in ("0.00", "-0.01") if c in bodies(at))  # no raw scores


def test_search_from_a_shared_link_with_filters(app) -> None:
    at = app(view="Search", q="backprop", kind="summary")
    no_errors(at)
    shown = titles(at, "hit")
    assert shown and BACKPROP not in shown
    assert all("summary</span>" in m.value for m in at.markdown if "ab-passage" in m.value)


def test_search_one_result_is_singular(app) -> None:
    at = app(view="Search", q="podcast", kind="transcript")
    no_errors(at)
    assert len(titles(at, "hit")) == 1
    said = [c.value for c in at.caption] + [e.label for e in at.expander]
    assert "1 result, best first" in said or "Weaker matches · 1" in said, said
    assert not any("1 results" in x for x in said)


def test_search_topic_filter_runs_in_the_engine(app, app_index) -> None:
    import indexer

    idx = indexer.open_index(app_index)
    topic = max(idx.topics(), key=lambda t: t.size)
    in_topic = {p.id for p in idx.map() if p.topic == topic.id}
    at = app(view="Search", q="neural networks", topic=topic.label)
    no_errors(at)
    ids = [k.split("-", 2)[2] for k in open_keys(at, "hit")]
    assert ids and set(ids) <= in_topic
    assert len(ids) == min(15, len(in_topic))  # k hits whenever k items match


def test_search_more_like_this_lists_rows_that_open(app) -> None:
    at = app(view="Search", q="backprop")
    key = next(b.key for b in at.button if b.key and b.key.startswith("like-"))
    at.button(key=key).click().run(timeout=TIMEOUT)
    no_errors(at)
    assert "Closest in meaning to" in bodies(at)
    rows = open_keys(at, "like")
    assert rows
    at.button(key=rows[0]).click().run(timeout=TIMEOUT)
    assert item_param(at) == rows[0].removeprefix("open-like-")
    assert "Closest in meaning to" in bodies(at)  # the panel is still there underneath


def test_search_hit_opens_the_item_view(app) -> None:
    at = app(view="Search", q="backprop")
    key = open_keys(at, "hit")[0]
    at.button(key=key).click().run(timeout=TIMEOUT)
    no_errors(at)
    assert item_param(at) == key.split("-", 2)[2]


def test_overlong_query_is_cut_in_the_url_too(app) -> None:
    at = app(view="Search", q="why " * 1500)
    no_errors(at)
    assert any("characters long" in i.value for i in at.info)
    q = at.query_params.get("q")
    q = q[0] if isinstance(q, list) else q
    assert len(q) <= MAX_QUERY_CHARS
    assert len(at.text_input(key="q").value) <= MAX_QUERY_CHARS


def test_empty_query_gets_a_message(app) -> None:
    at = app(view="Search", q="   ")
    no_errors(at)
    assert any("empty" in i.value for i in at.info)


def test_search_escapes_captured_markup(app) -> None:
    at = app(view="Search", q="window pwned script")
    no_errors(at)
    body = bodies(at)
    assert "<script" not in body and "<img" not in body
    assert "&#60;<mark>script</mark>&#62;" in body


def test_match_strength_in_words_and_weak_hits_folded(app, monkeypatch) -> None:
    """With the engine's match strengths, hits say them and weak ones fold away."""
    import indexer.index

    real = indexer.index.Index.search

    def graded(self, *a, **kw):
        hits = real(self, *a, **kw)
        for i, h in enumerate(hits):
            h.match, h.confidence = ("strong", 0.9) if i == 0 else ("weak", 0.1)
        return hits

    monkeypatch.setattr(indexer.index.Index, "search", graded)
    at = app(view="Search", q="policy gradients pong")  # a query no other test caches
    no_errors(at)
    assert "strong match" in bodies(at)
    assert any(e.label.startswith("Weaker matches") for e in at.expander)
    assert any(c.value == "1 result, best first" for c in at.caption)


def test_hits_without_match_strength_show_no_strength_words(app, monkeypatch) -> None:
    """A hit the engine gives no strength (e.g. ``similar``-style hits) says none."""
    import indexer.index

    real = indexer.index.Index.search

    def ungraded(self, *a, **kw):
        hits = real(self, *a, **kw)
        for h in hits:
            h.match = h.confidence = None
        return hits

    monkeypatch.setattr(indexer.index.Index, "search", ungraded)
    at = app(view="Search", q="convnet class assignments")  # a query no other test caches
    no_errors(at)
    assert titles(at, "hit")
    assert " match</span>" not in bodies(at)
    assert not any(e.label.startswith("Weaker") for e in at.expander)


def test_engine_match_strength_is_shown_in_words(app) -> None:
    at = app(view="Search", q="backprop")
    cards = [m.value for m in at.markdown if "ab-passage" in m.value]
    assert cards and all(
        any(f"{w} match</span>" in c for w in ("strong", "fair", "weak")) for c in cards
    )


# (not <script>: this index holds a probe capture that really contains one)
@pytest.mark.parametrize("q", ["???!!!", "🤖🤖🤖", "<blink></blink>"])
def test_search_nonsense_finds_no_good_match(app, q: str) -> None:
    at = app(view="Search", q=q)
    no_errors(at)
    assert any("No good match" in i.value for i in at.info)
    good = [e for e in at.expander if e.label.startswith("Weaker matches")]
    assert good, "the closest items are offered, folded"
    assert all(k.startswith("open-hit") for k in open_keys(at, "hit"))
