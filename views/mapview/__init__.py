"""The topic map as a Streamlit component: deck.gl in a frame served by the app itself.

The front end is built from ``frontend/mapview`` (``npm ci && npm run build``) into
``static/``, which is committed, so ``pip install -e .`` and ``absorb serve`` need no npm.
The page loads nothing from any other host (its Content-Security-Policy says so too).

``topic_map(args)`` draws the map and returns the user's last action, or None:

- ``{"event": "open", "row": i, ...}``: point i (of the arrays sent) was clicked;
- ``{"event": "select", "rows": [i, ...], "shape": {...}, ...}``: a box or lasso selection
  (``shape`` in map coordinates, what the URL keeps); ``rows == []`` when cleared.

Every value carries the ``dataKey`` it refers to and a ``nonce`` that grows per action, so a
caller can ignore a value left over from other points and handle each click once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .payload import (
    HEIGHT,
    data_key,
    decode,
    decode_shape,
    encode_shape,
    payload,
    year_fraction,
)

STATIC = Path(__file__).resolve().parent / "static"
_component: Any = None

__all__ = [
    "HEIGHT",
    "STATIC",
    "data_key",
    "decode",
    "decode_shape",
    "encode_shape",
    "payload",
    "topic_map",
    "year_fraction",
]


def topic_map(args: dict[str, Any], key: str = "topic-map") -> dict[str, Any] | None:
    """Draw the map with ``args`` (from :func:`payload`); the user's last action or None."""
    global _component
    if _component is None:
        import streamlit.components.v1 as components

        _component = components.declare_component("absorb_map", path=str(STATIC))
    value = _component(**args, key=key, default=None)
    return value if isinstance(value, dict) else None
