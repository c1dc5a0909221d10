"""An item's text as written, for reading: paragraphs, code blocks and links, always escaped.

The parsers keep code verbatim but drop Markdown's fences, so a TIL note's YAML arrives as
plain lines with their indentation. ``blocks`` finds such code again from the shape of the
lines (a paragraph with indented lines, plus a YAML key line just before one) and
``to_html`` shows code in ``<pre>`` (monospace, scrolls sideways, never reflowed) and prose
as paragraphs with their line breaks. Every character of captured text is escaped; only
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
from dataclasses import dataclass

from .appdata import esc, link_html

_INDENTED = re.compile(r"^(?: {2,}|\t)\S")
_YAML_KEY = re.compile(r"^[\w.-]+:(?:\s+\S.*)?$")  # "on:", "name: deploy"
_YAML_PAIR = re.compile(r"^[\w.-]+:\s+[^\s.!?][^.!?]{0,60}$")  # "name: deploy", not "Note: x."
_URL = re.compile(r"https?://[^\s<>\"'`\\)\]]+[^\s<>\"'`\\)\].,;:!?]")


@dataclass
class Block:
    kind: str  # "prose" | "code"
    text: str


def _is_code(para: str) -> bool:
    lines = para.split("\n")
    indented = sum(1 for ln in lines if _INDENTED.match(ln))
    if len(lines) == 1:  # a lone line is code only when indented like Markdown code (4+)
        return para.startswith(("    ", "\t"))
    return indented > 0 and all(_looks_like_code(ln) for ln in lines if not _INDENTED.match(ln))


def _looks_like_code(line: str) -> bool:
    """An unindented line inside an indented block: a key, a bracket, a short statement."""
    s = line.strip()
    if not s:
        return True
    prose = len(s) > 60 and s.count(" ") > 8 and s[-1] in ".?!"
    return not prose


def blocks(text: str) -> list[Block]:
    """``text`` cut at blank lines into prose and code blocks; adjacent code merges."""
    paras = [p for p in re.split(r"\n[ \t]*\n", (text or "").replace("\r\n", "\n")) if p.strip()]
    out: list[Block] = []
    for p in paras:
        kind = "code" if _is_code(p.rstrip()) else "prose"
        if kind == "code" and out and out[-1].kind == "code":
            out[-1].text += "\n\n" + p.rstrip()
            continue
        if (  # "name: x" just before a YAML mapping ("on:\n  push:") belongs to it
            kind == "code"
            and out
            and out[-1].kind == "prose"
            and "\n" not in out[-1].text
            and _YAML_PAIR.match(out[-1].text)
            and _YAML_KEY.match(p.split("\n", 1)[0])
        ):
            out[-1] = Block("code", out[-1].text + "\n\n" + p.rstrip())
            continue
        out.append(Block(kind, p.rstrip() if kind == "code" else p.strip("\n")))
    return out


def linkify(text: str) -> str:
    """Escaped ``text`` with its http(s) URLs as links (nothing else becomes markup)."""
    parts: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        parts.append(esc(text[pos : m.start()]))
        parts.append(link_html(m.group(), esc(m.group())))
        pos = m.end()
    parts.append(esc(text[pos:]))
    return "".join(parts)


def _pre(code: str) -> str:
    # spaces stay (``white-space: pre``); newlines become <br> so the HTML stays one line,
    # which Markdown passes through untouched
    return f'<pre class="ab-code"><code>{esc(code)}</code></pre>'


def to_html(text: str) -> str:
    """The whole text as one escaped HTML block (see module docstring)."""
    body = "".join(
        _pre(b.text) if b.kind == "code" else f"<p>{linkify(b.text)}</p>" for b in blocks(text)
    )
    return f'<div class="ab-doc">{body}</div>'
