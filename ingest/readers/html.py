"""HTML pages: main text and metadata with trafilatura, the date with htmldate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.errors import InputError
from ingest.models import Origin, RawArticle
from ingest.readers.file_bytes import read_bytes
from ingest.settings import IngestSettings


def article_from_html(html: str | bytes, origin: Origin, url: str | None = None) -> RawArticle:
    """One article from a page (a saved file or a fetched URL); InputError if it holds none."""
    from htmldate import find_date
    from trafilatura import bare_extraction

    source = str(origin.get("url") or origin.get("path"))
    found = bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        # trafilatura's duplicate cache is process-wide: with it on, a page read a second time in
        # one process (a re-ingest from the bot, a feed entry and its own URL) comes back empty.
        deduplicate=False,
    )
    # A Document (its as_dict parameter is deprecated); typed to allow the dict it once gave.
    doc: dict[str, str | None] = (
        {} if found is None else found if isinstance(found, dict) else found.as_dict()
    )
    text = doc.get("text") or ""
    if not text.strip():
        raise InputError(source, "no article text found in the page")
    published = doc.get("date") or find_date(html, url=url, original_date=True, extensive_search=False)
    sitename = doc.get("sitename") or None
    # trafilatura falls back to the copyright line ("Copyright 2021 by The Global Times")
    # when the page names no site; the author field is the better publisher there.
    if sitename and sitename.lower().startswith("copyright"):
        sitename = doc.get("author") or None
    return RawArticle(
        text=text,
        origin=origin,
        title=doc.get("title") or None,
        publisher=sitename,
        author=doc.get("author") if doc.get("author") and doc.get("author") != sitename else None,
        published=published,
        url=doc.get("url") or url,
        language=doc.get("language") or None,
    )


def read_html(path: Path, settings: IngestSettings) -> Iterator[RawArticle]:
    yield article_from_html(read_bytes(path, settings), {"path": str(path), "record": 0})
