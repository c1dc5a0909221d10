"""Time the topic map alone on a built index's items and vectors (``bench/scale_bench.py``).

    python bench/map_scale.py --index bench/out/scale/index-100000

Prints ``RESULT {json}``: seconds per step (kNN, each UMAP, HDBSCAN, finer levels, labels),
the total, topics found, and peak RSS. Runs ``topics.build_map`` as the build does (a full
fit, no previous map).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_phases import Timers  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    a = ap.parse_args(argv)
    import sklearn.cluster

    from indexer import labels, landmarks, levels, neighbours, store, topics

    gen = store.IndexDir(a.index).current()
    items = store.read_items(gen.db())
    ivecs = gen.array("item_vectors.npy", mmap=False)
    t = Timers()
    t.wrap(neighbours, "_knn", "knn")
    t.wrap(topics, "_umap", "umap")
    t.wrap(landmarks, "umap_layout", "umap")
    t.wrap(landmarks, "place", "place")
    t.wrap(sklearn.cluster.HDBSCAN, "fit_predict", "hdbscan")
    t.wrap(topics, "finer_levels", "levels")
    t.wrap(topics, "topic_labels", "labels")
    t0 = time.perf_counter()
    res = topics.build_map(items, ivecs, refit=True)
    total = time.perf_counter() - t0
    _ = labels, levels
    out = {
        "items": len(items),
        "seconds": round(total, 2),
        "phases": {k: round(v, 2) for k, v in t.seconds.items()},
        "topics": len(res.topics),
        "levels": None if res.paths is None else int(res.paths.shape[1]),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
