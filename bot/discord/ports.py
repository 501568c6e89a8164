"""The small interfaces the Discord layer needs from the rest of geotech-bot.

The cogs talk only to these; `services.py` adapts the real answering service, libraries and
ingest pipeline to them. Every method is blocking and is called off the event loop. Each one
that reads or writes a library takes the server (guild) it is used in — None in a direct
message — and the libraries behind it let a server see only the base library and its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from bot.answer.labels import PublisherLabel
from bot.answer.timeline import Timeline
from bot.answer.types import Answer, Question
from bot.answer_log import AnswerLog
from bot.channel_modes import ChannelModes
from bot.feeds import FeedService
from bot.library_publishers import PublisherCount
from vectorstore.records import ArticleRecord

Server = int | None  # a guild id; None: a direct message, which sees the base library alone


class Asker(Protocol):
    def ask(self, question: Question, server: Server) -> Answer: ...

    def timeline(
        self, topic: str, server: Server, *, since: date | None = None, until: date | None = None
    ) -> Timeline:
        """The topic's dated events, oldest first, from what ``server`` may read."""
        ...


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """One article matching a /search query, best first."""

    article: ArticleRecord
    score: float
    publisher: str = ""  # its publisher with the label, as shown ("" when not labelled here)


class Library(Protocol):
    def stats(self, server: Server) -> Mapping[str, Any]:
        """articles, chunks, publishers, earliest, latest, last_ingest."""
        ...

    def get_article(self, server: Server, article_id: str) -> ArticleRecord | None: ...

    def lead(self, server: Server, article_id: str) -> str:
        """The article's opening paragraph ('' when it has no stored text)."""
        ...

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
    ) -> Sequence[ArticleHit]: ...

    def label(self, article: ArticleRecord) -> PublisherLabel:
        """The article's publisher label (from the match ingest recorded)."""
        ...

    def publishers(self, server: Server) -> Sequence[PublisherCount]:
        """Every publisher of the library with its label and article count, most first."""
        ...


@dataclass(frozen=True, slots=True)
class IngestSummary:
    added: int
    updated: int
    unchanged: int
    failed: Sequence[str] = field(default_factory=tuple)  # one line per input that failed


class Ingester(Protocol):
    """Writes to one server's own library (a server never writes the base library)."""

    def ingest_urls(self, server: int, urls: Sequence[str]) -> IngestSummary: ...

    def remove(self, server: int, ref: str) -> ArticleRecord | None:
        """Remove the article ``ref`` names (id or URL) from the server's library."""
        ...


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the bot needs, built once by the entry point and passed in."""

    asker: Asker
    library: Library
    ingester: Ingester
    answers: AnswerLog
    channels: ChannelModes
    feeds: FeedService
