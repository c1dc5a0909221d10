"""Measure trafilatura + htmldate against absorb's own HTML extraction (html_page.py).

The saved HTML we have: the five Substack post bodies in ../shared/samples, the 20 full
newsletter posts of Simon Willison's Substack feed (each entry's HTML wrapped as a page,
a "Subscribe" widget inside), and the synthetic page of tests/test_sources.py (nav, header,
footer, aside, form, script, a dated <meta>). For every page both extractors run; a page
counts as *right* when the text has the first and last paragraph of the body and none of
the chrome strings, and a date as right when it equals the page's stated date. Reports
right pages, words, dates and time for each. trafilatura 2.3 also needs lxml_html_clean,
which is not installed here: put it on PYTHONPATH to run this (``pip install --target``).

    PYTHONPATH=$PWD:/tmp/lhc python bench/html_extract_eval.py
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.sources import html_page  # noqa: E402
from indexer.sources.common import one_line  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples"


def _paras(fragment: str) -> list[str]:
    ps = [html_page.fragment_text(p) for p in re.findall(r"<p>(.*?)</p>", fragment, re.S)]
    return [p for p in ps if len(p) > 30 and "subscribe" not in p.lower()]


def pages() -> list[tuple[str, str, list[str], list[str], str | None]]:
    """(name, html, must-have snippets, chrome snippets, stated date)."""
    out = []
    for p in sorted((SAMPLES / "substack-export" / "posts").glob("*.html")):
        raw = p.read_text()
        body = f"<html><body><article>{raw}</article></body></html>"
        keep = [one_line(t)[:40] for t in _paras(raw)[:1] + _paras(raw)[-1:]]
        out.append((p.name, body, keep, ["Sign up"], None))
    feed = feedparser.parse((SAMPLES / "feeds" / "simonw-substack-feed.xml").read_bytes())
    for n, e in enumerate(feed.entries, 1):
        raw = e.content[0].value
        date = "{:04d}-{:02d}-{:02d}".format(*e.published_parsed[:3])
        page = (
            f"<html><head><title>{e.title}</title><meta property='article:published_time' "
            f"content='{date}'></head><body><article>{raw}</article></body></html>"
        )
        ps = _paras(raw)
        keep = [one_line(ps[0])[:40], one_line(ps[-1])[:40]] if ps else []
        out.append((f"simonw-{n}", page, keep, ["Subscribe for free"], date))
    test = (ROOT / "tests" / "test_sources.py").read_text()
    fixture = re.search(r'PAGE = """(.*?)"""', test, re.S)[1]
    chrome = ["NAV_TEXT", "FOOTER_TEXT", "ASIDE_TEXT", "FORM_TEXT", "SCRIPT_TEXT", "COMMENT_TEXT"]
    out.append(("test-page", fixture, ["First para with bold", "return 1"], chrome, "2020-06-11"))
    return out


def main() -> int:
    import htmldate
    import trafilatura

    rows = pages()
    for name, extract, date_of in (
        (
            "absorb html_page",
            lambda h: html_page.parse(h, "p.html", lambda m: None)[0].text,
            lambda h: str(html_page.parse(h, "p.html", lambda m: None)[0].date),
        ),
        (
            "trafilatura+htmldate",
            lambda h: trafilatura.extract(h, include_comments=False) or "",
            lambda h: str(htmldate.find_date(h, extensive_search=False, outputformat="%Y-%m-%d")),
        ),
    ):
        right = words = dates = dated = 0
        t0 = time.perf_counter()
        for page, html, keep, chrome, stated in rows:
            text = one_line(extract(html))
            ok = all(k in text for k in keep) and not any(c in text for c in chrome)
            right += ok
            words += len(text.split())
            if not ok:
                print(f"  {name}: {page} wrong (kept {[k in text for k in keep]}, "
                      f"chrome {[c for c in chrome if c in text]})")  # fmt: skip
            if stated:
                dated += 1
                dates += date_of(html) == stated
        dt_ = time.perf_counter() - t0
        print(f"{name:22} pages right {right}/{len(rows)}  words {words}  "
              f"dates right {dates}/{dated}  {dt_:.2f}s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
