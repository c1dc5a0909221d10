"""Every ``ABSORB_*`` environment variable and default path, in one place.

Each value is read when it is asked for (not at import), so a test or a parent
process can set a variable and the next call sees it. The README's
"Configuration" table lists the same names; ``tests/test_cli_polish.py`` checks
that every ``ABSORB_*`` name mentioned anywhere in ``indexer/`` or ``app.py`` is
one of ``VARIABLES`` and is in that table.

>>> import os
>>> os.environ.pop(ENV_MAX_CAPTURE_MB, None) and None
>>> max_capture_bytes() == 20 * 1024 * 1024
True
>>> os.environ[ENV_MAX_CAPTURE_MB] = "0.5"
>>> max_capture_bytes()
524288
>>> del os.environ[ENV_MAX_CAPTURE_MB]
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INDEX = "data/index"  # relative to the working directory (the app: to the repo root)
DEFAULT_CAPTURES = "data/captures"
DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_MAX_CAPTURE_MB = 20.0
DEFAULT_CHROMIUM = "/usr/bin/chromium"

ENV_INDEX = "ABSORB_INDEX"
ENV_CACHE = "ABSORB_CACHE"
ENV_MODEL = "ABSORB_MODEL"
ENV_BACKEND = "ABSORB_BACKEND"
ENV_DEVICE = "ABSORB_DEVICE"
ENV_MAX_CAPTURE_MB = "ABSORB_MAX_CAPTURE_MB"
ENV_CRASH_AT = "ABSORB_CRASH_AT"
ENV_CHROMIUM = "ABSORB_CHROMIUM"

# name -> what it does (the README table says the same, with defaults)
VARIABLES: dict[str, str] = {
    ENV_INDEX: "index folder used when --index is not given",
    ENV_CACHE: "absorb's cache (exported models, compiled model blobs)",
    ENV_MODEL: "embedding model name or path when --model is not given",
    ENV_BACKEND: "embedding backend: auto, torch, onnx, openvino, openvino-int8",
    ENV_DEVICE: "torch device for the torch backend (cpu, cuda)",
    ENV_MAX_CAPTURE_MB: "size cap for one capture file, in MB",
    ENV_CRASH_AT: "tests only: SIGKILL the build at this checkpoint name",
    ENV_CHROMIUM: "Chromium binary for the browser tests and benchmarks",
}


def _get(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def index_dir() -> str:
    """$ABSORB_INDEX, else ``data/index``."""
    return _get(ENV_INDEX) or DEFAULT_INDEX


def index_from_env() -> str | None:
    """$ABSORB_INDEX when set (the app resolves its own default against the repo root)."""
    return _get(ENV_INDEX)


def cache_base() -> Path:
    """$ABSORB_CACHE, else $XDG_CACHE_HOME/absorb, else ~/.cache/absorb (not created here)."""
    own = _get(ENV_CACHE)
    if own:
        return Path(own).expanduser() / "absorb"
    xdg = _get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "absorb"


def model_name(explicit: str | None = None) -> str:
    """``explicit``, else $ABSORB_MODEL, else the bundled MiniLM."""
    return explicit or _get(ENV_MODEL) or DEFAULT_MODEL


def backend_name(explicit: str | None = None) -> str:
    """``explicit``, else $ABSORB_BACKEND, else ``auto`` (lower-cased, not validated here)."""
    return (explicit or _get(ENV_BACKEND) or "auto").lower()


def device() -> str:
    """$ABSORB_DEVICE, else ``cpu``."""
    return _get(ENV_DEVICE) or "cpu"


def max_capture_bytes() -> int:
    """$ABSORB_MAX_CAPTURE_MB in bytes, else 20 MB."""
    raw = _get(ENV_MAX_CAPTURE_MB)
    try:
        mb = float(raw) if raw else DEFAULT_MAX_CAPTURE_MB
    except ValueError:
        from .models import AbsorbError

        raise AbsorbError(
            f"{ENV_MAX_CAPTURE_MB}={raw!r} is not a number", "set it to a size in MB, e.g. 50"
        ) from None
    return int(mb * 1024 * 1024)


def crash_point() -> str | None:
    """$ABSORB_CRASH_AT: the build checkpoint at which tests kill the process."""
    return _get(ENV_CRASH_AT)


def chromium() -> str:
    """$ABSORB_CHROMIUM, else Debian's /usr/bin/chromium."""
    return _get(ENV_CHROMIUM) or DEFAULT_CHROMIUM
