"""Generations: the index folder's manifest, writer lock, atomic publish and pruning.

An index folder looks like this::

    data/index/
      manifest.json      which generation is live, format version, model, counts
      .lock              held by the one writer (``absorb index``)
      gen-<stamp>/       one complete, immutable build
        items.sqlite     items, passages, files seen, map points, topics (schema versioned)
        *.npy            passage and item vectors (float32, L2-normalised)
        faiss.index, bm25/ ...

A build writes a fresh ``.tmp-*`` folder, renames it to ``gen-*`` and only then
replaces ``manifest.json`` (temp file + ``os.replace``). A reader therefore sees
either the old generation or the new one, never a half-written index, and a
build killed at any point leaves the previous generation live. Everything in
a generation is derived from the captures and can be rebuilt with
``absorb index --rebuild``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from ..models import IndexCorrupt, IndexIncompatible, IndexLocked, IndexMissing
from . import artifacts
from .cache import fsync_file as _fsync_file
from .db import REBUILD_HINT, SCHEMA_VERSION, Connection, connect

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LOCKFILE = ".lock"
CRASH_ENV = config.ENV_CRASH_AT  # fault injection for crash-safety tests: a checkpoint name


def checkpoint(name: str) -> None:
    """Die here with SIGKILL when $ABSORB_CRASH_AT names this point (tests only)."""
    if config.crash_point() == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Generation:
    """One published, immutable build inside an index folder (read side)."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self._db: Connection | None = None

    def file(self, name: str) -> Path:
        return self.path / name

    def db(self) -> Connection:
        if self._db is None:
            p = self.file("items.sqlite")
            if not p.exists():
                raise IndexCorrupt(f"{p} is missing", REBUILD_HINT.format(root=self.path.parent))
            self._db = connect(p, readonly=True)
        return self._db

    def array(self, name: str, mmap: bool = True) -> np.ndarray:
        p = self.file(name)
        try:
            arr = artifacts.load_array(p, mmap=mmap)
        except FileNotFoundError:
            raise IndexCorrupt(
                f"{p} is missing", REBUILD_HINT.format(root=self.path.parent)
            ) from None
        except (ValueError, OSError) as e:
            raise IndexCorrupt(
                f"{p} is damaged ({e})", REBUILD_HINT.format(root=self.path.parent)
            ) from None
        expected = self.manifest.get("arrays", {}).get(name)
        if expected is not None and list(arr.shape) != expected:
            raise IndexCorrupt(
                f"{p} has shape {list(arr.shape)}, the manifest says {expected}",
                REBUILD_HINT.format(root=self.path.parent),
            )
        return arr

    def json(self, name: str) -> Any:
        p = self.file(name)
        try:
            return artifacts.read_json(p)
        except FileNotFoundError:
            return None
        except ValueError as e:
            raise IndexCorrupt(
                f"{p} is damaged ({e})", REBUILD_HINT.format(root=self.path.parent)
            ) from None

    def search_files(self, n_rows: int) -> tuple[Any, Any]:
        """The FAISS index (None when exact: numpy searches the vectors) and the
        memory-mapped BM25 index of this generation of ``n_rows`` passages."""
        exact = None
        if self.manifest.get("vector_index") == "IndexFlatIP":
            exact = (n_rows, int(self.manifest["dim"]))
        try:
            return (
                artifacts.load_faiss(self.file("faiss.index"), exact),
                artifacts.load_bm25(self.file("bm25"), mmap=True),
            )
        except Exception as e:  # any damage in a library-written file
            raise IndexCorrupt(
                f"{self.path}: search files are damaged ({type(e).__name__}: {e})",
                REBUILD_HINT.format(root=self.path.parent),
            ) from None

    def has(self, name: str) -> bool:
        return self.file(name).exists()

    def faiss_segments(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(base id -> passage row, exact delta rows) when the FAISS index is a reused
        graph plus a delta (``search.dense.Segmented``); None when it covers every row."""
        if not self.has("faiss_rows.npy"):
            return None
        return self.array("faiss_rows.npy", mmap=False), self.array("faiss_delta.npy", mmap=False)

    def counts(self, folder: str) -> tuple[Any, dict[str, np.ndarray]] | None:
        """What ``GenerationWriter.save_counts`` saved in ``folder`` (None: nothing)."""
        meta = self.json(f"{folder}/meta.json")
        if meta is None:
            return None
        names = [p.stem for p in self.file(folder).glob("*.npy")]
        return meta, {k: self.array(f"{folder}/{k}.npy", mmap=False) for k in names}

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class GenerationWriter:
    """A generation being built in a temp folder; invisible until ``IndexDir.publish``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.arrays: dict[str, list[int]] = {}
        self._db: Connection | None = None

    def db(self) -> Connection:
        if self._db is None:
            self._db = connect(self.path / "items.sqlite")
        return self._db

    def save_array(self, name: str, arr: np.ndarray) -> None:
        artifacts.save_array(self.path / name, arr)
        self.arrays[name] = list(arr.shape)

    def save_json(self, name: str, obj: Any) -> None:
        artifacts.write_json(self.path / name, obj)

    def write_with(self, name: str, fn: Callable[[str], Any]) -> None:
        """Let a library serialise itself (FAISS, bm25s) to a path inside this generation."""
        artifacts.write_with(self.path / name, fn)

    def save_faiss(self, name: str, index: Any) -> None:
        artifacts.save_faiss(self.path / name, index)

    def save_bm25(self, name: str, retriever: Any) -> None:
        artifacts.save_bm25(self.path / name, retriever)

    def save_bm25_arrays(self, name: str, m: dict[str, Any], params: dict[str, Any]) -> None:
        artifacts.save_bm25_arrays(self.path / name, m, params)

    def save_counts(self, folder: str, meta: Any, arrays: dict[str, np.ndarray]) -> None:
        """Build-time state kept for the next build (token counts): arrays and JSON."""
        (self.path / folder).mkdir(exist_ok=True)
        for k, a in arrays.items():
            self.save_array(f"{folder}/{k}.npy", a)
        self.save_json(f"{folder}/meta.json", meta)

    def link(self, prev: Generation, name: str) -> None:
        """Share ``prev``'s file ``name`` (unchanged) instead of writing it again."""
        artifacts.link_or_copy(prev.file(name), self.path / name)

    def close(self) -> None:
        if self._db is not None:
            self._db.commit()
            self._db.close()
            self._db = None


class IndexDir:
    """An index folder: manifest, lock, generations."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.exists()

    def manifest_stamp(self) -> int:
        """Changes whenever a new generation is published (cheap to poll)."""
        try:
            return self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def read_manifest(self) -> dict[str, Any]:
        p = self.manifest_path
        if not p.exists():
            raise IndexMissing(
                f"no index at {self.root}",
                f"build one with: absorb index CAPTURES_DIR --index {self.root}",
            )
        try:
            m = artifacts.read_json(p)
            if not isinstance(m, dict):
                raise ValueError("not a JSON object")
        except (ValueError, OSError) as e:
            raise IndexCorrupt(
                f"{p} is damaged ({e})", REBUILD_HINT.format(root=self.root)
            ) from None
        if m.get("format") != FORMAT_VERSION:
            raise IndexIncompatible(
                f"{p} is index format {m.get('format')!r}; this absorb reads format {FORMAT_VERSION}",
                REBUILD_HINT.format(root=self.root),
            )
        if not (self.root / str(m.get("generation"))).is_dir():
            raise IndexCorrupt(
                f"{p} names generation {m.get('generation')!r}, which is missing",
                REBUILD_HINT.format(root=self.root),
            )
        return m

    def current(self) -> Generation:
        m = self.read_manifest()
        return Generation(self.root / m["generation"], m)

    @contextlib.contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the writer lock; a second writer waits up to ``wait`` s, then refuses."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCKFILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexLocked(
                            f"another `absorb index` is writing {self.root}",
                            "wait for it to finish, or pass --wait SECONDS",
                        ) from None
                    time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def new_generation(self) -> GenerationWriter:
        self.root.mkdir(parents=True, exist_ok=True)
        p = self.root / f".tmp-{uuid.uuid4().hex[:8]}"
        p.mkdir()
        return GenerationWriter(p)

    def publish(self, gen: GenerationWriter, manifest: dict[str, Any]) -> Generation:
        """Make ``gen`` the live generation atomically and prune old ones."""
        gen.close()
        checkpoint("publish:start")
        for f in gen.path.rglob("*"):
            if f.is_file():
                _fsync_file(f)
        name = f"gen-{time.time_ns():020d}"
        final = self.root / name
        os.rename(gen.path, final)
        checkpoint("publish:renamed")
        manifest = {
            **manifest,
            "format": FORMAT_VERSION,
            "generation": name,
            "arrays": gen.arrays,
            "schema": SCHEMA_VERSION,
        }
        tmp = self.root / f".manifest-{uuid.uuid4().hex[:8]}.tmp"
        tmp.write_text(json.dumps(manifest, indent=1, default=str), "utf-8")
        _fsync_file(tmp)
        checkpoint("publish:manifest-written")
        os.replace(tmp, self.manifest_path)
        _fsync_dir(self.root)
        checkpoint("publish:swapped")
        self.prune(keep={name})
        return Generation(final, manifest)

    def prune(self, keep: set[str]) -> None:
        """Remove temp folders and all but the newest two generations.

        The previous generation is kept so a reader that opened it moments ago
        can finish its query.
        """
        gens = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        for p in gens[:-2]:
            if p.name not in keep:
                shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".manifest-*.tmp"):
            p.unlink(missing_ok=True)

    def discard(self, gen: GenerationWriter) -> None:
        gen.close()
        shutil.rmtree(gen.path, ignore_errors=True)


def _fsync_dir(p: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync_file(p)
