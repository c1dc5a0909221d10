"""Single-file code (a script, a gist): its docstring or leading comment, then the code.

Detected by extension (``.py``, ``.js``, ``.go``, ...) or a ``#!`` interpreter line.
The title and summary come from what the author wrote about the file: a Python module
docstring, else the leading comment block (``#``, ``//``, ``--`` lines or one
``/* ... */``), its first line the title, the rest the summary paragraph; a file without
either is titled by its name. The code follows verbatim, as code blocks are everywhere
in absorb. Kind ``code``; ``extra["language"]`` names the language.

>>> it = parse("#!/bin/sh\\n# Tiny tool. Prints hi.\\necho hi\\n", "hi", print)[0]
>>> it.title, it.kind, it.extra
('Tiny tool. Prints hi.', 'code', {'language': 'shell'})
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable
from pathlib import PurePosixPath

from ..models import Item, stable_id
from .common import first_sentence_title, tidy, trim_title

LANGUAGES = {".py": "python", ".js": "javascript", ".mjs": "javascript", ".ts": "typescript",
             ".go": "go", ".rs": "rust", ".rb": "ruby", ".sh": "shell", ".bash": "shell",
             ".c": "c", ".h": "c", ".cc": "c++", ".cpp": "c++", ".cu": "cuda", ".java": "java",
             ".jl": "julia", ".lua": "lua", ".r": "r", ".swift": "swift", ".kt": "kotlin",
             ".scala": "scala", ".php": "php", ".pl": "perl", ".sql": "sql"}  # fmt: skip
SHEBANG = re.compile(r"^#!\s*/\S*(?:env\s+)?(python|node|bash|sh|ruby|perl|julia)")


def sniff(text: str, source: str) -> bool:
    return PurePosixPath(source).suffix.lower() in LANGUAGES or bool(SHEBANG.match(text))


def _language(text: str, source: str) -> str:
    lang = LANGUAGES.get(PurePosixPath(source).suffix.lower())
    m = SHEBANG.match(text)
    if lang is None and m:
        lang = {"node": "javascript", "bash": "shell", "sh": "shell"}.get(m[1], m[1])
    return lang or "code"


def _docstring(text: str) -> str | None:
    try:
        with warnings.catch_warnings():  # invalid escapes in old scripts
            warnings.simplefilter("ignore")
            return ast.get_docstring(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        m = re.match(r"(?:#[^\n]*\n|\s)*[rRuU]?(\"\"\"|''')(.*?)\1", text, re.S)
        return m[2].strip() if m else None


def _leading_comment(text: str) -> str | None:
    body = re.sub(r"^#![^\n]*\n", "", text).lstrip("\n")
    m = re.match(r"/\*+(.*?)\*/", body, re.S)
    if m:
        return tidy(re.sub(r"^[ \t]*\*+ ?", "", m[1], flags=re.M)) or None
    lines = []
    for ln in body.split("\n"):
        c = re.match(r"^\s*(?:#|//|--|;)+ ?(.*)$", ln)
        if not c or re.match(r"^\s*#\s*(?:include|define|if|pragma)\b", ln):
            break
        lines.append(c[1].rstrip())
    return tidy("\n".join(lines)) or None


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    lang = _language(text, source)
    about = (_docstring(text) if lang == "python" else None) or _leading_comment(text)
    code = text.strip("\n")
    if not code.strip():
        return []
    title, summary = PurePosixPath(source).name, ""
    if about:
        head, _, rest = about.partition("\n\n")
        title = first_sentence_title(head)
        summary = tidy((head[len(title) :].strip() + "\n\n" + rest).strip())
    return [
        Item(
            id=stable_id(source),
            title=trim_title(title),
            text=tidy(f"{summary}\n\n{code}") if summary else code,
            source=source,
            kind="code",
            extra={"language": lang},
        )
    ]
