"""The answer service with [llm] provider = "openai" pointed at the local llama.cpp server, end to end:
a store ingested from sample articles, retrieval, the extractive answer, then the LLM (or its fallback).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from bot.answer.service import AnswerService, build_answer_service
from bot.answer.types import Answer, Question, Turn
from bot.settings import Secrets, load_settings
from tests.bot.conftest import LlamaServer

pytestmark = [pytest.mark.llm, pytest.mark.integration, pytest.mark.slow]

# Sample articles in our own words.
ARTICLES = [
    {
        "title": "London sets a deadline for Huawei gear",
        "text": "Ministers in London told mobile operators to remove Huawei equipment from their 5G "
        "networks by 2027. The decision followed a security review. Operators said the change would "
        "cost billions and delay coverage.",
        "source": "Sample Wire",
        "published": "2020-07-14",
        "url": "https://example.org/london-huawei",
    },
    {
        "title": "Ottawa bars two Chinese vendors",
        "text": "Ottawa announced that Huawei and ZTE equipment would be barred from Canadian 5G "
        "networks. Companies must stop using the gear within a few years. The government cited "
        "national security.",
        "source": "Sample Wire",
        "published": "2022-05-19",
        "url": "https://example.org/ottawa-huawei",
    },
    {
        "title": "Berlin takes a slower path",
        "text": "Berlin decided to phase Huawei components out of German 5G networks more slowly than "
        "its allies. German operators will replace the parts over several years.",
        "source": "Other Daily",
        "published": "2024-07-11",
        "url": "https://example.org/berlin-vendors",
    },
]


@pytest.fixture
def service(
    llama_server: LlamaServer, embedder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AnswerService:
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings

    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    for key, value in {
        "PROVIDER": "openai",
        "BASE_URL": llama_server.base_url,
        "MODEL": "smollm2",
        "TIMEOUT": "60",
        "MAX_TOKENS": "32",
    }.items():
        monkeypatch.setenv(f"GEOBOT_LLM__{key}", value)
    settings = load_settings()
    report = run_ingest([sample], IngestAppSettings.model_validate(settings.model_dump()), embedder=embedder)
    assert report.ok
    return build_answer_service(settings, Secrets.from_env(), embedder=embedder)


def llm_outcome(caplog: pytest.LogCaptureFixture) -> str:
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.answer.llm"]
    assert messages, "the LLM was not asked"
    if any(m.startswith("llm answered with") for m in messages):
        return "answered"
    (fallback,) = [m for m in messages if "falling back" in m]
    assert fallback.endswith("no sentence with a valid citation"), fallback  # never a protocol failure
    return "fell back"


def assert_cited(answer: Answer) -> None:
    assert not answer.abstained
    urls = {a["url"] for a in ARTICLES}
    assert answer.citations and all(c.url in urls for c in answer.citations)
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} == {c.n for c in answer.citations}


def test_ask_and_a_followup_with_the_llm_end_to_end(
    service: AnswerService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    first = service.ask(Question("Did London ban Huawei from its 5G networks?"))
    assert_cited(first)
    assert llm_outcome(caplog) in {"answered", "fell back"}
    assert first.timings_ms["llm"] > 0

    caplog.clear()
    followup = service.ask(Question("and Berlin?", history=(Turn(first.question, first.text),)))
    assert followup.question == "and Berlin?"
    assert_cited(followup)
    assert llm_outcome(caplog) in {"answered", "fell back"}
    rewrites = [r.getMessage() for r in caplog.records if r.name == "bot.answer.followup"]
    assert rewrites, "the follow-up was not given to the LLM rewriter"
    # rewritten by the model or deterministically, the query was about Berlin
    assert any("berlin" in c.title.lower() for c in followup.citations)
