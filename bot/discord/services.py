"""The real libraries, answering service, ingest pipeline and records behind the Discord ports.

Every port method takes the server it is used in and goes through ``Libraries``: reads through
``view(server)`` (the base library and the server's own), writes to ``own(server)``. There is
no reader over all libraries to reach for by mistake.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.answer.labels import Labeller, PublisherLabel
from bot.answer.timeline import Timeline
from bot.answer.types import Answer, Question
from bot.answer_log import AnswerLog
from bot.channel_modes import ChannelModes
from bot.discord.ports import ArticleHit, IngestSummary, Server, Services
from bot.feeds import FeedRegistry, FeedService
from bot.library_publishers import PublisherCount, library_publishers
from bot.records import Records
from bot.settings import Secrets, Settings
from vectorstore.records import ArticleRecord
from vectorstore.retrieval import Filters, HybridRetriever, NoMatchingPublisher

if TYPE_CHECKING:
    from bot.answer.service import AnswerService
    from ingest.publishers import PublisherDirectory
    from vectorstore.embeddings import Embedder
    from vectorstore.libraries import Libraries

# /search ranks articles by their best passage: fetch this many passages per article wanted.
_SEARCH_CANDIDATES = 100
# Answering services kept built (one per server that asked lately): each is a few objects
# over its server's view, so this bounds memory, not speed.
_ANSWER_SERVICES = 256


class ServerAsker:
    """The answering core over each server's view of the libraries, built on first use."""

    def __init__(
        self,
        settings: Settings,
        secrets: Secrets,
        libraries: Libraries,
        embedder: Embedder,
        publishers: PublisherDirectory | None = None,
    ) -> None:
        self.settings = settings
        self.secrets = secrets
        self.libraries = libraries
        self.embedder = embedder
        self.publishers = publishers
        self._services: OrderedDict[Server, AnswerService] = OrderedDict()
        self._lock = threading.Lock()

    def ask(self, question: Question, server: Server) -> Answer:
        return self.service(server).ask(question)

    def timeline(
        self, topic: str, server: Server, *, since: date | None = None, until: date | None = None
    ) -> Timeline:
        from bot.answer.timeline import build_timeline_service

        # A few small objects over the view: built per call, unlike the answering service.
        service = build_timeline_service(
            self.settings, self.libraries.view(server), self.embedder, self.publishers
        )
        return service.timeline(topic, since=since, until=until)

    def service(self, server: Server) -> AnswerService:
        from bot.answer.service import build_answer_service

        with self._lock:
            service = self._services.get(server)
            if service is None:
                service = build_answer_service(
                    self.settings,
                    self.secrets,
                    store=self.libraries.view(server),
                    embedder=self.embedder,
                    publishers=self.publishers,
                )
                self._services[server] = service
            self._services.move_to_end(server)
            while len(self._services) > _ANSWER_SERVICES:
                self._services.popitem(last=False)
            return service


