"""The real store and ingest pipeline behind the Discord ports (/search, /article, /stats, /ingest)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from bot.discord.services import PipelineIngester, StoreLibrary
from bot.settings import Settings
from tests.conftest import REPO
from vectorstore.settings import VectorStoreSettings

pytestmark = pytest.mark.integration

SAMPLE = REPO / "data" / "sample"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[tuple[Settings, Any]]:
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings
    from vectorstore.store import build_store

    settings = Settings(vectorstore=VectorStoreSettings(path=tmp_path_factory.mktemp("sample_store")))
    app = IngestAppSettings(vectorstore=settings.vectorstore)
    store = build_store(settings.vectorstore)
    report = run_ingest([SAMPLE], app, store=store, embedder=embedder)
    assert report.ok and report.added, report.failed
    yield settings, store
    store.close()


def test_library_search_article_lead_and_stats(sample_store: tuple[Settings, Any], embedder: Any) -> None:
    _, store = sample_store
    library = StoreLibrary(store, embedder)
    stats = library.stats()
    assert stats["articles"] == len(list(SAMPLE.glob("*.md"))) and stats["chunks"] >= stats["articles"]

    hits = library.search("Huawei 5G equipment", since=None, source=None, limit=10)
    assert hits and len({h.article.id for h in hits}) == len(hits)
    assert "huawei" in hits[0].article.title.lower() or "huawei" in library.lead(hits[0].article.id).lower()
    assert library.search("Huawei", since=None, source="No Such Publisher", limit=10) == []
    recent = library.search("Huawei", since=date(2030, 1, 1), source=None, limit=10)
    assert recent == []

    article = library.get_article(hits[0].article.id)
    assert article is not None and article.chunk_count >= 1
    assert library.lead(article.id).strip()
    assert library.get_article("no-such-id") is None


def test_ingester_reports_a_refused_url_as_failed(sample_store: tuple[Settings, Any], embedder: Any) -> None:
    settings, store = sample_store
    before = store.stats()["articles"]
    summary = PipelineIngester(settings, store, embedder).ingest_urls(["http://127.0.0.1:9/article"])
    assert (summary.added, summary.updated) == (0, 0)
    assert len(summary.failed) == 1 and "127.0.0.1" in summary.failed[0]
    assert store.stats()["articles"] == before
