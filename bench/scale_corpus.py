"""Scale corpora for bench/scale_bench.py: real paragraphs, resampled and recombined.

The source is the real text in ``../shared/corpora`` (karpathy-blog: 23 long posts,
simonw-til: 577 short notes in topic folders). Every synthetic item is built from
one *base* document: its title (extended with the opening words of a paragraph it
borrows, so titles rarely repeat), 2-8 of its paragraphs in their original order,
and up to a third as many paragraphs borrowed from other documents of the same
corpus. Nothing is invented: every sentence is the authors' own.

Items are written as captures absorb reads: blog-derived items as Jekyll posts
(YAML front matter with title and date), TIL-derived items as ``# Title`` notes with
a ``YYYY-MM-DD-`` file-name prefix, in the base document's topic folder. The same
``(n, seed)`` always gives the same files.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.sources import parse_capture  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
MIN_WORDS = 8  # shorter paragraphs (headings, captions) are not worth resampling
DROPPED = re.compile(r"<(script|style|svg|noscript|template)\b", re.I)  # absorb drops these
STAMP = ".corpus.json"  # hidden (absorb skips it); written last: a folder without it is incomplete


@dataclass
class Doc:
    title: str
    corpus: str  # "blog" or "til"
    folder: str  # topic folder of the source ("blog" for posts)
    paragraphs: list[str]


def load_docs(root: Path = CORPORA) -> list[Doc]:
    """Every real document with at least one paragraph worth reusing."""
    docs: list[Doc] = []
    for name, corpus in (("karpathy-blog", "blog"), ("simonw-til", "til")):
        base = root / name
        if not base.is_dir():
            raise SystemExit(f"{base} is missing: the scale corpora are built from it")
        for p in sorted(base.rglob("*.m*")):
            rel = p.relative_to(base).as_posix()
            if corpus == "til" and "/" not in rel:
                continue  # README.md at the top level
            for it in parse_capture(rel, p.read_bytes(), lambda _m: None):
                paras = [
                    " ".join(x.split())
                    for x in re.split(r"\n\s*\n", it.text)
                    if len(x.split()) >= MIN_WORDS and not DROPPED.search(x)
                ]
                if paras:
                    folder = "blog" if corpus == "blog" else rel.split("/", 1)[0]
                    docs.append(Doc(it.title, corpus, folder, paras))
    return docs


def _item(rnd: random.Random, docs: list[Doc], by_corpus: dict[str, list[Doc]]) -> tuple:
    base = rnd.choice(docs)
    k = rnd.randint(2, 8)
    own = base.paragraphs
    start = rnd.randrange(len(own))
    body = own[start : start + k]
    borrowed = [rnd.choice(rnd.choice(by_corpus[base.corpus]).paragraphs) for _ in range(k // 3)]
    for para in borrowed:
        body.insert(rnd.randint(1, len(body)), para)
    hook = " ".join((borrowed or body)[-1].split()[:5]).rstrip(".,;:")
    title = f"{base.title}: {hook}" if rnd.random() < 0.7 else base.title
    day = dt.date(2008, 1, 1) + dt.timedelta(days=rnd.randrange(17 * 365))
    return base, title, day, body


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "item"


def write_corpus(out: Path, n: int, seed: int = 0, docs: list[Doc] | None = None) -> Path:
    """``n`` items under ``out`` (reused when a complete one with the same n and seed is there)."""
    stamp = out / STAMP
    want = {"items": n, "seed": seed, "version": 2}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return out
    if out.exists():
        shutil.rmtree(out)
    docs = docs or load_docs()
    by_corpus: dict[str, list[Doc]] = {}
    for d in docs:
        by_corpus.setdefault(d.corpus, []).append(d)
    rnd = random.Random(seed)
    for i in range(n):
        base, title, day, body = _item(rnd, docs, by_corpus)
        folder = out / base.folder
        folder.mkdir(parents=True, exist_ok=True)
        text = "\n\n".join(body)
        if base.corpus == "blog":
            name = f"{day.isoformat()}-{_slug(title)}-{i}.markdown"
            front = f"---\ntitle: {json.dumps(title)}\ndate: {day.isoformat()}\n---\n\n"
            (folder / name).write_text(front + text + "\n", encoding="utf-8")
        else:
            name = f"{day.isoformat()}-{_slug(title)}-{i}.md"
            (folder / name).write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
    stamp.write_text(json.dumps(want))
    return out


def write_jsonl_corpus(
    out: Path, files: int = 100, per_file: int = 1000, vocab: int = 20_000, seed: int = 0
) -> Path:
    """The second shape: ``files`` JSON Lines captures of ``per_file`` dated items each,
    random words from a ``vocab``-word made-up vocabulary, 40-160 words per item (no
    real text: it stresses per-source work, chronology's many groups above all)."""
    stamp = out / STAMP
    want = {"files": files, "per_file": per_file, "vocab": vocab, "seed": seed, "version": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = sorted({"".join(rnd.choices(letters, k=rnd.randint(3, 10))) for _ in range(vocab)})
    for f in range(files):
        lines = []
        for i in range(per_file):
            day = dt.date(2008, 1, 1) + dt.timedelta(days=rnd.randrange(17 * 365))
            text = " ".join(rnd.choices(words, k=rnd.randint(40, 160)))
            title = " ".join(text.split()[:6]).capitalize()
            lines.append(json.dumps({"title": title, "text": text, "date": day.isoformat(),
                                     "url": f"https://example.org/{f}/{i}"}))  # fmt: skip
        (out / f"feed-{f:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    stamp.write_text(json.dumps(want))
    return out


def one_file(corpus: Path) -> Path:
    """A fixed capture of ``corpus`` (the one the one-file-changed re-index touches)."""
    return (
        min(p for p in corpus.rglob("*.md*"))
        if any(corpus.rglob("*.md"))
        else min(corpus.rglob("*.jsonl"))
    )


if __name__ == "__main__":
    target = write_corpus(Path(sys.argv[1]), int(sys.argv[2]))
    print(target, sum(1 for p in target.rglob("*") if p.is_file()) - 1, "captures")
