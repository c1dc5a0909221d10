"""Capture files: walk a captures folder and read one capture, never raising on a bad entry.

A captures root is read-only to absorb. Broken or looping symlinks, unreadable
folders and files over the size cap come back as entries with ``error`` set
(or a readable ``OSError``/``ValueError``), so one bad file never stops a run.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import config

# larger captures are skipped with a message
MAX_CAPTURE_BYTES = int(config.DEFAULT_MAX_CAPTURE_MB * 1024 * 1024)


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
        base = Path(dirpath)
        rel_dir = base.relative_to(root).as_posix()  # once a folder: per file it took 1.4 s
        prefix = "" if rel_dir == "." else rel_dir + "/"  # of walking 100k files
        for name in sorted(filenames):
            if not name.startswith("."):
                yield _capture(base / name, prefix + name)
    yield from pending


def _rel(path: str | None, root: Path) -> str:
    try:
        return Path(path or root).relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _capture(p: Path, rel: str) -> CaptureFile:
    try:
        st = os.stat(p)  # one stat call: it tells a regular file too
    except OSError as e:
        why = "symlink loop" if e.errno == errno.ELOOP else f"cannot stat: {e.strerror}"
        return CaptureFile(p, rel, error=why)
    if not stat.S_ISREG(st.st_mode):
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


def read_near(cf: CaptureFile, rel: str, max_bytes: int = MAX_CAPTURE_BYTES) -> bytes | None:
    """A file beside a capture (``rel`` from the capture's folder), or None if absent.

    Multi-file formats use it: a Substack ``posts.csv`` reads ``posts/<id>.html``.
    """
    if rel.startswith("/") or "\x00" in rel:
        return None
    p = cf.path.parent / rel
    try:
        if not p.is_file() or p.stat().st_size > max_bytes:
            return None
        return p.read_bytes()
    except OSError:
        return None
