"""The library side of reading: text as written, sources, feed order, marks, filters.

Pure functions (``indexer.textview``, ``indexer.reading``, ``indexer.appdata``) and the
search engine's topic filter and highlight spans, on small hand-made inputs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from indexer import appdata as A
from indexer import reading as R
from indexer import textview as T
from indexer.models import Item
from indexer.search import Filters, item_mask

YAML_NOTE = (
    "Longer example:\n\nname: Fetch updated data and deploy\n\non:\n  push:\n  schedule:\n"
    "    - cron: '5,35 * * * *'\n\njobs:\n  build:\n    runs-on: ubuntu-latest\n\n"
    "I used this here, see https://github.com/simonw/x/issues/11."
)


def test_code_keeps_its_lines_and_indentation() -> None:
    bs = T.blocks(YAML_NOTE)
    assert [b.kind for b in bs] == ["prose", "code", "prose"]
    assert bs[1].text.startswith("name: Fetch updated data and deploy\n\non:\n  push:\n")
    assert "\n    runs-on: ubuntu-latest" in bs[1].text
    html = T.to_html(YAML_NOTE)
    assert '<div class="ab-code">name&#58; Fetch' in html
    assert "<br>  push&#58;<br>  schedule&#58;<br>    &#45; cron" in html


def test_prose_stays_prose() -> None:
    text = "Note: this is just a sentence about things.\n\nA second paragraph\nwith a line break."
    assert [b.kind for b in T.blocks(text)] == ["prose", "prose"]
    assert "paragraph<br>with" in T.to_html(text)
    bullets = "Some steps:\n\n- one\n- two"
    assert [b.kind for b in T.blocks(bullets)] == ["prose", "prose"]


def test_only_http_links_and_everything_escaped() -> None:
    html = T.to_html('<script>x()</script> javascript:alert(1) https://a.org/b?c=1&d=2. "q"')
    assert "<script" not in html and "&#60;script&#62;" in html
    assert html.count("<a ") == 1 and 'href="https://a.org/b?c=1&amp;d=2"' in html
    assert "</a>&#46;" in html  # the sentence's full stop is not part of the link


def test_readable_sources() -> None:
    assert R.readable_source("sqlite/cc.md", ["/c/simonw-til"], "markdown") == (
        "Markdown · simonw-til/sqlite/cc.md"
    )
    assert R.readable_source("simonw-til/a/b.md", ["/c/simonw-til", "/d/kb"]) == "simonw-til/a/b.md"
    assert R.short_name("003_c05a844673174f06.txt") == "003_….txt"
    assert R.short_name("column-combinations.md") == "column-combinations.md"


def _cat(items: list[Item]) -> A.Catalog:
    from indexer.chronology import feed_order, format_date

    return A.build_catalog(feed_order(items), [], [], format_date, ["/x/caps"])


def test_feed_sections_never_interleave_undated_items() -> None:
    d = dt.date
    items = [
        Item("a", "A", "t", "p.txt", date=d(2015, 3, 30), position=0),
        Item("u1", "U1", "t", "p.txt", position=1),
        Item("u2", "U2", "t", "p.txt", position=2),
        Item("b", "B", "t", "p.txt", date=d(2015, 3, 30), position=3),
        Item("r", "R", "t", "q.txt", date=d(2016, 9, 1), date_end=d(2018, 1, 31),
             date_kind="interpolated", position=0),
    ]  # fmt: skip
    cat = _cat(items)
    secs = R.feed_sections(cat, np.arange(len(cat)))
    assert [s.title for s in secs] == ["Newest first", R.UNDATED]
    assert [cat.ids[r] for r in secs[0].rows] == ["r", "a", "b"]
    assert [cat.ids[r] for r in secs[1].rows] == ["u1", "u2"]  # capture order
    assert R.order_note(cat, np.arange(len(cat))) is None
    assert "between Sep 2016 and Jan 2018, from its dated neighbours" in R.date_how(
        cat, cat.pos["r"]
    )


def test_nothing_dated_says_so_and_orders_by_title() -> None:
    cat = _cat([Item("1", "b", "t", "z/1.md"), Item("2", "a", "t", "y/2.md")])
    rows = np.arange(2)
    assert "None of these 2 items carries a date" in (R.order_note(cat, rows) or "")
    assert [cat.titles[r] for r in R.feed_sections(cat, rows, "title")[0].rows] == ["a", "b"]
    assert [cat.sources[r] for r in R.feed_sections(cat, rows, "source")[0].rows] == [
        "y/2.md",
        "z/1.md",
    ]
    assert R.source_groups(cat) == {"y/": "y/*", "z/": "z/*"}


def test_topic_filter_in_item_mask() -> None:
    kinds, sources = ["note"] * 3, ["a", "b", "c"]
    dates = [None] * 3
    topics = np.array([0, 1, 0])
    m = item_mask(dates, dates, kinds, sources, Filters(topic=[0]), topics)
    assert m.tolist() == [True, False, True]
    assert item_mask(dates, dates, kinds, sources, Filters(topic=1), topics).tolist() == [
        False,
        True,
        False,
    ]


def test_escaping_helpers_and_pages() -> None:
    assert A.esc("<script>x</script>") == "&#60;script&#62;x&#60;/script&#62;"
    assert A.highlight_html("<i>", [(0, 3)]) == "<mark>&#60;i&#62;</mark>"
    assert A.link_html("javascript:alert(1)", "x") == "x"
    assert A.link_html('https://e.com/"onmouseover=1', "x") == "x"
    assert A.page_bounds(47, 2) == (25, 47, 2) and A.page_bounds(47, 9) == (25, 47, 2)
    assert R.plural(1, "result") == "1 result" and R.plural(0, "result") == "0 results"


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.build import build_index

    caps = tmp_path_factory.mktemp("marks")
    words = "the data time data time data"
    for i in range(30):  # "data" and "time" in every note; "zebra" in two
        extra = " zebra crossing" if i < 2 else ""
        (caps / f"n{i:02d}.md").write_text(f"# Note {i}\n\n{words} note {i}{extra}.\n")
    out = tmp_path_factory.mktemp("marks_idx") / "index"
    build_index([caps], out, model="fake:64", progress=False)
    return out


def test_highlights_leave_out_the_corpus_common_words(small_index: Path) -> None:
    import indexer

    idx = indexer.open_index(small_index)
    hits = idx.search("zebra data time", k=3, mode="bm25")
    marked = {hits[0].passage[a:b].lower() for a, b in hits[0].highlights}
    assert marked == {"zebra"}
    only_common = idx.search("data", k=1, mode="bm25")[0]  # nothing rarer: still marked
    assert {only_common.passage[a:b] for a, b in only_common.highlights} == {"data"}


def test_search_filters_by_topic_and_accepts_filters(small_index: Path) -> None:
    import indexer

    idx = indexer.open_index(small_index)
    topic = {p.id: p.topic for p in idx.map()}
    t0 = next(iter(topic.values()))
    hits = idx.search("note", k=50, filters=Filters(topic=[t0]))
    assert hits and all(topic[h.id] == t0 for h in hits)
    assert len(hits) == sum(1 for t in topic.values() if t == t0)
    assert [h.id for h in idx.search("note", k=50, topic=t0)] == [h.id for h in hits]
