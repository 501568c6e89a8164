"""A fetched page (HTML or plain text) as one article."""

from __future__ import annotations

from ingest.errors import NotAnArticle
from ingest.fetch import Page
from ingest.models import Origin, RawArticle
from ingest.readers.html import article_from_html

# A page without a Content-Type that is not a feed is read as HTML: trafilatura copes with
# text that has no markup at all.
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})


def article_from_page(page: Page, origin: Origin) -> RawArticle:
    """Main text and metadata of an HTML page, or a plain-text page as it is."""
    if page.media_type in _HTML_TYPES:
        return article_from_html(page.body, origin, url=page.url)
    if page.media_type == "text/plain":
        return RawArticle(text=page.text().strip(), origin=origin, url=page.url)
    raise NotAnArticle(page.requested, f"not an article: {page.media_type} is not a page or a feed")
