"""Removing an article takes away all ingest wrote for it, nothing else, and it can come back."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ingest.manifest import FILENAME as MANIFEST
from ingest.pipeline import run_ingest
from ingest.remove import find_article, remove_article
from ingest.settings import IngestAppSettings, IngestSettings
from tests.conftest import REPO
from tests.feed_server import VELDORIA, FeedServer
from vectorstore.libraries import Libraries
from vectorstore.settings import VectorStoreSettings

pytestmark = pytest.mark.integration

SERVER = 424242424242424242


def _manifest_paths(folder: Path) -> set[str]:
    with sqlite3.connect(folder / MANIFEST) as db:
        return {row[0] for row in db.execute("SELECT path FROM ingest_manifest")}


def test_remove_then_reingest_a_file_article(tmp_path: Path, embedder: Any) -> None:
    sample = tmp_path / "sample"
    shutil.copytree(REPO / "data" / "sample", sample)
    settings = IngestAppSettings(vectorstore=VectorStoreSettings(path=tmp_path / "store"))
    with Libraries(settings.vectorstore) as libraries:
        store = libraries.own(SERVER)
        assert run_ingest([sample], settings, store=store, embedder=embedder).ok
        folder = store.local_folder
        assert folder is not None and len(_manifest_paths(folder)) == 6
        uk = next(a for a in store.list_articles() if "uk_huawei" in str(a.origins))
        others = {a.id: a.content_hash for a in store.list_articles() if a.id != uk.id}
        chunks_before = store.count()
        signatures = store.article_signatures()
        assert uk.id in signatures

        removed = remove_article(store, uk.id)
        assert removed is not None and removed.id == uk.id
        assert store.get_article(uk.id) is None
        assert store.get(where={"article_id": uk.id}) == []
        assert all(
            uk.id != h.record.metadata["article_id"] for h in store.keyword_query("Huawei 35 per cent", 50)
        )
        assert uk.id not in store.article_signatures()
        assert store.count() == chunks_before - uk.chunk_count
        assert {a.id: a.content_hash for a in store.list_articles()} == others
        assert (
            not any("uk_huawei" in p for p in _manifest_paths(folder)) and len(_manifest_paths(folder)) == 5
        )
        assert remove_article(store, uk.id) is None

        again = run_ingest([sample], settings, store=store, embedder=embedder)
        assert again.added == [uk.id] and len(again.skipped_files) == 5
        assert store.count() == chunks_before and store.get_article(uk.id) is not None
        assert libraries.own(None).count() == 0  # the base library was never touched


def test_remove_by_url(tmp_path: Path, embedder: Any) -> None:
    settings = IngestAppSettings(
        vectorstore=VectorStoreSettings(path=tmp_path / "store"),
        ingest=IngestSettings(allow_private_urls=True),
    )
    with FeedServer([]) as site, Libraries(settings.vectorstore) as libraries:
        store = libraries.own(None)
        url = f"{site.base}/articles/{VELDORIA.slug}.html"
        assert run_ingest([url], settings, store=store, embedder=embedder).added
        assert (
            find_article(store, url) is not None
            and find_article(store, "https://elsewhere.example/x") is None
        )
        removed = remove_article(store, url)
        assert removed is not None and removed.title == VELDORIA.title
        assert store.count() == 0 and store.stats()["articles"] == 0
        assert run_ingest([url], settings, store=store, embedder=embedder).added == [removed.id]