class LibraryViews:
    """Library over each server's view: catalog look-ups, and article search through hybrid retrieval."""

    def __init__(self, libraries: Libraries, embedder: Embedder, *, labeller: Labeller) -> None:
        self.libraries = libraries
        self.embedder = embedder
        self.labeller = labeller

    def stats(self, server: Server) -> Mapping[str, Any]:
        return self.libraries.view(server).stats()

    def get_article(self, server: Server, article_id: str) -> ArticleRecord | None:
        return self.libraries.view(server).get_article(article_id)

    def lead(self, server: Server, article_id: str) -> str:
        chunks = self.libraries.view(server).get(where={"article_id": article_id})
        if not chunks:
            return ""
        first = min(chunks, key=lambda c: int(c.metadata.get("chunk_index", 0)))
        return first.text.strip().split("\n\n")[0]

    def search(
        self,
        server: Server,
        query: str,
        *,
        since: date | None,
        source: str | None,
        limit: int,
        publisher_types: tuple[str, ...] = (),
        exclude_publisher_types: tuple[str, ...] = (),
    ) -> list[ArticleHit]:
        view = self.libraries.view(server)
        retriever = HybridRetriever(
            view, self.embedder.embed_query, top_k=50, candidates=_SEARCH_CANDIDATES, max_per_article=1
        )
        filters = Filters(
            since=since,
            publisher=source,
            publisher_types=publisher_types,
            exclude_publisher_types=exclude_publisher_types,
        )
        try:
            passages = retriever.retrieve(query, filters, k=limit)
        except NoMatchingPublisher:
            return []
        hits: dict[str, ArticleHit] = {}
        for passage in passages:  # best first, so an article keeps its best passage's score
            article = None if passage.article_id in hits else view.get_article(passage.article_id)
            if article is not None:
                hits[article.id] = ArticleHit(article, passage.score, self.label(article).shown)
        return list(hits.values())

    def label(self, article: ArticleRecord) -> PublisherLabel:
        return self.labeller.of_article(article)

    def publishers(self, server: Server) -> list[PublisherCount]:
        return library_publishers(self.libraries.view(server).list_articles(), self.labeller)


class PipelineIngester:
    """Ingester through ingest.pipeline into a server's own library, one write at a time (runs
    share the model, and feed polls take the same lock)."""

    def __init__(
        self,
        settings: Settings,
        libraries: Libraries,
        embedder: Embedder,
        write_lock: threading.Lock,
        publishers: PublisherDirectory | None = None,
    ) -> None:
        self.settings = settings
        self.libraries = libraries
        self.embedder = embedder
        self.publishers = publishers
        self._lock = write_lock

    def ingest_urls(self, server: int, urls: Sequence[str]) -> IngestSummary:
        from ingest.pipeline import run_ingest

        with self._lock:
            report = run_ingest(
                list(urls),
                self.settings.ingest_app(),
                store=self.libraries.own(server),
                embedder=self.embedder,
                publishers=self.publishers,
            )
        return IngestSummary(
            added=len(report.added),
            updated=len(report.updated) + len(report.metadata_updated),
            unchanged=len(report.unchanged),
            failed=tuple(report.failed),
        )

    def remove(self, server: int, ref: str) -> ArticleRecord | None:
        from ingest.remove import remove_article

        library = self.libraries.existing(server)
        if library is None:
            return None
        with self._lock:
            return remove_article(library, ref)


def build_services(settings: Settings, secrets: Secrets, embedder: Embedder | None = None) -> Services:
    """Open the libraries and the records, load the model (unless ``embedder`` is one already
    loaded) and read the publisher profiles once; every command shares them (a malformed profile
    stops start-up with one line naming it)."""
    from ingest.publishers import PublisherDirectory
    from vectorstore.embeddings import build_embedder
    from vectorstore.libraries import Libraries

    publishers = PublisherDirectory.load(settings.publishers.profiles)
    libraries = Libraries(settings.vectorstore)
    embedder = embedder or build_embedder(settings.embedding, serving=True)
    # Start-up, before the gateway connects: the first /ask must not pay for the keyword index
    # or the model's first run (Discord only waits 3 s for the acknowledgement, 15 min in all).
    libraries.warm()
    embedder.embed_query("warm-up")
    records = Records(settings.records.db)
    channels = ChannelModes(records)
    channels.load()
    write_lock = threading.Lock()
    return Services(
        asker=ServerAsker(settings, secrets, libraries, embedder, publishers),
        library=LibraryViews(libraries, embedder, labeller=Labeller(publishers)),
        ingester=PipelineIngester(settings, libraries, embedder, write_lock, publishers),
        answers=AnswerLog(records),
        channels=channels,
        feeds=FeedService(
            FeedRegistry(records, settings.feeds),
            libraries,
            settings,
            lambda: embedder,
            write_lock,
            publishers,
        ),
    )
