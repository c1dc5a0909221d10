"""``absorb index``: captures -> items -> passages/vectors -> search + map, published atomically.

Incremental by construction: a file whose size and mtime (or content hash)
are unchanged keeps its parsed items, and a passage whose text hash is known
keeps its vector, so an unchanged folder embeds nothing and a touched file
re-embeds only what really changed (``build_captures.py`` reads the captures,
``build_vectors.py`` embeds the passages). When nothing at all changed the build
stops before writing anything.

Beyond vectors, a re-index reuses what the previous generation kept (``previous.py``):
an unchanged item's passages, chronology's token counts (``chrono_text``), the BM25
term counts and the HNSW graph (``search_files``). Every result is still computed over
the whole corpus (BM25 statistics, chronology's TF-IDF and pairings), so a re-index
equals a full rebuild (``tests/test_incremental.py``); so do the item vectors kept for
items whose passages did not change. One file changed at 100k items
(``bench/scale_phases.py build --touch``, fake:384, 2 cores): 143.8 s, then 35.7-40.4 s,
now 30.6 s (chronology 8.7 s, SQLite 4.6 s, reading the previous generation 3.8 + 2.6 s;
the rest under 3.1 s each). One item appended to one of 100 JSON Lines files of 1,000
items: not done after 6 min, then 118 s, now 52.3 s (chronology 37 s).

A capture that fails to read or parse is reported and skipped; if an earlier
build had indexed it, its previous items are kept (nothing indexed is lost
because a file went bad; ``build_captures.py``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import store
from .build_captures import collect_items
from .build_vectors import embed_passages, item_vectors
from .embed import Embedder, load_embedder, resolve_model_name
from .models import AbsorbError, BuildReport
from .passages import VERSION as SPLIT_VERSION
from .passages import embed_text
from .previous import _chrono_counts, _open_previous, _Previous, _previous_map
from .progress import Progress, as_progress
from .progress import active as progress_active
from .search_files import write_search_files


def build_index(
    roots: list[str | os.PathLike[str]],
    index_root: str | os.PathLike[str],
    model: str | None = None,
    rebuild: bool = False,
    refit: bool = False,
    progress: Progress | bool = True,
    wait: float = 0.0,
    embedder: Embedder | None = None,
) -> BuildReport:
    """Build or update the index at ``index_root`` from capture folders ``roots``.

    ``progress``: a ``Progress`` (the CLI's), True for one chosen from stderr, False for none.
    """
    prog = as_progress(progress)
    with progress_active(prog):
        return _build(roots, index_root, model, rebuild, refit, prog, wait, embedder)


def _build(
    roots: list[str | os.PathLike[str]],
    index_root: str | os.PathLike[str],
    model: str | None,
    rebuild: bool,
    refit: bool,
    prog: Progress,
    wait: float,
    embedder: Embedder | None,
) -> BuildReport:
    t0 = time.perf_counter()
    model_name = embedder.name if embedder else resolve_model_name(model)
    paths = [Path(r) for r in roots]
    for p in paths:
        if not p.exists():
            raise AbsorbError(
                f"captures folder {p} does not exist", "pass the folder that holds your captures"
            )
    idx = store.IndexDir(index_root)
    report = BuildReport(index=str(idx.root))
    with idx.lock(wait):
        prev = _open_previous(idx, model_name, rebuild)
        with prog.phase("reading captures", unit="files") as ph:
            items, files, changed = collect_items(paths, prev, report, ph.advance)
            ph.detail = f", {len(items):,} items"
        store.checkpoint("build:parsed")
        same_roots = prev.gen is not None and prev.gen.manifest.get("roots") == [
            str(p.resolve()) for p in paths
        ]
        if not items:  # publish nothing: an empty index helps nobody, the old one stays
            report.seconds = time.perf_counter() - t0
            return report
        if not changed and not refit and same_roots and prev.gen and prev.split_as_now():
            report.unchanged = True
            report.items = len(items)
            report.passages = int(prev.gen.manifest.get("counts", {}).get("passages", 0))
            report.seconds = time.perf_counter() - t0
            return report

        cache: dict[str, Embedder] = {}

        def factory() -> Embedder:
            if "e" not in cache:
                with prog.phase("loading the model") as ph:  # a minute the first time (accel)
                    cache["e"] = embedder or load_embedder(model_name)
                    backend = getattr(cache["e"], "backend", None)
                    ph.detail = model_name + (f" ({backend})" if backend else "")
            return cache["e"]

        max_words = embedder.max_words if embedder else _max_words_for(model_name, prev, factory)
        passages, hashes, vecs, owner, rows = embed_passages(
            items, factory, max_words, prev, report, prog
        )
        old_ivecs = prev.item_vectors()
        ivecs = item_vectors(
            vecs, owner, len(items), None if old_ivecs is None else (rows, old_ivecs)
        )
        store.checkpoint("build:embedded")

        from .chrono_text import ItemTokens, to_saved
        from .chronology import apply_chronology
        from .topics import build_map

        tokens = ItemTokens(_chrono_counts(prev))
        with prog.phase("chronology", unit="items") as ph:
            ph.count = len(items)  # one call over all of them: the live line shows time only
            apply_chronology(items, ivecs, tokens)
        with prog.phase("topic map", unit="items") as ph:
            ph.count = len(items)
            result = build_map(items, ivecs, None if refit else _previous_map(prev), refit=refit)
            ph.detail = f", {len(result.topics)} topics"

        gen = idx.new_generation()
        try:
            ph = prog.start("writing the index", unit="passages")
            db = gen.db()
            store.write_items(db, items)
            store.checkpoint("build:items-written")
            store.write_passages(db, passages, hashes)
            store.write_files(db, files)
            store.write_map(
                db, [it.id for it in items], result.coords, result.topic_ids, result.topics,
                result.paths, result.finer,
            )  # fmt: skip
            gen.save_array("passage_vectors.npy", vecs)
            gen.save_array("passage_item.npy", owner)
            gen.save_array("item_vectors.npy", ivecs)
            store.checkpoint("build:vectors-written")
            ph.count = len(passages)
            ph.finish()
            ph = prog.start("lexical and vector index", unit="passages")

            def texts_of(rows: np.ndarray) -> list[str]:
                return [embed_text(items[owner[r]], passages[r]) for r in rows.tolist()]

            vector_index = write_search_files(gen, prev.gen, vecs, hashes, texts_of)
            if tokens.current is not None:  # chronology's token counts, for the next build
                gen.save_counts("chrono_counts", *to_saved(tokens.current))
            ph.count = len(passages)
            ph.finish()
            manifest = {
                "model": model_name,
                # informational: every backend's vectors are interchangeable (indexer.accel)
                "backend": getattr(cache.get("e"), "backend", None) or _prev_backend(prev),
                "dim": int(vecs.shape[1]),
                "normalized": True,
                "max_words": max_words,
                "split": SPLIT_VERSION,
                "roots": [str(p.resolve()) for p in paths],
                "vector_index": vector_index,
                "counts": {"items": len(items), "passages": len(passages), "files": len(files)},
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            idx.publish(gen, manifest)
        except BaseException:
            idx.discard(gen)
            raise
    report.items, report.passages = len(items), len(passages)
    report.seconds = time.perf_counter() - t0
    return report


def _prev_backend(prev: _Previous) -> str | None:
    """The backend that embedded the previous build (kept when nothing was embedded now)."""
    return prev.gen.manifest.get("backend") if prev.gen is not None else None


def _max_words_for(model_name: str, prev: _Previous, factory: Callable[[], Embedder]) -> int:
    if prev.gen is not None and prev.gen.manifest.get("max_words"):
        return int(prev.gen.manifest["max_words"])
    return factory().max_words
