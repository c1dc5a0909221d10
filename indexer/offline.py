"""absorb makes no network requests: switch off every library that would phone out.

``enforce()`` runs when ``indexer`` is imported (the CLI, the app and the Python
API all import it first), before any of these libraries load:

- **OpenVINO telemetry.** ``import openvino`` imports its model converter, which
  initialises the ``openvino_telemetry`` package: a DNS lookup of an analytics
  host on every run, and ``~/intel/openvino_ga_cid`` and ``~/intel/stats``
  written into the user's home. The converter falls back to its own no-op stub
  when that package cannot be imported, so ``enforce`` makes it unimportable
  (``sys.modules[name] = None``). Unlike the package's opt-out script this
  writes no consent file anywhere; measured with ``strace -f -e
  trace=connect,sendto``: a UDP connect to port 53 before, none after.
- **Hugging Face hub.** ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` /
  ``HF_DATASETS_OFFLINE`` = 1 (set only where unset), so loading a model never
  reaches for the hub; the bundled model is a local folder.
- **Streamlit** usage statistics are off on the ``streamlit run`` command line
  (``indexer.appserver``), and the app loads no web fonts or CDN assets.

``tests/test_offline.py`` runs ``absorb index``, ``search`` and ``serve`` with a
page load under an audit hook that fails on any non-loopback connection or name
lookup.
"""

from __future__ import annotations

import os
import sys

HUB_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
BLOCKED_MODULES = ("openvino_telemetry",)


def enforce() -> None:
    """Hub offline and telemetry packages unimportable, for this process and its children."""
    for k, v in HUB_OFFLINE.items():
        os.environ.setdefault(k, v)
    for name in BLOCKED_MODULES:
        # already imported by someone before us: nothing to undo; we can only not add to it
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def quiet_transformers() -> None:
    """No weight-loading progress bars or advisory warnings in a CLI's output."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except Exception:  # optional nicety; never fail a load over it
        pass
