"""The ``absorb`` command line: thin click commands over ``indexer``.

Imports stay light at module level (click only) so ``absorb --help`` is quick;
torch, FAISS and UMAP load inside the commands that need them. Every
``AbsorbError`` becomes a readable message and exit code 1, never a traceback
(``cli_common.friendly``).

This module holds the ``absorb`` group (``main``, the console script's entry point) and
the commands that build and serve an index (``index``, ``serve``); the commands that
read one (``items``, ``search``, ``similar``, ``map``, ``topics``, ``eval``) live in
``cli_query.py`` and are added to the group here.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from . import config
from .cli_common import friendly, index_option
from .cli_query import COMMANDS

DEFAULT_CAPTURES = config.DEFAULT_CAPTURES
DEFAULT_INDEX = config.DEFAULT_INDEX


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="absorb")
def main() -> None:
    """absorb: search, read and map everything one author has published.

    \b
    Quick start:
      absorb index data/captures          # build data/index from the bundled captures
      absorb search "why understand backprop?"
      absorb serve                        # the app: feed, search, topic map
    """


for command in COMMANDS:  # items, search, similar, map, topics, eval (cli_query.py)
    main.add_command(command)


@main.command()
@click.argument("captures", nargs=-1, type=click.Path())
@index_option
@click.option(
    "--model",
    default=None,
    help="sentence-transformers model name or path "
    "(default: bundled all-MiniLM-L6-v2, or $ABSORB_MODEL).",
)
@click.option("--rebuild", is_flag=True, help="Ignore the existing index and re-embed everything.")
@click.option("--refit", is_flag=True, help="Recompute the topic map from scratch.")
@click.option(
    "--wait",
    default=0.0,
    type=float,
    metavar="SECONDS",
    help="Wait this long for another running `absorb index` instead of refusing.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress, only the summary and problems.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as one JSON object (counts, skipped files, phases with seconds).",
)
@friendly
def index(
    captures: tuple[str, ...],
    index_dir: str,
    model: str | None,
    rebuild: bool,
    refit: bool,
    wait: float,
    quiet: bool,
    as_json: bool,
) -> None:
    """Build or update the index from folders of captures.

    Unchanged files are not re-read and unchanged text is not re-embedded, so
    running it again is cheap. Files that cannot be read are listed at the end;
    the rest is indexed, and nothing already indexed is lost. Progress goes to
    stderr: a live line per phase on a terminal, one plain line per phase otherwise.

    \b
    Examples:
      absorb index                                  # data/captures -> data/index
      absorb index ~/captures ../more --index idx   # several folders into one index
      absorb index --rebuild --model /path/to/model
      absorb index --json | jq .phases
    """
    from .build import build_index
    from .progress import Progress

    roots: list[str | os.PathLike[str]] = [*captures] or [DEFAULT_CAPTURES]
    prog = Progress.auto(quiet=quiet)
    r = build_index(
        roots, index_dir, model=model, rebuild=rebuild, refit=refit, progress=prog, wait=wait
    )
    if as_json:
        click.echo(json.dumps(_report_obj(r, prog), ensure_ascii=False, default=str))
        sys.exit(1 if r.items == 0 else 0)
    if r.unchanged:
        click.echo(
            f"Nothing changed: {r.items} items from {r.files} files already indexed "
            f"in {r.index} ({r.seconds:.1f}s)."
        )
    else:
        click.echo(
            f"Indexed {r.items} items ({r.passages} passages; embedded {r.embedded}, "
            f"reused {r.reused}) from {r.files} files into {r.index} in {r.seconds:.1f}s."
        )
    for w in r.warnings:
        click.echo(f"warning: {w}", err=True)
    if r.skipped:
        click.echo(f"Skipped {len(r.skipped)} file(s):", err=True)
        for source, why in r.skipped:
            kept = " (kept its items from the previous build)" if source in r.kept else ""
            click.echo(f"  {source}: {why}{kept}", err=True)
    if r.items == 0:
        click.echo("absorb: nothing could be indexed; see the list above", err=True)
        sys.exit(1)


def _report_obj(r: Any, prog: Any) -> dict[str, Any]:
    return {
        "index": r.index,
        "files": r.files,
        "items": r.items,
        "passages": r.passages,
        "embedded": r.embedded,
        "reused": r.reused,
        "unchanged": r.unchanged,
        "seconds": round(r.seconds, 3),
        "skipped": [
            {"source": src, "reason": why, "kept_previous": src in r.kept} for src, why in r.skipped
        ],
        "warnings": r.warnings,
        "phases": prog.summary(),
    }


@main.command()
@index_option
@click.option(
    "--port",
    default=8501,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on; a port in use is an error before anything starts.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; use 0.0.0.0 only to expose the app deliberately.",
)
@friendly
def serve(index_dir: str, port: int, host: str) -> None:
    """Start the app (feed, search, topic map) on http://HOST:PORT.

    Runs until Ctrl-C or SIGTERM, which stop the app server and everything it started.

    \b
    Example:
      absorb serve --index data/index --port 8502
    """
    from .appserver import serve as run

    sys.exit(run(index_dir, port, host, lambda m: click.echo(f"absorb: {m}")))


if __name__ == "__main__":
    main()
