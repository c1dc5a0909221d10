"""Topic records of the map: size, representative items and where the label goes.

Split from ``topics.py``. ``topic_records`` computes them for every topic of one level;
given ``keep`` (an incremental update's topics none of whose members changed), those
come back as they were: at 100k items the records of three levels (10.7k topics) took
4.6 s of every one-file re-index, nearly all for topics the change never touched.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .models import Item, Topic

Arr = np.ndarray


def topic_records(
    items: list[Item], v: Arr, xy: Arr, tids: Arr, names: list[str],
    keep: dict[int, Topic] | None = None,
) -> list[Topic]:  # fmt: skip
    """Topic records: size, the 3 items nearest the centroid, the label at the members'
    medoid on the map (``anchor``); topic t's record is ``keep[t]`` (a copy, with the label
    of ``names``) when given."""
    out = []
    keep = keep or {}
    tids = np.asarray(tids)
    by_topic = np.argsort(tids, kind="stable")  # one sort, not a scan of all items per topic
    bounds = np.searchsorted(tids[by_topic], np.arange(len(names) + 1))
    for t, name in enumerate(names):
        members = by_topic[bounds[t] : bounds[t + 1]]  # ascending, as np.flatnonzero gives
        if t in keep and keep[t].size == len(members):
            out.append(dataclasses.replace(keep[t], id=t, label=name))
        elif len(members):
            centre = v[members].sum(axis=0)  # np.add.at: 1.4 s for 10k topics at 100k items
            centre /= max(float(np.linalg.norm(centre)), 1e-12)
            near = members[np.argsort(-(v[members] @ centre), kind="stable")[:3]]
            x, y = anchor(xy[members])
            reps = [items[i].id for i in near]
            out.append(Topic(t, name, len(members), reps, float(x), float(y)))
    return out


def anchor(points: Arr) -> Arr:
    """Where a topic's label goes: the member (of at most 100, evenly spaced) with the least
    total distance to the others, each distance capped at the median one so a far group
    does not pull; a topic spread over two places is labelled on the larger. The
    coordinate-wise median sat in the empty space between them, or at a group's edge.

    >>> two_places = [[0, 0], [0, 2], [2, 0], [2, 2], [1, 1], [9, 9], [9, 8]]
    >>> anchor(np.array(two_places, np.float32)).tolist()  # the median: [2, 2]
    [1.0, 1.0]
    """
    s = points[:: -(-len(points) // 100)]  # 2,200 topics of 20-2,000 members: 1.1 s (500: 37 s)
    d = np.sqrt(((s[:, None, :] - s[None, :, :]) ** 2).sum(axis=-1))
    cap = np.median(d[np.triu_indices(len(s), 1)]) if len(s) > 1 else 0.0
    return s[int(np.minimum(d, cap).sum(axis=1).argmin())]
