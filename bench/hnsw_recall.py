"""HNSW recall on real passage vectors: how much of exact search's top k it returns.

absorb switches from exact FAISS search to HNSW above ``APPROX_MIN_PASSAGES`` passages.
This measures recall@10 and recall@200 (the fusion's candidate depth) of the same HNSW
settings against exact search, for the questions in ``tests/data``, on the passage
vectors of any built index (real-model vectors: hashing vectors are a worst case)::

    python bench/scale_bench.py --sizes 10000          # or any index built with MiniLM
    python bench/hnsw_recall.py bench/out/scale/index-10000
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from indexer import open_index, store
    from indexer.search import APPROX_MIN_PASSAGES, build_faiss

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", type=Path)
    ap.add_argument("--ef", default="64,128,200", help="efSearch values to try")
    args = ap.parse_args(argv)
    gen = store.IndexDir(args.index).current()
    manifest = gen.manifest
    vectors = gen.array("passage_vectors.npy", mmap=False)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    questions = [
        json.loads(line)["q"]
        for f in sorted((ROOT / "tests" / "data").glob("*_*.jsonl"))
        for line in f.read_text().splitlines()
        if line.strip()
    ]
    idx = open_index(args.index)
    q = np.vstack([idx.embed_query(x) for x in questions]).astype(np.float32)
    print(
        f"{len(vectors)} passages ({manifest['model']}), {len(q)} questions; "
        f"absorb uses HNSW from {APPROX_MIN_PASSAGES} passages"
    )
    _, truth = build_faiss(vectors, approx=False).search(q, 200)
    hnsw = build_faiss(vectors, approx=True)
    for ef in (int(x) for x in args.ef.split(",")):
        hnsw.hnsw.efSearch = ef
        line = [f"efSearch {ef:>4}"]
        for k in (10, 200):
            _, got = hnsw.search(q, k)
            recall = np.mean(
                [len(set(a) & set(b[:k])) / k for a, b in zip(got, truth, strict=True)]
            )
            line.append(f"recall@{k} {recall:.4f}")
        print("  ".join(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
