"""Benchmark the topic map (indexer.topics.build_map) on the simonw/til corpus.

577 Markdown notes in 113 topic folders; the folder is the ground-truth topic.
Prints how well the 2-D map keeps each note's neighbourhood (share of its 10
nearest map neighbours from the same folder, beside the same share in the full
embedding space), the adjusted mutual information between topics and folders
(beside a default-HDBSCAN-on-5-d-UMAP baseline measured in the same run), the
number of topics, the unsorted share and the build time.

    python bench/map_bench.py [--json out.json]

Item vectors (bundled MiniLM) are cached under the user cache folder, so reruns
only pay for the map itself.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer import store  # noqa: E402
from indexer.embed import load_embedder  # noqa: E402
from indexer.models import Item, stable_id  # noqa: E402
from indexer.topics import build_map  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "simonw-til"


def load_items(root: Path) -> tuple[list[Item], list[str]]:
    """The notes as items (first ``# `` line = title) and their folders."""
    items, folders = [], []
    for p in sorted(root.rglob("*.md")):
        rel = p.relative_to(root).as_posix()
        if "/" not in rel:
            continue  # README.md and friends at the top level
        text = p.read_text(encoding="utf-8", errors="replace")
        item = _parse(rel, p.read_bytes())
        if item is None:
            lines = text.splitlines()
            title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), p.stem)
            body = "\n".join(ln for ln in lines if ln.strip() != f"# {title}").strip()
            item = Item(id=stable_id(rel), title=title, text=body, source=rel, kind="note")
        items.append(item)
        folders.append(rel.split("/", 1)[0])
    return items, folders


def _parse(rel: str, data: bytes) -> Item | None:
    """The project's own Markdown parser when it is importable and yields one item."""
    try:
        from indexer.sources import parse_capture

        got = parse_capture(rel, data, lambda _msg: None)
    except Exception:
        return None
    return got[0] if len(got) == 1 else None


def item_vectors(items: list[Item]) -> np.ndarray:
    """L2-normalised mean of each item's passage vectors (as the build pipeline does)."""
    emb = load_embedder()
    key = hashlib.sha1(emb.name.encode())
    for it in items:
        key.update(f"{it.id}\x00{it.title}\x00{it.text}\x01".encode())
    cache = _cache_dir() / f"til-vectors-{key.hexdigest()[:16]}.npy"
    if cache.exists():
        return store.load_array(cache, mmap=False)
    try:
        from indexer.passages import embed_text, split_item

        texts, owner = [], []
        for i, it in enumerate(items):
            for p in split_item(it, max_words=emb.max_words):
                texts.append(embed_text(it, p))
                owner.append(i)
    except ImportError:
        texts = [f"{it.title}\n\n{it.text}" for it in items]
        owner = list(range(len(items)))
    pv = emb.encode(texts, progress=True)
    vecs = np.zeros((len(items), pv.shape[1]), dtype=np.float32)
    np.add.at(vecs, np.asarray(owner), pv)
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    store.save_array(cache, vecs)
    return vecs


def _cache_dir() -> Path:
    try:
        from indexer.store import user_cache_dir

        return user_cache_dir()
    except ImportError:
        p = Path.home() / ".cache" / "absorb"
        p.mkdir(parents=True, exist_ok=True)
        return p


def knn_agreement(
    points: np.ndarray, labels: np.ndarray, k: int = 10, cosine: bool = False
) -> float:
    """Mean share of each point's k nearest neighbours that carry its label."""
    if cosine:
        d = -(points @ points.T)
    else:
        sq = (points**2).sum(1)
        d = sq[:, None] + sq[None, :] - 2 * points @ points.T
    np.fill_diagonal(d, np.inf)
    nn = np.argsort(d, axis=1)[:, :k]
    return float((labels[nn] == labels[:, None]).mean())


