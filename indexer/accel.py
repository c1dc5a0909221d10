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

Everything is derived locally from the model folder (nothing is downloaded): the
first use loads the model once with torch, exports it, checks the export's vectors
against torch's on fixed probe sentences, and caches it under
``store.user_cache_dir()/models/`` (written through ``store``'s atomic helpers: a
folder staged and renamed whole, JSON through temp file + ``os.replace``); later loads
need neither torch nor the export. The query model's compiled form is kept beside it
(OpenVINO ``CACHE_DIR``, ``compiled/``), so a cold query loads a blob instead of
compiling (about 0.3 s less; measured 0.50-0.88 s -> 0.22-0.30 s on 2 busy cores).
Only local model folders (the bundled MiniLM included) with a Transformer + mean or
CLS pooling layout are accelerated; anything else runs on torch.

The backend is recorded in the index manifest for information only: a query
embedded by one backend retrieves a corpus embedded by another as well as by its own
(measured on our question sets), so switching backends never requires a rebuild.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import random
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from . import store

BACKENDS = ("auto", "torch", "onnx", "openvino", "openvino-int8")
AUTO_ORDER = ("openvino", "onnx")
FORMAT = 1  # bump when the export layout or its meaning changes
CALIBRATION_TEXTS = 300  # passages sampled for int8 calibration
MIN_CALIBRATION = 64  # fewer new passages than this: stay fp32 until a larger build
MIN_COS = {"fp32": 0.999, "int8": 0.97}  # worst probe cosine to torch that passes
COMPILED = "compiled"  # OpenVINO's CACHE_DIR beside the model: ~0.3 s less per cold query
BATCH = 16  # short, length-sorted batches waste little on padding
PROBES = [
    "Why should I understand backpropagation if frameworks compute gradients for me?",
    "The network overfits the small dataset, so we add dropout and weight decay.",
    "A convolutional layer slides small filters over the image and sums the products.",
    "Where does the mass go when you lose fat? Mostly out through the lungs as CO2.",
    "Use git rebase --interactive to squash the last three commits into one.",
    "SQLite full-text search ranks results with bm25() over an FTS5 virtual table.",
    "The recurrent network reads one character at a time and predicts the next one.",
    "Install the package with pip, then run the command line tool against a folder.",
    "Tesla's autopilot team labels video clips to train the vision stack end to end.",
    "Docker containers share the host kernel but get their own filesystem namespace.",
    "I ran a half marathon last weekend and the last three miles were the hardest.",
    "Quantised int8 weights make CPU inference faster at a small cost in accuracy.",
    "GitHub Actions can run a scheduled workflow that commits scraped data back.",
    "t-SNE embeds high-dimensional points in two dimensions, keeping neighbours close.",
    "ok",
    "Reinforcement learning agents learn policies from rewards rather than labels.",
]


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


def _openvino() -> Any:
    """``import openvino`` without its model converter, unless something loaded it already.

    ``openvino/__init__`` imports ``openvino.tools.ovc`` (the PyTorch converter and
    its telemetry) only to offer ``ov.convert_model``, and skips it when that import
    fails: about 130 ms of every cold query that only runs an exported model. The
    export imports the converter by name when it needs it.
    """
    if "openvino" in sys.modules:
        return sys.modules["openvino"]
    ovc = "openvino.tools.ovc"
    blocked = ovc not in sys.modules
    if blocked:
        sys.modules[ovc] = None  # type: ignore[assignment]  # makes its import fail
    try:
        import openvino
    finally:
        if blocked and sys.modules.get(ovc, 0) is None:
            del sys.modules[ovc]
    return openvino


def _note(msg: str) -> None:
    from .progress import note  # through the build's progress when one runs (quiet stays quiet)

    note(msg)


# ---------------------------------------------------------------- export cache


def model_dir(path: str) -> Path | None:
    """A local sentence-transformers folder, or None (hub names stay on torch)."""
    p = Path(path).expanduser()
    return p if (p / "modules.json").is_file() else None


