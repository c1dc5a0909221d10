"""Measure indexer/chronology.py on the seed captures plus the karpathy-blog corpus.

Parses ``data/captures``, ``../shared/corpora/karpathy-blog`` and ``../shared/samples``
together (source names as the build pipeline gives them for several roots; ``--no-samples``
leaves the samples and their cross-format pairs, ``sample_pairs`` in the truth file, out), runs ``apply_chronology`` with three kinds of
item vectors, and reports links, precision/recall against ``tests/data/chronology_truth.json``,
how many of the 19 feed summaries of blog posts took their post's date, how many other
feed summaries got an interpolated range consistent with their neighbours, and each feed
summary with its date label.

Vector modes: ``none`` (lexical evidence only), ``head`` (MiniLM of title + first 200 words,
normalised) and ``passages`` (MiniLM, normalised mean of the item's passages: what the
build pipeline passes). ``--mode`` picks one; the default runs all three.

    python bench/chronology_eval.py [--mode none|head|passages|all] [--show ...] [--no-samples]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer import store  # noqa: E402
from indexer.chronology import Link, apply_chronology, format_date  # noqa: E402
from indexer.models import Item  # noqa: E402
from indexer.sources import owner, parse_capture  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
SAMPLES = ROOT.parent / "shared" / "samples"
TRUTH = ROOT / "tests" / "data" / "chronology_truth.json"


def load_items(roots: list[Path]) -> list[Item]:
    """Parse every file of the roots; sources are "<root name>/<path>" like the pipeline."""
    items: list[Item] = []
    for root in roots:
        for cf in store.walk_captures(root):
            near = lambda rel, cf=cf: store.read_near(cf, rel)  # noqa: E731
            if cf.error or owner(cf.rel, near) or cf.path.name == "SOURCES.md":
                continue  # SOURCES.md: the samples' provenance notes, nobody's writing
            items += parse_capture(f"{root.name}/{cf.rel}", cf.path.read_bytes(), print, near)
    return items


def find(items: list[Item], side: list[str]) -> Item:
    """The one item of source file ``side[0]`` whose title contains ``side[1]``."""
    fname, sub = side
    got = [it for it in items if Path(it.source).name == fname and sub.lower() in it.title.lower()]
    if len(got) != 1:
        raise LookupError(f"truth entry {side} matches {len(got)} items")
    return got[0]


def evaluate(items: list[Item], links: list[Link], truth: dict) -> dict:
    """Precision/recall of links and date outcomes on the feed page (see module docstring)."""
    pairs = [(find(items, p["a"]), find(items, p["b"])) for p in truth["pairs"]]
    work: dict[str, str] = {}
    for a, b in pairs:  # union the truth pairs into works
        wa, wb = work.get(a.id, a.id), work.get(b.id, b.id)
        for k, v in list(work.items()):
            if v == wb:
                work[k] = wa
        work[a.id] = work[b.id] = wa
    wrong = [ln for ln in links if work.get(ln.a) is None or work.get(ln.a) != work.get(ln.b)]
    by_id = {it.id: it for it in items}
    found = [(a, b) for a, b in pairs if b.id in a.related]
    feed = sorted(
        (it for it in items if Path(it.source).name == truth["feed"]), key=lambda o: o.position
    )
    blog_summaries = [(a, b) for a, b in pairs if a in feed]
    dated_right = [
        (a, b) for a, b in blog_summaries if a.date == b.date and a.date_kind == "linked"
    ]
    others = [it for it in feed if it.id not in {a.id for a, _ in blog_summaries}]
    consistent = []
    for it in others:
        k = feed.index(it)
        newer = next((o.date for o in reversed(feed[:k]) if o.date_kind == "linked"), None)
        older = next((o.date for o in feed[k + 1 :] if o.date_kind == "linked"), None)
        if it.date_kind == "interpolated" and (it.date, it.date_end) == (older, newer):
            consistent.append(it)
    return {
        "links": len(links),
        "wrong_links": [(by_id[ln.a].title[:50], by_id[ln.b].title[:50]) for ln in wrong],
        "precision": (len(links) - len(wrong)) / len(links) if links else 1.0,
        "recall": len(found) / len(pairs),
        "missed": [(a.title[:50], b.title[:50]) for a, b in pairs if (a, b) not in found],
        "blog_summaries": len(blog_summaries),
        "blog_summaries_dated": len(dated_right),
        "other_summaries": len(others),
        "other_interpolated": len(consistent),
        "feed": [(it.position, format_date(it), it.title) for it in feed],
    }


def _vectors(items: list[Item], mode: str) -> np.ndarray | None:
    if mode == "none":
        return None
    from indexer.build import item_vectors
    from indexer.embed import load_embedder
    from indexer.passages import embed_text, split_item

    emb = load_embedder()
    if mode == "head":
        return emb.encode([f"{it.title}\n\n{' '.join(it.text.split()[:200])}" for it in items])
    passages = [(k, p) for k, it in enumerate(items) for p in split_item(it, emb.max_words)]
    vecs = emb.encode([embed_text(items[k], p) for k, p in passages])
    return item_vectors(vecs, np.array([k for k, _ in passages]), len(items))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", default="all", choices=["all", "none", "head", "passages"])
    ap.add_argument("--show", default=None, help="mode whose feed labels to list (default: last)")
    ap.add_argument(
        "--no-samples",
        dest="samples",
        action="store_false",
        help="leave ../shared/samples (and its cross-format truth pairs) out",
    )
    args = ap.parse_args()
    blog = CORPORA / "karpathy-blog"
    if not blog.is_dir():
        print(f"corpus not found at {blog}: nothing to measure")
        return 0
    roots = [ROOT / "data" / "captures", blog]
    truth = json.loads(TRUTH.read_text())
    if args.samples and SAMPLES.is_dir():  # the cross-format pairs need the samples' formats
        roots.append(SAMPLES)
        truth["pairs"] = truth["pairs"] + truth["sample_pairs"]
    base = load_items(roots)
    modes = ["none", "head", "passages"] if args.mode == "all" else [args.mode]
    shown = None
    for mode in modes:
        items = copy.deepcopy(base)
        t0 = time.perf_counter()
        vecs = _vectors(items, mode)
        t1 = time.perf_counter()
        links = apply_chronology(items, vecs)
        t2 = time.perf_counter()
        r = evaluate(items, links, truth)
        print(f"== vectors: {mode}  (embed {t1 - t0:.1f}s, chronology {t2 - t1:.2f}s)")
        print(f"  items {len(items)}  links {r['links']}")
        print(
            f"  precision {r['precision']:.3f}  recall {r['recall']:.3f} ({len(truth['pairs'])} true pairs)"
        )
        print(
            f"  blog summaries with the right linked date: {r['blog_summaries_dated']}/{r['blog_summaries']}"
        )
        print(
            f"  other summaries with a consistent interpolated range: {r['other_interpolated']}/{r['other_summaries']}"
        )
        for a, b in r["wrong_links"]:
            print(f"  WRONG LINK: {a!r} <-> {b!r}")
        for a, b in r["missed"]:
            print(f"  missed: {a!r} <-> {b!r}")
        if args.show in (None, mode):
            shown = (mode, r["feed"])
    if shown:
        print(f"\n== feed page with date labels (vectors: {shown[0]})")
        for pos, label, title in shown[1]:
            print(f"  {pos:2d}  {label:<42} {title[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
