"""The command line over many libraries: `--server ID`, `geobot remove`, `geobot feeds ...`,
`geobot digest` and `geobot answers prune`, run as a user runs them (the real model and store,
a feed on a loopback host)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import REPO
from tests.feed_server import GRANARY, GRANARY_COPY, LANTERN, VELDORIA, FeedServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SERVER = "515151515151515151"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GEOBOT_INGEST__ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("GEOBOT_INGEST__PROCESSES", "1")
    return CliRunner()


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    with FeedServer([GRANARY, GRANARY_COPY]) as host:
        yield host


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_server_libraries_from_the_command_line(cli: CliRunner, feed: FeedServer) -> None:
    run(cli, "ingest", str(REPO / "data" / "sample"))
    url = f"{feed.base}/articles/{VELDORIA.slug}.html"
    run(cli, "ingest", url, "--server", SERVER)
    base = json.loads(run(cli, "stats", "--json"))
    seen = json.loads(run(cli, "stats", "--json", "--server", SERVER))
    assert seen["articles"] == base["articles"] + 1
    listed = json.loads(run(cli, "sources", "--json", "--server", SERVER))
    assert VELDORIA.title in [a["title"] for a in listed]
    assert VELDORIA.title not in [a["title"] for a in json.loads(run(cli, "sources", "--json"))]

    question = "What did the parliament of Veldoria vote to build?"
    assert "Ostmark" in json.loads(run(cli, "ask", "--json", "--server", SERVER, question))["answer"]
    assert "Ostmark" not in json.loads(run(cli, "ask", "--json", question))["answer"]

    assert "reindexed" in run(cli, "reindex", "--server", SERVER)
    assert "has no article" in run(cli, "remove", url, code=1)  # not in the base library
    assert "removed Veldoria votes to lay" in run(cli, "remove", url, "--server", SERVER)
    assert json.loads(run(cli, "stats", "--json", "--server", SERVER))["articles"] == base["articles"]
    assert "has no article" in run(cli, "remove", url, "--server", SERVER, code=1)


def test_feeds_and_digests_from_the_command_line(cli: CliRunner, feed: FeedServer, tmp_path: Path) -> None:
    added = run(cli, "feeds", "add", feed.feed_url, "--server", SERVER, "--channel", "99")
    assert "following Tidewater Wire" in added
    assert "already follows" in run(cli, "feeds", "add", feed.feed_url, "--server", SERVER, code=1)
    assert "not an RSS or Atom feed" in run(
        cli, "feeds", "add", f"{feed.base}/articles/{GRANARY.slug}.html", "--server", SERVER, code=1
    )
    assert "not polled yet" in run(cli, "feeds", "list", "--server", SERVER)
    assert "no feeds followed" in run(cli, "feeds", "list")  # the base library follows none

    first = run(cli, "feeds", "run-once", "--server", SERVER)
    assert "Tidewater Wire: 1 new article\n" in first
    assert f"- {GRANARY.title} — Tidewater Wire · 2024-04-10 · also: Coastline Daily" in first
    assert "not modified" in run(cli, "feeds", "run-once", "--server", SERVER)
    feed.publish(LANTERN)
    assert LANTERN.title in run(cli, "feeds", "run-once", "--server", SERVER)

    digest = run(cli, "digest", "--since", "1d", "--server", SERVER)
    assert digest.count(GRANARY.title) == 1 and LANTERN.title in digest and "2 new articles" in digest
    assert "no new articles" in run(cli, "digest", "--since", "1d")
    assert "is not a time" in run(cli, "digest", "--since", "yesterday", code=1)

    feed.mode = "error"
    failed = run(cli, "feeds", "run-once", "--all", code=1)
    assert "failed: HTTP 500" in failed
    assert "failing for under a minute (1 error): HTTP 500" in run(cli, "feeds", "list", "--server", SERVER)
    assert "no longer following" in run(cli, "feeds", "remove", "1", "--server", SERVER)
    assert "no followed feed" in run(cli, "feeds", "remove", "1", "--server", SERVER, code=1)


def test_answers_prune_deletes_what_is_older_than_the_retention(cli: CliRunner, tmp_path: Path) -> None:
    from bot.answer.types import Answer
    from bot.answer_log import AnswerLog, PostedAnswer
    from bot.records import Records

    records = Records(tmp_path / "records.sqlite3")  # where the tests' settings keep them
    log = AnswerLog(records)
    for answer_id in (1, 2):
        log.save(PostedAnswer(answer_id, 5, 6, 7, Answer("q?", "a.", abstained=True)))
    old = (datetime.now(UTC) - timedelta(days=120)).isoformat(timespec="seconds")
    records.db.execute("UPDATE answers SET created_at = ? WHERE id = 1", (old,))
    records.close()
    assert "deleted 1 answers and 0 digests older than 90 days" in run(cli, "answers", "prune")
    assert "deleted 0 answers" in run(cli, "answers", "prune", "--days", "30")
    with sqlite3.connect(tmp_path / "records.sqlite3") as db:
        assert db.execute("SELECT id FROM answers").fetchall() == [(2,)]
