"""The exported embedding model at run time: tokenise, run, pool, normalise (``accel``'s engine).

``_Runner`` runs an export made by ``accel_export`` (OpenVINO IR, fp32 or int8, or an
ONNX file for ONNX Runtime) with the model's own fast tokenizer, and needs neither torch
nor the exporters. The query model's compiled form is kept beside it (OpenVINO
``CACHE_DIR``, ``compiled/``), so a cold query loads a blob instead of compiling (about
0.3 s less; measured 0.50-0.88 s -> 0.22-0.30 s on 2 busy cores).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

COMPILED = "compiled"  # OpenVINO's CACHE_DIR beside the model: ~0.3 s less per cold query
BATCH = 16  # short, length-sorted batches waste little on padding


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
