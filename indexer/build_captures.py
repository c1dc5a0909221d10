"""Reading the captures for ``absorb index``: every file parsed into items, or reused.

A capture whose size and mtime (or, when only those changed, whose content hash) are
unchanged keeps the items the previous build parsed from it, so an unchanged folder
parses nothing. A capture that fails to read or parse is reported and skipped; if an
earlier build had indexed it, its previous items are kept (nothing indexed is lost
because a file went bad). Licence files and the parts of a multi-file capture
(``sources.owner``) are listed as skipped, not indexed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import config, store
from .models import BuildReport, Item, ParseError
from .previous import _Previous

# Repository boilerplate that sits beside captures but is nobody's writing.
NOT_CAPTURES = re.compile(r"(?i)^(license|licence|copying|notice)(\.(md|txt|rst))?$")


def _source_name(root: Path, rel: str, multi: bool) -> str:
    return f"{root.name}/{rel}" if multi else rel


def collect_items(
    roots: list[Path],
    prev: _Previous,
    report: BuildReport,
    tick: Callable[[], None] = lambda: None,
) -> tuple[list[Item], list[dict[str, Any]], bool]:
    """Parse every capture (reusing unchanged ones). Returns items, file rows, changed?

    ``tick()`` is called once per file (progress)."""
    from .sources import owner, parse_capture_as

    multi = len(roots) > 1
    items: list[Item] = []
    files: list[dict[str, Any]] = []
    changed = False
    cap = config.max_capture_bytes()
    for root in roots:
        for cf in store.walk_captures(root):
            source = _source_name(root, cf.rel, multi)
            report.files += 1
            tick()
            old = prev.files.get(source)
            row = {
                "source": source,
                "size": cf.size,
                "mtime_ns": cf.mtime_ns,
                "sha1": None,
                "n_items": 0,
                "status": "ok",
            }
            got: list[Item] | None = None
            why = cf.error
            near = lambda rel, cf=cf: store.read_near(cf, rel, cap)  # noqa: E731
            part_of = None if why else owner(cf.rel, near)
            if NOT_CAPTURES.match(cf.path.name) or part_of:
                report.skipped.append((source, part_of or "license file, not a capture"))
                files.append(row | {"status": "ignored"})
                continue
            if (
                why is None
                and old
                and old["status"] == "ok"
                and (old["size"], old["mtime_ns"]) == (cf.size, cf.mtime_ns)
            ):
                got, row["sha1"] = prev.items.get(source, []), old["sha1"]
            elif why is None:
                try:
                    data = store.read_capture(cf, cap)
                    row["sha1"] = hashlib.sha1(data).hexdigest()
                    if old and old["sha1"] == row["sha1"] and old["status"] == "ok":
                        got = prev.items.get(source, [])
                    else:
                        fmt, got = parse_capture_as(source, data, report.warnings.append, near)
                        for it in got:  # the app shows how each capture was read
                            it.extra["capture_format"] = fmt
                        changed = True
                except ParseError as e:
                    why = e.message.removeprefix(f"{source}: ")
                except (OSError, ValueError) as e:
                    why = getattr(e, "strerror", None) or str(e)
            if why is not None:
                row["status"] = f"error: {why}"
                # the same file failing the same way as last time changes nothing
                changed = changed or not (
                    old is not None
                    and old["status"] == row["status"]
                    and (old["size"], old["mtime_ns"]) == (cf.size, cf.mtime_ns)
                )
                if source in prev.items:  # keep what an earlier build read from this file
                    got = prev.items[source]
                    report.kept.append(source)
                report.skipped.append((source, why))
            for it in got or []:
                it.source = source
            row["n_items"] = len(got or [])
            items.extend(got or [])
            files.append(row)
    if set(prev.files) != {f["source"] for f in files}:
        changed = True
    return _dedupe_ids(items), files, changed


def _dedupe_ids(items: list[Item]) -> list[Item]:
    seen: dict[str, int] = {}
    for it in items:
        if it.id in seen:
            seen[it.id] += 1
            it.id = f"{it.id}-{seen[it.id]}"
        else:
            seen[it.id] = 1
    return items
