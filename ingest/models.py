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
