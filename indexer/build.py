"""``absorb index``: captures -> items -> passages/vectors -> search + map, published atomically.

Incremental by construction: a file whose size and mtime (or content hash)
are unchanged keeps its parsed items, and a passage whose text hash is known
keeps its vector, so an unchanged folder embeds nothing and a touched file
re-embeds only what really changed. When nothing at all changed the build
stops before writing anything.

Beyond vectors, a re-index reuses what the previous generation kept (``previous.py``):
an unchanged item's passages, chronology's token counts (``chrono_text``), the BM25
term counts and the HNSW graph (``search_files``). Every result is still computed over
the whole corpus (BM25 statistics, chronology's TF-IDF and pairings), so a re-index
equals a full rebuild (``tests/test_incremental.py``). One file changed at 100k items
(``bench/scale_phases.py build --touch``, fake:384, 2 cores): 143.8 s before, 35.7 s
now (chronology 9.9 s, sqlite 4.3 s, reading the previous generation 3.7 + 2.2 s, walking
the captures 3.4 s, map 3.2 s; the rest under 3 s each). One item appended to one of 100
JSON Lines files of 1,000 items: not done after 6 min before, 118 s now (chronology 99 s:
4,950 pairs of pages compared).

A capture that fails to read or parse is reported and skipped; if an earlier
build had indexed it, its previous items are kept (nothing indexed is lost
because a file went bad).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import config, store
from .embed import Embedder, load_embedder, resolve_model_name
from .models import AbsorbError, Item, ParseError, Passage
from .passages import VERSION as SPLIT_VERSION
from .passages import embed_text, split_item
from .previous import _chrono_counts, _open_previous, _Previous, _previous_map
from .progress import Progress
from .progress import active as progress_active
from .search_files import write_search_files


@dataclass
class BuildReport:
    files: int = 0
    items: int = 0
    passages: int = 0
    embedded: int = 0  # passages sent to the model this run
    reused: int = 0  # passages whose vectors came from the previous build
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, why)
    warnings: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # bad now, previous items kept
    unchanged: bool = False
    seconds: float = 0.0
    index: str = ""


# Repository boilerplate that sits beside captures but is nobody's writing.
NOT_CAPTURES = re.compile(r"(?i)^(license|licence|copying|notice)(\.(md|txt|rst))?$")


def _source_name(root: Path, rel: str, multi: bool) -> str:
    return f"{root.name}/{rel}" if multi else rel


def collect_items(
    roots: list[Path],
    prev: _Previous,
    report: BuildReport,
    tick: Callable[[], None] = lambda: None,
) -> tuple[list[Item], list[dict[str, Any]], bool]:
    """Parse every capture (reusing unchanged ones). Returns items, file rows, changed?

    ``tick()`` is called once per file (progress)."""
    from .sources import owner, parse_capture_as

    multi = len(roots) > 1
    items: list[Item] = []
    files: list[dict[str, Any]] = []
    changed = False
    cap = config.max_capture_bytes()
    for root in roots:
        for cf in store.walk_captures(root):
            source = _source_name(root, cf.rel, multi)
            report.files += 1
            tick()
            old = prev.files.get(source)
            row = {
                "source": source,
                "size": cf.size,
                "mtime_ns": cf.mtime_ns,
                "sha1": None,
                "n_items": 0,
                "status": "ok",
            }
            got: list[Item] | None = None
            why = cf.error
            near = lambda rel, cf=cf: store.read_near(cf, rel, cap)  # noqa: E731
            part_of = None if why else owner(cf.rel, near)
            if NOT_CAPTURES.match(cf.path.name) or part_of:
                report.skipped.append((source, part_of or "license file, not a capture"))
                files.append(row | {"status": "ignored"})
                continue
            if (
                why is None
                and old
                and old["status"] == "ok"
                and (old["size"], old["mtime_ns"]) == (cf.size, cf.mtime_ns)
            ):
                got, row["sha1"] = prev.items.get(source, []), old["sha1"]
            elif why is None:
                try:
                    data = store.read_capture(cf, cap)
                    row["sha1"] = hashlib.sha1(data).hexdigest()
                    if old and old["sha1"] == row["sha1"] and old["status"] == "ok":
                        got = prev.items.get(source, [])
                    else:
                        fmt, got = parse_capture_as(source, data, report.warnings.append, near)
                        for it in got:  # the app shows how each capture was read
                            it.extra["capture_format"] = fmt
                        changed = True
                except ParseError as e:
                    why = e.message.removeprefix(f"{source}: ")
                except (OSError, ValueError) as e:
                    why = getattr(e, "strerror", None) or str(e)
            if why is not None:
                row["status"] = f"error: {why}"
                # the same file failing the same way as last time changes nothing
                changed = changed or not (
                    old is not None
                    and old["status"] == row["status"]
                    and (old["size"], old["mtime_ns"]) == (cf.size, cf.mtime_ns)
                )
                if source in prev.items:  # keep what an earlier build read from this file
                    got = prev.items[source]
                    report.kept.append(source)
                report.skipped.append((source, why))
            for it in got or []:
                it.source = source
            row["n_items"] = len(got or [])
            items.extend(got or [])
            files.append(row)
    if set(prev.files) != {f["source"] for f in files}:
        changed = True
    return _dedupe_ids(items), files, changed


def _dedupe_ids(items: list[Item]) -> list[Item]:
    seen: dict[str, int] = {}
    for it in items:
        if it.id in seen:
            seen[it.id] += 1
            it.id = f"{it.id}-{seen[it.id]}"
        else:
            seen[it.id] = 1
    return items


def embed_passages(
    items: list[Item],
    embedder_factory: Callable[[], Embedder],
    max_words: int,
    prev: _Previous,
    report: BuildReport,
    progress: Progress | bool,
) -> tuple[list[Passage], list[str], np.ndarray, np.ndarray]:
    """Split, embed what is new, reuse the rest. Returns passages, hashes, vectors, owner."""
    passages: list[Passage] = []
    hashes: list[str] = []
    owner: list[int] = []
    kept = prev.passages_by_item(max_words)  # an unchanged item keeps its passages
    for i, it in enumerate(items):
        old = kept.get(it.id)
        if (
            old is not None
            and old[0] is not None
            and (old[0].title, old[0].text)
            == (
                it.title,
                it.text,
            )
        ):
            passages += old[1]
            hashes += old[2]
            owner += [i] * len(old[1])
            continue
        for p in split_item(it, max_words):
            passages.append(p)
            text = embed_text(it, p)
            hashes.append(hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20])
            owner.append(i)
    todo = [j for j, h in enumerate(hashes) if h not in prev.vec_by_hash]
    prog = _as_progress(progress)
    embedder = embedder_factory() if todo or prev.vectors is None else None
    if embedder is not None:
        dim = embedder.dim
    else:
        assert prev.vectors is not None  # nothing to embed means every vector is reused
        dim = prev.vectors.shape[1]
    vecs = np.zeros((len(hashes), dim), dtype=np.float32)
    if prev.vectors is not None:
        at = np.array([prev.vec_by_hash.get(h, -1) for h in hashes], np.int64)
        known = np.flatnonzero(at >= 0)
        vecs[known] = prev.vectors[at[known]]  # one gather from the memory map
    report.reused = len(hashes) - len(todo)
    report.embedded = len(todo)
    if todo:
        assert embedder is not None
        new = [embed_text(items[owner[j]], passages[j]) for j in todo]
        prepare = getattr(embedder, "prepare", None)
        if prepare is not None:  # e.g. int8 calibration on the corpus's own text (accel)
            prepare(new)
        vecs[todo] = _encode_with_progress(embedder, new, prog)
    return passages, hashes, vecs, np.asarray(owner, dtype=np.int32)


def _encode_with_progress(embedder: Embedder, texts: list[str], progress: Progress) -> np.ndarray:
    """Embed in chunks of about a second each, so progress moves smoothly and a kill lands
    at a checkpoint; a chunk is never under 32 texts (parallel streams stay busy)."""
    out = []
    order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths batch well
    chunk, s = 64, 0
    with progress.phase("embedding", total=len(texts), unit="passages") as ph:
        while s < len(texts):
            idx = order[s : s + chunk]
            t0 = time.perf_counter()
            out.append(embedder.encode([texts[i] for i in idx]))
            took = max(time.perf_counter() - t0, 1e-3)
            s += len(idx)
            ph.advance(len(idx))
            chunk = int(min(2048, max(32, len(idx) / took)))
            store.checkpoint("build:embedding")
    vecs = np.concatenate(out)
    result = np.empty_like(vecs)
    result[order] = vecs
    return result


def item_vectors(vecs: np.ndarray, owner: np.ndarray, n_items: int) -> np.ndarray:
    """One unit vector per item: the normalised mean of its passages."""
    if n_items == 0:
        return np.zeros((0, vecs.shape[1] if vecs.ndim == 2 else 0), dtype=np.float32)
    counts = np.bincount(owner, minlength=n_items)
    if len(owner) and counts.all() and np.all(np.diff(owner) >= 0):  # as the build lays them out
        # item by item: the same sequential float64 sums as np.add.at, 3x faster (5 s of a
        # one-file re-index at 100k items went to np.add.at)
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        sums = np.add.reduceat(np.asarray(vecs, np.float64), starts, axis=0)
    else:
        sums = np.zeros((n_items, vecs.shape[1]), dtype=np.float64)
        np.add.at(sums, owner, vecs)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.maximum(norms, 1e-12)).astype(np.float32)


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
    prog = _as_progress(progress)
    with progress_active(prog):
        return _build(roots, index_root, model, rebuild, refit, prog, wait, embedder)


def _as_progress(progress: Progress | bool) -> Progress:
    if isinstance(progress, Progress):
        return progress
    return Progress.auto(quiet=not progress)


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
        resplit = prev.gen is not None and prev.gen.manifest.get("split", 1) != SPLIT_VERSION
        if not changed and not refit and same_roots and prev.gen is not None and not resplit:
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
        passages, hashes, vecs, owner = embed_passages(
            items, factory, max_words, prev, report, prog
        )
        ivecs = item_vectors(vecs, owner, len(items))
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
