"""Items from a multi-entry capture's records, with stable, unique ids.

Feeds and exports give one record (a dict of ``Item`` fields plus ``key``: the entry's own
id, guid or link) per entry; the item id hashes the source and that key, so an entry keeps
its id when others are added or removed, and two entries with one key get "#2".

>>> its = items_from_records("f.xml", [{"title": "A", "text": "x", "key": "g1"},
...                                    {"title": "B", "text": "y", "key": "g1"}])
>>> [(it.title, it.position) for it in its], its[0].id != its[1].id
([('A', 0), ('B', 1)], True)
"""

from __future__ import annotations

from typing import Any

from ..models import Item, stable_id
from .common import unique_keys


def items_from_records(source: str, records: list[dict[str, Any]]) -> list[Item]:
    keys = unique_keys([str(r.get("key") or r["title"]) for r in records])
    return [
        Item(
            id=stable_id(source, key),
            source=source,
            position=pos,
            **{k: v for k, v in r.items() if k != "key"},
        )
        for pos, (r, key) in enumerate(zip(records, keys, strict=True))
    ]
