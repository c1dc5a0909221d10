"""The one module that touches disk: capture files, the index folder, atomic swaps.

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
import errno
import fcntl
import json
import os
import shutil
import signal
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import config
from .models import (
    IndexCorrupt,
    IndexIncompatible,
    IndexLocked,
    IndexMissing,
    Item,
    Passage,
    Topic,
)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LOCKFILE = ".lock"
MAX_CAPTURE_BYTES = int(
    config.DEFAULT_MAX_CAPTURE_MB * 1024 * 1024
)  # larger captures are skipped with a message
REBUILD_HINT = "rebuild it with: absorb index --rebuild --index {root}"

# Numbered migrations: entry i brings user_version i to i+1. Never edit a shipped one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE items (
        id TEXT PRIMARY KEY, ord INTEGER NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
        source TEXT NOT NULL, kind TEXT NOT NULL, date TEXT, date_end TEXT, date_kind TEXT,
        url TEXT, author TEXT, tags TEXT NOT NULL, position INTEGER NOT NULL,
        related TEXT NOT NULL, extra TEXT NOT NULL, hash TEXT NOT NULL);
    CREATE TABLE passages (
        row INTEGER PRIMARY KEY, item_id TEXT NOT NULL, idx INTEGER NOT NULL,
        start INTEGER NOT NULL, text TEXT NOT NULL, hash TEXT NOT NULL);
    CREATE INDEX passages_item ON passages(item_id);
    CREATE TABLE files (
        source TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha1 TEXT,
        n_items INTEGER NOT NULL, status TEXT NOT NULL);
    CREATE TABLE points (item_id TEXT PRIMARY KEY, x REAL NOT NULL, y REAL NOT NULL,
        topic INTEGER NOT NULL);
    CREATE TABLE topics (id INTEGER PRIMARY KEY, label TEXT NOT NULL, size INTEGER NOT NULL,
        representative_ids TEXT NOT NULL, x REAL NOT NULL, y REAL NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


CRASH_ENV = config.ENV_CRASH_AT  # fault injection for crash-safety tests: a checkpoint name


def checkpoint(name: str) -> None:
    """Die here with SIGKILL when $ABSORB_CRASH_AT names this point (tests only)."""
    if config.crash_point() == name:
        os.kill(os.getpid(), signal.SIGKILL)


# ---------------------------------------------------------------- captures


@dataclass
class CaptureFile:
    """A file found under a captures root."""

    path: Path
    rel: str  # path relative to the captures root, '/'-separated: the item's ``source``
    size: int = 0
    mtime_ns: int = 0
    error: str | None = None  # why it cannot be read (reported, not raised)


def walk_captures(root: Path) -> Iterator[CaptureFile]:
    """Every regular file under ``root`` (sorted), skipping hidden files and folders.

    Broken or looping symlinks and unreadable entries come back with ``error`` set
    instead of raising, so one bad file never stops a run.
    """
    root = Path(root)
    if root.is_file():
        yield _capture(root, root.name)
        return
    seen_dirs: set[tuple[int, int]] = set()

    def onerror(err: OSError) -> None:  # unreadable directory
        pending.append(
            CaptureFile(
                Path(err.filename or root),
                _rel(err.filename, root),
                error=f"cannot read folder: {err.strerror}",
            )
        )

    pending: list[CaptureFile] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=True):
        try:
            st = os.stat(dirpath)
            key = (st.st_dev, st.st_ino)
        except OSError:
            dirnames[:] = []
            continue
        if key in seen_dirs:  # symlink loop: do not descend twice
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        yield from pending
        pending.clear()
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            p = Path(dirpath) / name
            yield _capture(p, p.relative_to(root).as_posix())
    yield from pending


def _rel(path: str | None, root: Path) -> str:
    try:
        return Path(path or root).relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _capture(p: Path, rel: str) -> CaptureFile:
    try:
        st = p.stat()
    except OSError as e:
        why = "symlink loop" if e.errno == errno.ELOOP else f"cannot stat: {e.strerror}"
        return CaptureFile(p, rel, error=why)
    if not p.is_file():
        return CaptureFile(p, rel, error="not a regular file")
    return CaptureFile(p, rel, size=st.st_size, mtime_ns=st.st_mtime_ns)


def read_capture(cf: CaptureFile, max_bytes: int = MAX_CAPTURE_BYTES) -> bytes:
    """The raw bytes of a capture; raises OSError/ValueError with a readable reason."""
    if cf.size > max_bytes:
        raise ValueError(
            f"{cf.size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB capture size cap "
            "(split the file, or raise ABSORB_MAX_CAPTURE_MB)"
        )
    with open(cf.path, "rb") as f:
        return f.read(max_bytes + 1)


# ---------------------------------------------------------------- SQLite


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """Open an items database, applying pending migrations when writable."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise IndexCorrupt(
            f"{path} is not a readable database ({e})",
            REBUILD_HINT.format(root=Path(path).parent.parent),
        ) from None
    if version > SCHEMA_VERSION:
        raise IndexIncompatible(
            f"{path} has schema version {version}; this absorb knows up to {SCHEMA_VERSION}",
            "upgrade absorb, or rebuild the index with: absorb index --rebuild",
        )
    if version < SCHEMA_VERSION:
        if readonly:
            raise IndexIncompatible(
                f"{path} has an older schema ({version} < {SCHEMA_VERSION})",
                "run `absorb index` once to migrate it",
            )
        for i in range(version, SCHEMA_VERSION):
            conn.executescript(MIGRATIONS[i])
            conn.execute(f"PRAGMA user_version = {i + 1}")
        conn.commit()
    return conn


