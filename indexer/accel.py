"""Fast CPU inference for the embedding model: OpenVINO (fp32 or static int8) and ONNX Runtime.

``ABSORB_BACKEND`` picks how passages and queries are embedded:

- ``torch``: sentence-transformers as is (the reference);
- ``openvino``: the model converted to OpenVINO IR, fp32: the same vectors as torch
  (cosine >= 0.9999) at several times its throughput on a CPU;
- ``openvino-int8``: that IR quantised to static int8 with NNCF (``pip install
  'absorb[fast]'``), calibrated on a sample of the corpus's own passages at the first
  build that embeds enough of them; until then it embeds with fp32. About 1.5x the
  fp32 speed again, but vectors only within ~0.99 cosine of torch's and retrieval
  quality up to 1-2% lower, so it is opt-in;
- ``onnx``: the model exported to ONNX and run by ONNX Runtime, fp32 (``absorb[fast]``);
- ``auto`` (the default): ``openvino`` when installed and verified, else ``onnx``,
  else ``torch``.

This module chooses the backend and is the ``Embedder`` (``FastEmbedder``, ``load``);
``accel_export`` derives, verifies and caches the exported model from the model folder
(nothing is downloaded; the first use takes about a minute, later loads need neither
torch nor the exporters), and ``accel_runtime`` runs it. Only local model folders (the
bundled MiniLM included) with a Transformer + mean or CLS pooling layout are
accelerated; anything else runs on torch.

The backend is recorded in the index manifest for information only: a query
embedded by one backend retrieves a corpus embedded by another as well as by its own
(measured on our question sets), so switching backends never requires a rebuild.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from .accel_export import (
    MIN_CALIBRATION,
    _note,
    _read_meta,
    ensure_export,
    int8_file,
    model_dir,
    quantize,
)
from .accel_export import cache_dir as cache_dir
from .accel_runtime import BATCH, _Runner
from .accel_runtime import _openvino as _openvino

BACKENDS = ("auto", "torch", "onnx", "openvino", "openvino-int8")
AUTO_ORDER = ("openvino", "onnx")


def installed(backend: str) -> bool:
    """Whether the libraries ``backend`` needs are importable (nothing is imported)."""
    need = {
        "torch": ["torch", "sentence_transformers"],
        "onnx": ["onnxruntime", "onnx", "tokenizers"],
        "openvino": ["openvino", "tokenizers"],
        "openvino-int8": ["openvino", "nncf", "tokenizers"],
    }[backend]
    return all(importlib.util.find_spec(m) is not None for m in need)


def candidates(requested: str) -> list[str]:
    """Backends to try in order for ``requested`` (``torch`` is the implicit last resort)."""
    if requested == "auto":
        return [b for b in AUTO_ORDER if installed(b)]
    if requested == "torch":
        return []
    if not installed(requested):
        _note(f"ABSORB_BACKEND={requested}: its libraries are not installed; using torch")
        return []
    return [requested]


# ---------------------------------------------------------------- embedder


class FastEmbedder:
    """An ``Embedder`` over a cached export (see module docstring)."""

    def __init__(self, name: str, folder: Path, backend: str) -> None:
        meta = _read_meta(folder) or {}
        self.name = name
        self.dim = int(meta["dim"])
        self.max_words = max(32, int(int(meta["max_seq_length"]) * 0.6))
        self._folder, self._meta = folder, meta
        self._want_int8 = backend == "openvino-int8"
        if self._want_int8 and int8_file(folder).exists():
            self._runner = _Runner(folder, meta, int8_file(folder), cache=True)
            self.backend = backend
        else:
            ext = "xml" if meta["kind"] == "openvino" else "onnx"
            self._runner = _Runner(folder, meta, folder / f"fp32.{ext}", cache=True)
            self.backend = str(meta["kind"])

    def prepare(self, texts: list[str]) -> None:
        """Before a build embeds ``texts``: calibrate int8 on them if wanted and not done yet."""
        if not self._want_int8 or self.backend == "openvino-int8" or len(texts) < MIN_CALIBRATION:
            return
        if quantize(self._folder, self._meta, texts):
            self._runner = _Runner(self._folder, self._meta, int8_file(self._folder), cache=True)
            self.backend = "openvino-int8"

    def encode(
        self, texts: list[str], batch_size: int = BATCH, progress: bool = False
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._runner.encode(list(texts), batch_size)


def load(name: str, path: str, requested: str) -> FastEmbedder | None:
    """A fast embedder for the model at ``path``, or None to use torch."""
    folder = model_dir(path)
    if folder is None:
        return None
    for backend in candidates(requested):
        kind = "onnx" if backend == "onnx" else "openvino"
        out = ensure_export(folder, kind)
        if out is not None:
            return FastEmbedder(name, out, backend)
        if requested != "auto":
            _note(
                f"ABSORB_BACKEND={requested}: the exported model failed verification; using torch"
            )
    return None
