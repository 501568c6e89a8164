"""A tiny keyword-overlap implementation of the Discord ports, over articles written here.

It answers in the shape of the real core (sentences with [n] citations, each citation quoting
its passage) so the Discord layer can be exercised quickly; the real answer service is covered
by the `geobot serve` test.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.answer.labels import PublisherLabel
from bot.answer.timeline import Timeline, compose
from bot.answer.types import Answer, Citation, Question
from bot.answer_log import AnswerLog
from bot.channel_modes import ChannelModes
from bot.discord.ports import ArticleHit, IngestSummary, Server, Services
from bot.feeds import FeedRegistry, FeedService
from bot.library_publishers import PublisherCount
from bot.records import Records
from bot.settings import Settings
from vectorstore.libraries import Libraries
from vectorstore.records import ArticleRecord, ChunkRecord
from vectorstore.retrieval import Passage

_WORD = re.compile(r"[a-z0-9]+")
_STOP = {
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "and",
    "or",
    "to",
    "is",
    "are",
    "what",
    "which",
    "who",
    "did",
    "does",
}


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    publisher: str
    published: str
    url: str
    text: str

    def record(self) -> ArticleRecord:
        return ArticleRecord(
            id=self.id,
            title=self.title,
            publisher=self.publisher,
            author="Desk Writer",
            published=self.published,
            url=self.url,
            language="en",
            origins=({"url": self.url},),
            content_hash=str(hash(self.text)),
            ingested_at="2024-06-01T00:00:00+00:00",
            chunk_count=max(1, len(self.text) // 500),
        )

    def metadata(self) -> dict[str, str | int]:
        """As ingest stores it with each chunk."""
        return {
            "article_id": self.id,
            "chunk_index": 0,
            "title": self.title,
            "publisher": self.publisher,
            "published": self.published,
            "url": self.url,
        }

    def sentences(self) -> list[str]:
        return [s.strip() for s in re.split(r"(?<=[.!?])\s+", self.text) if s.strip()]


class KeywordLibrary:
    """Asker, Library and Ingester over a handful of in-memory articles."""

    def __init__(self, docs: Sequence[Doc], delay: float = 0.0) -> None:
        self.docs = {d.id: d for d in docs}
        self.delay = delay
        self.questions: list[Question] = []
        self.type_filters: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        self.ingested: list[str] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    # Asker
    def ask(self, question: Question, server: Server) -> Answer:
        with self._lock:
            self.questions.append(question)
            self.threads.add(threading.current_thread().name)
        time.sleep(self.delay)  # stands in for retrieval + generation time
        wanted = words(question.text)
        if question.history:
            wanted |= words(question.history[-1].question)
        cited: dict[str, int] = {}
        sentences: list[str] = []
        for doc in self._candidates(question):
            for sentence in doc.sentences():
                if len(words(sentence) & wanted) >= 2:
                    n = cited.setdefault(doc.id, len(cited) + 1)
                    sentences.append(f"{sentence} [{n}]")
        if not sentences:
            return Answer(question.text, "I could not find this in the articles I have.", abstained=True)
        citations = tuple(
            Citation(
                n=n,
                article_id=doc_id,
                title=self.docs[doc_id].title,
                publisher=self.docs[doc_id].publisher,
                author=None,
                published=self.docs[doc_id].published,
                url=self.docs[doc_id].url,
                quote=self.docs[doc_id].sentences()[0],
            )
            for doc_id, n in cited.items()
        )
        return Answer(question.text, " ".join(sentences), abstained=False, citations=citations)

    def timeline(
        self, topic: str, server: Server, *, since: date | None = None, until: date | None = None
    ) -> Timeline:
        """The real timeline core over the articles sharing a word with the topic."""
        with self._lock:
            self.threads.add(threading.current_thread().name)
        time.sleep(self.delay)
        wanted = words(topic)
        passages = [
            Passage(ChunkRecord(f"{d.id}:0", d.text, d.metadata()), 1.0)
            for d in self.docs.values()
            if words(d.title + " " + d.text) & wanted
        ]
        return compose(topic, passages, since=since, until=until)

    def _candidates(self, question: Question) -> list[Doc]:
        docs = list(self.docs.values())
        if question.since:
            docs = [d for d in docs if date.fromisoformat(d.published) >= question.since]
        if question.source:
            docs = [d for d in docs if d.publisher.lower() == question.source.lower()]
        return docs

    # Library
    def stats(self, server: Server) -> Mapping[str, Any]:
        dates = sorted(d.published for d in self.docs.values())
        return {
            "articles": len(self.docs),
            "chunks": sum(d.record().chunk_count for d in self.docs.values()),
            "publishers": len({d.publisher for d in self.docs.values()}),
            "earliest": dates[0],
            "latest": dates[-1],
            "last_ingest": "2024-06-01T00:00:00+00:00",
        }

    def get_article(self, server: Server, article_id: str) -> ArticleRecord | None:
        doc = self.docs.get(article_id)
        return doc.record() if doc else None

    def label(self, article: ArticleRecord) -> PublisherLabel:
        return PublisherLabel(article.publisher)  # these publishers have no profiles: unlabelled

    def publishers(self, server: Server) -> list[PublisherCount]:
        counts: dict[str, int] = {}
        for doc in self.docs.values():
            counts[doc.publisher] = counts.get(doc.publisher, 0) + 1
        return [PublisherCount(PublisherLabel(name), n) for name, n in sorted(counts.items())]

    def lead(self, server: Server, article_id: str) -> str:
        return self.docs[article_id].text.split("\n\n")[0]

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
        self.type_filters.append((publisher_types, exclude_publisher_types))
        wanted = words(query)
        docs = self._candidates(Question(query, since=since, source=source))
        scored = [(len(words(d.title + " " + d.text) & wanted), d) for d in docs]
        hits = [ArticleHit(d.record(), float(s)) for s, d in sorted(scored, key=lambda x: -x[0]) if s > 0]
        return hits[:limit]

    # Ingester
    def ingest_urls(self, server: int, urls: Sequence[str]) -> IngestSummary:
        self.ingested.extend(urls)
        return IngestSummary(added=len(urls), updated=0, unchanged=0)

    def remove(self, server: int, ref: str) -> ArticleRecord | None:
        doc = self.docs.pop(ref, None)
        return doc.record() if doc else None


def services_over(library: KeywordLibrary, folder: Path, settings: Settings) -> Services:
    """The Discord services with ``library`` for answering, and real records in ``folder``
    (answers, channel modes, feeds; feeds are never polled here)."""
    records = Records(folder / "records.sqlite3")
    libraries = Libraries(settings.vectorstore.model_copy(update={"path": folder / "store"}))

    def no_model() -> Any:
        raise AssertionError("these tests poll no feed")

    return Services(
        asker=library,
        library=library,
        ingester=library,
        answers=AnswerLog(records),
        channels=ChannelModes(records),
        feeds=FeedService(
            FeedRegistry(records, settings.feeds), libraries, settings, no_model, threading.Lock()
        ),
    )
