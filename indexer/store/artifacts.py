"""Files beside the database: vector arrays, JSON, the FAISS and BM25 indexes, the cache folder.

Every write lands in a temp name next to its target and is moved into place
with ``os.replace`` (a folder, as bm25s writes one, with ``os.rename`` after
the old one is moved aside), so a reader or a killed writer never sees half a
file. Inside a generation that is belt and braces (the whole generation is
renamed into place at publish); for caches outside one it is what keeps them
readable.

Arrays are plain ``.npy`` without pickle, memory-mapped on read: a 100k-item
index opens without reading its vectors into memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temp path to write; on success it replaces ``path``, on failure it is removed."""
    target = Path(path)
    tmp = _tmp_name(target)
    try:
        yield tmp
        if tmp.is_dir():
            old = _tmp_name(target)
            if target.exists():
                os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_json(path: str | os.PathLike[str], obj: Any, indent: int | None = 1) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=indent, default=str), "utf-8")


def read_json(path: str | os.PathLike[str]) -> Any:
    """The parsed file; raises FileNotFoundError / ValueError as ``json`` does."""
    return json.loads(Path(path).read_text("utf-8"))


def save_array(path: str | os.PathLike[str], arr: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.save(f, np.ascontiguousarray(arr), allow_pickle=False)


def load_array(path: str | os.PathLike[str], mmap: bool = True) -> np.ndarray:
    """An ``.npy`` file (memory-mapped unless ``mmap=False``); never unpickles."""
    return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)


def save_faiss(path: str | os.PathLike[str], index: Any) -> None:
    import faiss

    with atomic_path(path) as tmp:
        faiss.write_index(index, str(tmp))


def load_faiss(path: str | os.PathLike[str]) -> Any:
    import faiss

    return faiss.read_index(str(path))


def save_bm25(path: str | os.PathLike[str], retriever: Any) -> None:
    """A bm25s retriever's folder of arrays and vocabulary."""
    with atomic_path(path) as tmp:
        retriever.save(str(tmp), show_progress=False)


def load_bm25(path: str | os.PathLike[str], mmap: bool = True) -> Any:
    import bm25s

    return bm25s.BM25.load(str(path), mmap=mmap, show_progress=False)


def write_with(path: str | os.PathLike[str], fn: Callable[[str], Any]) -> None:
    """Let a library serialise itself to ``path`` (atomically, as everything here)."""
    with atomic_path(path) as tmp:
        fn(str(tmp))


def user_cache_dir() -> Path:
    """Where derived, rebuildable model artefacts (e.g. exported ONNX/OpenVINO) go."""
    base = os.environ.get("ABSORB_CACHE") or os.environ.get("XDG_CACHE_HOME")
    p = Path(base) / "absorb" if base else Path.home() / ".cache" / "absorb"
    p.mkdir(parents=True, exist_ok=True)
    return p
