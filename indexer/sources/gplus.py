"""Google+ profile pages saved as text.

The page text is a profile sidebar around a stream of posts::

    Cover photo
    Andrej Karpathy                      profile header and sidebar
    Worked at Google / Lives in ... / 6,174 followers|615,203 views

    Andrej Karpathy                      post author
    Shared publicly  -                   starts a post (a date may follow the dash)
    <the author's post, possibly several paragraphs>
    A's profile photoB's profile photo   avatars of people who +1'd / commented
    <comment lines by other people>
    Add a comment...                     ends the post
    In his circles / 355 people / ...    sidebar blocks may sit between posts

The author's text is everything from the "Shared publicly" line up to the first
avatar line (or "Add a comment...", or a sidebar marker when neither is present).
Lines after the avatar line are other people's comments: they are never mixed
into the post text but kept, one per line, in ``extra["comments"]`` (the dump
does not say where one comment ends and the next begins, nor who wrote it).
The page shows no dates, so ``date`` stays ``None`` unless the "Shared publicly"
line carries one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..models import Item, stable_id
from .common import first_sentence_title, tidy, unique_keys
from .dates import parse_date

SHARED = re.compile(r"^\s*Shared (?:publicly|privately|to [^-]+?)\s*-?\s*(.*)$")
AVATARS = re.compile(r"'s profile photo")
ADD_COMMENT = re.compile(r"^\s*Add a comment\.*\s*$")
SIDEBAR = re.compile(
    r"^\s*(In (?:his|her|their) circles|Have (?:him|her|them) in circles|Basic Information"
    r"|Cover photo|Map of the places this user has lived.*|[\d,]+ (?:people|followers).*"
    r"|(?:Worked at|Works at|Attends|Attended|Lives in) .*)\s*$"
)


def sniff(text: str, source: str) -> bool:
    head = text[:100_000]
    return bool(re.search(r"^[ \t]*Shared publicly", head, re.M)) and (
        "'s profile photo" in head or "Add a comment..." in head
    )


def _post_ends(lines: list[str], start: int, stop: int) -> tuple[int, int]:
    """(end of the author's text, end of the comments) for a post body from ``start``."""
    text_end = stop
    for j in range(start, stop):
        ln = lines[j]
        if AVATARS.search(ln) or ADD_COMMENT.match(ln) or SIDEBAR.match(ln):
            text_end = j
            break
    comments_end = text_end
    if text_end < stop and AVATARS.search(lines[text_end]):
        comments_end = stop
        for j in range(text_end + 1, stop):
            if ADD_COMMENT.match(lines[j]) or SIDEBAR.match(lines[j]):
                comments_end = j
                break
    return text_end, comments_end


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    lines = text.split("\n")
    starts = [i for i, ln in enumerate(lines) if SHARED.match(ln)]
    posts: list[tuple[str | None, str, list[str], str]] = []
    for n, i in enumerate(starts):
        author = next((lines[k].strip() for k in range(i - 1, -1, -1) if lines[k].strip()), None)
        # the next post begins at its author line, just above its "Shared publicly"
        stop = len(lines)
        if n + 1 < len(starts):
            stop = starts[n + 1]
            while stop - 1 > i and not lines[stop - 1].strip():
                stop -= 1
            stop -= 1  # the author line of the next post
        text_end, comments_end = _post_ends(lines, i + 1, max(stop, i + 1))
        body = tidy("\n".join(lines[i + 1 : text_end]))
        comments = [
            c.replace("\xa0", " ").strip()
            for c in lines[text_end + 1 : comments_end]
            if c.strip() and not AVATARS.search(c) and not SIDEBAR.match(c)
        ]
        shared = SHARED.match(lines[i])
        posts.append((author, body, comments, shared.group(1).strip() if shared else ""))

    items: list[Item] = []
    kept = [p for p in posts if p[1].strip()]
    if len(kept) < len(posts):
        warn(f"{source}: {len(posts) - len(kept)} post(s) without text skipped")
    titles = [first_sentence_title(body) for _, body, _, _ in kept]
    for pos, ((author, body, comments, when), title, key) in enumerate(
        zip(kept, titles, unique_keys(titles), strict=True)
    ):
        items.append(
            Item(
                id=stable_id(source, key),
                title=title,
                text=body,
                source=source,
                kind="post",
                date=parse_date(when) if when else None,
                author=author,
                position=pos,
                extra={"comments": comments} if comments else {},
            )
        )
    return items
