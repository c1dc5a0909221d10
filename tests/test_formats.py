"""The parsers for what authors publish: notebooks, code, READMEs, subtitles, feeds,
Twitter and Mastodon archives, WordPress and Substack exports, PDF papers.

Each parser is checked on the real files in ../shared/samples (read in place, never
copied; see its SOURCES.md) with counts taken independently of the parser (json, grep,
csv), and on small broken variants written to tmp_path.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from indexer.models import Item, ParseError
from indexer.sources import decode, detect, owner, parse_capture
from indexer.sources.subtitles import time_at

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
NOISE = re.compile(
    r"</?(?:p|div|span|a|br|img|li)\b[^>]*>|\{\s*\"(?:cell_type|tweet|type)\"|-->|"
    r"\d\d:\d\d[,.]\d{3}|https://t\.co/|&(?:amp|lt|gt|quot|#\d+);|window\.YTD"
)


def sample(rel: str) -> Path:
    p = SAMPLES / rel
    if not p.exists():
        pytest.skip(f"{p} not present")
    return p


def parse_file(p: Path, source: str | None = None) -> tuple[list[Item], list[str]]:
    warnings: list[str] = []

    def near(rel: str) -> bytes | None:
        q = p.parent / rel
        return q.read_bytes() if q.is_file() else None

    items = parse_capture(source or p.name, p.read_bytes(), warnings.append, near)
    return items, warnings


def parse_text(source: str, text: str) -> tuple[list[Item], list[str]]:
    warnings: list[str] = []
    return parse_capture(source, text.encode("utf-8"), warnings.append), warnings


def assert_clean(items: list[Item], allow_code: bool = False) -> None:
    for it in items:
        assert it.title.strip() and it.text.strip(), it
        assert "\n\n\n" not in it.text
        if not allow_code:
            assert not NOISE.search(it.text), (it.title, NOISE.search(it.text))
        assert not NOISE.search(it.title), it.title


# --- notebooks ---------------------------------------------------------------------------


def test_notebooks() -> None:
    folder = sample("ipynb")
    for p in sorted(folder.glob("*.ipynb")):
        nb = json.loads(p.read_text())
        items, warnings = parse_file(p)
        assert detect(decode(p.read_bytes()), p.name) == "notebook" and warnings == []
        assert len(items) == 1 and items[0].kind == "notebook"
        it = items[0]
        assert '"cell_type"' not in it.text and "image/png" not in it.text
        assert "iVBORw0KGgo" not in it.text  # no base64 PNG
        code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
        assert it.extra["code_cells"] == len(code)
        assert "".join(code[0]["source"]).strip() in it.text  # code kept verbatim
    by_name = {p.name: parse_file(p)[0][0] for p in folder.glob("*.ipynb")}
    assert by_name["makemore_part5_cnn1.ipynb"].title == "makemore: part 5"
    assert by_name["transformer_sizing.ipynb"].title == "Transformer Theoretical Model"
    assert by_name["micrograd_lecture_first_half_roughly.ipynb"].title == (
        "micrograd lecture first half roughly"  # no Markdown cell: the file name
    )
    assert "32033" in by_name["makemore_part5_cnn1.ipynb"].text  # a short output is kept


def test_notebook_detected_by_content_and_broken(tmp_path: Path) -> None:
    nb = {"cells": [{"cell_type": "markdown", "source": ["# Hi\n", "\n", "Some prose."]},
                    {"cell_type": "code", "source": "print(1)", "outputs": [
                        {"output_type": "stream", "text": ["1\n"]},
                        {"output_type": "stream", "text": "x\n" * 500}]}],
          "nbformat": 4}  # fmt: skip
    items, _ = parse_text("saved.json", json.dumps(nb))
    assert items[0].kind == "notebook" and items[0].title == "Hi"
    assert items[0].text == "Hi\n\nSome prose.\n\nprint(1)\n\n1"  # the long output is dropped
    with pytest.raises(ParseError, match="x.ipynb: not a readable notebook"):
        parse_text("x.ipynb", json.dumps(nb)[:-40])


# --- code and READMEs --------------------------------------------------------------------


def test_code_files() -> None:
    py = '#!/usr/bin/env python\n"""Train a tiny MLP.\n\nUses only numpy."""\nimport numpy\n'
    items, _ = parse_text("gist.py", py)
    assert (items[0].kind, items[0].title, items[0].extra) == (
        "code", "Train a tiny MLP.", {"language": "python"}
    )  # fmt: skip
    assert items[0].text == "Uses only numpy.\n\n" + py.strip()
    js = "// Debounce helper for search boxes.\nexport function debounce(f) {}\n"
    it = parse_text("debounce.js", js)[0][0]
    assert it.title == "Debounce helper for search boxes." and it.extra["language"] == "javascript"
    broken = "def f(:\n    pass\n"  # not valid Python: still indexed, titled by its name
    it = parse_text("broken.py", broken)[0][0]
    assert it.title == "broken.py" and it.text == broken.strip()
    assert parse_text("tool", "#!/bin/bash\necho hi\n")[0][0].kind == "code"


def test_project_readmes() -> None:
    folder = sample("readme")
    titles = {}
    for p in sorted(folder.glob("*.md")):
        items, _ = parse_file(p)
        assert len(items) == 1 and items[0].kind == "project"
        assert_clean(items, allow_code=True)
        assert "![" not in items[0].text and "<img" not in items[0].text
        titles[p.name] = items[0].title
    assert titles["nanoGPT-README.md"] == "nanoGPT"
    assert titles["nn-zero-to-hero-README.md"] == "Neural Networks: Zero to Hero"
    assert "repro124m" not in parse_file(folder / "nanoGPT-README.md")[0][0].text  # image alt


def test_readme_badges_dropped_and_notes_not_taken_for_readmes() -> None:
    md = "# tool\n\n[![CI](https://img.shields.io/ci.svg)](https://ci)\n\nDoes things.\n"
    it = parse_text("README.md", md)[0][0]
    assert (it.kind, it.title, it.text) == ("project", "tool", "Does things.")
    assert parse_text("til/update-readme.md", "# Update a readme\n\nText.")[0][0].kind == "note"


# --- subtitles ---------------------------------------------------------------------------


def _cue_words(path: Path) -> int:
    """Words of the cue text lines, counted without the parser."""
    lines = path.read_text().split("\n")
    text = [
        ln
        for ln in lines
        if ln.strip() and "-->" not in ln and not ln.strip().isdigit() and ln.strip() != "WEBVTT"
    ]
    return sum(len(ln.split()) for ln in text)


@pytest.mark.parametrize("name, cues", [("stateofGPT.srt", 652), ("nanoGPT.vtt", 1773)])
def test_subtitles(name: str, cues: int) -> None:
    p = sample(f"subtitles/{name}")
    assert p.read_text().count("-->") == cues
    items, warnings = parse_file(p)
    assert warnings == [] and len(items) == 1
    it = items[0]
    assert it.kind == "transcript" and it.title == p.stem
    assert_clean(items)
    assert not re.search(r"^\d+$", it.text, re.M)  # no cue numbers
    words = len(it.text.split())
    assert 0.98 * _cue_words(p) <= words <= _cue_words(p)  # only repeats merged
    times = it.extra["cue_times"]
    assert [t[1] for t in times] == sorted(t[1] for t in times)
    assert all(it.text[off - 1] in " \n" for off, _ in times[1:])  # offsets at word starts


def test_vtt_times_past_the_first_hour() -> None:
    p = sample("subtitles/nanoGPT.vtt")
    it = parse_file(p)[0][0]
    # "01:00:03.360 --> ..." follows "59:59..." cues: hours are read, not dropped
    i = it.text.index("But this should basically run.")
    assert time_at(it.extra["cue_times"], i) == pytest.approx(3603.36)
    assert it.extra["duration_s"] > 6900


def test_subtitles_rolling_captions_and_bad_cue() -> None:
    vtt = (
        "WEBVTT\nKind: captions\n\n"
        "00:00:01.000 --> 00:00:02.000 align:start position:0%\nwelcome <c>to the</c> talk\n\n"
        "00:00:02.000 --> 00:00:03.500\nwelcome to the talk\ntoday we build a model\n\n"
        "00:00:03.500 --> 00:00:04.000\ntoday we build a model\n\n"
        "00:0x:05.000 --> 00:00:06.000\nlost words\n\n"
        "00:00:09.000 --> 00:00:10.000\n[Music]\n\n"
        "00:00:12.000 --> 00:00:13.000\nafter a pause\n"
    )
    items, warnings = parse_text("talk.vtt", vtt)
    assert items[0].text == "welcome to the talk today we build a model\n\nafter a pause"
    assert warnings == ["talk.vtt: line 14: cue without a readable timing; skipped"]
    assert items[0].extra["cue_times"] == [[0, 1.0], [20, 2.0], [44, 12.0]]
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nHello there.\n\n2\n00:00:02,500 --> 00:00:03,000\nBye.\n"
    )
    assert detect(srt, "captions.txt") == "subtitles"
    assert parse_text("captions.txt", srt)[0][0].text == "Hello there. Bye."


# --- feeds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, entry_tag",
    [
        ("colah-rss.xml", "<item>"),
        ("jakevdp-all.atom.xml", "<entry>"),
        ("simonw-substack-feed.xml", "<item>"),
    ],
)
def test_feeds(name: str, entry_tag: str) -> None:
    p = sample(f"feeds/{name}")
    items, warnings = parse_file(p)
    assert warnings == []
    assert len(items) == p.read_text().count(entry_tag)
    assert all(it.date is not None for it in items)
    assert all(it.url and it.url.startswith("http") for it in items)
    assert_clean(items, allow_code=name.startswith("simonw"))  # his posts quote HTML/JSON
    assert {it.kind for it in items} <= {"post", "article"}
    assert len({it.id for it in items}) == len(items)


def test_feed_dates_and_tags() -> None:
    colah = parse_file(sample("feeds/colah-rss.xml"))[0]
    assert colah[0].date == dt.date(2019, 5, 30)  # "Thurs, 30 May 2019 00:00:00 UTC"
    jake = parse_file(sample("feeds/jakevdp-all.atom.xml"))[0]
    assert jake[0].date == dt.date(2018, 9, 13) and jake[0].tags == ["simulation", "statistics"]
    assert jake[0].title == "The Waiting Time Paradox, or, Why Is My Bus Always Late?"


def test_feed_broken_entries() -> None:
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>B</title>'
        "<item><title>Good one</title><link>https://b.example/1</link>"
        "<pubDate>Tue, 21 Sep 2021 10:00:00 GMT</pubDate><description>&lt;p&gt;Body &amp;amp; more"
        "&lt;/p&gt;</description></item>"
        "<item><title></title><description></description></item>"
        "<item><title>No date</title><description>Text</description></item>"
        "<item><title>Broken <b>markup</title><description>x</description></item>"
        "<item><title>Last</title><pubDate>2020-01-02</pubDate><description>ok</description></item>"
    )
    items, warnings = parse_text("blog.xml", rss)
    assert [it.title for it in items][:3] == ["Good one", "No date", "Broken markup"]
    assert items[0].text == "Body & more" and items[0].date == dt.date(2021, 9, 21)
    assert any("entry 2 has no title or text; skipped" in w for w in warnings)
    assert any("entry 3 ('No date') has no readable date" in w for w in warnings)
    assert any("not well-formed" in w for w in warnings)  # feedparser's own reason
    with pytest.raises(ParseError, match="feed.xml"):
        parse_text("feed.xml", '<?xml version="1.0"?><rss version="2.0"><chan')


# --- Twitter -----------------------------------------------------------------------------


def _tweets(p: Path) -> list[dict]:
    text = p.read_text()
    return [t["tweet"] for t in json.loads(text[text.index("[") :])]


def test_twitter_archive() -> None:
    p = sample("twitter/alrocar-tweets.js")
    tweets = _tweets(p)
    ids = {t["id_str"] for t in tweets}
    threads = sum(t.get("in_reply_to_status_id_str") not in ids for t in tweets)
    items, warnings = parse_file(p)
    assert warnings == []
    # every thread (a tweet not replying to another in the archive) except photo-only ones
    assert threads == 589 and len(items) == 566
    assert sum(it.kind == "repost" for it in items) == sum(
        t["full_text"].startswith("RT @") for t in tweets
    )
    assert all(it.date for it in items)
    assert_clean(items)
    longest = max(items, key=lambda it: it.extra.get("tweets", 1))
    assert longest.extra["tweets"] == 22 and longest.text.count("\n\n") >= 21
    first = next(it for it in items if it.title.startswith("Los he cumplido"))
    assert "https://twitter.com/alrocar/status/1612202240718303233" in first.text
    assert first.date == dt.date(2023, 12, 31)


def test_twitter_truncated_and_corrupt(tmp_path: Path) -> None:
    def tw(i: int, text: str, reply: str | None = None) -> dict:
        return {"tweet": {"id_str": str(i), "created_at": "Sun Dec 31 14:36:59 +0000 2023",
                          "full_text": text, "entities": {"urls": []},
                          "in_reply_to_status_id_str": reply}}  # fmt: skip

    good = [tw(1, "A thread &amp; more"), tw(2, "part two", "1"), tw(3, "RT @x: hi")]
    body = ",\n".join(json.dumps(t, indent=1) for t in good)
    text = "window.YTD.tweets.part0 = [\n" + body + ',\n{"tweet": {"id_str": "4", "full_t'
    items, warnings = parse_text("tweets.js", text)
    assert [(it.kind, it.text) for it in items] == [
        ("post", "A thread & more\n\npart two"), ("repost", "RT @x: hi")
    ]  # fmt: skip
    line = text[: text.rindex('{"tweet"')].count("\n") + 1
    assert warnings == [
        f"tweets.js: entry 4 (line {line}) is not valid JSON (Unterminated string starting at); "
        "skipped (and nothing readable after it)"
    ]
    corrupt = text.replace('"part two"', "part two") + '"}},\n' + json.dumps(tw(5, "later"))
    items, warnings = parse_text("tweets.js", corrupt + "]")
    assert [it.text for it in items] == ["A thread & more", "RT @x: hi", "later"]
    assert "entry 2 (line" in warnings[0]


# --- Mastodon ----------------------------------------------------------------------------


def test_mastodon_outbox() -> None:
    p = sample("mastodon/philhawksworth-outbox.json")
    acts = json.loads(p.read_text())["orderedItems"]
    items, warnings = parse_file(p)
    assert warnings == [] and len(items) == len(acts) == 216
    assert sum(it.kind == "repost" for it in items) == sum(a["type"] == "Announce" for a in acts)
    assert sum(it.kind == "post" for it in items) == 190
    assert all(it.date and it.url for it in items)
    assert_clean(items)
    assert items[0].text == "Setting up my mstdn" and items[0].date == dt.date(2022, 11, 11)


def test_mastodon_truncated_outbox() -> None:
    note = {"type": "Create", "published": "2022-11-11T17:33:26Z",
            "object": {"type": "Note", "content": "<p>Hello <a href='x'>#fedi</a></p>",
                       "url": "https://m.example/@a/1",
                       "tag": [{"type": "Hashtag", "name": "#fedi"}]}}  # fmt: skip
    undated = {"type": "Create", "object": {"type": "Note", "content": "<p>When?</p>"}}
    boost = {"type": "Announce", "published": "2022-11-12T00:00:00Z", "object": "https://o/2"}
    doc = {"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection",
           "orderedItems": [note, undated, boost, note]}  # fmt: skip
    text = json.dumps(doc, indent=1)[:-60]
    items, warnings = parse_text("outbox.json", text)
    assert [(it.kind, it.text, it.tags) for it in items] == [
        ("post", "Hello #fedi", ["fedi"]), ("post", "When?", []), ("repost", "Boosted https://o/2", [])
    ]  # fmt: skip
    assert any("entry 2 has no readable 'published' date" in w for w in warnings)
    assert any("entry 4 (line" in w for w in warnings)


# --- WordPress ---------------------------------------------------------------------------


def test_wordpress_export() -> None:
    p = sample("wordpress/ddprrt-wordpress.xml")
    raw = p.read_text()
    kept = 0
    for item in re.findall(r"<item>.*?</item>", raw, re.S):
        kind = re.search(r"<wp:post_type>(?:<!\[CDATA\[)?(\w+)", item)[1]
        status = re.search(r"<wp:status>(?:<!\[CDATA\[)?(\w+)", item)[1]
        kept += kind in ("post", "page") and status == "publish"
    items, warnings = parse_file(p)
    assert warnings == [] and len(items) == kept == 25
    assert sum(it.extra["post_type"] == "page" for it in items) == 3
    assert all(it.date and it.url for it in items)
    assert_clean(items, allow_code=True)  # posts about HTML quote HTML in code blocks
    titles = [it.title for it in items]
    assert "Robust (but hacky) way of portrait / landscape detection" in titles  # &shy; gone
    tagged = next(it for it in items if it.title.startswith("Robust"))
    assert "media queries" in tagged.tags and tagged.tags.count("javascript") == 0


def test_wordpress_drafts_and_damage() -> None:
    def item(title: str, status: str, kind: str = "post", date: str = "2012-11-19 17:44:04") -> str:
        return (
            f"<item><title>{title}</title><link>https://w.example/{title}</link>"
            f"<content:encoded><![CDATA[First para [caption id=1]pic[/caption]\n\nSecond "
            f"para]]></content:encoded><wp:post_date>{date}</wp:post_date>"
            f"<wp:status>{status}</wp:status><wp:post_type>{kind}</wp:post_type>"
            '<category domain="category" nicename="x"><![CDATA[Web]]></category></item>'
        )

    xml = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        + item("Live", "publish")
        + item("Draft", "draft")
        + item("Pic", "inherit", "attachment")
        + item("Menu", "publish", "nav_menu_item")
        + item("Undated", "publish", date="sometime")
        + "<item><title>Cut off</title><wp:status>publ"
    )
    items, warnings = parse_text("export.xml", xml)
    assert [it.title for it in items] == ["Live", "Undated"]
    assert items[0].text == "First para pic\n\nSecond para" and items[0].tags == ["Web"]
    assert items[0].date == dt.date(2012, 11, 19) and items[1].date is None
    assert any("damaged XML repaired at line" in w for w in warnings)
    assert any("item 5 ('Undated') has no readable date" in w for w in warnings)


# --- Substack ----------------------------------------------------------------------------


def test_substack_export() -> None:
    p = sample("substack-export/posts.csv")
    rows = list(csv.DictReader(p.open()))
    items, warnings = parse_file(p, "substack-export/posts.csv")
    assert warnings == []
    assert len(items) == sum(r["is_published"] == "TRUE" for r in rows) == 4
    assert [it.title for it in items] == ["Plain Text", "Comment Buttons", "Talk to Us", "About Us"]
    assert items[0].date == dt.date(2019, 7, 26)
    assert items[0].extra["subtitle"] == "“This quote’s rather short”"
    assert "Lorem ipsum dolor sit amet" in items[0].text and "Sign up" not in items[0].text
    assert_clean(items)
    body = p.parent / "posts" / "123401.plain-text.html"
    near = lambda rel: (body.parent / rel).read_bytes()  # noqa: E731
    assert owner("substack-export/posts/123401.plain-text.html", near)
    assert owner("site/posts/page.html", lambda rel: None) is None  # no export beside it


def test_substack_missing_body_and_bad_rows(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "1.a.html").write_text("<p>Body one</p>")
    (tmp_path / "posts.csv").write_text(
        "post_id,post_date,is_published,email_sent_at,type,audience,title,subtitle\n"
        "1.a,2020-01-02T00:00:00Z,true,,newsletter,everyone,One,Sub one\n"
        "2.b,2020-02-03T00:00:00Z,true,,newsletter,everyone,Two,Sub two\n"
        "../../etc/passwd,2020-02-03,true,,newsletter,everyone,Evil,\n"
        "3.c,,true,,newsletter,everyone,Undated,Only a subtitle\n"
        "4.d,2020-02-03,false,,newsletter,everyone,Draft,\n"
    )
    items, warnings = parse_file(tmp_path / "posts.csv")
    assert [(it.title, it.text) for it in items] == [
        ("One", "Sub one\n\nBody one"), ("Two", "Sub two"), ("Undated", "Only a subtitle")
    ]  # fmt: skip
    assert items[2].date is None
    assert "posts.csv: line 3: posts/2.b.html not found; indexed from the CSV only" in warnings
    assert any("line 4: unusable post_id" in w for w in warnings)


def test_substack_build_indexes_bodies_once(tmp_path: Path) -> None:
    from indexer.build import build_index

    report = build_index([sample("substack-export")], tmp_path / "ix", progress=False)
    assert report.items == 4 and report.files == 6
    assert sorted(why for _, why in report.skipped) == 5 * [
        "body of a post in the Substack export ../posts.csv (indexed with it)"
    ]


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_paper() -> None:
    p = sample("pdf/karpathy2014-large-scale-video-classification.pdf")
    items, warnings = parse_file(p)
    assert warnings == [] and len(items) == 1
    it = items[0]
    assert (it.kind, it.title) == (
        "paper", "Large-scale Video Classification with Convolutional Neural Networks"
    )  # fmt: skip
    assert it.date == dt.date(2014, 4, 14) and it.author.startswith("Andrej Karpathy")
    assert "have been established as a powerful class" in it.text  # "es-" + "tablished"
    assert "spatio-temporal" in it.text and "UCF-101" in it.text  # real hyphens stay
    assert "ﬁ" not in it.text and "classification" in it.text  # ligature
    assert "\n\nAbstract\n\n" in it.text and "\n\n1. Introduction\n\n" in it.text
    assert not re.search(r"[a-z]-\n", it.text)  # no line-end hyphens left
    paras = it.text.split("\n\n")
    assert len(paras) > 40 and max(len(x) for x in paras) < 6000


def test_pdf_running_headers_page_numbers_and_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.sources import pdf

    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    body = [[f"The {w} section starts here.", f"More about {w}."] for w in words]
    pages = [[f"Journal of Tests, Vol. {n}", *b, str(n)] for n, b in enumerate(body, 1)]
    assert pdf._strip_running(pages) == [["", *b, ""] for b in body]
    text = pdf._paragraphs(["A long line of text that ends with a hyphen-", "ated word here."])
    assert text == "A long line of text that ends with a hyphenated word here."
    with pytest.raises(ParseError, match="paper.pdf: unreadable PDF"):
        parse_capture("paper.pdf", b"%PDF-1.4\n1 0 obj garbage", lambda m: None)
    data = sample("pdf/karpathy2014-large-scale-video-classification.pdf").read_bytes()
    with pytest.raises(ParseError, match="cut.pdf"):
        parse_capture("cut.pdf", data[:2000], lambda m: None)


# --- search: reposts left out by default, transcript hits say where they are ------------


def test_search_leaves_reposts_out_and_times_transcript_hits(tmp_path: Path) -> None:
    from indexer import open_index
    from indexer.build import build_index

    caps = tmp_path / "caps"
    caps.mkdir()
    tweets = [
        {"tweet": {"id_str": "1", "created_at": "Sun Dec 31 14:36:59 +0000 2023",
                   "full_text": "RT @other: zebra crossings everywhere"}},
        {"tweet": {"id_str": "2", "created_at": "Sun Dec 31 14:36:59 +0000 2023",
                   "full_text": "my own zebra photo essay"}},
    ]  # fmt: skip
    (caps / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(tweets))

    def ts(sec: int) -> str:
        return f"00:{sec // 60:02d}:{sec % 60:02d},000"

    cues = [  # 399 cues 9 s apart, a pause before each: one paragraph per cue
        f"{n}\n{ts(9 * n)} --> {ts(9 * n + 5)}\nSome words spoken about topic{n} here.\n"
        for n in range(1, 400)
    ]
    (caps / "talk.srt").write_text("\n".join(cues))
    build_index([caps], tmp_path / "ix", progress=False)
    ix = open_index(tmp_path / "ix")
    assert [h.kind for h in ix.search("zebra", mode="bm25")] == ["post"]
    assert {h.kind for h in ix.search("zebra", mode="bm25", kind="repost")} == {"repost"}
    assert {h.kind for h in ix.search("zebra", mode="bm25", kind=["post", "repost"])} == {
        "post", "repost"
    }  # fmt: skip
    hit = ix.search("topic350", mode="bm25")[0]
    assert hit.kind == "transcript" and hit.at is not None
    cue = re.findall(r"topic(\d+)", hit.passage)[0]
    assert "topic350" in hit.passage
    assert hit.at == int(cue) * 9 > 0  # the cue the passage starts in
