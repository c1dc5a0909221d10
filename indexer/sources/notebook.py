"""Jupyter notebooks (``.ipynb``): the lecture as a reader sees it, never raw JSON.

A notebook is JSON (nbformat 4; nbformat 3 keeps its cells under ``worksheets``)::

    {"cells": [{"cell_type": "markdown", "source": ["## makemore: part 5"]},
               {"cell_type": "code", "source": "import torch", "outputs": [...]}],
     "metadata": {"kernelspec": {...}}, "nbformat": 4}

Markdown cells become prose (through ``md_to_text``), code cells fenced code blocks
(kept verbatim, like code in Markdown posts). Short text outputs (``stream`` and the
``text/plain`` of results, at most ``MAX_OUTPUT_LINES`` lines) are kept after their cell,
because "print(len(words)) -> 32033" is part of the lesson; images, HTML, widgets and long
outputs are dropped. The title is the first Markdown heading, else the file name. On
the samples: makemore_part5_cnn1.ipynb (21 cells, 13 outputs of which 1 image) gives
"makemore: part 5"; micrograd's lecture notebook has no Markdown cell at all and is titled
"micrograd lecture first half roughly" from its file name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from ..models import Item, ParseError, stable_id
from .common import one_line, tidy, trim_title
from .markdown import _inline, md_to_text

MAX_OUTPUT_LINES = 12
MAX_OUTPUT_CHARS = 1500


def sniff(text: str, source: str) -> bool:
    if source.lower().endswith(".ipynb"):
        return True
    head = text[:4000].lstrip()
    return head.startswith("{") and '"cells"' in head and '"cell_type"' in head


def _src(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else value if isinstance(value, str) else ""


def _output_text(out: Any) -> str:
    """A short text output of a code cell, or "" (images, HTML, long dumps dropped)."""
    if not isinstance(out, dict):
        return ""
    kind = out.get("output_type")
    if kind == "stream":
        text = _src(out.get("text"))
    elif kind in ("execute_result", "display_data"):
        data = out.get("data") or {}
        if any(k.startswith("image/") for k in data):  # a plot's repr is noise
            return ""
        text = _src(data.get("text/plain"))
    else:  # errors: tracebacks full of ANSI colour codes
        return ""
    text = text.strip("\n")
    if len(text) > MAX_OUTPUT_CHARS or text.count("\n") >= MAX_OUTPUT_LINES:
        return ""
    if re.fullmatch(r"<[\w.]+ (?:object )?at 0x[0-9a-f]+>|\[<matplotlib.*", text, re.S):
        return ""
    return text


def _cells(nb: dict[str, Any]) -> list[Any]:
    if isinstance(nb.get("cells"), list):
        return nb["cells"]
    sheets = nb.get("worksheets")  # nbformat 3
    if isinstance(sheets, list) and sheets and isinstance(sheets[0], dict):
        return sheets[0].get("cells") or []
    return []


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    try:
        nb = json.loads(text)
    except ValueError as e:
        raise ParseError(f"{source}: not a readable notebook (invalid JSON: {e})") from None
    if not isinstance(nb, dict):
        raise ParseError(f"{source}: not a notebook (JSON top level is not an object)")
    cells = _cells(nb)
    if not cells:
        raise ParseError(f"{source}: notebook has no cells")
    title = ""
    parts: list[str] = []
    n_code = 0
    for n, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            warn(f"{source}: cell {n} is not an object; skipped")
            continue
        body = _src(cell.get("source", cell.get("input")))
        kind = cell.get("cell_type")
        if kind in ("markdown", "heading"):
            if kind == "heading":
                body = "#" * int(cell.get("level") or 1) + " " + body
            if not title:
                m = re.search(r"^ {0,3}#{1,6}[ \t]+(.+?)[ #\t]*$", body, re.M)
                if m:
                    title = _inline(m.group(1))
            parts.append(md_to_text(body))
        elif kind == "code" and body.strip():
            n_code += 1
            parts.append(body.strip("\n"))
            outs = [t for t in map(_output_text, cell.get("outputs") or []) if t]
            parts.extend(outs)
    body_text = tidy("\n\n".join(p for p in parts if p.strip()))
    stem = PurePosixPath(source).stem
    lang = ((nb.get("metadata") or {}).get("language_info") or {}).get("name")
    extra: dict[str, Any] = {"cells": len(cells), "code_cells": n_code}
    if isinstance(lang, str):
        extra["language"] = lang
    return [
        Item(
            id=stable_id(source),
            title=trim_title(title or one_line(re.sub(r"[_-]+", " ", stem))),
            text=body_text,
            source=source,
            kind="notebook",
            extra=extra,
        )
    ]