def _fingerprint(folder: Path, kind: str) -> str:
    h = hashlib.sha1(f"{FORMAT}:{kind}:{folder.resolve()}".encode())
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.relative_to(folder)}:{st.st_size}:{st.st_mtime_ns}".encode())
    mod = "openvino" if kind == "openvino" else "onnxruntime"
    spec = importlib.util.find_spec(mod)
    h.update(str(spec.origin if spec else "").encode())  # a new runtime re-exports
    return h.hexdigest()[:16]


def cache_dir(folder: Path, kind: str) -> Path:
    return store.user_cache_dir() / "models" / f"{folder.name}-{kind}-{_fingerprint(folder, kind)}"


def ensure_export(folder: Path, kind: str) -> Path | None:
    """The cached, verified export of ``folder`` for ``kind`` (openvino|onnx), made if missing.

    Returns None when the model cannot be exported or fails verification (the
    failure is remembered, so it is not retried on every load).
    """
    out = cache_dir(folder, kind)
    meta = _read_meta(out)
    if meta is not None:
        return out if meta.get("verified") else None
    _note(
        "first run: preparing the model for fast CPU inference "
        "(about a minute, once; cached in " + str(out.parent) + ")"
    )
    with store.staging_dir(out.parent) as tmp:
        try:
            with _quiet():
                meta = _export(folder, kind, tmp)
        except Exception as e:  # an unexportable model: remember it and stay on torch
            meta = {"verified": False, "error": f"{type(e).__name__}: {e}"}
        store.write_json_atomic(tmp / "meta.json", meta)
        store.publish_dir(tmp, out)  # False: another process exported it first: use theirs
    meta = _read_meta(out) or {}
    return out if meta.get("verified") else None


