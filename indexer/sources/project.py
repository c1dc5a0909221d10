"""A repository's README: what the project is, as its author describes it.

Detected by name (``README.md``, ``Readme.md``, ``README``, ``<repo>-README.md`` as
the samples are named) or, for other names, by the GitHub badges only READMEs carry.
Read as Markdown (``markdown.parse``: title from the first heading, code blocks kept)
after dropping what is chrome on a repository page: images and badges (``![ci](...)``,
``<img>``, ``[![build](...)](...)``: alt text such as "repro124m" says nothing), and
the centring ``<p align=center>`` / ``<div>`` wrappers. Kind ``project``; a README
carries no date. The six samples (nanoGPT, minbpe, micrograd, llm.c, char-rnn,
nn-zero-to-hero) give one item each, titled by their first heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from ..models import Item
from . import markdown

# "README.md" in any case; "<repo>-README.md" only in capitals ("...-in-readme.md" is a note)
NAME = re.compile(r"(?:^(?i:readme)|[-_]README)(?i:\.(?:md|markdown|txt|rst))?$")
BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|https://(?:img\.shields\.io|badge\.fury)")
IMAGES = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.I)


def sniff(text: str, source: str) -> bool:
    if NAME.search(PurePosixPath(source).name):
        return True
    return (
        bool(re.search(r"^#{1,2} \S", text[:3000], re.M)) and len(BADGE.findall(text[:5000])) >= 2
    )


def parse(text: str, source: str, warn: Callable[[str], None]) -> list[Item]:
    text = IMAGES.sub("", text)
    if not re.search(r"^ {0,3}# ", text, re.M):  # no level-1 heading: the first one is the name
        text = re.sub(r"^ {0,3}#{2,6} ", "# ", text, count=1, flags=re.M)
    items = markdown.parse(text, source, warn)
    for it in items:
        it.kind = "project"
    return items
