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


FLAT_MAGIC = b"IxFI"  # faiss's tag for an IndexFlatIP file


def load_faiss(path: str | os.PathLike[str], exact: tuple[int, int] | None = None) -> Any:
    """The FAISS index at ``path``; None for an exact one of ``exact = (rows, dim)``.

    Exact search is numpy over the memory-mapped vectors (the same top rows), so a cold
    query need not import faiss (about 0.1 s). The exact file is still checked (tag and
    size), so a damaged one is reported as it would be if faiss read it.
    """
    if exact is not None:
        n_rows, dim = exact
        # header: tag, d (int32), ntotal, two unused int64, is_trained (1 byte), metric
        # (int32), then the codes as a length-prefixed byte vector of ntotal * d float32
        want = 4 + 4 + 8 * 3 + 1 + 4 + 8 + n_rows * dim * 4
        p = Path(path)
        with open(p, "rb") as f:
            tag = f.read(4)
        if tag != FLAT_MAGIC or p.stat().st_size != want:
            raise ValueError(f"{p.name} is not an exact index of {n_rows} vectors")
        return None
    import faiss

    return faiss.read_index(str(path))


def save_bm25(path: str | os.PathLike[str], retriever: Any) -> None:
    """A bm25s retriever's folder of arrays and vocabulary."""
    with atomic_path(path) as tmp:
        retriever.save(str(tmp), show_progress=False)


def save_bm25_arrays(
    path: str | os.PathLike[str], m: dict[str, Any], params: dict[str, Any]
) -> None:
    """A BM25 score matrix (``search.bm25_index.scores``) in the folder layout bm25s saves:
    the CSC arrays, ``vocab.index.json`` and ``params.index.json``."""
    with atomic_path(path) as tmp:
        tmp.mkdir()
        for k in ("data", "indices", "indptr"):
            with open(tmp / f"{k}.csc.index.npy", "wb") as f:
                np.save(f, np.ascontiguousarray(m[k]), allow_pickle=False)
        (tmp / "vocab.index.json").write_text(
            json.dumps(m["vocab_dict"], ensure_ascii=False), "utf-8"
        )
        (tmp / "params.index.json").write_text(
            json.dumps({**params, "num_docs": int(m["num_docs"])}, indent=4), "utf-8"
        )


def link_or_copy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
    """``dst`` becomes the same file as ``src`` (a hard link; a copy where links fail).

    Published generations are immutable, so a file they share is never written again.
    """
    with atomic_path(dst) as tmp:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)


def load_bm25(path: str | os.PathLike[str], mmap: bool = True) -> Any:
    """The saved BM25 index, read with numpy (``bm25_files.SavedBM25``; no bm25s import)."""
    from .bm25_files import SavedBM25

    return SavedBM25(Path(path), mmap=mmap)


def write_with(path: str | os.PathLike[str], fn: Callable[[str], Any]) -> None:
    """Let a library serialise itself to ``path`` (atomically, as everything here)."""
    with atomic_path(path) as tmp:
        fn(str(tmp))
