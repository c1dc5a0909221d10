"""An item's text as written, for reading: paragraphs, code blocks and links, always escaped.

The parsers keep code verbatim but drop Markdown's fences, so a TIL note's YAML arrives as
plain lines with their indentation. ``blocks`` finds such code again from the shape of the
lines (a paragraph with indented lines, plus a YAML key line just before one) and
``to_html`` shows code as a preformatted block (monospace, scrolls sideways, never reflowed) and prose
as paragraphs with their line breaks; search passages go through the same path with
the engine's highlight spans marked. Every character of captured text is escaped; only
http(s) URLs become links.

>>> [b.kind for b in blocks("Longer example:\\n\\nname: deploy\\n\\non:\\n  push:\\n\\nDone.")]
['prose', 'code', 'prose']
>>> blocks("Longer example:\\n\\nname: deploy\\n\\non:\\n  push:")[1].text
'name: deploy\\n\\non:\\n  push:'
>>> to_html("see https://x.org/a <b>")
'<div class="ab-doc"><p>see <a href="https://x.org/a" target="_blank" rel="noopener noreferrer nofollow">https&#58;//x&#46;org/a</a> &#60;b&#62;</p></div>'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .appdata import esc, highlight_html, link_html

_INDENTED = re.compile(r"^(?: {2,}|\t)\S")
_YAML_KEY = re.compile(r"^[\w.-]+:(?:\s+\S.*)?$")  # "on:", "name: deploy"
_YAML_PAIR = re.compile(r"^[\w.-]+:\s+[^\s.!?][^.!?]{0,60}$")  # "name: deploy", not "Note: x."
_STATEMENT = re.compile(r"[=;{}]|\w\(|^\s*(?:#|//|\$ |>>> )")
_SENTENCE = re.compile(r"(?:\w{2,}[.!?]|[a-z],)\s*$|(?:\b[A-Za-z]+\b[ ,]+){12}")  # prose-like
_URL = re.compile(r"https?://[^\s<>\"'`\\)\]]+[^\s<>\"'`\\)\].,;:!?]")


@dataclass
class Block:
    kind: str  # "prose" | "code"
    start: int  # character offsets into the text: a block is exactly the text as written
    end: int
    text: str


def _is_code(para: str) -> bool:
    lines = para.split("\n")
    indented = sum(1 for ln in lines if _INDENTED.match(ln))
    if len(lines) == 1:  # a lone line is code only when indented like Markdown code (4+)
        return para.startswith(("    ", "\t"))
    if indented == 0:  # flush-left code: every line a statement ("z = f(x)  # comment")
        return all(_STATEMENT.search(ln) and not _SENTENCE.search(ln) for ln in lines)
    return all(_looks_like_code(ln) for ln in lines if not _INDENTED.match(ln))


def _looks_like_code(line: str) -> bool:
    """An unindented line inside an indented block: a key, a bracket, a short statement."""
    s = line.strip()
    if not s:
        return True
    prose = len(s) > 60 and s.count(" ") > 8 and s[-1] in ".?!"
    return not prose


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of non-blank lines."""
    out, pos = [], 0
    for m in re.finditer(r"\n[ \t]*\n", text):
        if text[pos : m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out


def blocks(text: str) -> list[Block]:
    """``text`` cut at blank lines into prose and code blocks; adjacent code merges."""
    text = text or ""
    out: list[Block] = []
    for a, b in _paragraphs(text):
        b = a + len(text[a:b].rstrip())
        if not _is_code(text[a:b]):  # prose: leading blank lines or spaces do not matter
            a = b - len(text[a:b].lstrip())
            out.append(Block("prose", a, b, text[a:b]))
            continue
        prev = out[-1] if out else None
        if (
            prev
            and (
                prev.kind == "code"
                or (  # "name: x" just before a YAML mapping ("on:\n  push:") belongs to it
                    "\n" not in prev.text
                    and _YAML_PAIR.match(prev.text)
                    and _YAML_KEY.match(text[a:b].lstrip("\n").split("\n", 1)[0])
                )
            )
        ):
            out[-1] = Block("code", prev.start, b, text[prev.start : b])
            continue
        a += len(text[a:b]) - len(text[a:b].lstrip("\n"))
        out.append(Block("code", a, b, text[a:b]))
    return out


def _marked(text: str, start: int, spans: Sequence[tuple[int, int]]) -> str:
    """Escaped ``text`` (which starts at ``start`` of the whole) with ``spans`` marked."""
    end = start + len(text)
    local = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    return highlight_html(text, local)


def inline(text: str, start: int = 0, spans: Sequence[tuple[int, int]] = ()) -> str:
    """Escaped prose with its http(s) URLs as links and ``spans`` marked (not inside links)."""
    parts: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        parts.append(_marked(text[pos : m.start()], start + pos, spans))
        parts.append(link_html(m.group(), esc(m.group())))
        pos = m.end()
    parts.append(_marked(text[pos:], start + pos, spans))
    return "".join(parts)


def to_html(text: str, spans: Sequence[tuple[int, int]] = (), cls: str = "ab-doc") -> str:
    """The whole text as one escaped HTML block (see module docstring); ``spans`` are marked.

    Code goes in a ``div`` styled as preformatted, not ``<pre><code>``: Streamlit's Markdown
    renderer turns a ``<code>`` element's children into plain strings. Newlines become
    ``<br>`` so the HTML stays one line, which Markdown passes through untouched.
    """
    body = "".join(
        f'<div class="ab-code">{_marked(b.text, b.start, spans)}</div>'
        if b.kind == "code"
        else f"<p>{inline(b.text, b.start, spans)}</p>"
        for b in blocks(text)
    )
    return f'<div class="{cls}">{body}</div>'
