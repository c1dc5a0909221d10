"""Convert sample corpora of other shapes into absorb's JSON Lines, in a tmp folder.

Written before absorb's own Mastodon and Atom parsers landed, and kept so the held-out
figures can be reproduced on exactly the text they were measured on: the sets in
``tests/data/heldout_*.jsonl`` need their corpora indexed, and the corpus text never
goes into the repository, so this writes ``{title, text, date, url, kind}`` lines
under ``OUT`` (default ``/tmp/sq-corpora``):

- ``mastodon``: ActivityPub outbox (``../shared/samples/mastodon/*.json``), one line
  per own post (``Create`` of a ``Note``; boosts are someone else's words);
- ``atom``: an Atom feed (``../shared/samples/feeds/jakevdp-all.atom.xml``), one
  line per entry, HTML content flattened to text.

    python bench/corpus_jsonl.py mastodon ../shared/samples/mastodon/philhawksworth-outbox.json
    python bench/corpus_jsonl.py atom ../shared/samples/feeds/jakevdp-all.atom.xml
"""

from __future__ import annotations

import html
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

OUT = Path("/tmp/sq-corpora")
ATOM = "{http://www.w3.org/2005/Atom}"


def html_text(s: str) -> str:
    s = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</h\d>|</pre>", "\n", s)
    s = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", s)
    s = html.unescape(re.sub(r"<[^>]+>", "", s))
    return "\n".join(" ".join(ln.split()) for ln in s.splitlines() if ln.strip())


def mastodon(path: Path) -> list[dict]:
    d = json.loads(path.read_text("utf-8"))
    out = []
    for act in d.get("orderedItems", []):
        obj = act.get("object")
        if act.get("type") != "Create" or not isinstance(obj, dict):
            continue
        text = html_text(obj.get("content") or "")
        if text:
            date = (obj.get("published") or "")[:10] or None
            out.append({"text": text, "date": date, "url": obj.get("url"), "kind": "post"})
    return out


def atom(path: Path) -> list[dict]:
    root = ET.parse(path).getroot()
    out = []
    for e in root.iter(f"{ATOM}entry"):
        link = e.find(f"{ATOM}link")
        body = e.findtext(f"{ATOM}content") or e.findtext(f"{ATOM}summary") or ""
        out.append(
            {
                "title": (e.findtext(f"{ATOM}title") or "").strip(),
                "text": html_text(body),
                "date": (e.findtext(f"{ATOM}published") or e.findtext(f"{ATOM}updated") or "")[:10],
                "url": link.get("href") if link is not None else None,
                "kind": "article",
            }
        )
    return out


def main(fmt: str, src: str, out: Path = OUT) -> Path:
    rows = {"mastodon": mastodon, "atom": atom}[fmt](Path(src))
    out.mkdir(parents=True, exist_ok=True)
    dest = out / (Path(src).name.split(".")[0] + ".jsonl")
    with dest.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} records -> {dest}")
    return dest


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]) if len(sys.argv) > 3 else OUT)
