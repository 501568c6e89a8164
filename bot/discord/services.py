"""The real store, retrieval, answering service and ingest pipeline behind the Discord ports."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.answer.labels import Labeller, PublisherLabel
from bot.discord.ports import ArticleHit, Asker, IngestSummary, Services
from bot.library_publishers import PublisherCount, library_publishers
from bot.settings import Secrets, Settings
from vectorstore.records import ArticleRecord
from vectorstore.retrieval import Filters, HybridRetriever, NoMatchingPublisher

if TYPE_CHECKING:
    from ingest.publishers import PublisherDirectory
    from vectorstore.base import ArticleStore
    from vectorstore.embeddings import Embedder

# /search ranks articles by their best passage: fetch this many passages per article wanted.
_SEARCH_CANDIDATES = 100


class StoreLibrary:
    """Library over the store: catalog look-ups, and article search through hybrid retrieval."""

    def __init__(self, store: ArticleStore, embedder: Embedder, *, labeller: Labeller) -> None:
        self.store = store
        self.labeller = labeller
        self.retriever = HybridRetriever(
            store, embedder.embed_query, top_k=50, candidates=_SEARCH_CANDIDATES, max_per_article=1
        )

    def stats(self) -> Mapping[str, Any]:
        return self.store.stats()

    def get_article(self, article_id: str) -> ArticleRecord | None:
        return self.store.get_article(article_id)

    def lead(self, article_id: str) -> str:
        chunks = self.store.get(where={"article_id": article_id})
        if not chunks:
            return ""
        first = min(chunks, key=lambda c: int(c.metadata.get("chunk_index", 0)))
        return first.text.strip().split("\n\n")[0]

    def search(
        self,
        query: str,
        *,
        since: date | None,
        source: str | None,
        limit: int,
        publisher_types: tuple[str, ...] = (),
        exclude_publisher_types: tuple[str, ...] = (),
    ) -> list[ArticleHit]:
        filters = Filters(
            since=since,
            publisher=source,
            publisher_types=publisher_types,
            exclude_publisher_types=exclude_publisher_types,
        )
        try:
            passages = self.retriever.retrieve(query, filters, k=limit)
        except NoMatchingPublisher:
            return []
        hits: dict[str, ArticleHit] = {}
        for passage in passages:  # best first, so an article keeps its best passage's score
            article = None if passage.article_id in hits else self.store.get_article(passage.article_id)
            if article is not None:
                hits[article.id] = ArticleHit(article, passage.score, self.label(article).shown)
        return list(hits.values())

    def label(self, article: ArticleRecord) -> PublisherLabel:
        return self.labeller.of_article(article)

    def publishers(self) -> list[PublisherCount]:
        return library_publishers(self.store.list_articles(), self.labeller)


class PipelineIngester:
    """Ingester through ingest.pipeline, one run at a time (runs share the store and the model)."""

    def __init__(
        self,
        settings: Settings,
        store: ArticleStore,
        embedder: Embedder,
        publishers: PublisherDirectory | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.publishers = publishers
        self._lock = threading.Lock()

    def ingest_urls(self, urls: Sequence[str]) -> IngestSummary:
        from ingest.pipeline import run_ingest
        from ingest.settings import IngestAppSettings

        app = IngestAppSettings(
            vectorstore=self.settings.vectorstore,
            embedding=self.settings.embedding,
            ingest=self.settings.ingest,
            publishers=self.settings.publishers,
        )
        with self._lock:
            report = run_ingest(
                list(urls), app, store=self.store, embedder=self.embedder, publishers=self.publishers
            )
        return IngestSummary(
            added=len(report.added),
            updated=len(report.updated) + len(report.metadata_updated),
            unchanged=len(report.unchanged),
            failed=tuple(report.failed),
        )


def build_asker(
    settings: Settings,
    secrets: Secrets,
    store: ArticleStore,
    embedder: Embedder,
    publishers: PublisherDirectory | None = None,
) -> Asker:
    """The answering core over the shared store, model and publisher profiles."""
    from bot.answer.service import build_answer_service

    asker: Asker = build_answer_service(
        settings, secrets, store=store, embedder=embedder, publishers=publishers
    )
    return asker


def build_services(settings: Settings, secrets: Secrets) -> Services:
    """Open the store, load the model and read the publisher profiles once; every command shares
    them (a malformed profile stops start-up with one line naming it)."""
    from ingest.publishers import PublisherDirectory
    from vectorstore.embeddings import build_embedder
    from vectorstore.store import build_store

    publishers = PublisherDirectory.load(settings.publishers.profiles)
    store = build_store(settings.vectorstore)
    embedder = build_embedder(settings.embedding, serving=True)
    # Start-up, before the gateway connects: the first /ask must not pay for the keyword index
    # or the model's first run (Discord only waits 3 s for the acknowledgement, 15 min in all).
    store.warm()
    embedder.embed_query("warm-up")
    return Services(
        asker=build_asker(settings, secrets, store, embedder, publishers),
        library=StoreLibrary(store, embedder, labeller=Labeller(publishers)),
        ingester=PipelineIngester(settings, store, embedder, publishers),
    )