def write_items(conn: sqlite3.Connection, items: list[Item]) -> None:
    """Replace the items table with ``items`` (their order is kept in ``ord``)."""
    conn.execute("DELETE FROM items")
    conn.executemany(
        "INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                it.id,
                i,
                it.title,
                it.text,
                it.source,
                it.kind,
                it.date.isoformat() if it.date else None,
                it.date_end.isoformat() if it.date_end else None,
                it.date_kind,
                it.url,
                it.author,
                json.dumps(it.tags),
                it.position,
                json.dumps(it.related),
                json.dumps(it.extra, default=str),
                it.content_hash(),
            )
            for i, it in enumerate(items)
        ],
    )


def row_to_item(row: sqlite3.Row) -> Item:
    d = dict(row)
    for key in ("tags", "related", "extra"):
        d[key] = json.loads(d[key])
    return Item.from_dict(d)


def read_items(conn: sqlite3.Connection) -> list[Item]:
    return [row_to_item(r) for r in conn.execute("SELECT * FROM items ORDER BY ord")]


def write_passages(conn: sqlite3.Connection, passages: list[Passage], hashes: list[str]) -> None:
    conn.execute("DELETE FROM passages")
    conn.executemany(
        "INSERT INTO passages VALUES (?,?,?,?,?,?)",
        [
            (i, p.item_id, p.index, p.start, p.text, h)
            for i, (p, h) in enumerate(zip(passages, hashes, strict=True))
        ],
    )


def write_files(conn: sqlite3.Connection, files: list[dict[str, Any]]) -> None:
    conn.execute("DELETE FROM files")
    conn.executemany(
        "INSERT INTO files VALUES (:source,:size,:mtime_ns,:sha1,:n_items,:status)", files
    )


def write_map(
    conn: sqlite3.Connection,
    ids: list[str],
    coords: np.ndarray,
    topic_ids: np.ndarray,
    topics: list[Topic],
) -> None:
    conn.execute("DELETE FROM points")
    conn.execute("DELETE FROM topics")
    conn.executemany(
        "INSERT INTO points VALUES (?,?,?,?)",
        [
            (i, float(c[0]), float(c[1]), int(t))
            for i, c, t in zip(ids, coords, topic_ids, strict=True)
        ],
    )
    conn.executemany(
        "INSERT INTO topics VALUES (?,?,?,?,?,?)",
        [(t.id, t.label, t.size, json.dumps(t.representative_ids), t.x, t.y) for t in topics],
    )


