"""`geobot ingest` with a store it cannot open says so in one line (no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


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
