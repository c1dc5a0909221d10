"""Encodings and partly damaged captures: UTF-16/32 decoded, a false byte-order mark
refused with the file named, and a JSON Lines file with corrupt lines keeping its good ones."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.models import ParseError
from indexer.sources import parse_capture
from indexer.sources.common import decode_capture

TEXT = "# Über Größe\n\nNaïve café, 東京 and ünïcödé survive the round trip.\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-8-sig", "utf-16-le", "utf-16-be"])
def test_bom_and_bare_utf16_are_decoded(codec: str) -> None:
    data = TEXT.encode(codec)  # utf-16/32/utf-8-sig write a BOM; -le/-be do not
    items = parse_capture("notes/x.md", data, print)
    assert items[0].title == "Über Größe" and "東京" in items[0].text


def test_false_bom_is_refused_naming_the_file() -> None:
    for bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        with pytest.raises(ParseError, match=r"^bad\.txt: .*byte-order mark.*ASCII"):
            parse_capture("bad.txt", bom + b"bad utf16ish\nand more plain text here\n", print)
    with pytest.raises(ParseError, match=r"^odd\.txt: .*UTF-32"):
        parse_capture("odd.txt", codecs.BOM_UTF32_LE + "ab".encode("utf-16-le") + b"\xff", print)


def test_jsonl_with_corrupt_lines_keeps_good_lines() -> None:
    good = [json.dumps({"title": f"Note {i}", "text": f"Body number {i}."}) for i in (1, 2)]
    data = (good[0] + "\n\x00\x01\n" + good[1] + "\n").encode()
    warnings: list[str] = []
    items = parse_capture("notes.jsonl", data, warnings.append)
    assert [it.title for it in items] == ["Note 1", "Note 2"]
    assert warnings == ["notes.jsonl: line 2: stray control bytes, not text; skipped"]


def test_mostly_binary_is_still_binary() -> None:
    with pytest.raises(ParseError, match="binary"):
        parse_capture("x.jsonl", b'{"text": "a"}\n' + b"\x00\x01\x02\x03" * 200 + b"\n", print)
    with pytest.raises(ParseError, match="binary"):
        parse_capture("x.bin", bytes(range(256)) * 8, print)
    with pytest.raises(ParseError, match="binary"):  # NUL every other byte, but not UTF-16 text
        parse_capture("x.txt", b"\x00\xff" * 500, print)


def test_a_stray_control_character_is_dropped_not_the_line() -> None:
    d = decode_capture(b"one long line of text with a stray \x07 bell in it\nnext\n", "x.txt")
    assert d.bad_lines == [] and "\x07" not in d.text and "bell in it" in d.text


def test_build_reports_bad_lines_and_false_bom(tmp_path: Path) -> None:
    caps = tmp_path / "caps"
    caps.mkdir()
    (caps / "utf16.md").write_bytes(TEXT.encode("utf-16"))
    (caps / "false-bom.md").write_bytes(codecs.BOM_UTF16_LE + b"bad utf16ish\n")
    good = json.dumps({"title": "Kept", "text": "A good line."})
    (caps / "mixed.jsonl").write_bytes((good + "\n\x00\x01\n").encode())
    r = build_index([caps], tmp_path / "idx", progress=False)
    assert r.items == 2
    assert [s for s, _ in r.skipped] == ["false-bom.md"]
    assert any("mixed.jsonl: line 2" in w for w in r.warnings)
