"""Shared fixtures. Every test runs with its data paths under tmp_path and offline."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.json"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the user's store, feedback database or config."""
    for name in list(os.environ):
        if name.startswith("GEOBOT_"):
            monkeypatch.delenv(name)
    for secret in ("DISCORD_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(secret, raising=False)
    monkeypatch.setenv("GEOBOT_VECTORSTORE__PATH", str(tmp_path / "store"))
    monkeypatch.setenv("GEOBOT_DISCORD__FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.chdir(tmp_path)
    yield


@dataclass(frozen=True)
class IngestedCorpus:
    """The whole shared corpus ingested once: build the store or embedder from ``settings``."""

    settings: Any  # ingest.settings.IngestAppSettings
    store_path: Path
    report: Any  # ingest.pipeline.IngestReport


@pytest.fixture(scope="session")
def ingested_corpus(tmp_path_factory: pytest.TempPathFactory) -> IngestedCorpus:
    """``geobot ingest ../shared/corpus`` into a session-wide tmp store (read-only for tests)."""
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings
    from vectorstore.settings import VectorStoreSettings

    store_path = tmp_path_factory.mktemp("corpus_store")
    settings = IngestAppSettings(vectorstore=VectorStoreSettings(path=store_path))
    report = run_ingest([CORPUS], settings)
    assert report.ok, report.failed
    return IngestedCorpus(settings, store_path, report)
