"""The printed table and target check of bench/scale_bench.py (from its JSON results)."""

from __future__ import annotations

import json
import sys
from typing import Any

TARGETS = {  # the targets on a 2-core machine
    "embed_ratio": 3.0,
    "quality_share": 0.99,
    "hybrid_p50_ms": 20.0,
    "hybrid_p95_ms": 50.0,
    "nochange_10k_s": 5.0,
    "map_10k_s": 60.0,
    "map_100k_s": 600.0,
    "serving_rss_mb": 2048.0,
    "first_paint_s": 5.0,
    # issue #18 part 3, "Incremental at 100k"
    "onefile_100k_s": 5.0,
    "map_100k_part3_s": 60.0,
    "build_100k_peak_mb": 2560.0,
}
# The figures before part 3 (100k items, fake:384; 2 cores), printed beside the new ones.
PREVIOUS_100K = {"onefile_s": 81.0, "map_s": 166.0, "full_s": 354.0, "full_peak_mb": 2300.0}
PREVIOUS_JSONL = {"full_s": 1039.0, "onefile_s": "not done after 360"}


def _f(x: Any, nd: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def _median(xs: list[float]) -> float | None:
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


def size_rows(sizes: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(label, one cell per size) for the main table."""
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, fn: Any) -> None:
        cells = []
        for r in sizes.values():
            try:
                cells.append(fn(r))
            except (KeyError, TypeError, ZeroDivisionError, IndexError):
                cells.append("-")
        rows.append((label, cells))

    def ms(r: dict[str, Any], k: str) -> str:
        m = r["query"]["ms"][k]
        return f"{m['p50']:.1f} / {m['p95']:.1f}"

    row("model (backend)", lambda r: f"{r['model']} ({r['full']['backend']})")
    row("items / passages", lambda r: f"{r['full']['items']:,} / {r['full']['passages']:,}")
    row("full index s", lambda r: _f(r["full"]["seconds"]))
    row("  embedding passages/s", lambda r: _f(r["full"]["embed_passages_per_s"]))
    row(
        "  parse / embed / map s",
        lambda r: "{parse:.0f} / {embed:.0f} / {map:.0f}".format(**r["full"]["phases"]),
    )
    row(
        "  chronology / search files / sqlite s",
        lambda r: "{chronology:.0f} / {search_files:.0f} / {sqlite:.0f}".format(
            **r["full"]["phases"]
        ),
    )
    row("no-change re-index s", lambda r: _f(r["nochange"]["seconds"], 2))
    row(
        "one-file re-index s (embedded)",
        lambda r: f"{r['onefile']['seconds']:.1f} ({r['onefile']['embedded']})",
    )
    row(
        "  chronology / split / sqlite / search files s",
        lambda r: "{chronology:.1f} / {split+embed:.1f} / {sqlite:.1f} / {search_files:.1f}".format(
            **r["onefile"]["phases"]
        ),
    )
    row("map build s (full fit)", lambda r: _f(r["full"]["phases"]["map"]))
    row("query p50 / p95 ms: dense", lambda r: ms(r, "dense"))
    row("                    bm25", lambda r: ms(r, "bm25"))
    row("                    hybrid", lambda r: ms(r, "hybrid"))
    row("  baseline bm25s alone", lambda r: ms(r, "bm25s"))
    row(
        "  hybrid / bm25s (p50)",
        lambda r: f"{r['query']['ms']['hybrid']['p50'] / r['query']['ms']['bm25s']['p50']:.1f}x",
    )
    row("  query encoding", lambda r: ms(r, "encode"))
    row(
        "  vectors: faiss / numpy p50 ms",
        lambda r: (
            f"{r['query']['ms']['faiss']['p50']:.2f} / {r['query']['ms']['numpy']['p50']:.2f}"
        ),
    )
    row(
        "  faiss speed-up, recall@10",
        lambda r: (
            f"{r['query']['ms']['numpy']['p50'] / r['query']['ms']['faiss']['p50']:.1f}x, "
            f"{r['query']['faiss_recall_at_10']:.3f} ({r['query']['vector_index']})"
        ),
    )
    row(
        "peak RSS MB: build / serve / app",
        lambda r: (
            f"{r['full']['peak_rss_mb']:.0f} / {r['query']['peak_rss_mb']:.0f} / "
            f"{_f(r.get('app', {}).get('server_peak_rss_mb'), 0)}"
        ),
    )
    row("index on disk MB", lambda r: _f(r["full"]["generation_mb"]))
    row(
        "app first paint s (median)",
        lambda r: f"{_median(r['app']['first_paint_s']):.2f} {r['app']['first_paint_s']}",
    )
    return rows


def embedding_lines(res: dict[str, Any]) -> list[str]:
    e = res.get("embedding")
    if not e:
        return []
    pps = e["passages_per_s"]
    lines = [
        f"embedding, {e['texts']} sampled passages (~{e['mean_words']:.0f} words), "
        f"same texts, alternating rounds:",
        f"  torch encode (fp32, default batching): {pps['torch']} passages/s",
        f"  absorb ({e['backend']}): {pps['absorb']} passages/s -> {e['ratio']:.2f}x",
        f"  cosine to torch: min {e['cosine_to_torch']['min']}, mean {e['cosine_to_torch']['mean']}",
        f"  one query: torch {e['query_ms_p50']['torch']} ms, absorb {e['query_ms_p50']['absorb']} ms (p50)",
    ]
    if "cuda" in e:
        lines.append(
            f"  GPU ({e['cuda']['device']}): torch encode {e['cuda']['passages_per_s']} passages/s"
        )
    q = res.get("quality")
    if q:
        lines.append(
            "retrieval quality, MRR@10 of absorb's hybrid (dense-passage) on our question sets:"
        )
        for name in ("karpathy", "til"):
            base = q[f"{name}/corpus=torch/query=torch"]
            for cb in ("torch", "absorb"):
                for qb in ("torch", "absorb"):
                    m = q[f"{name}/corpus={cb}/query={qb}"]
                    lines.append(
                        f"  {name:<8} corpus {cb:<6} query {qb:<6}: {m['absorb']:.4f} "
                        f"({m['dense-passage']:.4f})  = {m['absorb'] / base['absorb']:.1%} of torch"
                    )
    return lines


def target_lines(res: dict[str, Any]) -> list[str]:
    t, out = TARGETS, []

    def check(label: str, ok: bool | None, got: str) -> None:
        out.append(f"  [{'ok' if ok else 'MISS' if ok is not None else ' - '}] {label}: {got}")

    e, q, s = res.get("embedding"), res.get("quality"), res.get("sizes", {})
    if e:
        check(
            f"embedding >= {t['embed_ratio']}x torch",
            e["ratio"] >= t["embed_ratio"],
            f"{e['ratio']}x",
        )
    if q:
        shares = [
            q[f"{n}/corpus=absorb/query=absorb"]["absorb"]
            / q[f"{n}/corpus=torch/query=torch"]["absorb"]
            for n in ("karpathy", "til")
        ]
        check(
            "quality >= 99% of torch",
            min(shares) >= t["quality_share"],
            f"{min(shares):.1%} (worst set)",
        )
    big = max(s, key=int) if s else None
    if big:
        h = s[big]["query"]["ms"]["hybrid"]
        check(
            f"hybrid p50 <= 20 ms, p95 <= 50 ms at {s[big]['query']['passages']:,} passages",
            h["p50"] <= t["hybrid_p50_ms"] and h["p95"] <= t["hybrid_p95_ms"],
            f"{h['p50']} / {h['p95']} ms",
        )
        check(
            "serving RSS <= 2 GB",
            s[big]["query"]["peak_rss_mb"] <= t["serving_rss_mb"],
            f"{s[big]['query']['peak_rss_mb']:.0f} MB",
        )
        if "app" in s[big] and "first_paint_s" in s[big]["app"]:
            fp = _median(s[big]["app"]["first_paint_s"])
            check(
                f"first paint <= 5 s at {int(big):,} items",
                fp is not None and fp <= t["first_paint_s"],
                f"{fp} s",
            )
    if "10000" in s:
        r = s["10000"]
        check(
            "no-change re-index 10k <= 5 s",
            r["nochange"]["seconds"] <= t["nochange_10k_s"],
            f"{r['nochange']['seconds']} s",
        )
        check(
            "map 10k <= 60 s",
            r["full"]["phases"]["map"] <= t["map_10k_s"],
            f"{r['full']['phases']['map']:.0f} s",
        )
    if "100000" in s:
        r, p = s["100000"], PREVIOUS_100K
        m = r["full"]["phases"]["map"]
        check("map 100k <= 10 min", m <= t["map_100k_s"], f"{m:.0f} s")
        check(
            "map 100k <= 60 s (part 3)",
            m <= t["map_100k_part3_s"],
            f"{m:.0f} s (before: {p['map_s']:.0f} s)",
        )
        one = r["onefile"]["seconds"]
        check(
            "one-file re-index 100k <= 5 s",
            one <= t["onefile_100k_s"],
            f"{one:.1f} s (before: {p['onefile_s']:.0f} s)",
        )
        peak = r["full"]["peak_rss_mb"]
        check(
            "full build 100k peak <= 2.5 GB",
            peak <= t["build_100k_peak_mb"],
            f"{peak:.0f} MB, {r['full']['seconds']:.0f} s "
            f"(before: {p['full_peak_mb']:.0f} MB, {p['full_s']:.0f} s)",
        )
    j = res.get("jsonl")
    if j:
        check(
            "JSON Lines 100 x 1,000: one appended item <= 5 s",
            j["onefile"]["seconds"] <= t["onefile_100k_s"],
            f"{j['onefile']['seconds']:.1f} s, full build {j['full']['seconds']:.0f} s "
            f"(before: {PREVIOUS_JSONL['onefile_s']} s, full {PREVIOUS_JSONL['full_s']:.0f} s)",
        )
    return out


def format_report(res: dict[str, Any]) -> str:
    sizes = res.get("sizes", {})
    head = ["metric"] + [f"{int(n):,} items" for n in sizes]
    rows = size_rows(sizes)
    w0 = max(len(head[0]), *(len(r[0]) for r in rows))
    ws = [max(len(h), *(len(r[1][i]) for r in rows)) for i, h in enumerate(head[1:])]
    lines = [
        "  ".join([head[0].ljust(w0)] + [h.rjust(w) for h, w in zip(head[1:], ws, strict=True)])
    ]
    lines.append("-" * len(lines[0]))
    for label, cells in rows:
        lines.append(
            "  ".join([label.ljust(w0)] + [c.rjust(w) for c, w in zip(cells, ws, strict=True)])
        )
    fake = [f"{int(n):,}" for n, r in sizes.items() if str(r["model"]).startswith("fake")]
    if fake:
        lines.append(
            f"({', '.join(fake)} items: vectors from {sizes[max(sizes, key=int)]['model']}, a hashing "
            "embedder (pipeline-only timings); their queries are still encoded by the real model)"
        )
    return "\n".join([*lines, "", *embedding_lines(res), "", "targets:", *target_lines(res)])


if __name__ == "__main__":  # re-print a saved run
    from pathlib import Path

    print(format_report(json.loads(Path(sys.argv[1]).read_text())))
