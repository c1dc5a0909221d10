"""Topic records on an incremental map update: only the topics a change touched are
recounted, and the result equals recounting every topic."""

from __future__ import annotations

import numpy as np

from indexer import topic_records, topics
from indexer.topics import PreviousMap, build_map
from tests.test_topics import check, corpus


def test_an_update_recounts_only_the_topics_it_touched(monkeypatch):
    items, v, _ = corpus([40, 35, 30, 30, 25, 20], noise=0.3, seed=3)
    res = build_map(items, v)
    t0 = res.topic_ids  # these themes do not split: give each topic two halves as level 1
    paths = np.stack([t0, np.where(t0 >= 0, 2 * t0 + np.arange(len(t0)) % 2, -1)], axis=1)
    names = {(1, t): f"half {t}" for t in range(2 * len(res.topics))}
    finer = topics._finer(items, v, res.coords, paths, res.topics, names)
    ids = [it.id for it in items]
    prev = PreviousMap(ids, res.coords, res.topic_ids, res.topics, v, paths, finer)
    moved = ids.index(res.topics[0].representative_ids[0])  # a topic's most central item
    v2 = v.copy()
    v2[moved] = -v[moved]  # its text rewritten: no longer central (the record must change)
    keep = [i for i in range(len(items)) if i != 100]  # and one item removed
    items2, v2 = [items[i] for i in keep], v2[keep]
    calls: list[int] = []
    real = topic_records.anchor
    monkeypatch.setattr(topic_records, "anchor", lambda p: calls.append(len(p)) or real(p))
    got = build_map(items2, v2, prev)
    recounted = len(calls)
    assert not got.refitted
    check(got, len(items2))
    assert got.paths is not None and got.finer is not None
    # every record equals one counted afresh from the updated map
    labels = {t.id: t.label for t in got.topics}
    fresh = topics._topics(
        items2, v2, got.coords, got.topic_ids, [labels.get(t, "") for t in range(max(labels) + 1)]
    )
    assert fresh == got.topics
    assert items[moved].id not in got.topics[0].representative_ids
    names = {(t.level, t.id): t.label for t in got.finer}
    assert topics._finer(items2, v2, got.coords, got.paths, got.topics, names) == got.finer
    # ... but only the topics holding the moved item or item 100, at each level, were counted
    assert 0 < recounted <= 2 * got.paths.shape[1] < len(got.topics) + len(got.finer)


def test_records_of_reordered_members_are_counted_again():
    """The same items in another order (entries re-sorted in an export) keep their places
    and topics, but a record depends on its members' order (the label's anchor samples
    every k-th member of a big topic), so those records are counted again."""
    items, v, _ = corpus([150, 120], noise=0.3, seed=6)
    res = build_map(items, v)
    prev = PreviousMap([it.id for it in items], res.coords, res.topic_ids, res.topics, v)
    back = list(range(len(items)))[::-1]
    got = build_map([items[i] for i in back], v[back], prev)
    assert not got.refitted
    labels = {t.id: t.label for t in got.topics}
    names = [labels.get(t, "") for t in range(max(labels) + 1)]
    fresh = topics._topics([items[i] for i in back], v[back], got.coords, got.topic_ids, names)
    assert fresh == got.topics