def _read_meta(out: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _export(folder: Path, kind: str, out: Path) -> dict[str, Any]:
    """Load the model with torch once, export it, and verify the export on PROBES."""
    import torch
    from sentence_transformers import SentenceTransformer

    from .offline import quiet_transformers

    quiet_transformers()
    st = SentenceTransformer(str(folder), device="cpu")
    mods = list(st)
    pooling = _pooling_mode(mods)
    tok = st.tokenizer
    if pooling is None or not getattr(tok, "is_fast", False):
        raise ValueError("only Transformer + mean/CLS pooling with a fast tokenizer is supported")
    seq = int(st.max_seq_length or 256)
    tok.backend_tokenizer.save(str(out / "tokenizer.json"))
    ref = st.encode(PROBES, convert_to_numpy=True, normalize_embeddings=True)
    enc = tok(PROBES[:4], padding=True, truncation=True, max_length=seq, return_tensors="pt")
    inputs = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
    auto: Any = mods[0].auto_model  # a transformers PreTrainedModel
    model = auto.eval()
    with torch.no_grad():
        if kind == "openvino":
            from openvino.tools.ovc import convert_model

            ov = _openvino()
            ir = convert_model(model, example_input={k: enc[k] for k in inputs})
            ov.save_model(ir, str(out / "fp32.xml"), compress_to_fp16=False)
        else:
            _export_onnx(model, enc, inputs, out / "fp32.onnx")
    meta = {
        "format": FORMAT,
        "kind": kind,
        "dim": int(ref.shape[1]),
        "max_seq_length": seq,
        "pooling": pooling,
        "lowercase": bool(getattr(mods[0], "do_lower_case", False)),
        "inputs": inputs,
        "pad_id": int(tok.pad_token_id or 0),
        "pad_token": str(tok.pad_token or "[PAD]"),
    }
    store.save_array(out / "probe_ref.npy", ref.astype(np.float32))
    model_file = out / ("fp32.xml" if kind == "openvino" else "fp32.onnx")
    cos = _probe_cos(_Runner(out, meta, model_file), ref)
    meta["fp32_min_cos"] = cos
    meta["verified"] = cos >= MIN_COS["fp32"]
    return meta


def _pooling_mode(mods: list[Any]) -> str | None:
    names = [type(m).__name__ for m in mods]
    if len(mods) < 2 or names[0] != "Transformer" or names[1] != "Pooling":
        return None
    if any(n not in ("Transformer", "Pooling", "Normalize") for n in names):
        return None
    cfg = mods[1].get_config_dict() if hasattr(mods[1], "get_config_dict") else {}
    mode = cfg.get("pooling_mode") or (
        "mean"
        if cfg.get("pooling_mode_mean_tokens")
        else "cls"
        if cfg.get("pooling_mode_cls_token")
        else None
    )
    return mode if mode in ("mean", "cls") else None


def _export_onnx(model: Any, enc: Any, inputs: list[str], path: Path) -> None:
    import torch

    class Hidden(torch.nn.Module):
        def __init__(self, m: Any) -> None:
            super().__init__()
            self.m = m

        def forward(self, *args: Any) -> Any:
            return self.m(**dict(zip(inputs, args, strict=True))).last_hidden_state

    axes = {k: {0: "batch", 1: "seq"} for k in [*inputs, "last_hidden_state"]}
    torch.onnx.export(
        Hidden(model),
        tuple(enc[k] for k in inputs),
        str(path),
        input_names=inputs,
        output_names=["last_hidden_state"],
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,
    )


def _probe_cos(runner: _Runner, ref: np.ndarray) -> float:
    got = runner.encode(PROBES)
    return float(np.min(np.sum(got * ref, axis=1)))


# ---------------------------------------------------------------- runtime


class _Runner:
    """Tokenise, run the exported transformer, pool and normalise (thread-safe).

    OpenVINO compiles the model lazily twice over: for one text at a time (latency
    hint, one thread: a query) and for bulk (throughput hint: one request per
    stream, fed asynchronously). A process that only answers queries never pays
    for the bulk copy, and the other way round.
    """

    def __init__(
        self, folder: Path, meta: dict[str, Any], model_file: Path, cache: bool = False
    ) -> None:
        from tokenizers import Tokenizer

        self.meta = meta
        self.kind = str(meta["kind"])
        self.file = model_file
        self.cache = cache
        self.lock = threading.Lock()
        self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tok.enable_truncation(int(meta["max_seq_length"]))
        self.tok.enable_padding(pad_id=int(meta["pad_id"]), pad_token=str(meta["pad_token"]))
        self._single: Any = None  # an OpenVINO infer request, or the ONNX Runtime session
        self._bulk: Any = None  # an OpenVINO AsyncInferQueue (None: run batches one by one)
        if self.kind == "onnx":
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = os.cpu_count() or 1
            opts.log_severity_level = 3
            self._single = ort.InferenceSession(
                str(model_file), opts, providers=["CPUExecutionProvider"]
            )

    def _compile(self, hint: str) -> Any:
        from .models import AbsorbError

        ov = _openvino()
        cfg: dict[str, Any] = {"PERFORMANCE_HINT": hint}
        if hint == "LATENCY":  # as fast as two threads for one short text, and never waits
            cfg["INFERENCE_NUM_THREADS"] = 1
            if self.cache:  # the query model's compiled blob: a cold search loads, not compiles
                cfg["CACHE_DIR"] = str(self.file.parent / COMPILED)
        try:
            return ov.Core().compile_model(str(self.file), "CPU", cfg)
        except Exception as e:  # a damaged cache file
            raise AbsorbError(
                f"the exported model {self.file} cannot be loaded ({type(e).__name__})",
                f"delete {self.file.parent} (it is rebuilt on the next run), "
                "or set ABSORB_BACKEND=torch",
            ) from None

    def feeds(self, texts: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        if self.meta.get("lowercase"):
            texts = [t.lower() for t in texts]
        enc = self.tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        every = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return {k: every[k] for k in self.meta["inputs"]}, mask

    def pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.meta["pooling"] == "cls":
            v = np.asarray(hidden[:, 0], dtype=np.float32)
        else:
            m = mask[..., None].astype(np.float32)
            v = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return v.astype(np.float32, copy=False)

    def run(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        if self.kind == "onnx":
            return self._single.run(None, feeds)[0]
        if self._single is None:
            self._single = self._compile("LATENCY").create_infer_request()
        self._single.infer(feeds)
        return self._single.get_output_tensor(0).data

    def _queue(self) -> Any:
        ov = _openvino()
        if self._bulk is None:
            model = self._compile("THROUGHPUT")
            streams = int(model.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
            self._bulk = ov.AsyncInferQueue(model, max(1, streams))
        return self._bulk

    def encode(self, texts: list[str], batch_size: int = BATCH) -> np.ndarray:
        """Unit vectors; length-sorted batches, spread over the runtime's parallel streams."""
        out = np.empty((len(texts), int(self.meta["dim"])), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        batches = [order[s : s + batch_size] for s in range(0, len(texts), batch_size)]
        with self.lock:
            if self.kind == "onnx" or len(batches) < 2:
                for idx in batches:
                    feeds, mask = self.feeds([texts[i] for i in idx])
                    out[idx] = self.pool(self.run(feeds), mask)
                return out

            def done(req: Any, data: tuple[np.ndarray, np.ndarray]) -> None:
                idx, mask = data
                out[idx] = self.pool(req.get_output_tensor(0).data, mask)

            queue = self._queue()
            queue.set_callback(done)
            for idx in batches:  # tokenising the next batch overlaps the running ones
                feeds, mask = self.feeds([texts[i] for i in idx])
                queue.start_async(feeds, (idx, mask))
            queue.wait_all()
        return out


# ---------------------------------------------------------------- int8


def int8_file(folder: Path) -> Path:
    return folder / "int8" / "model.xml"


def quantize(folder: Path, meta: dict[str, Any], texts: list[str]) -> bool:
    """Static int8 of ``folder``'s fp32 IR, calibrated on a sample of ``texts``.

    True when a verified int8 model is in place (made now or by another process).
    """
    import logging

    import nncf

    ov = _openvino()

    if int8_file(folder).exists():
        return True
    failed = folder / "int8-failed.json"
    if failed.exists():  # tried before and it did not verify: stay on fp32, do not retry
        return False
    nncf.set_log_level(logging.ERROR)
    sample = random.Random(0).sample(texts, min(CALIBRATION_TEXTS, len(texts)))
    fp32 = _Runner(folder, meta, folder / "fp32.xml")
    data = [fp32.feeds(sample[s : s + 8])[0] for s in range(0, len(sample), 8)]
    ir = ov.Core().read_model(str(folder / "fp32.xml"))
    with _quiet():
        q = nncf.quantize(
            ir, nncf.Dataset(data), model_type=nncf.ModelType.TRANSFORMER, subset_size=len(data)
        )
    with store.staging_dir(folder, ".int8") as tmp:
        ov.save_model(q, str(tmp / "model.xml"), compress_to_fp16=False)
        ref = store.load_array(folder / "probe_ref.npy", mmap=False)
        cos = _probe_cos(_Runner(folder, meta, tmp / "model.xml"), ref)
        info = {"min_cos": cos, "verified": cos >= MIN_COS["int8"], "calibration": len(sample)}
        store.write_json_atomic(tmp / "info.json", info)
        if not info["verified"]:
            _note(f"int8 model failed verification (probe cosine {cos:.3f}); staying on fp32")
            store.write_json_atomic(failed, info)
            return False
        store.publish_dir(tmp, folder / "int8")  # False: another process won the race
    return int8_file(folder).exists()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No progress bars or warnings from the exporters on a CLI's output."""
    import warnings

    with warnings.catch_warnings(), open(os.devnull, "w") as null:
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
            yield


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
