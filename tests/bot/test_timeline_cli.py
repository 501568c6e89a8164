"""`geobot timeline` on the ingested shared corpus: the JSON contract and what a reader relies on."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from language.terms import terms
from tests.bot.test_ask_cli import CITATION_KEYS
from tests.conftest import IngestedCorpus

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DATE = re.compile(r"^\d{4}(?:-\d{2}){0,2}$")
PRECISION = {4: "year", 7: "month", 10: "day"}


@pytest.fixture
def runner(ingested_corpus: IngestedCorpus, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GEOBOT_VECTORSTORE__PATH", str(ingested_corpus.store_path))
    return CliRunner()


def timeline(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["timeline", "--json", *args])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    data: dict[str, Any] = json.loads(lines[0])
    return data


@pytest.mark.parametrize("topic", ["5G network bans", "Huawei equipment removal deadline"])
def test_events_are_oldest_first_cited_and_not_repeated(runner: CliRunner, topic: str) -> None:
    data = timeline(runner, topic)
    assert set(data) == {"topic", "events", "undated", "more", "notes", "citations"}
    events = data["events"]
    assert len(events) >= 3
    dates = [e["date"] for e in events]
    assert dates == sorted(dates)
    numbers = {c["n"] for c in data["citations"]}
    assert numbers == set(range(1, len(numbers) + 1))
    for event in events:
        assert set(event) == {"date", "precision", "reported", "text", "citations"}
        assert DATE.match(event["date"]) and PRECISION[len(event["date"])] == event["precision"]
        assert event["citations"] and set(event["citations"]) <= numbers
    assert all(set(c) == CITATION_KEYS for c in data["citations"])
    # every cited article is one of the library's
    listed = runner.invoke(app, ["sources", "--json"])
    ids = {a["id"] for a in json.loads(listed.stdout)}
    assert {c["article_id"] for c in data["citations"]} <= ids
    # no two events of one date state near-identical text
    for i, a in enumerate(events):
        for b in events[i + 1 :]:
            if a["date"] == b["date"]:
                ta, tb = terms(a["text"]), terms(b["text"])
                assert len(ta & tb) / min(len(ta), len(tb)) < 0.8, (a["text"], b["text"])
    # a reported date is the publication date of a source of the event
    for event in events:
        if event["reported"]:
            published = {data["citations"][n - 1]["published"] for n in event["citations"]}
            assert event["date"] in published


def test_since_and_until_bound_the_events_and_text_output_shows_lines_then_sources(runner: CliRunner) -> None:
    data = timeline(runner, "5G network bans", "--since", "2020-07", "--until", "2020-12")
    assert data["events"] and all("2020" <= e["date"][:7] <= "2020-12" for e in data["events"])
    assert all(e["date"] == "2020" or e["date"] >= "2020-07" for e in data["events"])
    shown = runner.invoke(app, ["timeline", "5G network bans"])
    assert shown.exit_code == 0, shown.output
    first = shown.stdout.splitlines()[0]
    assert re.match(r"^\d{4}(-\d{2}){0,2}( \(reported\))? — ", first)
    assert "\nSources\n" in shown.stdout and "[1] " in shown.stdout


def test_no_events_is_a_plain_sentence_and_bad_input_one_line(runner: CliRunner) -> None:
    data = timeline(runner, "zqxj volcanic ash bakery")
    assert data["events"] == [] and data["citations"] == []
    assert data["notes"] == ["The articles hold no dated events about “zqxj volcanic ash bakery”."]
    for args, said in (
        (["timeline", "   "], "Please name a topic"),
        (["timeline", "ban", "--since", "July"], "is not a date"),
        (["timeline", "ban", "--since", "2021", "--until", "2020"], "is after"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and said in result.output and "Traceback" not in result.output
