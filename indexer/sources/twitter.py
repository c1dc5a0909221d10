"""Twitter/X archive tweet files (``data/tweets.js``, older ``tweet.js``).

The archive's file is JavaScript wrapping one JSON array::

    window.YTD.tweets.part0 = [
      {"tweet": {"id_str": "1741468498042270064", "created_at": "Sun Dec 31 14:36:59 +0000 2023",
                 "full_text": "Los he cumplido todos https://t.co/ZfZMUdSYIS",
                 "entities": {"urls": [{"url": "https://t.co/ZfZMUdSYIS",
                                        "expanded_url": "https://twitter.com/..."}]},
                 "in_reply_to_status_id_str": "...", ...}},
      ...]

Each tweet is a ``post`` dated from ``created_at`` with t.co links replaced by the URLs
they stand for (photo links, which only point back at the tweet, are dropped) and HTML
entities decoded. The archive holds only its owner's tweets, so a reply to a tweet in the
same file is the author continuing a thread: the whole chain becomes one item, dated and
linked by its first tweet, its tweets in time order. Retweets ("RT @user: ...") are kind
``repost``, which search leaves out unless asked for. Broken entries are reported by
number and skipped (``json_entries``). The sample (@alrocar: 820 tweets, 231 of them
self-replies, 27 photo-only, 9 retweets) gives 566 items (589 threads less 23 with only
photos): 557 posts and threads (the longest of 22 tweets) and 9 reposts, no t.co link left.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

from ..models import Item, ParseError, stable_id
from .common import first_sentence_title, tidy
from .json_entries import array_entries

PREFIX = re.compile(r"^\s*window\.YTD\.(?:tweets?|deleted_tweets?)\.part\d+\s*=\s*\[")


def sniff(text: str, source: str) -> bool:
    return bool(PREFIX.match(text[:200]))


def _created(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:  # "Sun Dec 31 14:36:59 +0000 2023": the day as the author's client wrote it (UTC)
        return dt.datetime.strptime(value.strip(), "%a %b %d %H:%M:%S %z %Y").date()
    except ValueError:
        return None


def _text(tw: dict[str, Any]) -> str:
    text = str(tw.get("full_text") or tw.get("text") or "")
    for u in (tw.get("entities") or {}).get("urls") or []:
        if isinstance(u, dict) and u.get("url") and u.get("expanded_url"):
            text = text.replace(u["url"], u["expanded_url"])
    media = (tw.get("extended_entities") or tw.get("entities") or {}).get("media") or []
    for m in media:
        if isinstance(m, dict) and m.get("url"):
            text = text.replace(m["url"], "")
    return tidy(html.unescape(text))


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    m = PREFIX.match(text)
    if not m:
        raise ParseError(f"{source}: not a Twitter archive file (no 'window.YTD... = [')")
    tweets: list[dict[str, Any]] = []
    for n, entry in array_entries(text, m.end() - 1, source, warn, r'\{\s*"tweet"\s*:'):
        tw = entry.get("tweet", entry) if isinstance(entry, dict) else None
        if not isinstance(tw, dict) or not (tw.get("id_str") or tw.get("id")):
            warn(f"{source}: entry {n} is not a tweet; skipped")
            continue
        tw["_date"] = _created(tw.get("created_at"))
        if tw["_date"] is None:
            warn(f"{source}: entry {n} has no readable created_at; kept undated")
        tw["_id"] = str(tw.get("id_str") or tw.get("id"))
        tw["_text"] = _text(tw)  # "" for a photo-only tweet: kept as a link in its thread
        tweets.append(tw)
    by_id = {tw["_id"]: tw for tw in tweets}

    def root(tw: dict[str, Any]) -> str:
        seen = set()
        while (parent := str(tw.get("in_reply_to_status_id_str") or "")) in by_id:
            if parent in seen:  # a cycle cannot happen in a real archive; do not hang on one
                break
            seen.add(parent)
            tw = by_id[parent]
        return tw["_id"]

    threads: dict[str, list[dict[str, Any]]] = {}
    for tw in tweets:
        threads.setdefault(root(tw), []).append(tw)
    items: list[Item] = []
    for rid, members in threads.items():
        members.sort(
            key=lambda t: (t["_date"] or dt.date.min, int(t["_id"]) if t["_id"].isdigit() else 0)
        )
        first = by_id[rid]
        body = "\n\n".join(t["_text"] for t in members if t["_text"])
        if not body:
            continue
        tags = [h.get("text") for h in (first.get("entities") or {}).get("hashtags") or []]
        items.append(
            Item(
                id=stable_id(source, rid),
                title=first_sentence_title(body),
                text=body,
                source=source,
                kind="repost" if body.startswith("RT @") else "post",
                date=first["_date"],
                url=f"https://twitter.com/i/web/status/{rid}",
                tags=[t for t in dict.fromkeys(tags) if isinstance(t, str)],
                position=len(items),
                extra={"tweets": len(members)} if len(members) > 1 else {},
            )
        )
    return items