def baseline(vectors: np.ndarray, seed: int = 42) -> tuple[np.ndarray, float, np.ndarray]:
    """Default HDBSCAN on a default 5-d cosine UMAP: (labels, seconds); and a default 2-d map."""
    import umap
    from sklearn.cluster import HDBSCAN

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        red = umap.UMAP(n_components=5, metric="cosine", random_state=seed).fit_transform(vectors)
        labels = HDBSCAN().fit_predict(red)
        took = time.perf_counter() - t
        plain = umap.UMAP(metric="cosine", random_state=seed).fit_transform(vectors)
    return labels, took, plain


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument(
        "--seeds", type=int, default=6, help="also report the spread over this many other seeds"
    )
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}; nothing to benchmark (see ../shared/corpora)")
        return 0
    from sklearn.metrics import adjusted_mutual_info_score as ami

    items, folders = load_items(args.corpus)
    folder = np.asarray(folders)
    vectors = item_vectors(items)
    print(f"{len(items)} notes in {len(set(folders))} folders, vectors {vectors.shape}")

    t = time.perf_counter()
    res = build_map(items, vectors)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    again = build_map(items, vectors)  # warm: numba compiled, same seed
    warm_s = time.perf_counter() - t
    same = bool(
        np.array_equal(res.coords, again.coords) and np.array_equal(res.topic_ids, again.topic_ids)
    )

    full = knn_agreement(vectors, folder, cosine=True)
    mapped = knn_agreement(res.coords.astype(np.float64), folder)
    base_labels, base_s, plain = baseline(vectors)
    plain_kept = knn_agreement(plain.astype(np.float64), folder) / full
    kept, amis = [], []
    for seed in range(1, args.seeds + 1):  # how much of the figure is the luck of one seed
        other = build_map(items, vectors, seed=seed)
        kept.append(knn_agreement(other.coords.astype(np.float64), folder) / full)
        amis.append(float(ami(folder, other.topic_ids)))
    tids = res.topic_ids
    fig = {
        "n_items": len(items),
        "n_folders": len(set(folders)),
        "knn10_same_folder_full": round(full, 4),
        "knn10_same_folder_map": round(mapped, 4),
        "map_kept_ratio": round(mapped / full, 4),
        "map_kept_ratio_default_umap": round(plain_kept, 4),
        "ami_topics": round(float(ami(folder, tids)), 4),
        "ami_topics_sorted_only": round(float(ami(folder[tids >= 0], tids[tids >= 0])), 4),
        "n_topics": len(res.topics),
        "unsorted_share": round(float((tids < 0).mean()), 4),
        "ami_baseline": round(float(ami(folder, base_labels)), 4),
        "baseline_topics": int(base_labels.max() + 1),
        "baseline_noise_share": round(float((base_labels < 0).mean()), 4),
        "build_s_cold": round(build_s, 2),
        "build_s_warm": round(warm_s, 2),
        "baseline_s": round(base_s, 2),
        "deterministic": same,
        "other_seeds": args.seeds,
        "map_kept_ratio_seeds_mean": round(float(np.mean(kept)), 4) if kept else None,
        "map_kept_ratio_seeds_min": round(float(np.min(kept)), 4) if kept else None,
        "ami_topics_seeds_mean": round(float(np.mean(amis)), 4) if amis else None,
    }
    print(
        f"neighbourhood (10-NN same folder): full space {full:.3f}  map {mapped:.3f}  "
        f"kept {mapped / full:.1%} (default UMAP: {plain_kept:.1%})"
    )
    print(
        f"AMI topics~folders: {fig['ami_topics']:.3f} ({fig['n_topics']} topics, "
        f"{fig['unsorted_share']:.1%} unsorted)  baseline {fig['ami_baseline']:.3f} "
        f"({fig['baseline_topics']} clusters, {fig['baseline_noise_share']:.1%} noise)"
    )
    if kept:
        print(
            f"seeds 1-{args.seeds}: kept {np.mean(kept):.1%} on average "
            f"(lowest {np.min(kept):.1%}), AMI {np.mean(amis):.3f} on average"
        )
    print(f"build_map: {build_s:.1f} s cold, {warm_s:.1f} s warm; deterministic: {same}")
    for tp in sorted(res.topics, key=lambda tp: -tp.size)[:15]:
        print(f"  {tp.size:4d}  {tp.label}")
    if args.json:
        args.json.write_text(json.dumps(fig, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
