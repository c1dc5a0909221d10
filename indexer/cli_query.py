"""The ``absorb`` commands that read a built index: items, search, similar, map, topics, eval.

Each is a plain click command; ``cli.py`` adds them to the ``absorb`` group. Like the
rest of the CLI they import only click at module level (the index, search and
evaluation code load inside the commands), so a cold ``absorb search`` stays light.
``--json`` prints one JSON object per line; without it, one readable line per result.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import click

from .cli_common import emit, friendly, index_option


@click.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, every field.")
@friendly
def items(index_dir: str, as_json: bool) -> None:
    """List the indexed items, newest first.

    \b
    Examples:
      absorb items
      absorb items --json | jq -r .title
    """
    from . import open_index
    from .chronology import feed_order, format_date

    its = feed_order(list(open_index(index_dir).items()))
    objs = [it.to_dict() | {"date_label": format_date(it)} for it in its]
    emit(objs, as_json, lambda o: f"{o['id']}  {o['date_label']:<28} {o['kind']:<10} {o['title']}")


BOLD, PLAIN = "\x1b[1m", "\x1b[22m"
HIT_FIELDS = ("id", "title", "date", "date_kind", "kind", "source", "url", "score")
# filled by search fusion (absent for `similar`); `at`: seconds into a talk
HIT_EXTRA = ("match", "confidence", "at")


def _plural(n: int, noun: str) -> str:
    """'1 good match', '2 good matches', '3 weak results'.

    >>> _plural(1, "good match"), _plural(2, "good match"), _plural(3, "weak result")
    ('1 good match', '2 good matches', '3 weak results')
    """
    ending = "es" if noun.endswith(("s", "sh", "ch", "x")) else "s"
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{ending}"


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def _hit_obj(h: Any, terms: list[str], full: bool) -> dict[str, Any]:
    """One result for --json: a plain snippet, highlights as [start, end) spans into it."""
    from .search import snippet_spans

    d = h.to_dict()
    snippet, spans = snippet_spans(h.passage or h.text, terms)
    obj = {k: d[k] for k in HIT_FIELDS}
    obj |= {k: d[k] for k in HIT_EXTRA if d.get(k) is not None}
    obj |= {"snippet": snippet, "highlights": [list(s) for s in spans]}
    if full:
        obj["text"] = h.text
    return obj


def _hit_line(o: dict[str, Any]) -> str:
    from .search import mark

    date = o["date"] or "date unknown"
    match = f"{o['match']:<6} " if o.get("match") else ""
    at = f" (at {int(o['at']) // 60}:{int(o['at']) % 60:02d})" if o.get("at") is not None else ""
    snippet = o["snippet"]
    if _stdout_is_tty():  # bold on a terminal; plain text for pipes and files
        snippet = mark(snippet, [tuple(s) for s in o["highlights"]], BOLD, PLAIN)
    line = (
        f"{o['score']:.3f}  {match}{o['id']}  {date:<12} {o['kind']:<10} {o['title']}{at}"
        f"\n        {snippet}"
    )
    return line + (f"\n\n{o['text']}\n" if "text" in o else "")


def _check_kind(idx: Any, kind: str | None) -> None:
    """A kind the index does not have is a usage error (exit 2) that lists the ones it has."""
    if kind is None:
        return
    kinds = idx.stats()["kinds"]
    if kind not in kinds:
        have = ", ".join(f"{k} ({n})" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        raise click.BadParameter(f"{kind!r} is not a kind in this index; it has: {have}")


full_option = click.option(
    "--full", is_flag=True, help="Include each item's whole text (in --json: a `text` field)."
)


@click.command()
@click.argument("question")
@index_option
@click.option("-k", default=10, show_default=True, help="How many results.")
@click.option(
    "--since", default=None, help="Only items dated on/after (YYYY, YYYY-MM, YYYY-MM-DD)."
)
@click.option("--until", default=None, help="Only items dated on/before.")
@click.option(
    "--kind",
    default=None,
    help="Only this kind (summary, article, post, transcript, note…); a kind the index "
    "lacks is an error that lists the kinds it has.",
)
@click.option("--source", default=None, help="Only captures whose path matches this glob.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "bm25"]),
    default="hybrid",
    show_default=True,
    help="Ranking method (dense/bm25 are for comparison).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per line: snippet (plain) and highlights ([start, end) spans in it).",
)
@click.option("--all", "show_all", is_flag=True, help="Also show weak matches.")
@full_option
@friendly
def search(
    question: str,
    index_dir: str,
    k: int,
    since: str | None,
    until: str | None,
    kind: str | None,
    source: str | None,
    mode: str,
    as_json: bool,
    full: bool,
    show_all: bool,
) -> None:
    """Find the items that answer QUESTION, best first, each with its best passage.

    Each hit says how well it matches (strong, fair, weak); weak ones are left
    out unless --all is given, so a question nothing answers gets no results.

    \b
    Examples:
      absorb search "where does the mass go when you lose fat?"
      absorb search "policy gradients" --kind summary -k 3 --json
      absorb search "jekyll" --since 2014 --until 2015-06 --all
    """
    from . import open_index
    from .search import clean_query, query_terms

    idx = open_index(index_dir)
    try:
        _check_kind(idx, kind)
    except click.BadParameter as e:
        e.param_hint = "'--kind'"
        raise
    find = functools.partial(
        idx.search, question, k=k, since=since, until=until, kind=kind, source=source, mode=mode
    )
    hits = find(min_match=None if show_all else "fair")
    if not hits and not as_json:
        weak = [] if show_all else find()
        click.echo(
            f"No good match: {_plural(len(weak), 'weak result')}; --all shows them."
            if weak
            else "No results.",
            err=True,
        )
    terms = query_terms(clean_query(question))
    emit([_hit_obj(h, terms, full) for h in hits], as_json, _hit_line)
    if hits and len(hits) < k and not show_all and not as_json and mode == "hybrid":
        click.echo(f"{_plural(len(hits), 'good match')}; --all adds the weak ones.", err=True)


@click.command()
@click.argument("item_id")
@index_option
@click.option("-k", default=10, show_default=True, help="How many similar items.")
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per line (as in `absorb search`)."
)
@full_option
@friendly
def similar(item_id: str, index_dir: str, k: int, as_json: bool, full: bool) -> None:
    """Items most like ITEM_ID (ids come from `absorb items`).

    \b
    Example:
      absorb similar 0eea6023ce6a -k 5
    """
    from . import open_index

    hits = open_index(index_dir).similar(item_id, k=k)
    emit([_hit_obj(h, [], full) for h in hits], as_json, _hit_line)


@click.command("map")
@index_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@friendly
def map_cmd(index_dir: str, as_json: bool) -> None:
    """The 2D topic map: one point per item (id, x, y, topic, topic_label, topic_path).

    Topic -1 is "unsorted"; topic_path is the item's topic at each level, coarse to fine
    (see `absorb topics --level N`). Points stay put when items are added (new ones go beside
    their nearest neighbours); `absorb index --refit` lays the map out afresh.

    \b
    Examples:
      absorb map --json | head -3
      absorb map --index idx --json > points.jsonl
    """
    from . import open_index

    pts = [p.to_dict() for p in open_index(index_dir).map()]
    emit(pts, as_json, lambda o: f"{o['id']}  {o['x']:8.3f} {o['y']:8.3f}  {o['topic_label']}")


@click.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option(
    "--level", default=0, show_default=True, type=int,
    help="0: the map's topics; 1, 2: their finer sub-topics (shown as you zoom in).",
)  # fmt: skip
@friendly
def topics(index_dir: str, as_json: bool, level: int) -> None:
    """Topics of the map with their labels, sizes and most representative items.

    JSON objects carry id, label, size, representative_ids (the 3 items nearest the
    topic's centre), x, y (where the label sits on the map), level and parent (the
    topic one level up that holds it; -1 at level 0).

    \b
    Examples:
      absorb topics
      absorb topics --level 1 --json | jq -r '[.parent, .label] | @tsv'
      absorb topics --index idx --json | jq -r .label
    """
    from . import open_index

    idx = open_index(index_dir)
    objs = [t.to_dict() for t in idx.topics(level=level)]

    def line(o: dict[str, Any]) -> str:
        reps = "; ".join(idx.get(i).title[:60] for i in o["representative_ids"])
        return f"{o['id']:>3}  {o['size']:>5}  {o['label']}\n          e.g. {reps}"

    emit(objs, as_json, line)


@click.command("eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False))
@index_option
@click.option("-k", default=10, show_default=True, help="Rank cut-off for MRR@k.")
@click.option("--verbose", "-v", is_flag=True, help="Show each question's rank per method.")
@click.option("--split", type=click.Choice(["tune", "holdout"]), help="Only these questions.")
@friendly
def eval_cmd(questions: str, index_dir: str, k: int, verbose: bool, split: str | None) -> None:
    """Retrieval quality on a questions file: MRR@10, Success@1, Success@5, calibration.

    QUESTIONS is JSON Lines of {"q": ..., "rel": [[source glob, title/text substring or null], ...]}.
    Prints absorb beside BM25, dense whole-item, dense best-passage and reciprocal-rank
    fusion, then the reliability of absorb's match strength (confidence bins, ECE).

    \b
    Example:
      absorb eval ../shared/eval/seed_questions.jsonl
    """
    from .evaluate import evaluate, format_table

    res = evaluate(questions, index_dir, k=k, split=split)
    click.echo(format_table(res, verbose=verbose))


COMMANDS = (items, search, similar, map_cmd, topics, eval_cmd)
