"""absorb's own cache folder: derived, rebuildable model artefacts (exported ONNX/OpenVINO models).

Everything under ``user_cache_dir()`` can be rebuilt, but a half-written file there would be
read back as damaged on the next run, so every write lands whole or not at all: JSON through a
temp file and ``os.replace``, folders built under a staging name and renamed in one step.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import config


def user_cache_dir() -> Path:
    """Where derived, rebuildable model artefacts (e.g. exported ONNX/OpenVINO) go."""
    p = config.cache_base()
    p.mkdir(parents=True, exist_ok=True)
    return p


def numba_cache_dir() -> Path:
    """Where numba keeps UMAP's compiled kernels (``layout.py``); numba writes each file
    under a temp name and renames it, so a killed run leaves no half-written kernel."""
    p = user_cache_dir() / "numba"
    p.mkdir(exist_ok=True)
    return p


def fsync_file(p: Path) -> None:
    """Flush ``p`` (a file, or a folder's entries) to disk before it is relied on."""
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as JSON to ``path`` through a temp file and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(json.dumps(obj, indent=1, default=str), "utf-8")
        fsync_file(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
            fsync_file(f)
    try:
        os.rename(tmp, dest)
    except OSError:
        return False
    with contextlib.suppress(OSError):
        fsync_file(Path(dest).parent)
    return True
