"""The small interfaces the Discord layer needs from the rest of geotech-bot.

The cogs talk only to these protocols; `services.py` adapts the real answering service, store and
ingest pipeline to them. Every method is blocking and is called off the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from bot.answer.labels import PublisherLabel
from bot.answer.types import Answer, Question
from bot.library_publishers import PublisherCount
from vectorstore.records import ArticleRecord


class Asker(Protocol):
    def ask(self, question: Question) -> Answer: ...


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """One article matching a /search query, best first."""

    article: ArticleRecord
    score: float
    publisher: str = ""  # its publisher with the label, as shown ("" when not labelled here)


class Library(Protocol):
    def stats(self) -> Mapping[str, Any]:
        """articles, chunks, publishers, earliest, latest, last_ingest."""
        ...

    def get_article(self, article_id: str) -> ArticleRecord | None: ...

    def lead(self, article_id: str) -> str:
        """The article's opening paragraph ('' when it has no stored text)."""
        ...

    def search(
        self,
        query: str,
        *,
        since: date | None,
        source: str | None,
        limit: int,
        publisher_types: tuple[str, ...] = (),
        exclude_publisher_types: tuple[str, ...] = (),
    ) -> Sequence[ArticleHit]: ...

    def label(self, article: ArticleRecord) -> PublisherLabel:
        """The article's publisher label (from the match ingest recorded)."""
        ...

    def publishers(self) -> Sequence[PublisherCount]:
        """Every publisher of the library with its label and article count, most first."""
        ...


@dataclass(frozen=True, slots=True)
class IngestSummary:
    added: int
    updated: int
    unchanged: int
    failed: Sequence[str] = field(default_factory=tuple)  # one line per input that failed


class Ingester(Protocol):
    def ingest_urls(self, urls: Sequence[str]) -> IngestSummary: ...


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the bot needs, built once by the entry point and passed in."""

    asker: Asker
    library: Library
    ingester: Ingester
