"""The sidebar (views/sidebar.py) under AppTest: filters as ``search.Filters``, readable sources."""

from __future__ import annotations

import html

from appkit import N_ITEMS, TIMEOUT, bodies, no_errors, titles


def test_source_filter_lists_readable_sources_and_narrows_every_view(app) -> None:
    at = app()
    box = at.selectbox(key="src")
    labels = list(box.options)
    assert "absorb feed page · 001_….txt" in labels
    assert not any("b345f262e875569b" in x for x in labels)  # no hash names
    box.set_value("absorb feed page · 001_….txt").run(timeout=TIMEOUT)
    no_errors(at)
    assert any("of 32 items" in c.value for c in at.caption)
    at = app(view="Search", q="backprop", src="absorb feed page · 001_….txt")  # a shared link
    no_errors(at)
    assert any("ab-passage" in m.value for m in at.markdown)
    passages = [html.unescape(m.value) for m in at.markdown if "ab-passage" in m.value]
    assert passages and all("001_….txt" in p for p in passages)


def test_cards_show_format_and_path_of_their_capture(app) -> None:
    at = app()
    assert "absorb feed page · captures/001_….txt" in html.unescape(bodies(at))


def test_reset_filters(app) -> None:
    at = app(kind="post")
    assert any("of 12 items" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Reset filters").click().run(timeout=TIMEOUT)
    no_errors(at)
    assert any(f"of {N_ITEMS} items" in c.value for c in at.caption)
    assert titles(at)


def test_index_facts(app) -> None:
    at = app()
    assert [m.value for m in at.metric][:1] == [f"{N_ITEMS:,}"]


def test_large_counts_fit_the_sidebar() -> None:
    from views.sidebar import short_count

    assert [short_count(n) for n in (0, 99_985, 191_614, 999_949, 999_950, 2_345_678)] == [
        "0",
        "99,985",
        "191.6k",
        "999.9k",
        "1.00M",
        "2.35M",
    ]
