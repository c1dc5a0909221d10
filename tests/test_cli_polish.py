"""The command line, through click's CliRunner (no subprocesses): help, --kind, --json, TTY
bold, ``absorb index --json/--quiet``, a taken port for ``absorb serve``, and the one
config module for every ABSORB_* variable."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from indexer import cli, cli_query, config

ROOT = Path(__file__).resolve().parents[1]
BOLD = "\x1b[1m"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.build import build_index

    out = tmp_path_factory.mktemp("cli") / "index"
    build_index([ROOT / "data" / "captures"], out, model="fake:64", progress=False)
    return out


def run(*args: str, color: bool = False) -> click.testing.Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False, color=color)


def test_every_command_and_option_has_help() -> None:
    missing = []
    for name, cmd in cli.main.commands.items():
        if not (cmd.help or "").strip():
            missing.append(name)
        for p in cmd.params:
            if isinstance(p, click.Option) and not (p.help or "").strip():
                missing.append(f"{name} {p.opts[0]}")
    assert missing == []
    assert len(cli.main.commands) >= 8


def test_wrong_kind_lists_the_kinds(index: Path) -> None:
    r = run("search", "backprop", "--index", str(index), "--kind", "articles")
    assert r.exit_code == 2
    assert "'articles' is not a kind in this index" in r.output
    for kind in ("article", "summary", "post", "transcript"):
        assert kind in r.output
    ok = run("search", "backprop", "--index", str(index), "--kind", "article", "--json", "--all")
    assert ok.exit_code == 0 and ok.output.strip()


def test_search_json_plain_snippet_with_spans(index: Path) -> None:
    r = run("search", "backprop gradients", "--index", str(index), "--json", "-k", "5", "--all")
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert rows and all("text" not in o for o in rows)
    spans = 0
    for o in rows:
        assert "**" not in o["snippet"]
        for a, b in o["highlights"]:
            word = o["snippet"][a:b].lower()
            assert word.startswith(("backprop", "gradient")), word
            spans += 1
    assert spans > 0
    assert max(len(line) for line in r.output.splitlines()) < 5000  # no whole text per line
    full = run("search", "backprop gradients", "--index", str(index), "--json", "--full", "--all")
    texts = [json.loads(line)["text"] for line in full.output.splitlines()]
    assert texts and all(len(t) > 0 for t in texts)


def test_terminal_output_bold_only_on_a_tty(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = run("search", "backprop", "--index", str(index), "-k", "3", "--all")
    assert BOLD not in plain.output and "**" not in plain.output
    monkeypatch.setattr(cli_query, "_stdout_is_tty", lambda: True)
    tty = run("search", "backprop", "--index", str(index), "-k", "3", "--all", color=True)
    assert re.search(r"\x1b\[1mbackprop", tty.output, re.I)
    # the same text once the bold markers are taken out
    assert re.sub(r"\x1b\[(1|22)m", "", tty.output) == plain.output


def test_similar_json_and_full(index: Path) -> None:
    first = json.loads(run("items", "--index", str(index), "--json").output.splitlines()[0])
    r = run("similar", first["id"], "--index", str(index), "--json", "-k", "2")
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert len(rows) == 2 and all(o["highlights"] == [] and "text" not in o for o in rows)


def test_index_json_and_quiet(tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    caps = str(ROOT / "data" / "captures")
    r = CliRunner().invoke(cli.main, ["index", caps, "--index", str(idx), "--json"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert obj["items"] == 46 and obj["files"] == 4 and obj["skipped"] == []
    phases = [p["phase"] for p in obj["phases"]]
    for name in ("reading captures", "embedding", "chronology", "topic map"):
        assert name in phases
    assert next(p for p in obj["phases"] if p["phase"] == "embedding")["count"] == obj["embedded"]
    q = CliRunner().invoke(cli.main, ["index", caps, "--index", str(idx), "--quiet"])
    assert q.exit_code == 0 and q.stderr == "" and "Nothing changed" in q.stdout


def test_index_plain_progress_one_line_per_phase(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli.main, ["index", str(ROOT / "data" / "captures"), "--index", str(tmp_path / "i")]
    )
    lines = r.stderr.splitlines()
    assert any(line.startswith("absorb: reading captures: 4 files, 46 items") for line in lines)
    assert any(line.startswith("absorb: embedding: ") and "/s)" in line for line in lines)
    assert "\r" not in r.stderr  # not a terminal: no live line
    assert r.stdout.startswith("Indexed 46 items")


def test_serve_refuses_a_taken_port(index: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = CliRunner().invoke(cli.main, ["serve", "--index", str(index), "--port", str(port)])
    assert r.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "--port" in r.stderr
    assert "serving" not in r.output


def test_every_absorb_variable_is_in_config_and_the_readme() -> None:
    used = set()
    for p in [*(ROOT / "indexer").rglob("*.py"), ROOT / "app.py"]:
        used |= set(re.findall(r"ABSORB_[A-Z_]+[A-Z]", p.read_text("utf-8")))
    assert used <= set(config.VARIABLES), used - set(config.VARIABLES)
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme[readme.index("| Variable |") :]
    for name in config.VARIABLES:
        assert f"`{name}`" in table, name
    # read in one place: no other module calls os.environ for an ABSORB_ variable
    for p in (ROOT / "indexer").rglob("*.py"):
        if p.name != "config.py":
            src = p.read_text("utf-8")
            assert not re.search(r"environ(\.get)?\(\s*['\"]ABSORB_|getenv\(['\"]ABSORB_", src), p


def test_stopwords_equal_sklearn() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from indexer.stopwords import ENGLISH

    assert set(ENGLISH) == set(ENGLISH_STOP_WORDS) and len(ENGLISH) == len(set(ENGLISH))
