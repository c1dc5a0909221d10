"""Scale benchmark: indexing, re-indexing, queries, the map and the app at 1k, 10k and 100k items.

    python bench/scale_bench.py                          # 1k, 10k (real model), 100k (fake:384)
    python bench/scale_bench.py --sizes 1000,10000       # the real-model sizes only (~15 min)
    python bench/scale_bench.py --fake-above 100000      # 100k with the real model too (slow)
    python bench/scale_bench.py --sizes 100000 --jsonl --no-quality --no-app  # part 3 figures

Scale corpora are resampled and recombined paragraphs of the real text in
``../shared/corpora`` (see ``bench/scale_corpus.py``), written under
``bench/out/scale/`` (git-ignored) and reused between runs. Prints a table and
writes every figure to ``bench/out/scale.json``.

Each size gets: a full index (``--rebuild``), a no-change re-index, a re-index after
one capture changed, query latencies end to end through ``open_index().search`` for
``dense``, ``bm25`` and ``hybrid``, the map build time (the full build's
``build_map``), the app's first paint in headless Chromium, peak RSS and the index
size on disk. Every phase runs in a fresh process (``bench/scale_phases.py``).

Baselines, each measured in the same run on the same data and reported as a ratio:

- embedding: sentence-transformers' plain ``encode`` (torch fp32, default batching)
  vs absorb's embedder, on the same sampled passages (plus MRR@10 on our question
  sets with either backend, and with queries and corpus on different backends);
- vector search: FAISS as configured vs numpy brute force (and FAISS's recall@10);
- hybrid search vs bm25s alone (tokenise + ``BM25.retrieve`` top 10).

Sizes above ``--fake-above`` (default 10000) are indexed with ``fake:384`` (a
hashing embedder with MiniLM's dimension: pipeline-only timings, marked in the
table), because the real model needs far more than 15 minutes for 100k items on 2
cores; their query latencies still include real query encoding. With CUDA
available, the embedding section adds a GPU row; the CPU stays the default.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from scale_corpus import write_corpus, write_jsonl_corpus  # noqa: E402
from scale_report import format_report  # noqa: E402

PHASES = ROOT / "bench" / "scale_phases.py"


def run_phase(args: list[str], log: Path) -> dict[str, Any]:
    """Run one phase in a fresh process; its ``RESULT`` line, or the log's tail on failure."""
    t = time.perf_counter()
    with open(log, "ab") as f:
        f.write(f"\n$ scale_phases.py {' '.join(args)}\n".encode())
        f.flush()
        proc = subprocess.run(
            [sys.executable, str(PHASES), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=f
        )
    lines = proc.stdout.decode(errors="replace").splitlines()
    res = [json.loads(x[7:]) for x in lines if x.startswith("RESULT ")]
    if proc.returncode != 0 or not res:
        tail = log.read_text(errors="replace")[-2000:]
        raise SystemExit(f"phase {args[0]} failed (exit {proc.returncode}):\n{tail}")
    print(
        f"  {args[0]:<8} {' '.join(args[1:2])} done in {time.perf_counter() - t:.0f} s", flush=True
    )
    return res[-1]


def bench_size(n: int, model: str | None, a: argparse.Namespace, log: Path) -> dict[str, Any]:
    work = Path(a.work)
    corpus = write_corpus(work / f"corpus-{n}", n)
    index = work / f"index-{n}"
    base = ["--corpus", str(corpus), "--index", str(index)] + (["--model", model] if model else [])
    out: dict[str, Any] = {"model": model or "default", "corpus": str(corpus)}
    out["full"] = run_phase(["build", *base, "--rebuild"], log)
    out["nochange"] = run_phase(["build", *base], log)
    out["onefile"] = run_phase(["build", *base, "--touch"], log)
    out["query"] = run_phase(["query", "--index", str(index), "--queries", str(a.queries)], log)
    if not a.no_app:
        out["app"] = run_phase(["app", "--index", str(index)], log)
    return out


def bench_jsonl(model: str, a: argparse.Namespace, log: Path) -> dict[str, Any]:
    """The second shape: 100 JSON Lines files of 1,000 dated items; full build, then one
    item appended to one file."""
    work = Path(a.work)
    corpus = write_jsonl_corpus(work / "jsonl-100x1000")
    index = work / "index-jsonl"
    base = ["--corpus", str(corpus), "--index", str(index), "--model", model]
    out: dict[str, Any] = {"model": model, "corpus": str(corpus)}
    out["full"] = run_phase(["build", *base, "--rebuild"], log)
    out["onefile"] = run_phase(["build", *base, "--touch"], log)
    return out


def machine() -> dict[str, Any]:
    import os

    info: dict[str, Any] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        cpu = Path("/proc/cpuinfo").read_text().split("model name")[1].split("\n")[0]
        info["cpu"] = cpu.strip(" :\t")
    except (OSError, IndexError):
        info["cpu"] = platform.processor()
    with contextlib.suppress(OSError):
        info["load_avg_at_start"] = os.getloadavg()
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated item counts")
    ap.add_argument("--fake-above", type=int, default=10_000, help="larger sizes use --fake-model")
    ap.add_argument("--fake-model", default="fake:384")
    ap.add_argument("--work", default=str(ROOT / "bench" / "out" / "scale"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "scale.json"))
    ap.add_argument("--queries", type=int, default=200, help="questions per mode (max 200)")
    ap.add_argument("--embed-sample", type=int, default=600, help="passages for the embed ratio")
    ap.add_argument("--no-quality", action="store_true", help="skip the MRR@10 comparison")
    ap.add_argument("--no-app", action="store_true", help="skip the browser first paint")
    ap.add_argument("--jsonl", action="store_true", help="add the 100 x 1,000 JSON Lines shape")
    a = ap.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bench.log"
    log.write_text("")
    print(f"scale benchmark: sizes {sizes}; log {log}", flush=True)
    results: dict[str, Any] = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    real = [n for n in sizes if n <= a.fake_above] or [min(sizes)]
    sample_corpus = write_corpus(work / f"corpus-{max(real)}", max(real))
    results["embedding"] = run_phase(
        ["embed", "--corpus", str(sample_corpus), "--n", str(a.embed_sample)], log
    )
    if not a.no_quality:
        results["quality"] = run_phase(["quality", "--work", str(work)], log)
    results["sizes"] = {}
    for n in sizes:
        print(f"{n} items", flush=True)
        model = a.fake_model if n > a.fake_above else None
        results["sizes"][str(n)] = bench_size(n, model, a, log)
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(results, indent=1))  # partial results survive
    if a.jsonl:
        print("JSON Lines, 100 files x 1,000 items", flush=True)
        results["jsonl"] = bench_jsonl(a.fake_model, a, log)
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    Path(a.out).write_text(json.dumps(results, indent=1))
    print(format_report(results))
    print(f"\nwrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
