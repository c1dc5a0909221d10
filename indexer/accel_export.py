"""The export cache of ``accel``: a local model exported once, verified, kept for later loads.

Everything is derived locally from the model folder (nothing is downloaded): the
first use loads the model once with torch, exports it (OpenVINO IR or ONNX), checks
the export's vectors against torch's on fixed probe sentences, and caches it under
``store.user_cache_dir()/models/`` (written through ``store``'s atomic helpers: a
folder staged and renamed whole, JSON through temp file + ``os.replace``); later loads
need neither torch nor the export. A failed export or verification is remembered, so
it is not retried on every load. ``quantize`` makes the static int8 variant of an
OpenVINO export (NNCF), calibrated on the corpus's own passages and verified the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from . import store
from .accel_runtime import _openvino, _Runner

FORMAT = 1  # bump when the export layout or its meaning changes
CALIBRATION_TEXTS = 300  # passages sampled for int8 calibration
MIN_CALIBRATION = 64  # fewer new passages than this: stay fp32 until a larger build
MIN_COS = {"fp32": 0.999, "int8": 0.97}  # worst probe cosine to torch that passes
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


def _note(msg: str) -> None:
    from .progress import note  # through the build's progress when one runs (quiet stays quiet)

    note(msg)


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
