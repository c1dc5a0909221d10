"""absorb: a personal semantic search and embedding explorer.

``indexer.open_index(path)`` opens a built index (see ``indexer.index``);
``absorb index`` builds one from a folder of captures (see ``indexer.build``).
Heavy libraries (torch, FAISS, UMAP) load only when a call needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import offline
from .config import DEFAULT_INDEX
from .models import (
    AbsorbError,
    Hit,
    IndexCorrupt,
    IndexIncompatible,
    IndexLocked,
    IndexMissing,
    Item,
)

if TYPE_CHECKING:
    from .index import Index

offline.enforce()  # before any library that could phone out is imported (indexer.offline)

__version__ = "0.1.0"
__all__ = [
    "AbsorbError",
    "Hit",
    "Index",
    "IndexCorrupt",
    "IndexIncompatible",
    "IndexLocked",
    "IndexMissing",
    "Item",
    "open_index",
]


def open_index(path: Any = DEFAULT_INDEX, model: str | None = None, embedder: Any = None) -> Index:
    """Open the index at ``path``: ``.items()``, ``.search()``, ``.similar()``, ``.map()``, ``.topics()``."""
    from .index import open_index as _open

    return _open(path, model=model, embedder=embedder)
