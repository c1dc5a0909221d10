"""The items database of one generation: SQLite schema, migrations, every query absorb runs.

``items.sqlite`` holds items, passages, the files seen, map points and topics.
Its schema is versioned with ``PRAGMA user_version`` and numbered migrations;
a newer file than this absorb knows is refused, an older one is migrated when
opened for writing. No other module writes SQL: the read side (``index.py``)
and the build (``build.py``) call the functions here.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from ..models import IndexCorrupt, IndexIncompatible, Item, Passage, Topic

REBUILD_HINT = "rebuild it with: absorb index --rebuild --index {root}"
DatabaseError = sqlite3.DatabaseError  # what a damaged database raises on any query
Connection = sqlite3.Connection

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
    # 2: topic levels (indexer/levels.py). Level 0 stays in points.topic and topics.
    """
    CREATE TABLE point_levels (item_id TEXT NOT NULL, level INTEGER NOT NULL,
        topic INTEGER NOT NULL, PRIMARY KEY (item_id, level));
    CREATE TABLE subtopics (level INTEGER NOT NULL, id INTEGER NOT NULL, parent INTEGER NOT NULL,
        label TEXT NOT NULL, size INTEGER NOT NULL, representative_ids TEXT NOT NULL,
        x REAL NOT NULL, y REAL NOT NULL, PRIMARY KEY (level, id));
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
# The oldest schema the read side reads as it is: later migrations only add tables, and
# the reads below treat a missing one as empty (published generations are never rewritten).
READABLE_FROM = 1


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """Open an items database, applying pending migrations when writable."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        # Only a generation being written is opened writable, and publish() fsyncs every
        # file of it before it goes live: SQLite's own syncs would be paid twice (0.18 s of
        # the 0.2 s it took to create the schema of an empty database here).
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute("PRAGMA synchronous = OFF")
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
        if readonly and version >= READABLE_FROM:
            return conn
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


# ---------------------------------------------------------------- writes


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
                _dumps(it.tags),
                it.position,
                _dumps(it.related),
                _dumps(it.extra),
                it.content_hash(),
            )
            for i, it in enumerate(items)
        ],
    )


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
    paths: np.ndarray | None = None,
    finer: list[Topic] | None = None,
) -> None:
    """The map: points and level-0 topics; with ``paths`` (n, levels) and ``finer``
    (the sub-topics), the finer levels too."""
    for table in ("points", "topics", "point_levels", "subtopics"):
        conn.execute(f"DELETE FROM {table}")
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
    if paths is None or paths.shape[1] < 2:
        return
    conn.executemany(
        "INSERT INTO point_levels VALUES (?,?,?)",
        [(i, lv, int(p[lv])) for i, p in zip(ids, paths, strict=True) for lv in range(1, len(p))],
    )
    conn.executemany(
        "INSERT INTO subtopics VALUES (?,?,?,?,?,?,?,?)",
        [
            (t.level, t.id, t.parent, t.label, t.size, json.dumps(t.representative_ids), t.x, t.y)
            for t in finer or []
        ],
    )


# ---------------------------------------------------------------- reads


def _dumps(value: Any) -> str:
    """``json.dumps(value, default=str)``; an empty list or dict (most items' tags, links
    and extras) without the call: 3 calls an item took 2 s of writing 100k items."""
    if not value and isinstance(value, list | dict):
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, default=str)


def _loads(text: str) -> Any:
    """``json.loads(text)``, empty lists and dicts without the call (see ``_dumps``).

    >>> _loads("[]"), _loads("{}"), _loads('{"a": [1]}'), _dumps([]), _dumps({"a": [1]})
    ([], {}, {'a': [1]}, '[]', '{"a": [1]}')
    """
    if text == "[]":
        return []
    return {} if text == "{}" else json.loads(text)


def row_to_item(row: sqlite3.Row) -> Item:
    d = dict(row)
    for key in ("tags", "related", "extra"):
        d[key] = _loads(d[key])
    return Item.from_dict(d)


def read_items(conn: sqlite3.Connection) -> list[Item]:
    return [row_to_item(r) for r in conn.execute("SELECT * FROM items ORDER BY ord")]


def read_item(conn: sqlite3.Connection, item_id: str) -> Item | None:
    r = conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
    return None if r is None else row_to_item(r)


def item_columns(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The columns search and filters keep in memory, one row per item in order."""
    return conn.execute(
        "SELECT id, title, date, date_end, date_kind, kind, source, url FROM items ORDER BY ord"
    ).fetchall()


