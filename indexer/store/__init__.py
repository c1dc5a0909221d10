"""The only code that touches disk: captures, the index folder, absorb's cache.

Callers use ``from indexer import store`` and the names re-exported here:

- ``captures``: walk a captures folder, read one capture (never raising on a bad file);
- ``db``: the items database of a generation, its migrations and every SQL query;
- ``artifacts``: arrays, JSON, FAISS and BM25 files, each written atomically;
- ``cache``: absorb's own cache folder (exported models), written atomically;
- ``generations``: manifest, writer lock, atomic publish, pruning, crash checkpoints.

Nothing else in absorb, its benchmarks or its tests opens an index file.
"""

from __future__ import annotations

from .artifacts import (
    atomic_path,
    link_or_copy,
    load_array,
    load_bm25,
    load_faiss,
    read_json,
    save_array,
    save_bm25,
    save_bm25_arrays,
    save_faiss,
    write_bytes,
    write_json,
)
from .cache import numba_cache_dir, publish_dir, staging_dir, user_cache_dir, write_json_atomic
from .captures import MAX_CAPTURE_BYTES, CaptureFile, read_capture, read_near, walk_captures
from .db import (
    MIGRATIONS,
    REBUILD_HINT,
    SCHEMA_VERSION,
    Connection,
    DatabaseError,
    connect,
    finer_paths,
    item_columns,
    item_extra,
    item_ids,
    item_text,
    map_points,
    passage_hashes,
    passage_rows_by_hash,
    passage_start,
    passage_text,
    read_files,
    read_item,
    read_items,
    read_passages,
    read_topics,
    row_to_item,
    row_to_topic,
    topic_labels,
    topic_levels,
    write_files,
    write_items,
    write_map,
    write_passages,
)
from .generations import (
    CRASH_ENV,
    FORMAT_VERSION,
    LOCKFILE,
    MANIFEST,
    Generation,
    GenerationWriter,
    IndexDir,
    checkpoint,
)

__all__ = [
    "CRASH_ENV",
    "FORMAT_VERSION",
    "LOCKFILE",
    "MANIFEST",
    "MAX_CAPTURE_BYTES",
    "MIGRATIONS",
    "REBUILD_HINT",
    "SCHEMA_VERSION",
    "CaptureFile",
    "Connection",
    "DatabaseError",
    "Generation",
    "GenerationWriter",
    "IndexDir",
    "atomic_path",
    "checkpoint",
    "connect",
    "finer_paths",
    "item_columns",
    "item_extra",
    "item_ids",
    "item_text",
    "load_array",
    "load_bm25",
    "link_or_copy",
    "load_faiss",
    "map_points",
    "passage_hashes",
    "passage_rows_by_hash",
    "passage_start",
    "passage_text",
    "read_capture",
    "read_near",
    "read_files",
    "read_item",
    "read_items",
    "read_passages",
    "read_json",
    "read_topics",
    "row_to_item",
    "row_to_topic",
    "save_array",
    "save_bm25",
    "save_bm25_arrays",
    "save_faiss",
    "topic_labels",
    "topic_levels",
    "publish_dir",
    "staging_dir",
    "user_cache_dir",
    "numba_cache_dir",
    "write_json_atomic",
    "walk_captures",
    "write_bytes",
    "write_files",
    "write_items",
    "write_json",
    "write_map",
    "write_passages",
]
