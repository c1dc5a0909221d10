"""Capture parsers: exact results on the seed captures, generic formats, bad input.

The seed captures in data/captures are the ground truth for the four page formats;
../shared/corpora (when present) checks the Markdown parser on real blogs and notes.
Property tests make sure no input, however odd, escapes as anything but a ParseError.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.models import Item, ParseError
from indexer.sources import PARSERS, decode, detect, html_page, parse_capture
from indexer.sources.common import trim_title
from indexer.sources.dates import parse_date

ROOT = Path(__file__).resolve().parents[1]
CAPTURES = ROOT / "data" / "captures"
CORPORA = ROOT.parent / "shared" / "corpora"

FEED = "001_b345f262e875569b.txt"
MEDIUM = "002_b891634f2570738c.txt"
GPLUS = "003_c05a844673174f06.txt"
VIDEO = "004_383bc52b21bd8e9e.txt"

NOISE = [
    "profile photo",
    "Add a comment",
    "Shared publicly",
    "-1\nnull",
    "{.",
    "Sign in",
    "Follow",
    "clap",
    "Video Statistics",
]


def parse_seed(name: str) -> tuple[list[Item], list[str]]:
    warnings: list[str] = []
    items = parse_capture(name, (CAPTURES / name).read_bytes(), warnings.append)
    return items, warnings


def parse_text(source: str, text: str) -> tuple[list[Item], list[str]]:
    warnings: list[str] = []
    return parse_capture(source, text.encode("utf-8"), warnings.append), warnings


# --- the seed captures ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, parser",
    [(FEED, "absorb-feed"), (MEDIUM, "medium-pandoc"), (GPLUS, "gplus"), (VIDEO, "transcript")],
)
def test_seed_detection(name: str, parser: str) -> None:
    assert detect(decode((CAPTURES / name).read_bytes()), name) == parser


@pytest.mark.parametrize("name", [FEED, MEDIUM, GPLUS, VIDEO])
def test_seed_items_are_clean_and_stable(name: str) -> None:
    items, warnings = parse_seed(name)
    assert warnings == []
    for it in items:
        assert it.source == name
        assert it.text.strip() and it.title.strip()
        assert len(it.title) <= 121
        for noise in NOISE:
            assert noise not in it.title, (it.title, noise)
            assert noise not in it.text, (it.title, noise)
        assert "\n\n\n" not in it.text
    assert [it.position for it in items] == list(range(len(items)))
    ids = [it.id for it in items]
    assert len(set(ids)) == len(ids)
    assert [it.id for it in parse_seed(name)[0]] == ids  # same ids on every run


def test_feed_page() -> None:
    items, _ = parse_seed(FEED)
    assert len(items) == 32
    first = items[0]
    assert (
        first.title
        == "Human Fat as Primary Energy Battery Discharged via Breathing Out Carbon in CO2"
    )
    assert first.text.startswith("Human energy metabolism relies on four hierarchical batteries")
    assert items[1].title.startswith("Recipe for Reliable Neural Network Training")
    assert items[-1].title.startswith("Human Achieves 94% Accuracy on CIFAR-10")
    assert all(it.kind == "summary" for it in items)
    assert all(it.author == "Andrej Karpathy" for it in items)
    assert all(it.date is None for it in items)
    assert all("\n" not in it.title for it in items)
    # a title longer than the limit is cut at a word, the full one kept
    pixel = items[4]
    assert pixel.title.endswith("…") and pixel.title.startswith("PixelCNN++ Enhances")
    assert pixel.extra["full_title"].endswith("for Superior Generative Performance")


def test_medium_article() -> None:
    items, _ = parse_seed(MEDIUM)
    assert len(items) == 1
    it = items[0]
    assert it.kind == "article"
    assert it.title == "Yes you should understand backprop"
    assert it.date == dt.date(2016, 12, 19)
    assert it.author == "Andrej Karpathy"
    assert it.tags == [
        "Machine Learning",
        "Neural Networks",
        "Deep Learning",
        "Artificial Intelligence",
    ]
    assert it.url == "https://medium.com/@karpathy/yes-you-should-understand-backprop-e2f06eab496b"
    text = it.text
    assert text.startswith("When we offered CS231n (Deep Learning class) at Stanford")
    assert text.endswith("Apologies for that :)")
    assert "\n\nVanishing gradients on sigmoids\n\n" in text  # headings kept, on their own
    assert "\n\nIn conclusion\n\n" in text
    assert "dx = np.dot(W.T, z*(1-z)) # backward pass: local gradient for x" in text
    assert "  return tf.select(tf.abs(x) < 1.0," in text  # code indentation kept
    assert "it is a leaky abstraction." in text
    for debris in ["](http", "![", "index: 0", "<div", "</div>", "null", "Go to the profile of",
                   "Never miss a story", "One clap", "6.5K", "Director of AI at Tesla",
                   "Machine Learning", "Blocked", "Homepage", "Get started", "**", "\\*"]:  # fmt: skip
        assert debris not in text, debris


def test_gplus_profile() -> None:
    items, _ = parse_seed(GPLUS)
    assert len(items) == 12
    assert all(it.kind == "post" and it.author == "Andrej Karpathy" for it in items)
    assert all(it.date is None for it in items)
    titles = [it.title for it in items]
    assert titles[0].startswith("CVPR 2015 papers are now up")
    assert titles[1] == "Fooling Linear Classifiers on ImageNet"
    assert titles[6] == "ImageNet 2014 Results are out!"
    assert titles[10] == "I rendered the NIPS 2014 papers in pretty format again."
    assert titles[9].startswith("I was approached by a Wired reporter")
    assert not titles[9].endswith("vs.")  # "Human vs. Machine" is not a sentence end
    assert titles[11].startswith("I should probably link to this on my G+")
    # the author's text ends at the avatar line; what follows are other people's comments
    caffe = items[2]
    assert caffe.text.endswith("--gpu 3)")
    assert "Thanks for your sharing" not in caffe.text
    assert caffe.extra["comments"][0].startswith("HI, +Andrej Karpathy Thanks for your sharing.")
    human = items[3]
    assert "Human accuracy is not a point. It lives on tradeoff curve." in human.text
    assert "Chew on that, PAMI" not in human.text
    assert "Chew on that, PAMI" in human.extra["comments"][0]
    wired = items[9]
    assert len(wired.extra["comments"]) == 2
    assert not any("That was exactly my thought" in it.text for it in items)
    assert "comments" not in items[0].extra
    sidebar = ["In his circles", "Have him in circles", "followers", "Cover photo", "Worked at",
               "Attends", "Lives in", "Basic Information", "355 people", "Map of the places"]  # fmt: skip
    for it in items:
        for s in sidebar:
            assert s not in it.text and s not in it.title, (it.title, s)
        for c in it.extra.get("comments", []):
            assert "profile photo" not in c and c != "Add a comment..."


def test_medium_without_title_class_falls_back() -> None:
    raw = (CAPTURES / MEDIUM).read_text(encoding="utf-8").replace(".graf--title", ".graf--x")
    items, warnings = parse_text("m.txt", raw)
    assert len(items) == 1 and any("no Medium title" in w for w in warnings)
    assert "When we offered CS231n" in items[0].text


def test_gplus_dated_post_and_trailing_sidebar() -> None:
    page = (
        "Cover photo\nJane Doe\nLives in Paris\n\nJane Doe\n\nShared publicly  - Dec 3, 2014\n"
        "First post. With two sentences.\nB's profile photo\nNice one\nAdd a comment...\n\n"
        "Jane Doe\n\nShared publicly  - \nSecond post without reactions\n"
        "In her circles\n12 people\nBasic Information\n"
    )
    items, _ = parse_text("g.txt", page)
    assert [it.text for it in items] == [
        "First post. With two sentences.",
        "Second post without reactions",
    ]
    assert items[0].date == dt.date(2014, 12, 3) and items[1].date is None
    assert items[0].extra["comments"] == ["Nice one"] and items[0].author == "Jane Doe"


def test_video_transcript() -> None:
    items, _ = parse_seed(VIDEO)
    assert len(items) == 1
    it = items[0]
    assert it.kind == "transcript"
    assert (
        it.title
        == "Season 1 Ep.1 Andrej Karpathy on the visionary AI in Tesla's autonomous driving"
    )
    assert it.extra["channel"] == "The Robot Brains Podcast"
    assert it.extra["duration_s"] == 4819
    assert it.date == dt.date(2021, 9, 21)
    assert it.url == "https://www.youtube.com/watch?v=PlLmdTcsAWU"
    assert it.tags == [
        "The Robot Brains Podcast",
        "Podcast",
        "AI",
        "Robots",
        "Robotics",
        "Artificial Intelligence",
        "andrej karpathy",
        "karpathy",
        "Tesla",
    ]
    assert it.text.startswith("today here with me is andre")
    assert it.text.endswith("that's at karpathy you")
    assert len(it.text) > 70_000
    for chrome in ["Info", "Views:", "Channel:", "Related Videos", "Note", "Keywords",
                   "Captions", "Reddit Comments", "[Music]", "work in progress"]:  # fmt: skip
        assert chrome not in it.text, chrome


# --- Markdown ----------------------------------------------------------------------------

POST = """---
layout: post
title:  "Switching Blog"
excerpt: "I moved to [Jekyll](https://jekyllrb.com)."
date:   2014-07-01 20:00:00
tags: [blog, jekyll]
categories: meta
---

