"""A followed feed, polled: a conditional GET, the entries not seen before, ingested into one library.

The caller (``bot.feeds``) keeps what a poll must remember — the validators for the next
conditional GET, which entries were seen — and hands it back; nothing here keeps state.

What is new: an entry belongs to the digest when the article it became is new to the library —
added by this poll, or by an earlier attempt of the same poll that was killed before the caller
could record it (``started_at``: when the first attempt began; such an article was stored no
earlier). An entry that merged into an article stored before the poll began is not new.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ingest.errors import NotAFeed
from ingest.fetch import Fetcher, Page
from ingest.models import Origin, RawArticle
from ingest.pipeline import IngestReport, ingest_articles
from ingest.readers.feed import articles_from_feed, parse_feed
from ingest.readers.web import entry_origins, is_feed
from ingest.settings import IngestAppSettings, IngestSettings

if TYPE_CHECKING:
    from ingest.publishers import PublisherDirectory
    from vectorstore.base import ArticleStore
    from vectorstore.embeddings import Embedder
    from vectorstore.records import ArticleRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Validators:
    """What the feed's last response said about its version, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FeedInfo:
    title: str | None
    entries: int


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a poll that is (a copy of) an article new to the library."""

    key: str  # the entry's identity in its feed (its origin)
    article_id: str
    title: str
    publisher: str | None  # this copy's publisher (syndicated copies name theirs)
    published: str | None  # the article's ISO date
    url: str | None


@dataclass
class Poll:
    changed: bool  # False: the server answered 304 Not Modified, nothing was read or stored
    validators: Validators
    title: str | None = None
    seen: list[str] = field(default_factory=list)  # keys of the entries read this poll
    items: list[FeedItem] = field(default_factory=list)
    report: IngestReport | None = None


def entry_key(origin: Origin) -> str:
    return json.dumps(dict(origin), sort_keys=True)


def _require_feed(page: Page, url: str) -> None:
    if not is_feed(page):
        html = page.media_type in ("text/html", "application/xhtml+xml")
        kind = "an HTML page" if html else page.media_type or "something else"
        raise NotAFeed(url, f"not an RSS or Atom feed: the address returns {kind}")


def check_feed(url: str, settings: IngestSettings) -> FeedInfo:
    """Fetch ``url`` once (through the URL guard) and read it as a feed; raises an InputError
    (a FetchError, NotAFeed...) naming the URL and saying why it cannot be followed."""
    with Fetcher(settings) as fetcher:
        page = fetcher.fetch(url)
    _require_feed(page, url)
    parsed = parse_feed(page.body, url, page.url)
    return FeedInfo(parsed.feed.get("title") or None, len(parsed.entries))


def poll_feed(
    url: str,
    *,
    validators: Validators,
    seen: Callable[[str], bool],
    started_at: str,
    settings: IngestAppSettings,
    store: ArticleStore,
    embedder: Embedder | None = None,
    publishers: PublisherDirectory | None = None,
) -> Poll:
    """Poll ``url`` once: unless unchanged, ingest its entries ``seen`` does not know into
    ``store``. Raises an InputError (or a store error) when the poll fails; nothing is to be
    remembered then."""
    considered: list[str] = []

    def skip(origin: Origin) -> bool:
        key = entry_key(origin)
        if seen(key):
            return True
        considered.append(key)
        return False

    with Fetcher(settings.ingest) as fetcher:
        page = fetcher.fetch_if_changed(url, validators.etag, validators.last_modified)
        if page is None:
            return Poll(changed=False, validators=validators)
        _require_feed(page, url)
        title = parse_feed(page.body, url, page.url).feed.get("title") or None
        raws = list(articles_from_feed(page.body, url, entry_origins(page), fetcher, page.url, skip))
    poll = Poll(True, Validators(page.etag, page.last_modified), title, considered)
    if raws:
        poll.report = ingest_articles(raws, settings, store=store, embedder=embedder, publishers=publishers)
        if poll.report.failed:
            failed = poll.report.failed
            logger.warning("%s: %d entries not ingested: %s", url, len(failed), failed)
        poll.items = _new_items(raws, poll.report, store, started_at)
    return poll


def _new_items(
    raws: Iterable[RawArticle], report: IngestReport, store: ArticleStore, started_at: str
) -> list[FeedItem]:
    stored: dict[str, ArticleRecord] = {}
    touched = [*report.added, *report.updated, *report.metadata_updated, *report.unchanged]
    for article_id in dict.fromkeys(touched):
        article = store.get_article(article_id)
        if article is not None:
            stored[article_id] = article
    new = set(report.added) | {
        i for i in report.unchanged if i in stored and stored[i].ingested_at >= started_at
    }
    by_origin = {entry_key(o): a for a in stored.values() if a.id in new for o in a.origins}
    items = []
    for raw in raws:
        article = by_origin.get(entry_key(raw.origin))
        if article is not None:
            items.append(
                FeedItem(
                    key=entry_key(raw.origin),
                    article_id=article.id,
                    title=article.title,
                    publisher=raw.publisher or article.publisher,
                    published=article.published,
                    url=article.url or raw.url,
                )
            )
    return items
