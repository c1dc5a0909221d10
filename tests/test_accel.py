"""Embedding backends (indexer.accel): selection, clean fallback, and exported vectors = torch's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer import accel
from indexer.embed import (
    SentenceTransformerEmbedder,
    _bundled_minilm_path,
    load_embedder,
    resolve_backend,
)
from indexer.models import AbsorbError

ROOT = Path(__file__).resolve().parents[1]


def test_unknown_backend_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABSORB_BACKEND", "tensorrt")
    with pytest.raises(AbsorbError, match="unknown embedding backend"):
        resolve_backend(None)
    assert resolve_backend("OpenVINO") == "openvino"


def test_default_is_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABSORB_BACKEND", raising=False)
    assert resolve_backend(None) == "auto"


def test_missing_libraries_fall_back_to_torch(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(accel, "installed", lambda backend: backend == "torch")
    assert accel.candidates("auto") == []  # silently torch
    assert accel.candidates("openvino") == []  # torch, with a note
    assert "not installed; using torch" in capsys.readouterr().err


def test_hub_names_stay_on_torch(tmp_path: Path) -> None:
    assert accel.model_dir("sentence-transformers/all-MiniLM-L6-v2") is None
    assert accel.load("x", str(tmp_path), "auto") is None  # not a model folder


def test_fake_model_ignores_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABSORB_BACKEND", "openvino")
    assert load_embedder("fake:8").name == "fake:8"


def test_cli_import_stays_light() -> None:
    code = (
        "import sys, indexer.cli, indexer.embed, indexer.accel; "
        "heavy = {'torch', 'openvino', 'onnxruntime', 'nncf', 'sentence_transformers'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.model
@pytest.mark.skipif(not accel.installed("openvino"), reason="openvino is not installed")
def test_openvino_vectors_equal_torch() -> None:
    texts = ["why should I understand backprop?", "sqlite full-text search", "ok", "x " * 400]
    ov = load_embedder("all-MiniLM-L6-v2", "openvino")
    assert isinstance(ov, accel.FastEmbedder) and ov.backend == "openvino"
    torch = load_embedder("all-MiniLM-L6-v2", "torch")
    assert isinstance(torch, SentenceTransformerEmbedder)
    assert (ov.name, ov.dim, ov.max_words) == (torch.name, torch.dim, torch.max_words)
    a, b = ov.encode(texts), torch.encode(texts)
    assert a.shape == b.shape == (4, 384) and a.dtype == np.float32
    assert float(np.min(np.sum(a * b, axis=1))) > 0.9999
    bulk = ov.encode(texts * 20)  # several batches: the asynchronous path, same order
    assert np.allclose(bulk[:4], a, atol=1e-5) and np.allclose(bulk[-4:], a, atol=1e-5)


@pytest.mark.model
@pytest.mark.skipif(not accel.installed("openvino"), reason="openvino is not installed")
def test_export_is_cached_and_verified() -> None:
    first = load_embedder("all-MiniLM-L6-v2", "openvino")
    folder = first._folder
    meta = (folder / "meta.json").stat().st_mtime_ns
    again = load_embedder("all-MiniLM-L6-v2", "openvino")
    assert again._folder == folder and (folder / "meta.json").stat().st_mtime_ns == meta
    assert accel._read_meta(folder)["verified"]
    bundled = accel.model_dir(_bundled_minilm_path() or "")
    assert bundled is not None and folder == accel.cache_dir(bundled, "openvino")


@pytest.mark.model
@pytest.mark.skipif(not accel.installed("openvino-int8"), reason="nncf/openvino not installed")
def test_int8_calibrates_on_the_corpus_then_stays_close_to_torch() -> None:
    from indexer.passages import embed_text, split_item
    from indexer.sources import parse_capture

    texts = []
    for p in sorted((ROOT / "data" / "captures").iterdir()):
        for it in parse_capture(p.name, p.read_bytes(), lambda _m: None):
            texts += [embed_text(it, ps) for ps in split_item(it, 150)]
    assert len(texts) >= accel.MIN_CALIBRATION
    e = load_embedder("all-MiniLM-L6-v2", "openvino-int8")
    assert isinstance(e, accel.FastEmbedder)
    e.prepare(texts[:10])  # too few to calibrate on: stays fp32
    assert e.backend == "openvino"
    e.prepare(texts)
    assert e.backend == "openvino-int8" and accel.int8_file(e._folder).exists()
    ref = load_embedder("all-MiniLM-L6-v2", "torch").encode(texts[:32])
    assert float(np.mean(np.sum(e.encode(texts[:32]) * ref, axis=1))) > 0.98
    assert load_embedder("all-MiniLM-L6-v2", "openvino-int8").backend == "openvino-int8"