Inspired by [Mark's](https://twitter.com/mdreid) post, here is ![a diagram](/img/x.png).

### Why

Here's an example file:

```bash
---
title:  "Post title"
---
Hello world, this is **markdown**.
```

<style>p { color: red }</style><img src="/a.png"> **Bold** and `code`.
"""


def test_markdown_post_with_front_matter() -> None:
    (it,), warnings = parse_text("_posts/2014-07-01-switching.markdown", POST)
    assert warnings == []
    assert it.kind == "article"
    assert it.title == "Switching Blog"
    assert it.date == dt.date(2014, 7, 1)
    assert it.extra["excerpt"] == "I moved to Jekyll."
    assert it.tags == ["blog", "jekyll", "meta"]
    assert it.text.startswith("Inspired by Mark's post, here is a diagram.")
    assert "\n\nWhy\n\n" in it.text
    # the front matter inside the code sample is body text, untouched
    assert '---\ntitle:  "Post title"\n---\nHello world, this is **markdown**.' in it.text
    assert "Bold and code." in it.text
    for junk in ["layout:", "excerpt:", "color: red", "<img", "](", "###"]:
        assert junk not in it.text, junk


def test_markdown_date_falls_back_to_file_name() -> None:
    (it,), _ = parse_text("2013-11-23-chrome.md", "---\ntitle: Chrome\n---\nBody text.")
    assert it.date == dt.date(2013, 11, 23)
    (it,), _ = parse_text("notes/chrome.md", "---\ntitle: Chrome\n---\nBody text.")
    assert it.date is None


def test_markdown_malformed_front_matter_warns() -> None:
    text = "---\ntitle: [unclosed\ndate: : :\n---\n# Real title\n\nBody stays.\n"
    (it,), warnings = parse_text("bad.md", text)
    assert len(warnings) == 1 and "bad.md" in warnings[0] and "front matter" in warnings[0]
    assert it.title == "Real title"
    assert "Body stays." in it.text
    assert it.date is None


def test_markdown_unreadable_front_matter_date_warns() -> None:
    (it,), warnings = parse_text("x.md", "---\ntitle: T\ndate: sometime soon\n---\nBody.")
    assert it.date is None and any("date" in w for w in warnings)


def test_plain_markdown_note() -> None:
    text = "# Using `__init_subclass__`\n\nSee [the docs](https://docs.python.org).\n\n```python\nclass A:\n    pass\n```\n"
    (it,), _ = parse_text("python/init-subclass.md", text)
    assert it.kind == "note"
    assert it.title == "Using `__init_subclass__`"
    assert it.text.startswith("See the docs.")
    assert "class A:\n    pass" in it.text
    assert "# Using" not in it.text


def test_plain_text_title_is_first_line() -> None:
    (it,), _ = parse_text("notes/todo.txt", "Shopping list\nmilk\neggs\n")
    assert it.title == "Shopping list"
    assert it.kind == "note"
    assert "milk" in it.text


@pytest.mark.corpus
def test_corpus_karpathy_blog() -> None:
    folder = CORPORA / "karpathy-blog"
    if not folder.is_dir():
        pytest.skip("../shared/corpora/karpathy-blog not present")
    files = sorted(folder.glob("*.markdown"))
    assert len(files) == 23
    for f in files:
        raw = f.read_text(encoding="utf-8")
        (it,), warnings = parse_text(f"karpathy-blog/{f.name}", raw)
        assert warnings == []
        assert it.kind == "article"
        fm_date = re.search(r"^date:\s*(\d{4}-\d{2}-\d{2})", raw, re.M).group(1)
        assert it.date == dt.date.fromisoformat(fm_date)
        if f.name != "2015-11-20-ai.markdown":  # its front matter says 2015-11-14
            assert it.date == dt.date.fromisoformat(f.name[:10]), f.name
        title = re.search(r'^title:\s*"(.*)"\s*$', raw, re.M).group(1)
        assert it.title == trim_title(title)
        assert it.extra["excerpt"]
        assert not it.text.startswith("---") and "comments: true" not in it.text
        assert "<style" not in it.text and "text-align" not in it.text
    jekyll = parse_text(
        "j.markdown", (folder / "2014-07-01-switching-to-jekyll.markdown").read_text()
    )
    assert 'title:  "Post title"' in jekyll[0][0].text


@pytest.mark.corpus
def test_corpus_simonw_til() -> None:
    folder = CORPORA / "simonw-til"
    if not folder.is_dir():
        pytest.skip("../shared/corpora/simonw-til not present")
    files = sorted(folder.rglob("*.md"))
    assert len(files) == 577
    for f in files:
        raw = f.read_text(encoding="utf-8")
        items, _ = parse_text(str(f.relative_to(CORPORA)), raw)
        assert len(items) == 1
        heading = next(ln for ln in raw.splitlines() if ln.startswith("# "))[2:].strip()
        assert items[0].title == heading, f
        assert items[0].kind == "note"
        assert not items[0].text.startswith("# ")


# --- HTML --------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><title>My Post | Blog</title>
<meta property="og:title" content="My Post">
<meta property="article:published_time" content="2020-06-11T23:00:00-07:00">
<meta name="author" content="Andrej Karpathy"><meta name="keywords" content="ml, health">
<link rel="canonical" href="https://karpathy.github.io/2020/06/11/biohacking-lite/">
<script>var secret = "SCRIPT_TEXT";</script><style>p { color: red }</style></head>
<body><nav>NAV_TEXT</nav><header><h1>Site</h1></header>
<article><p>First   para
with <b>bold</b> and <a href="x">a link</a>.</p><p>Second<br>line</p><!-- COMMENT_TEXT -->
<pre>def f():
    return 1</pre><aside>ASIDE_TEXT</aside><form>FORM_TEXT</form></article>
<footer>FOOTER_TEXT</footer><noscript>NOSCRIPT_TEXT</noscript><iframe>IFRAME_TEXT</iframe></body></html>"""


def test_html_page() -> None:
    (it,), _ = parse_text("saved/page.html", PAGE)
    assert it.title == "My Post"
    assert it.date == dt.date(2020, 6, 11)  # the calendar day as written
    assert it.url == "https://karpathy.github.io/2020/06/11/biohacking-lite/"
    assert it.author == "Andrej Karpathy"
    assert it.tags == ["ml", "health"]
    assert it.text.startswith("First para with bold and a link.\n\nSecond\nline")
    assert "def f():\n    return 1" in it.text
    for junk in ["SCRIPT", "color: red", "NAV", "Site", "COMMENT", "ASIDE", "FORM", "FOOTER",
                 "NOSCRIPT", "IFRAME", "<", ">"]:  # fmt: skip
        assert junk not in it.text, junk


def test_html_time_element_and_h1_title() -> None:
    html = "<html><body><main><h1>Hello &amp; bye</h1><time datetime='2019-04-25'>Apr</time><p>Body</p></main></body></html>"
    (it,), _ = parse_text("a.html", html)
    assert it.title == "Hello & bye" and it.date == dt.date(2019, 4, 25)


def test_broken_html_survives() -> None:
    broken = (
        "<html><body><div><p>Unclosed <b>bold <i>text<div><p>More</table></span>\n<script>alert(1)"
    )
    (it,), _ = parse_text("broken.html", broken)
    assert "Unclosed bold text" in it.text and "More" in it.text
    assert "alert" not in it.text and "<" not in it.text


def test_deeply_nested_html_is_fast_and_complete() -> None:
    deep = (
        "<html><body>"
        + "<div><span>" * 5000
        + "deep text"
        + "</span></div>" * 5000
        + "</body></html>"
    )
    (it,), _ = parse_text("deep.html", deep)
    assert it.text == "deep text"


def test_html_recursion_error_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(text: str, source: str) -> Item:
        raise RecursionError("too deep")

    monkeypatch.setattr(html_page, "_parse_tree", explode)
    (it,), warnings = parse_text("p.html", PAGE)
    assert warnings and "nested too deeply" in warnings[0]
    assert "First para" in it.text and "SCRIPT_TEXT" not in it.text and "<" not in it.text
    assert it.title == "My Post | Blog"


# --- JSON Lines --------------------------------------------------------------------------


def test_jsonl_keeps_good_lines_and_warns_on_bad_ones() -> None:
    lines = [
        json.dumps({"title": "One", "text": "First text.", "date": "2016-12-19", "tags": ["a"]}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"title": "No text"}),
        "",
        json.dumps({"text": "Second text.\nMore.", "date": "Dec 19, 2016", "kind": "note"}),
        json.dumps({"title": "Bad date", "text": "x", "date": "whenever", "url": "https://e.x/1"}),
        json.dumps({"title": "One", "text": "Same title again.", "lang": "en"}),
    ]
    items, warnings = parse_text("import.jsonl", "\n".join(lines))
    assert [it.title for it in items] == ["One", "Second text.", "Bad date", "One"]
    assert [w.split(":")[1].strip() for w in warnings] == ["line 2", "line 3", "line 4", "line 7"]
    assert all(w.startswith("import.jsonl: line ") for w in warnings)
    assert items[0].date == dt.date(2016, 12, 19) and items[0].tags == ["a"]
    assert items[0].kind == "article" and items[1].kind == "note"
    assert items[1].date == dt.date(2016, 12, 19)
    assert items[2].date is None and items[2].url == "https://e.x/1"
    assert items[3].extra == {"lang": "en"}
    assert len({it.id for it in items}) == 4
    assert [it.position for it in items] == [0, 1, 2, 3]
    assert [it.id for it in parse_text("import.jsonl", "\n".join(lines))[0]] == [
        it.id for it in items
    ]