def item_ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM items ORDER BY ord")]


def item_text(conn: sqlite3.Connection, item_id: str) -> str:
    return conn.execute("SELECT text FROM items WHERE id = ?", (item_id,)).fetchone()[0]


def passage_text(conn: sqlite3.Connection, row: int) -> str:
    return conn.execute("SELECT text FROM passages WHERE row = ?", (row,)).fetchone()[0]


def passage_start(conn: sqlite3.Connection, row: int) -> int:
    """Character offset of a passage in its item's text."""
    return conn.execute("SELECT start FROM passages WHERE row = ?", (row,)).fetchone()[0]


def item_extra(conn: sqlite3.Connection, item_id: str) -> dict[str, Any]:
    """The format-specific fields of one item (``Item.extra``)."""
    return json.loads(
        conn.execute("SELECT extra FROM items WHERE id = ?", (item_id,)).fetchone()[0]
    )


def passage_rows_by_hash(conn: sqlite3.Connection) -> dict[str, int]:
    """Text hash -> vector row of every stored passage (for reusing vectors)."""
    return {r[0]: r[1] for r in conn.execute("SELECT hash, row FROM passages")}


def read_passages(conn: sqlite3.Connection) -> list[tuple[str, int, int, str, str]]:
    """(item id, index, start, text, hash) of every passage, in row order."""
    q = "SELECT item_id, idx, start, text, hash FROM passages ORDER BY row"
    return [tuple(r) for r in conn.execute(q)]


def passage_hashes(conn: sqlite3.Connection) -> list[str]:
    """The text hash of every passage, in row order."""
    return [r[0] for r in conn.execute("SELECT hash FROM passages ORDER BY row")]


def read_files(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """The files the build saw, by source, as written by ``write_files``."""
    return {r["source"]: dict(r) for r in conn.execute("SELECT * FROM files")}


def map_points(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """(item_id, x, y, topic) of every mapped item, in item order."""
    return conn.execute(
        "SELECT p.item_id, p.x, p.y, p.topic FROM points p "
        "JOIN items i ON i.id = p.item_id ORDER BY i.ord"
    ).fetchall()


def topic_labels(conn: sqlite3.Connection) -> dict[int, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT id, label FROM topics")}


def row_to_topic(row: sqlite3.Row) -> Topic:
    d = dict(row)
    d["representative_ids"] = json.loads(d["representative_ids"])
    return Topic(**d)


def read_topics(conn: sqlite3.Connection, by_size: bool = True, level: int = 0) -> list[Topic]:
    """Every topic of ``level`` (0: the map's topics), largest first (``by_size``) or by id."""
    order = "size DESC, id" if by_size else "id"
    if level == 0:
        return [row_to_topic(r) for r in conn.execute(f"SELECT * FROM topics ORDER BY {order}")]
    if not _has_table(conn, "subtopics"):
        return []
    rows = conn.execute(f"SELECT * FROM subtopics WHERE level = ? ORDER BY {order}", (level,))
    return [row_to_topic(r) for r in rows]


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    q = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(q, (name,)).fetchone() is not None


def topic_levels(conn: sqlite3.Connection) -> int:
    """How many topic levels the map has (1 when it has no finer levels, 0 when no map)."""
    if conn.execute("SELECT 1 FROM topics LIMIT 1").fetchone() is None:
        return 0
    if not _has_table(conn, "subtopics"):
        return 1
    top = conn.execute("SELECT MAX(level) FROM subtopics").fetchone()[0]
    return 1 + int(top or 0)


def finer_paths(conn: sqlite3.Connection) -> dict[str, list[int]]:
    """item id -> its topics at levels 1.. (absent when the map has no finer levels)."""
    out: dict[str, list[int]] = {}
    if not _has_table(conn, "point_levels"):
        return out
    for item_id, topic in conn.execute(
        "SELECT item_id, topic FROM point_levels ORDER BY item_id, level"
    ):
        out.setdefault(item_id, []).append(int(topic))
    return out
