"""The measured phases of bench/scale_bench.py, each run in a fresh process.

A phase prints one line ``RESULT {json}`` at the end; the driver collects them. A
fresh process per phase keeps peak RSS (``ru_maxrss``) and warm caches honest.

    python bench/scale_phases.py build --corpus C --index I [--model M] [--rebuild | --touch]
    python bench/scale_phases.py query --index I
    python bench/scale_phases.py embed --corpus C
    python bench/scale_phases.py quality --work W
    python bench/scale_phases.py app --index I
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUESTIONS = sorted((ROOT / "tests" / "data").glob("*.jsonl"))
MODES = ("dense", "bm25", "hybrid")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(result: dict[str, Any]) -> None:
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print("RESULT " + json.dumps(result), flush=True)


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q)) if xs else float("nan")


def questions() -> list[str]:
    out = []
    for f in QUESTIONS:
        if "chronology" in f.name:
            continue
        out += [json.loads(line)["q"] for line in f.read_text().splitlines() if line.strip()]
    return out


# ---------------------------------------------------------------- build


class Timers:
    """Wrap pipeline functions in place and add up their wall time by name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        fn = getattr(owner, attr)

        @functools.wraps(fn)
        def timed(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t

        setattr(owner, attr, timed)


def instrument() -> Timers:
    from indexer import build, build_vectors, chronology, search, search_files, store, topics
    from indexer.search import bm25_index

    t = Timers()
    t.wrap(build, "_open_previous", "open_previous")
    t.wrap(build, "collect_items", "parse")
    t.wrap(build, "embed_passages", "split+embed")
    t.wrap(build_vectors, "_encode_with_progress", "embed")
    t.wrap(build, "_previous_map", "previous_map")
    t.wrap(chronology, "apply_chronology", "chronology")
    t.wrap(topics, "build_map", "map")
    t.wrap(search, "build_faiss", "faiss")
    t.wrap(build, "write_search_files", "search_files")  # bm25 + faiss + their writes
    t.wrap(bm25_index, "scores", "bm25_scores")
    t.wrap(search_files.search, "tokenize", "bm25_tokenize")
    for w in ("write_items", "write_passages", "write_files", "write_map"):
        t.wrap(store, w, "sqlite")
    t.wrap(store.IndexDir, "publish", "publish")
    return t


def phase_build(a: argparse.Namespace) -> None:
    """Full index (``rebuild``) or re-index (``--touch``: one capture changed first)."""
    from indexer.build import build_index
    from indexer.embed import load_embedder

    touched, original = None, b""
    if a.touch:
        from scale_corpus import one_file

        touched = one_file(Path(a.corpus))
        original = touched.read_bytes()
        with open(touched, "a", encoding="utf-8") as f:  # a real edit: one more paragraph
            if touched.suffix == ".jsonl":  # ... or one more item
                item = {"title": "Appended", "text": f"Appended at {time.time_ns()}: new item."}
                f.write(json.dumps(item | {"date": "2020-01-01"}) + "\n")
            else:
                f.write(f"\n\nEdited at {time.time_ns()}: one more line to re-embed.\n")
    t_load = time.perf_counter()
    embedder = load_embedder(a.model)
    load_s = time.perf_counter() - t_load
    timers = instrument()
    t0 = time.perf_counter()
    r = build_index(
        [a.corpus], a.index, embedder=embedder, rebuild=a.rebuild, progress=False, wait=60
    )
    total = time.perf_counter() - t0
    if touched is not None:  # the corpus stays as generated for the next run
        touched.write_bytes(original)
    emb = timers.seconds.get("embed", 0.0)
    emit(
        {
            "seconds": round(total, 3),
            "model_load_s": round(load_s, 3),
            "items": r.items,
            "passages": r.passages,
            "embedded": r.embedded,
            "reused": r.reused,
            "unchanged": r.unchanged,
            "backend": getattr(embedder, "backend", "fake"),
            "embed_passages_per_s": round(r.embedded / emb, 1) if r.embedded and emb else None,
            "phases": {k: round(v, 3) for k, v in sorted(timers.seconds.items())},
            "touched": str(touched) if touched else None,
            "index_mb": round(du_mb(Path(a.index)), 1),
            "generation_mb": round(du_mb(live_generation(Path(a.index))), 1),
        }
    )


def du_mb(p: Path) -> float:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 2**20


def live_generation(index: Path) -> Path:
    from indexer import store

    return store.IndexDir(index).current().path


# ---------------------------------------------------------------- query


class Renamed:
    """The real model's query encoder answering to a fake index's model name.

    For indexes built with ``fake:384`` (pipeline-only timings): queries still pay
    for real query encoding, so latencies are end to end; rankings are meaningless.
    """

    def __init__(self, inner: Any, name: str) -> None:
        self.inner, self.name = inner, name
        self.dim, self.max_words = inner.dim, inner.max_words
        self.backend = getattr(inner, "backend", "torch")

    def encode(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> Any:
        return self.inner.encode(texts)


def phase_query(a: argparse.Namespace) -> None:
    from indexer import open_index, store
    from indexer import search as S
    from indexer.embed import load_embedder

    manifest = store.IndexDir(a.index).read_manifest()
    fake = manifest["model"].startswith("fake")
    t0 = time.perf_counter()
    real = load_embedder(None if fake else manifest["model"])
    load_s = time.perf_counter() - t0
    own = load_embedder(manifest["model"]) if fake else real  # recall: in-distribution queries
    t0 = time.perf_counter()
    idx = open_index(a.index, embedder=Renamed(real, manifest["model"]))
    open_s = time.perf_counter() - t0
    qs = questions()[: a.queries]
    st = idx.state()
    for q in qs[:10]:  # warm-up: page cache, lazy imports, JIT paths
        for m in MODES:
            idx.search(q, k=10, mode=m)
    lat: dict[str, list[float]] = {m: [] for m in (*MODES, "encode", "bm25s", "faiss", "numpy")}
    recall = []
    for n, q in enumerate(qs):
        for m in MODES[n % 3 :] + MODES[: n % 3]:  # interleaved and rotated: same load for all
            t = time.perf_counter()
            idx.search(q, k=10, mode=m)
            lat[m].append(time.perf_counter() - t)
        t = time.perf_counter()
        qv = idx.embed_query(q)
        lat["encode"].append(time.perf_counter() - t)
        t = time.perf_counter()
        toks = [w for w in S.tokenize([S.clean_query(q)])[0] if w in st.bm25.vocab_dict]
        if toks:
            st.bm25.retrieve([toks], k=10, show_progress=False)
        lat["bm25s"].append(time.perf_counter() - t)
        t = time.perf_counter()
        rows, _ = S.dense_top(st.faiss, st.vecs, qv, S.CANDIDATES, None)
        lat["faiss"].append(time.perf_counter() - t)
        t = time.perf_counter()
        sims = np.asarray(st.vecs @ qv)
        top = np.argpartition(-sims, S.CANDIDATES - 1)[: S.CANDIDATES]
        exact = top[np.argsort(-sims[top])]
        lat["numpy"].append(time.perf_counter() - t)
        if own is not real:
            ov = own.encode([q])[0]
            rows, _ = S.dense_top(st.faiss, st.vecs, ov, S.CANDIDATES, None)
            exact = np.argsort(-np.asarray(st.vecs @ ov), kind="stable")[:10]
        recall.append(len(set(rows[:10].tolist()) & set(exact[:10].tolist())) / 10)
    emit(
        {
            "queries": len(qs),
            "passages": int(len(st.vecs)),
            "items": len(st.ids),
            "vector_index": manifest.get("vector_index"),
            "model_load_s": round(load_s, 3),
            "open_s": round(open_s, 3),
            "backend": getattr(real, "backend", "torch"),
            "ms": {
                k: {"p50": round(pct(v, 50) * 1e3, 2), "p95": round(pct(v, 95) * 1e3, 2)}
                for k, v in lat.items()
            },
            "faiss_recall_at_10": round(float(np.mean(recall)), 4),
        }
    )


# ---------------------------------------------------------------- embedding


def sample_passages(corpus: Path, n: int, max_words: int, seed: int = 0) -> list[str]:
    """``n`` passage texts exactly as absorb embeds them, sampled from ``corpus``."""
    import random

    from indexer.passages import embed_text, split_item
    from indexer.sources import parse_capture

    files = sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("."))
    rnd = random.Random(seed)
    texts: list[str] = []
    for p in rnd.sample(files, min(len(files), n)):
        for it in parse_capture(p.name, p.read_bytes(), lambda _m: None):
            texts += [embed_text(it, ps) for ps in split_item(it, max_words)]
    rnd.shuffle(texts)
    return texts[:n]


def phase_embed(a: argparse.Namespace) -> None:
    """Plain sentence-transformers ``encode`` (torch fp32, default batching) vs absorb's."""
    import torch
    from sentence_transformers import SentenceTransformer

    from indexer.build_vectors import _encode_with_progress
    from indexer.embed import _bundled_minilm_path, load_embedder
    from indexer.progress import as_progress

    ours = load_embedder(None)
    texts = sample_passages(Path(a.corpus), a.n, ours.max_words)
    path = _bundled_minilm_path()
    plain = SentenceTransformer(str(path), device="cpu")
    plain.encode(texts[:16])
    ours.encode(texts[:16])
    rounds: dict[str, list[float]] = {"torch": [], "absorb": []}
    for _ in range(a.rounds):  # alternate, so both see the same machine load
        t = time.perf_counter()
        ref = plain.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
        rounds["torch"].append(len(texts) / (time.perf_counter() - t))
        t = time.perf_counter()
        got = _encode_with_progress(ours, texts, as_progress(False))
        rounds["absorb"].append(len(texts) / (time.perf_counter() - t))
    cos = np.sum(ref * got, axis=1)
    q1: dict[str, list[float]] = {"torch": [], "absorb": []}
    for q in questions()[:100]:
        for name, enc in (("torch", lambda x: plain.encode(x)), ("absorb", ours.encode)):
            t = time.perf_counter()
            enc([q])
            q1[name].append(time.perf_counter() - t)
    out: dict[str, Any] = {
        "texts": len(texts),
        "mean_words": round(float(np.mean([len(t.split()) for t in texts])), 1),
        "backend": getattr(ours, "backend", "torch"),
        "torch_threads": torch.get_num_threads(),
        "passages_per_s": {k: [round(x, 1) for x in v] for k, v in rounds.items()},
        "ratio": round(float(np.median(rounds["absorb"]) / np.median(rounds["torch"])), 2),
        "cosine_to_torch": {"min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5)},
        "query_ms_p50": {k: round(pct(v, 50) * 1e3, 2) for k, v in q1.items()},
    }
    if torch.cuda.is_available():  # the GPU row: same texts, plain encode on CUDA
        gpu = SentenceTransformer(str(path), device="cuda")
        gpu.encode(texts[:64])
        t = time.perf_counter()
        gpu.encode(texts, convert_to_numpy=True)
        out["cuda"] = {
            "device": torch.cuda.get_device_name(0),
            "passages_per_s": round(len(texts) / (time.perf_counter() - t), 1),
        }
    emit(out)


# ---------------------------------------------------------------- quality


def eval_sets(work: Path) -> dict[str, tuple[list[Path], Path]]:
    """The two question sets of tests/data with the captures they are about."""
    data = ROOT / "tests" / "data"
    corpora = ROOT.parent / "shared" / "corpora"
    sets = {
        "karpathy": ([ROOT / "data" / "captures", corpora / "karpathy-blog"], "karpathy"),
        "til": ([corpora / "simonw-til"], "til"),
    }
    out = {}
    for name, (roots, stem) in sets.items():
        q = work / f"questions-{name}.jsonl"
        q.write_text(
            "".join((data / f"{k}_{stem}.jsonl").read_text() for k in ("questions", "hard"))
        )
        out[name] = (roots, q)
    return out


def phase_quality(a: argparse.Namespace) -> None:
    """MRR@10 on our question sets: torch vs absorb's backend, and queries across backends."""
    from indexer import open_index
    from indexer.build import build_index
    from indexer.embed import load_embedder
    from indexer.evaluate import evaluate

    work = Path(a.work)
    embedders = {"torch": load_embedder(None, "torch"), "absorb": load_embedder(None)}
    out: dict[str, Any] = {"backend": getattr(embedders["absorb"], "backend", "torch")}
    for name, (roots, qfile) in eval_sets(work).items():
        for b, e in embedders.items():
            t = time.perf_counter()
            build_index(roots, work / f"eval-{name}-{b}", embedder=e, rebuild=True, progress=False)
            out[f"{name}/{b}/build_s"] = round(time.perf_counter() - t, 1)
        for corpus_b in embedders:
            for query_b, e in embedders.items():
                idx = open_index(work / f"eval-{name}-{corpus_b}", embedder=e)
                m = evaluate(qfile, None, index=idx).metrics
                key = f"{name}/corpus={corpus_b}/query={query_b}"
                out[key] = {k: round(v["MRR@10"], 4) for k, v in m.items()}
    emit(out)


# ---------------------------------------------------------------- app


def phase_app(a: argparse.Namespace) -> None:
    from scale_app import first_paint

    emit(first_paint(Path(a.index), loads=a.loads))


PHASES: dict[str, Callable[[argparse.Namespace], None]] = {
    "build": phase_build,
    "query": phase_query,
    "embed": phase_embed,
    "quality": phase_quality,
    "app": phase_app,
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=sorted(PHASES))
    ap.add_argument("--corpus")
    ap.add_argument("--index")
    ap.add_argument("--work")
    ap.add_argument("--model")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--touch", action="store_true")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--loads", type=int, default=3)
    a = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    PHASES[a.phase](a)


if __name__ == "__main__":
    main()
