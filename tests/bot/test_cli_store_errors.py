"""`geobot` store commands: a store it cannot open is one line (no traceback); the store is closed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import REPO, IngestedCorpus
from vectorstore.keyword import FILENAME


@pytest.mark.unit
def test_ingest_into_a_store_path_that_is_a_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store folder should be\n")
    monkeypatch.setenv("GEOBOT_VECTORSTORE__PATH", str(blocker))
    article = tmp_path / "a.txt"
    article.write_text(
        "Port regulators met on Monday.\n\nThey agreed to publish inspection results every year.\n"
    )
    result = CliRunner().invoke(app, ["ingest", str(article)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "vectorstore.path" in result.output
    assert "Traceback" not in result.output


@pytest.mark.integration
def test_store_commands_close_the_store_before_the_process_ends(
    ingested_corpus: IngestedCorpus, tmp_path: Path
) -> None:
    """`geobot` ends without the interpreter's teardown, so each command must close what it
    opened: a reindex that left its SQLite connection open would leave its write-ahead log."""
    store = tmp_path / "store"
    shutil.copytree(ingested_corpus.store_path, store)
    env = os.environ | {"GEOBOT_VECTORSTORE__PATH": str(store)}
    for command in (["reindex"], ["stats", "--json"], ["sources", "--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *command],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert not (store / f"{FILENAME}-wal").exists(), command
    assert json.loads(done.stdout) and len(json.loads(done.stdout)) == len(ingested_corpus.report.added)