def test_jsonl_detected_by_content() -> None:
    text = json.dumps({"title": "T", "text": "Body"}) + "\n"
    assert detect(text, "dump.txt") == "jsonl"


# --- dates and bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2016-12-19", dt.date(2016, 12, 19)),
        ("2014-07-01 20:00:00", dt.date(2014, 7, 1)),
        ("2019-04-25 9:00:00", dt.date(2019, 4, 25)),
        ("Dec 19, 2016", dt.date(2016, 12, 19)),
        ("December 19th, 2016", dt.date(2016, 12, 19)),
        ("19 Dec 2016", dt.date(2016, 12, 19)),
        ("Tue Sep 21 2021", dt.date(2021, 9, 21)),
        ("2021-09-21T10:00:00+02:00", dt.date(2021, 9, 21)),
        ("2021-09-21T10:00:00.123Z", dt.date(2021, 9, 21)),
        ("Tue, 21 Sep 2021 10:00:00 GMT", dt.date(2021, 9, 21)),
        (dt.datetime(2020, 1, 2, 3, 4), dt.date(2020, 1, 2)),
        ("2016-02-30", None),
        ("Dec 19", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        (20161219, None),
    ],
)
def test_parse_date(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)]
)
def test_empty_and_binary_rejected(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_capture("bad.bin", data, lambda m: None)


def test_invalid_utf8_is_decoded_as_cp1252() -> None:
    items = parse_capture("cafe.txt", "# Menu\n\nUn café, s'il vous plaît.".encode("cp1252"), print)
    assert items[0].title == "Menu" and "café" in items[0].text


def test_markup_only_page_has_no_readable_text() -> None:
    with pytest.raises(ParseError, match="no readable text"):
        parse_capture("x.html", b"<html><body><script>x()</script></body></html>", print)


# --- properties --------------------------------------------------------------------------

FRAGMENTS = [
    "absorb.md",
    "Andrej Karpathy",
    "Chronological feed of everything captured from X.",
    "Shared publicly  - ",
    "A's profile photoB's profile photo",
    "Add a comment...",
    "In his circles",
    "-1",
    "null",
    "<div",
    'class="x">',
    "</div>",
    "Title {#ab .graf .graf--h3 .graf--title}",
    "=====",
    "[ '![](x.png',",
    "  input: 'x' ]",
    "[Sign\nin](https://medium.com/m/signin?redirect=https%3A%2F%2Fmedium.com){.button",
    "Dec 19, 2016[]{.middot}",
    "Video Statistics and Information",
    "Captions",
    "Info",
    "Channel: C",
    "Length: 1min 2sec (62 seconds)",
    "Published: Tue Sep 21 2021",
    "Id: abcdefg",
    "---",
    "title: [x",
    "date: 2014-13-45",
    "```",
    "# Heading",
    "![img](u) [link](u)",
    '{"text": "t", "date": 5}',
    "{",
    "<html><body><article><p>",
    "<pre>",
    "<br>",
    "<script>x",
    "\ue000\ue001",
    "",
]
texty = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=25).map(
        "\n".join
    ),
)


def check_result(items: object) -> None:
    assert isinstance(items, list)
    for it in items:
        assert isinstance(it, Item)
        assert isinstance(it.title, str)
        assert it.text.strip()
        assert it.date is None or isinstance(it.date, dt.date)


@pytest.mark.parametrize("name, sniff, parse", PARSERS, ids=[p[0] for p in PARSERS])
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texty)
def test_parsers_never_crash(name: str, sniff, parse, text: str) -> None:
    assert isinstance(sniff(text, "x.txt"), bool)
    try:
        items = parse(text, "x.txt", lambda m: None)
    except ParseError:
        return
    check_result(items)


@settings(max_examples=250, deadline=None)
@given(data=st.one_of(st.binary(max_size=400), texty.map(lambda s: s.encode("utf-8", "replace"))))
def test_parse_capture_never_crashes(data: bytes) -> None:
    for source in ("x.txt", "x.html", "x.jsonl", "2020-01-02-x.md"):
        try:
            items = parse_capture(source, data, lambda m: None)
        except ParseError:
            continue
        check_result(items)
        assert items
