"""Topics of the map: which items belong together (split from ``topics.py``).

- From ``SMALL`` (100) items: HDBSCAN on a 5-d UMAP layout (``density``). One layout is
  the luck of its seed: on the 577 simonw-til notes the AMI between topics and the notes'
  folders ran from 0.367 to 0.410 over 25 seeds (sd 0.010; the shipped seed 42 gave 0.361
  on the index's vectors). So below ``CONSENSUS_MAX`` items the topics are the consensus of
  ``RUNS`` layouts (``consensus``): items are joined by average linkage on how often the
  runs put them together, cut where pairs share a topic in under ``1 - CUT`` of the runs
  on average. Over 9 sets of 4 seeds: AMI 0.390 on average, sd 0.004, lowest 0.384 (one
  run: 0.384, sd 0.010, lowest 0.361); 32-35 topics. RUNS and CUT were chosen on TIL, the
  one corpus here with ground-truth topics (3-5 runs, cuts 0.6-0.8 all gave 0.384-0.392);
  the cost is three more 5-d layouts and the linkage: build_map 2.8 -> 4.6 s at 577 items,
  8 -> 26 s and 1.0 GB peak at 4,900 synthetic items (``bench/map_bench.py``).
- Under ``SMALL``: average linkage (cosine) on the vectors, the number of topics chosen by
  silhouette (``linkage``): at 46 items a 5-d UMAP is chaotic (noise of 1e-6 in the vectors
  gave 3, 4, 5 or 7 seed topics over six trials), the linkage tree 7 topics every time.
"""

from __future__ import annotations

import warnings

import numpy as np

Arr = np.ndarray
SILHOUETTE_TIE = 0.01  # small corpora: cuts this close to the best silhouette count as ties
RUNS = 4  # layouts whose topics are combined (below CONSENSUS_MAX items)
CUT = 0.7  # consensus: average "not together" share above which groups stay apart
CONSENSUS_MAX = 5_000  # co-occurrence is an n x n matrix: 100 MB at this size


def density(reduced: Arr, min_size: int) -> Arr:
    """HDBSCAN labels (-1: noise) of the rows of ``reduced``; when one cluster holds most
    items, the leaves of HDBSCAN's tree instead, if there are more of them."""
    from sklearn.cluster import HDBSCAN

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's FutureWarning about ``copy``
        labels = HDBSCAN(min_cluster_size=min_size).fit_predict(reduced)
        if np.bincount(labels + 1).max() > len(reduced) / 2:  # one theme holds most: finer
            leaf = HDBSCAN(min_cluster_size=min_size, cluster_selection_method="leaf")
            labels = max(labels, leaf.fit_predict(reduced), key=lambda lab: lab.max())
    return labels


def consensus(runs: list[Arr], min_size: int) -> Arr:
    """One labelling from several (-1 = noise in each): average linkage on the share of runs
    that did *not* put two items together (noise is together with nothing), cut at ``CUT``;
    groups smaller than ``min_size`` become noise (-1).

    >>> a = np.array([0, 0, 0, 1, 1, 1, -1])
    >>> b = np.array([0, 0, 1, 1, 1, 1, 1])
    >>> consensus([a, a, a, b], min_size=2).tolist()  # item 6 joins 3-5 in one run of 4
    [0, 0, 0, 1, 1, 1, -1]
    """
    from sklearn.cluster import AgglomerativeClustering

    n = len(runs[0])
    together = np.zeros((n, n), np.float32)
    for labels in runs:
        ok = labels >= 0
        together += (labels[:, None] == labels[None, :]) & ok[:, None] & ok[None, :]
    apart = 1.0 - together / len(runs)
    np.fill_diagonal(apart, 0.0)
    joined = AgglomerativeClustering(
        None, metric="precomputed", linkage="average", distance_threshold=CUT
    ).fit_predict(apart)
    _, first, joined = np.unique(joined, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # numbered by first member, as HDBSCAN does
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    joined = rank[joined]
    kept = np.bincount(joined) >= min_size
    renumber = np.where(kept, np.cumsum(kept) - 1, -1)
    return renumber[joined].astype(np.int64)


def linkage(x: Arr) -> Arr:
    """Topics of a small corpus: average-linkage clusters (cosine) of the unit rows ``x``,
    2..sqrt(n) of them: the most whose silhouette ties the best (sqrt(n/2) under 15 items)."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    n = len(x)

    def cut(k: int) -> Arr:
        return AgglomerativeClustering(k, metric="cosine", linkage="average").fit_predict(x)

    if n < 15:
        return cut(max(1, round(np.sqrt(n / 2))))
    scored = []
    for k in range(2, round(np.sqrt(n)) + 1):
        labels = cut(k)
        if len(set(labels.tolist())) >= 2:
            scored.append((float(silhouette_score(x, labels, metric="cosine")), k, labels))
    if not scored:
        return cut(2)
    top = max(s for s, _, _ in scored)
    # silhouettes of nearby cuts differ by noise (0.158 vs 0.150 on seeds + blog): of the cuts
    # within SILHOUETTE_TIE of the best, the finest, so a reader gets topics, not halves
    return max((k, lab) for s, k, lab in scored if s >= top - SILHOUETTE_TIE)[1]
