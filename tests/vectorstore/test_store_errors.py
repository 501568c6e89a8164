"""What a user sees when the store cannot be opened, and the `geobot stats` / `reindex` commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bot.cli import app
from vectorstore.errors import StoreError, StoreUnavailable
from vectorstore.metadata import chunk_id
from vectorstore.records import ArticleRecord, ChunkRecord
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store


def test_unwritable_path_names_the_setting(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match=r"vectorstore\.path .*a-file/store.*writable folder"):
        build_store(VectorStoreSettings(path=blocker / "store"))


def test_unreachable_server_is_unavailable(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(StoreUnavailable, match=r"store unavailable.*try again") as info:
            build_store(VectorStoreSettings(mode="http", port=port, path=tmp_path / "store"))
    assert len(str(info.value)) < 120


def _fill(path: Path) -> None:
    store = build_store(VectorStoreSettings(path=path))
    record = ArticleRecord(
        id="cli",
        title="A sample brief",
        publisher="Sample Desk",
        author=None,
        published="2022-03-04",
        url=None,
        language="en",
        origins=({"path": "brief.txt"},),
        content_hash="h",
        ingested_at="2026-05-06T07:08:09+00:00",
        chunk_count=0,
    )
    vector = np.zeros((1, 384), dtype=np.float32)
    vector[0, 0] = 1.0
    store.write_article(record, [ChunkRecord(chunk_id("cli", 0), "Sample words.")], vector)
    store.close()


def test_cli_stats_json_and_table(tmp_path: Path) -> None:
    _fill(tmp_path / "store")  # the autouse fixture points GEOBOT_VECTORSTORE__PATH here
    result = CliRunner().invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "articles": 1,
        "chunks": 1,
        "publishers": 1,
        "earliest": "2022-03-04",
        "latest": "2022-03-04",
        "last_ingest": "2026-05-06T07:08:09+00:00",
    }
    table = CliRunner().invoke(app, ["stats"])
    assert table.exit_code == 0 and "2022-03-04" in table.stdout and "articles" in table.stdout


def test_cli_reindex_and_bad_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(tmp_path / "store")
    result = CliRunner().invoke(app, ["reindex"])
    assert result.exit_code == 0 and "1 chunks of 1 articles" in result.stdout
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("GEOBOT_VECTORSTORE__PATH", str(tmp_path / "file" / "store"))
    bad = CliRunner().invoke(app, ["stats"])
    assert bad.exit_code == 1 and "vectorstore.path" in bad.output and "Traceback" not in bad.output


@pytest.mark.integration
@pytest.mark.slow
def test_server_going_away_is_unavailable(tmp_path: Path) -> None:
    from tests.conftest import running_chroma_server

    (tmp_path / "server").mkdir()
    with running_chroma_server(tmp_path / "server") as (host, port):
        store = build_store(VectorStoreSettings(mode="http", host=host, port=port, path=tmp_path / "store"))
        assert store.count() == 0
    for call in (store.count, lambda: store.query([1.0] + [0.0] * 383, 3), lambda: store.delete_article("x")):
        with pytest.raises(StoreUnavailable, match="store unavailable"):
            call()
