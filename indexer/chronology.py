"""Chronology: link captures of the same work, then place undated items in time.

A work often reaches absorb several times (a blog post, an undated feed summary of it, a
social post announcing it); linking them lets undated captures borrow a stated date, and
undated items on a page be bracketed by dated neighbours. Pure functions, no disk I/O.

Linking is precision first. Evidence: TF-IDF cosine of title + whole text (nudged by item
vectors when given), a "new blog post: <title>" announcement, a URL only the two carry.
Items compete within *groups* (a multi-item source, or all single-file captures of one
kind, never linked to each other) and link only as mutual best matches across two groups
by a margin; a short text meeting a long one (a summary or announcement of a post) needs
less lexical evidence than other pairs. Links merge strongest first, refusing a merge that
puts two items of a group or stated dates over 60 days apart in one work, or a
similarity-only link whose date breaks the order of a page dated by stronger links.

``date_kind`` (an inferred date is never ``captured``): ``linked`` = earliest stated date of
the work; ``interpolated`` = range from dated neighbours on the item's page (newest first by
``position``): ``date`` = older bound, ``date_end`` = newer; open ranges are (X, None) "after
X" and (None, Y) "before Y"; none is drawn between neighbours that contradict the page
order; ``mentioned`` = the one cued date of a short text ("as of May 2015" is that month's
range), if it fits any page range.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from . import chrono_text
from .chrono_match import MAX_GAP_DAYS, mutual_best_many
from .chrono_text import ItemTokens
from .models import Item
from .sources.dates import parse_date

MIN_SCORE = 0.15  # lexical cosine a short text needs to link to a long one (a summary, a post)
STRICT_SCORE = 0.3  # ... any other pair, or a side with no rival (unless vouched for)
SHORT_WORDS = 1000  # texts under this many words are "short"
MIN_MARGIN = 0.04  # the best match must beat the runner-up by this, on both sides
VOUCHED = 0.5  # what a mention or shared URL adds
SHORT_TEXT = 2000  # a "mentioned" date is only read from texts this short (chars)
KIND_LABEL = {"article": "blog post", "post": "social post", "transcript": "video",
              "project": "README", "notebook": "notebook", "paper": "paper"}  # fmt: skip
# Code and lectures share generic words (model, train, loss, torch): on the samples, text
# alone linked a blog post to an unrelated lecture notebook (cosine 0.37) and the RNN post's
# summary to the GPT lecture (0.20). A link touching one of these kinds needs titles that
# agree (title cosine >= TITLE_SCORE) or a vouch, e.g. a name only the two carry.
TITLED_KINDS = {"project", "notebook", "code", "transcript"}
TITLE_SCORE = 0.3


@dataclass
class Link:
    """Two items judged to be captures of the same work."""

    a: str
    b: str
    confidence: float
    evidence: list[str] = field(default_factory=list)


_URL = re.compile(r"https?://[^\s)\]>\"'}]+")
_ANNOUNCE = re.compile(r"\bnew\b[^\n.:]{0,12}?\bblog\s+post\b", re.I)
_MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
_MENTION = re.compile(
    r"\b(?i:as of|updated|posted|written|published|today)[:,]?\s+(?:on\s+)?"
    rf"(\d{{4}}-\d\d-\d\d|\d{{1,2}} {_MON} \d{{4}}|{_MON} (?:\d{{1,2}}\w{{0,2}},? )?[12]\d{{3}})\b"
)


_tokens = chrono_text.tokens


def _vouched(
    items: list[Item], groups: list[str], titles: list[set[str]]
) -> dict[tuple[int, int], list[str]]:
    """Pairs (i < j) backed by an announcement of the other's title or a URL only they carry
    (``titles``: each item's title tokens)."""
    ev: dict[tuple[int, int], list[str]] = defaultdict(list)
    having: dict[str, list[int]] = defaultdict(list)  # title word -> items whose title has it
    for i, t in enumerate(titles):
        for w in t:
            having[w].append(i)
    for i, a in enumerate(items):
        if "blog" not in a.text.lower():  # what every announcement says (a cheap first pass)
            continue
        for m in _ANNOUNCE.finditer(a.text):
            said = a.text[m.start() : m.end() + 150].split("\n")[0].strip()
            near = set(_tokens(f"{a.title} {said}"))  # its title or the rest of the line
            for j in sorted({j for w in near for j in having.get(w, ())}):
                want = titles[j]  # ... holds most words of j's title
                if groups[j] != groups[i] and 2 <= len(want) <= len(want & near) / 0.6:
                    ev[min(i, j), max(i, j)].append(f"mention: {said[:80]!r}")
    owners: dict[str, set[int]] = defaultdict(set)
    for i, it in enumerate(items):
        for u in _URL.findall(it.text) + ([it.url] if it.url else []):
            u = re.sub(r"^https?://(www\.)?|#.*", "", u.rstrip(".,;:!?")).rstrip("/")
            owners[u.lower()].add(i)
    for u, owned in owners.items():
        i, j = min(owned), max(owned)
        if len(owned) == 2 and "/" in u and groups[i] != groups[j]:
            ev[i, j].append(f"shared url {u[:60]}")
    named: dict[frozenset[str], list[int]] = defaultdict(list)  # a repo's README and its talk
    for i, t in enumerate(titles):
        if t and max(map(len, t)) >= 4:
            named[frozenset(t)].append(i)
    for name, pair in named.items():
        if len(pair) == 2 and groups[pair[0]] != groups[pair[1]]:
            ev[pair[0], pair[1]].append(f"same title {' '.join(sorted(name))[:60]!r}")
    return ev


def link_items(
    items: list[Item], vectors: np.ndarray | None = None, cache: ItemTokens | None = None
) -> list[Link]:
    """Links between captures of the same work, strongest first (see module docstring).

    ``cache``: token counts of an earlier build (``chrono_text``), to tokenise only what
    changed; the links are the same with or without it."""
    per_source = Counter(it.source for it in items)
    groups = [f"single|{it.kind}" if per_source[it.source] == 1 else it.source for it in items]
    got = chrono_text.tfidf((cache or ItemTokens()).counts(items))
    if got is None:  # no items, or no words in any of them
        return []
    x, titles, title_words = got
    vouched = _vouched(items, groups, title_words)
    short = [len(it.text.split()) < SHORT_WORDS for it in items]
    day = np.array([it.date.toordinal() if it.date else np.nan for it in items])
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    cands: list[tuple[float, int, int, list[str], bool]] = []
    names = sorted(members)
    for k, g1 in enumerate(names[:-1]):  # every pair of groups, g1's rows against the rest
        r, later = members[g1], names[k + 1 :]
        boosts = [_boosts(vouched, groups, g1, g2, r, members[g2]) for g2 in later]
        cols = [members[g2] for g2 in later]
        for c, best in zip(cols, mutual_best_many(x, vectors, day, r, cols, boosts), strict=True):
            for ii, jj, s, lex, margin in best:
                i, j = r[ii], c[jj]
                vouch = vouched.get((min(i, j), max(i, j)), [])
                strict = min(len(r), len(c)) == 1 or short[i] == short[j]
                weak = lex < (STRICT_SCORE if strict else MIN_SCORE) and not vouch
                if margin < MIN_MARGIN or weak:  # most pairs: decided before the title cosine
                    continue
                title = (titles[i] @ titles[j].T)[0, 0]
                untitled = {items[i].kind, items[j].kind} & TITLED_KINDS and title < TITLE_SCORE
                if untitled and not vouch:
                    continue
                ev = [f"text {lex:.2f}", f"title {title:.2f}"]
                ev += [] if vectors is None else [f"vector {float(vectors[i] @ vectors[j]):.2f}"]
                evidence = ev + vouch + [f"margin {margin:.2f}"]
                cands.append((min(1.0, s), i, j, evidence, bool(vouch)))
    return _merge(items, groups, cands)


def _boosts(
    vouched: dict, groups: list[str], g1: str, g2: str, r: list[int], c: list[int]
) -> dict[tuple[int, int], float]:
    """What vouched pairs between groups g1 (rows ``r``) and g2 (columns ``c``) add to their
    score, by (row position, column position)."""
    boost = {}
    for a, b in (p if groups[p[0]] == g1 else p[::-1] for p in vouched):
        if (groups[a], groups[b]) == (g1, g2):
            boost[r.index(a), c.index(b)] = VOUCHED
    return boost


def _merge(items: list[Item], groups: list[str], cands: list) -> list[Link]:
    """Accept candidate links strongest first unless the merged work is inconsistent."""
    work = list(range(len(items)))  # each item's work (the id of one of its members)
    comp = {i: [i] for i in range(len(items))}
    stated = [it.date if it.date_kind == "captured" else None for it in items]
    work_date = list(stated)  # per work id: the earliest stated date of the work
    pages: dict[str, list[int]] = defaultdict(list)
    for i in sorted(range(len(items)), key=lambda k: items[k].position):
        pages[items[i].source].append(i)

    def in_order(k: int, d: dt.date) -> bool:  # would dating k at d keep its page newest first?
        dated: list[tuple[int, dt.date]] = [
            (o, d0) for o in pages[items[k].source] if (d0 := work_date[work[o]]) is not None
        ]
        newer = [d0 for o, d0 in dated if items[o].position < items[k].position][-1:]
        older = [d0 for o, d0 in dated if items[o].position > items[k].position][:1]
        return all(d0 >= d for d0 in newer) and all(d >= d0 for d0 in older)

    links = []
    for conf, i, j, ev, vouched in sorted(cands, key=lambda t: -t[0]):
        ri, rj = work[i], work[j]
        merged = comp[ri] + comp[rj]
        dates = [d0 for k in merged if (d0 := stated[k]) is not None]
        d = min(dates, default=None)
        too_far = d is not None and (max(dates) - d).days > MAX_GAP_DAYS
        if ri == rj or too_far or len({groups[k] for k in merged}) < len(merged):
            continue
        changed = [k for k in merged if work_date[work[k]] != d]  # members this link dates
        if d and not vouched and not all(in_order(k, d) for k in changed):
            continue
        for k in comp.pop(rj):
            work[k] = ri
        comp[ri], work_date[ri] = merged, d
        links.append(Link(items[i].id, items[j].id, round(conf, 3), ev))
    return links


def _mentioned(text: str) -> tuple[dt.date, dt.date] | None:
    """The one cued date a short text states, as a (first, last) day range."""
    found = set()
    for m in _MENTION.finditer(text if len(text) <= SHORT_TEXT else ""):
        day = parse_date(m[1])
        try:
            d = day or dt.datetime.strptime(f"{m[1][:3]} {m[1][-4:]}", "%b %Y").date()
        except ValueError:  # e.g. "31 Feb 2015"
            continue
        found.add((d, d if day else d.replace(day=calendar.monthrange(d.year, d.month)[1])))
    return found.pop() if len(found) == 1 else None


def _interpolate(page: list[Item]) -> None:
    """Bracket the undated items of one page (in position order) by dated neighbours."""
    anchors = [k for k, it in enumerate(page) if it.date and it.date_kind in ("captured", "linked")]
    if not anchors:
        return
    first, last = page[anchors[0]].date, page[anchors[-1]].date
    spans = [(0, anchors[0], first, None), (anchors[-1] + 1, len(page), None, last)]
    for a, b in zip(anchors, anchors[1:], strict=False):
        if page[a].date >= page[b].date:  # type: ignore[operator]  # else: contradiction
            spans.append((a + 1, b, page[b].date, page[a].date))
    for lo, hi, older, newer in spans:
        for it in page[lo:hi]:
            if it.date is None and it.date_end is None:
                it.date, it.date_end, it.date_kind = older, newer, "interpolated"


def assign_dates(items: list[Item], links: list[Link]) -> None:
    """Set ``related`` and the inferred dates in place; earlier inferences are redone."""
    work = {it.id: [it] for it in items}  # id -> the members of its work (a shared list)
    for it in items:
        if it.date_kind in ("linked", "interpolated", "mentioned"):  # redo every inference
            it.date = it.date_end = None
        it.date_kind = "captured" if it.date or it.date_end else None
        it.extra.pop("date_note", None)
    for ln in links:
        a, b = work.get(ln.a), work.get(ln.b)
        if a is not None and b is not None and a is not b:
            a.extend(b)
            work.update({o.id: a for o in b})
    pages: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        pages[it.source].append(it)
    for members in {id(w): w for w in work.values()}.values():
        stated = [o for o in members if o.date and o.date_kind == "captured"]
        donor = min(stated, key=lambda o: o.date) if stated else None  # type: ignore[arg-type, return-value]
        for it in members:
            it.related = [o.id for o in members if o is not it]
            if donor and it.date is None and it.date_end is None:
                it.date, it.date_end, it.date_kind = donor.date, donor.date_end, "linked"
                it.extra["date_note"] = f"from linked {KIND_LABEL.get(donor.kind, donor.kind)}"
    for page in pages.values():
        _interpolate(sorted(page, key=lambda o: o.position))
    for it in items:
        got = _mentioned(it.text) if it.date_kind in (None, "interpolated") else None
        if got and (it.date or dt.date.min) <= got[0] and got[1] <= (it.date_end or dt.date.max):
            it.date, it.date_end, it.date_kind = got[0], got[1], "mentioned"


def apply_chronology(
    items: list[Item], vectors: np.ndarray | None = None, cache: ItemTokens | None = None
) -> list[Link]:
    """Link the items, then assign dates; what the build pipeline calls."""
    links = link_items(items, vectors, cache)
    assign_dates(items, links)
    return links


def feed_order(items: list[Item]) -> list[Item]:
    """Newest first by best date (a range at its midpoint). An undated item follows the nearest
    dated item above it on its page (else precedes the nearest below); undated pages last."""

    def key(it: Item) -> tuple[float, float] | None:  # (day, rank): larger is newer
        if it.date and it.date_end:
            return (it.date.toordinal() + it.date_end.toordinal()) / 2, 0.0
        if it.date:  # "after X" (interpolated, open) sorts just above X
            return it.date.toordinal(), 1.0 if it.date_kind == "interpolated" else 0.0
        return (it.date_end.toordinal(), -1.0) if it.date_end else None  # "before Y"

    keys: dict[int, tuple[float, float]] = {}
    pages: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        pages[it.source].append(it)
    for page in pages.values():
        page.sort(key=lambda o: o.position)
        own = [key(o) for o in page]
        for k, it in enumerate(page):
            above = next((own[j] for j in range(k, -1, -1) if own[j]), None)
            below = next((own[j] for j in range(k, len(page)) if own[j]), None)
            keys[id(it)] = above or ((below[0], below[1] + 0.5) if below else (-np.inf, 0.0))
    return sorted(items, key=lambda o: (-keys[id(o)][0], -keys[id(o)][1], o.source, o.position))


def format_date(item: Item) -> str:
    """A human label for the item's date that says how it was obtained."""
    d, end, kind = item.date, item.date_end, item.date_kind

    def _month(x: dt.date) -> str:
        return f"{calendar.month_abbr[x.month]} {x.year}"

    if d is None:
        return f"before {_month(end) if kind == 'interpolated' else end}" if end else "date unknown"
    if kind == "interpolated":
        if end is None:
            return f"after {_month(d)}"
        same = _month(d) == _month(end)
        return f"in {_month(d)}" if same else f"between {_month(d)} and {_month(end)}"
    month = d.day == 1 and end == d.replace(day=calendar.monthrange(d.year, d.month)[1])
    label = _month(d) if month else d.isoformat() + (f" to {end}" if end and end != d else "")
    if kind == "linked":
        return f"{label} ({item.extra.get('date_note', 'from a linked capture')})"
    return f"{label} (mentioned in text)" if kind == "mentioned" else label
