"""``http(s)`` inputs: a single article page or an RSS/Atom feed, fetched through the SSRF guard."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ingest.errors import InputError, NotAnArticle
from ingest.fetch import Fetcher, Page
from ingest.models import Origin, RawArticle
from ingest.readers.feed import articles_from_feed, looks_like_feed
from ingest.readers.page import article_from_page
from ingest.settings import IngestSettings

_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_XML_TYPES = frozenset({"text/xml", "application/xml"})


def is_feed(page: Page) -> bool:
    if page.media_type in _FEED_TYPES:
        return True
    return page.media_type in _XML_TYPES | {"", "text/html", "text/plain"} and looks_like_feed(page.body)


def entry_origins(page: Page) -> Callable[[int, str | None], Origin]:
    """Where each entry of a fetched feed comes from: its link, else the feed and its position."""

    def origin_of(index: int, link: str | None) -> Origin:
        return {"url": link} if link else {"url": page.url, "record": index}

    return origin_of


def read_page(page: Page, fetcher: Fetcher) -> Iterator[RawArticle]:
    """The articles of a fetched page: each entry of a feed, or the page itself."""
    if is_feed(page):
        yield from articles_from_feed(
            page.body, page.requested, entry_origins(page), fetcher, location=page.url
        )
    elif page.media_type in _XML_TYPES:
        raise NotAnArticle(
            page.requested, f"not an article: {page.media_type} that is not an RSS or Atom feed"
        )
    elif page.media_type in ("application/json", "application/feed+json"):
        raise NotAnArticle(page.requested, f"not an article: {page.media_type} (JSON is read from files)")
    else:
        yield article_from_page(page, {"url": page.requested})


def read_url(url: str, settings: IngestSettings) -> Iterator[RawArticle]:
    """Fetch ``url`` and yield its articles; raises a ``FetchError``/``InputError`` naming the URL."""
    with Fetcher(settings) as fetcher:
        found = 0
        for article in read_page(fetcher.fetch(url), fetcher):
            found += 1
            yield article
    if not found:
        raise InputError(url, "no articles found (an empty feed)")
