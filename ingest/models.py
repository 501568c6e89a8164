"""What readers produce: one article as found in its input, before cleaning and normalising."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Origin = Mapping[str, str | int]  # {"path": str, "record": int} or {"url": str}


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article exactly as a reader found it.

    Fields are as raw as the input had them: ``published`` is whatever date string the source
    gave (normalised later with dateparser), ``text`` still carries page furniture (removed by
    ``ingest.clean``). ``None`` means the input did not say. ``origin`` is where it came from:
    ``{"path": <file>, "record": <0-based row/line/entry>}`` or ``{"url": <address>}``.
    """

    text: str
    origin: Origin
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned, normalised article, ready to deduplicate and chunk.

    ``id`` is the canonical URL when one is known, else derived from ``content_hash`` (the
    SHA-256 of the normalised body, which is also the exact-duplicate key). ``published`` is an
    ISO date and ``published_ts`` its epoch seconds (UTC midnight), both None when unknown.
    """

    id: str
    title: str
    text: str
    publisher: str | None
    author: str | None
    published: str | None
    published_ts: int | None
    url: str | None
    language: str | None
    origins: tuple[Origin, ...]
    content_hash: str
    title_is_derived: bool = False
    # The publisher profile matched at ingest (ingest.publishers); None and "unlabelled" if none.
    publisher_id: str | None = None
    publisher_type: str | None = None
