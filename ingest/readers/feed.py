"""RSS and Atom feeds, fetched or saved as files: one article per entry.

feedparser only ever parses bytes we hand it (never a URL or a path, which it would open
itself, outside the SSRF guard). An entry that carries only a short summary is completed by
fetching its link through the same guarded ``Fetcher``.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ingest.errors import InputError
from ingest.fetch import Fetcher
from ingest.models import Origin, RawArticle
from ingest.readers.file_bytes import read_bytes
from ingest.readers.page import article_from_page
from ingest.settings import IngestSettings

logger = logging.getLogger(__name__)

# Feeds that carry whole articles put them in <content> or in a long <description>; a
# summary shorter than this is a teaser, and the linked page has the article.
SHORT_SUMMARY_CHARS = 600
_FEED_ROOT = re.compile(rb"<(?:[a-z0-9]+:)?(rss|feed|RDF)\b")
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)\b", re.I)
_SNIFF_BYTES = 2048
_BLOCKS = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "section"}
)


def looks_like_feed(data: bytes) -> bool:
    """True if the document's root element is an RSS, Atom or RDF feed (not an HTML page)."""
    head = data[:_SNIFF_BYTES]
    feed = _FEED_ROOT.search(head)
    if feed is None:
        return False
    page = _HTML_ROOT.search(head)
    return page is None or page.start() > feed.start()


def _html_to_text(fragment: str) -> str:
    """Text of an entry's HTML content, one paragraph per block element."""
    import lxml.html
    from lxml.etree import ParserError

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except ParserError:
        return ""
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for el in root.iter():
        if el.tag in _BLOCKS:
            el.tail = "\n\n" + (el.tail or "")
        elif el.tag == "br":
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _entry_text(entry: Any) -> str:
    contents = [c.get("value", "") for c in entry.get("content", [])]
    best = max(contents, key=len, default="") or entry.get("summary", "")
    return _html_to_text(best)


def parse_feed(data: bytes, source: str, location: str | None = None) -> Any:
    """feedparser's reading of a feed; InputError naming ``source`` if the data is no feed."""
    import feedparser

    headers = {"content-location": location} if location else {}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.version:
        problem = parsed.get("bozo_exception")
        detail = f" ({str(problem).splitlines()[0]})" if problem else ""
        raise InputError(source, f"not an RSS or Atom feed{detail}")
    return parsed


def articles_from_feed(
    data: bytes,
    source: str,
    origin_of: Callable[[int, str | None], Origin],
    fetcher: Fetcher,
    location: str | None = None,
    skip: Callable[[Origin], bool] | None = None,
) -> Iterator[RawArticle]:
    """One article per entry; ``origin_of(index, link)`` says where each came from, and an
    entry whose origin ``skip`` accepts is passed over before anything is fetched for it (a
    followed feed's entries seen at an earlier poll).

    An entry whose text is only a short summary is replaced by its linked page when that
    can be fetched; otherwise the summary is kept, with a warning. An entry naming its own
    source (RSS ``<source>``, as aggregators and syndication feeds do) has that publisher.
    """
    parsed = parse_feed(data, source, location)
    feed_publisher = parsed.feed.get("title") or None
    language = parsed.feed.get("language") or None
    if not parsed.entries:
        logger.warning("%s: the feed has no entries", source)
    for index, entry in enumerate(parsed.entries):
        link = entry.get("link") or None
        origin = origin_of(index, link)
        if skip is not None and skip(origin):
            continue
        text = _entry_text(entry)
        title = entry.get("title") or None
        publisher = (entry.get("source") or {}).get("title") or feed_publisher
        author = entry.get("author") or None
        published = entry.get("published") or entry.get("updated") or None
        if len(text) < SHORT_SUMMARY_CHARS and link:
            try:
                page = article_from_page(fetcher.fetch(link), origin)
            except InputError as exc:
                logger.warning("%s: entry %d has only a summary and its link failed: %s", source, index, exc)
            else:
                yield RawArticle(
                    text=page.text,
                    origin=origin,
                    title=page.title or title,
                    publisher=page.publisher or publisher,
                    author=page.author or author,
                    published=page.published or published,
                    url=page.url or link,
                    language=page.language or language,
                )
                continue
        if not text:
            logger.warning("%s: entry %d has no text; skipped", source, index)
            continue
        yield RawArticle(
            text=text,
            origin=origin,
            title=title,
            publisher=publisher,
            author=author,
            published=published,
            url=link,
            language=language,
        )


def read_feed(path: Path, settings: IngestSettings) -> Iterator[RawArticle]:
    """A feed saved as a file (.rss, .atom, .xml); links of summary-only entries are fetched."""
    data = read_bytes(path, settings)
    with Fetcher(settings) as fetcher:
        yield from articles_from_feed(
            data, str(path), lambda i, _link: {"path": str(path), "record": i}, fetcher
        )
