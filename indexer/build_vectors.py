"""Passage and item vectors for ``absorb index``: split, reuse by text hash, embed the rest.

An unchanged item keeps its previous passages, and a passage whose text hash the
previous generation knows keeps its vector (one gather from the memory map), so a
re-index embeds only the text that really changed. New passages are embedded in chunks
of about a second, so progress moves smoothly and a kill lands at a checkpoint. An
item's vector is the normalised mean of its passages'.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import numpy as np

from . import store
from .embed import Embedder
from .models import BuildReport, Item, Passage
from .passages import embed_text, split_item
from .previous import _Previous
from .progress import Progress, as_progress


def embed_passages(
    items: list[Item],
    embedder_factory: Callable[[], Embedder],
    max_words: int,
    prev: _Previous,
    report: BuildReport,
    progress: Progress | bool,
) -> tuple[list[Passage], list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Split, embed what is new, reuse the rest. Returns passages, hashes, vectors, owner
    and, per item, its row in the previous generation when it kept its passages (else -1:
    ``item_vectors`` reuses the vectors of the others)."""
    passages: list[Passage] = []
    hashes: list[str] = []
    owner: list[int] = []
    kept = prev.passages_by_item(max_words)  # an unchanged item keeps its passages
    rows = np.full(len(items), -1, np.int64)
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
            rows[i] = prev.row_of.get(it.id, -1)
            continue
        for p in split_item(it, max_words):
            passages.append(p)
            text = embed_text(it, p)
            hashes.append(hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20])
            owner.append(i)
    todo = [j for j, h in enumerate(hashes) if h not in prev.vec_by_hash]
    prog = as_progress(progress)
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
    return passages, hashes, vecs, np.asarray(owner, dtype=np.int32), rows


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


def item_vectors(
    vecs: np.ndarray, owner: np.ndarray, n_items: int,
    kept: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:  # fmt: skip
    """One unit vector per item: the normalised mean of its passages.

    ``kept``: (rows, previous item vectors): item i whose passages are those it had takes
    ``vectors[rows[i]]`` (rows[i] >= 0), the same sums of the same vectors in the same
    order; only the others are summed (at 100k items summing all took 3 s of a one-file
    re-index)."""
    if kept is not None and n_items and (kept[0] >= 0).any():
        rows, old = kept
        out = np.empty((n_items, vecs.shape[1]), np.float32)
        have = np.flatnonzero(rows >= 0)
        out[have] = old[rows[have]]
        todo = np.flatnonzero(rows < 0)
        if len(todo):
            sel = np.isin(owner, todo)
            sub = np.searchsorted(todo, owner[sel]).astype(owner.dtype)
            out[todo] = item_vectors(vecs[sel], sub, len(todo))
        return out
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
