"""What a cold ``absorb search`` loads, and that the light query path equals the libraries
it replaces (bm25s's tokenizer and index reader); progress on a terminal."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from indexer import search as S
from indexer.progress import Progress
from indexer.sources import parse_capture
from indexer.stopwords import ENGLISH
from indexer.store.bm25_files import SavedBM25

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "sentence_transformers", "sklearn", "umap", "bm25s", "faiss", "scipy")


def _seed_texts() -> list[str]:
    out = []
    for p in sorted((ROOT / "data" / "captures").iterdir()):
        out += [f"{it.title}\n{it.text}" for it in parse_capture(p.name, p.read_bytes(), print)]
    return out


def test_tokenizer_equals_bm25s() -> None:
    import bm25s

    texts = [*_seed_texts(), "Why DOES the 2nd net over-fit?? é café_au_lait x"]
    stem = S._stemmer()
    ref = bm25s.tokenize(
        texts, stopwords=ENGLISH, stemmer=stem, return_ids=False, show_progress=False
    )
    assert S.tokenize(texts) == ref


def test_saved_bm25_scores_equal_bm25s(tmp_path: Path) -> None:
    import bm25s

    texts = _seed_texts()
    S.build_bm25(texts).save(str(tmp_path / "bm25"), show_progress=False)
    theirs = bm25s.BM25.load(str(tmp_path / "bm25"), mmap=True)
    ours = SavedBM25(tmp_path / "bm25")
    assert ours.vocab_dict == theirs.vocab_dict
    for q in ("backprop gradients", "tesla autopilot vision", "zzzz", "policy gradient pong"):
        terms = S.tokenize([q])[0]
        a = S.bm25_scores(ours, terms, len(texts))
        b = S.bm25_scores(theirs, terms, len(texts))
        assert np.array_equal(a, b), q


def test_cold_search_imports_no_heavy_library(tmp_path: Path) -> None:
    from indexer.build import build_index

    idx = tmp_path / "idx"
    build_index([ROOT / "data" / "captures"], idx, model="fake:64", progress=False)
    code = (
        "import sys; from indexer import cli\n"
        f"cli.main(['search', 'backprop', '--index', {str(idx)!r}], standalone_mode=False)\n"
        f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    p = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "ABSORB_MODEL": "fake:64",
             "HOME": str(tmp_path)},
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "backprop" in p.stdout.lower()
    assert p.stdout.strip().splitlines()[-1] == "LOADED []"


@pytest.mark.skipif(importlib.util.find_spec("openvino") is None, reason="openvino not installed")
def test_openvino_runtime_without_its_converter() -> None:
    code = (
        "import sys, indexer.accel as a; ov = a._openvino(); ov.Core()\n"
        "print('openvino.tools.ovc' in sys.modules)\n"
        "from openvino.tools.ovc import convert_model; print(callable(convert_model))"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert p.stdout.split() == ["False", "True"], p.stderr


def test_tty_progress_redraws_while_a_batch_runs() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    p = Progress.auto(stream=out)
    assert p.mode == "tty"
    with p.phase("embedding", total=100, unit="passages") as ph:
        ph.advance(10)
        time.sleep(2.3)  # no advance: the ticker still redraws (elapsed, ETA)
    s = out.getvalue()
    assert s.count("\r") >= 3, s
    assert "10/100 passages (10%)" in s and "ETA" in s
    finished = s.rstrip(" \n").rsplit("\r", 1)[-1]
    assert finished.startswith("embedding: 10 passages in 2.") and finished.endswith("/s)")
    assert Progress.auto(quiet=True, stream=out).mode == "quiet"
    assert Progress.auto(stream=io.StringIO()).mode == "plain"