def row_to_topic(row: sqlite3.Row) -> Topic:
    d = dict(row)
    d["representative_ids"] = json.loads(d["representative_ids"])
    return Topic(**d)


# ---------------------------------------------------------------- generations


class Generation:
    """One published, immutable build inside an index folder (read side)."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self._db: sqlite3.Connection | None = None

    def file(self, name: str) -> Path:
        return self.path / name

    def db(self) -> sqlite3.Connection:
        if self._db is None:
            p = self.file("items.sqlite")
            if not p.exists():
                raise IndexCorrupt(f"{p} is missing", REBUILD_HINT.format(root=self.path.parent))
            self._db = connect(p, readonly=True)
        return self._db

    def array(self, name: str, mmap: bool = True) -> np.ndarray:
        p = self.file(name)
        try:
            arr = np.load(p, mmap_mode="r" if mmap else None, allow_pickle=False)
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
            return json.loads(p.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as e:
            raise IndexCorrupt(
                f"{p} is damaged ({e})", REBUILD_HINT.format(root=self.path.parent)
            ) from None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class GenerationWriter:
    """A generation being built in a temp folder; invisible until ``IndexDir.publish``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.arrays: dict[str, list[int]] = {}
        self._db: sqlite3.Connection | None = None

    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = connect(self.path / "items.sqlite")
        return self._db

    def save_array(self, name: str, arr: np.ndarray) -> None:
        with open(self.path / name, "wb") as f:
            np.save(f, np.ascontiguousarray(arr), allow_pickle=False)
        self.arrays[name] = list(arr.shape)

    def save_json(self, name: str, obj: Any) -> None:
        (self.path / name).write_text(json.dumps(obj, indent=1, default=str), "utf-8")

    def write_with(self, name: str, fn: Callable[[str], Any]) -> None:
        """Let a library serialise itself (FAISS, bm25s) to a path inside this generation."""
        fn(str(self.path / name))

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
            m = json.loads(p.read_text("utf-8"))
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


def _fsync_file(p: Path) -> None:
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(p: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync_file(p)


def user_cache_dir() -> Path:
    """Where derived, rebuildable model artefacts (e.g. exported ONNX/OpenVINO) go."""
    p = config.cache_base()
    p.mkdir(parents=True, exist_ok=True)
    return p


# ---------------------------------------------------------------- cache files
# Everything under user_cache_dir() can be rebuilt, but a half-written file there would be
# read back as damaged on the next run, so every write lands whole or not at all.


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as JSON to ``path`` through a temp file and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(json.dumps(obj, indent=1, default=str), "utf-8")
        _fsync_file(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save_array_file(path: Path, arr: np.ndarray) -> None:
    """``np.save`` without pickle (inside a temp folder that ``publish_dir`` moves whole)."""
    with open(path, "wb") as f:
        np.save(f, np.ascontiguousarray(arr), allow_pickle=False)


def load_array_file(path: Path) -> np.ndarray:
    return np.load(path, allow_pickle=False)


@contextlib.contextmanager
def staging_dir(parent: Path, prefix: str = ".tmp") -> Iterator[Path]:
    """A fresh temp folder under ``parent``, removed on exit unless ``publish_dir`` moved it."""
    tmp = Path(parent) / f"{prefix}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish_dir(tmp: Path, dest: Path) -> bool:
    """Rename the finished folder ``tmp`` to ``dest`` in one step.

    False when ``dest`` already exists (another process finished first: keep theirs).
    """
    for f in Path(tmp).rglob("*"):
        if f.is_file():
            _fsync_file(f)
    try:
        os.rename(tmp, dest)
    except OSError:
        return False
    _fsync_dir(Path(dest).parent)
    return True
