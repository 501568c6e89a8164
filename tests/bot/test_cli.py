"""The command line as a user meets it: the help, what each run prints (its own output; logs
only on stderr, from WARNING unless -v / -q), and a first ingest free of other libraries' noise.

Commands run in their own process, as `geobot` does: logging is set up once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import REPO, IngestedCorpus

QUESTION = "Which research firm spotted the fake pro-Huawei accounts?"


def geobot(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=REPO,
        env=os.environ | {"COLUMNS": "200"} | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def log_lines(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if any(f" {lvl} " in line for lvl in ("DEBUG", "INFO", "WARNING"))
    ]


@pytest.mark.unit
def test_help_lists_the_global_options_and_keeps_the_citation_marker() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "citing them: [n] after every sentence" in result.stdout
    assert "--verbose" in result.stdout and "-v" in result.stdout and "--quiet" in result.stdout


@pytest.mark.unit
def test_verbose_and_quiet_together_are_refused() -> None:
    result = CliRunner().invoke(app, ["-v", "-q", "stats"])
    assert result.exit_code == 2 and "not both" in result.output


@pytest.mark.unit
def test_a_folder_with_nothing_to_ingest_fails_with_what_was_looked_for(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.7")
    result = CliRunner().invoke(app, ["ingest", str(empty)])
    assert result.exit_code == 1
    assert f"no articles found in {empty} (looked for .txt .md " in result.output.replace("\n", " ")


@pytest.mark.integration
@pytest.mark.slow
def test_ask_prints_only_the_answer_and_verbose_adds_the_log(ingested_corpus: IngestedCorpus) -> None:
    env = {"GEOBOT_VECTORSTORE__PATH": str(ingested_corpus.store_path)}
    plain = geobot("ask", QUESTION, env=env)
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr == ""
    assert "[1]" in plain.stdout and "\nSources\n" in plain.stdout
    assert " ms)" not in plain.stdout and "INFO" not in plain.stdout

    verbose = geobot("-v", "ask", "--json", QUESTION, env=env)
    assert verbose.returncode == 0, verbose.stderr
    assert json.loads(verbose.stdout)["citations"]  # stdout stays the command's own
    assert any(
        "INFO" in line and "bot.answer.service: answered in" in line for line in log_lines(verbose.stderr)
    )


@pytest.mark.integration
def test_warnings_show_by_default_and_quiet_keeps_only_errors(tmp_path: Path) -> None:
    wire = tmp_path / "wire.jsonl"
    good = {"title": "Port rules", "text": "Port regulators agreed to publish inspection results every year."}
    wire.write_text(json.dumps(good) + "\n42\n", encoding="utf-8")  # record 1 is not an article
    env = {"GEOBOT_VECTORSTORE__PATH": str(tmp_path / "store"), "GEOBOT_INGEST__PROCESSES": "1"}
    default = geobot("ingest", "--dry-run", str(wire), env=env)
    assert default.returncode == 0, default.stderr
    (warning,) = log_lines(default.stderr)
    assert (
        "WARNING" in warning and "ingest.readers.jsonl" in warning and "record 1 is not an object" in warning
    )
    quiet = geobot("-q", "ingest", "--dry-run", str(wire), env=env)
    assert quiet.returncode == 0 and log_lines(quiet.stderr) == []
    assert quiet.stdout == default.stdout  # the command's own output is the same


@pytest.mark.integration
@pytest.mark.slow
def test_first_ingest_builds_the_int8_model_without_other_libraries_noise(tmp_path: Path) -> None:
    """A fresh cache makes the int8 build happen (torch export, quantization) in the workers:
    neither transformers' "Loading weights" bar nor onnxruntime's quantization advice shows."""
    cache = tmp_path / "cache"
    env = {"GEOBOT_VECTORSTORE__PATH": str(tmp_path / "store"), "GEOBOT_EMBEDDING__CACHE_DIR": str(cache)}
    done = geobot("ingest", str(REPO / "data" / "sample"), env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert list(cache.glob("*-int8-*.onnx")), "the int8 model was not built: nothing was tested"
    assert "Loading weights" not in done.stderr and "quantization" not in done.stderr
    assert log_lines(done.stderr) == []
    assert done.stdout.startswith("6 added")


@pytest.mark.unit
def test_publisher_type_options_keep_or_leave_out_types() -> None:
    from bot.cli_input import parse_publisher_types

    assert parse_publisher_types([]) == ((), ())
    given = ["Wire-Service", "wire service", "not state-affiliated media", "-unlabelled"]
    assert parse_publisher_types(given) == (("wire service",), ("state-affiliated media", "unlabelled"))
    with pytest.raises(ValueError, match="'tv news' is not a publisher type: use one of state-affiliated"):
        parse_publisher_types(["tv news"])


@pytest.mark.unit
def test_a_malformed_publisher_profile_in_config_stops_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[publishers.profiles]]\nid = "the-guardian"\ntype = "blog"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "--config", str(config)])
    assert result.exit_code == 2
    assert "row 1 (id 'the-guardian'): a new 'type' needs its 'type_basis'" in result.stderr
    assert "Traceback" not in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[[publishers.profiles]]\nid = "x"\ntype = "tv"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "--config", str(bad)])
    assert result.exit_code == 2 and "publishers.profiles.0.type" in result.stderr
