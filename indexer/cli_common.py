"""What every ``absorb`` command shares: the ``--index`` option, readable errors, output.

Split from ``cli.py`` so the command modules (``cli.py``: index, serve; ``cli_query.py``:
the commands that read an index) share them without importing each other. Click only
at module level, so ``absorb --help`` stays quick.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from . import config

index_option = click.option(
    "--index",
    "index_dir",
    default=config.index_dir,
    show_default="data/index, or $ABSORB_INDEX",
    type=click.Path(file_okay=False),
    help="Index folder.",
)


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn AbsorbError into a message on stderr and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .models import AbsorbError

        try:
            return fn(*args, **kwargs)
        except AbsorbError as e:
            click.echo(f"absorb: {e}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("absorb: interrupted; the previous index is untouched", err=True)
            sys.exit(130)

    return wrapper


def emit(objs: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]) -> None:
    """Each object as one JSON line (``--json``), else as ``line(o)``."""
    for o in objs:
        click.echo(json.dumps(o, ensure_ascii=False, default=str) if as_json else line(o))
