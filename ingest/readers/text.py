"""Plain text and Markdown articles, including the seed format's `via <Publisher> <url> <Author>` trailer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.models import RawArticle
from ingest.readers.file_bytes import read_text_file
from ingest.settings import IngestSettings

_TRAILER = re.compile(r"^via\s+(?P<publisher>.+?)\s+(?P<url>https?://\S+)(?:\s+(?P<author>.+?))?\s*$", re.I)
# Simple `Key: value` front matter lines some briefs start with (title, date, publisher...).
_FRONT = re.compile(
    r"^(?P<key>title|date|published|publisher|source|author|url)\s*:\s*(?P<value>.+?)\s*$", re.I
)
_FRONT_KEYS = {"date": "published", "source": "publisher"}


def parse_text(text: str, origin: dict[str, str | int]) -> RawArticle:
    lines = text.strip().splitlines()
    meta: dict[str, str] = {}
    # Markdown heading or front matter at the top
    while lines and (m := _FRONT.match(lines[0].strip())):
        key = m["key"].lower()
        meta[_FRONT_KEYS.get(key, key)] = m["value"]
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and lines[0].lstrip().startswith("#"):
        meta.setdefault("title", lines.pop(0).lstrip("# ").strip())
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and (m := _TRAILER.match(lines[-1].strip())):
        lines.pop()
        meta.setdefault("publisher", m["publisher"])
        meta.setdefault("url", m["url"])
        if m["author"]:
            meta.setdefault("author", m["author"])
    return RawArticle(
        text="\n".join(lines).strip(),
        origin=origin,
        title=meta.get("title"),
        publisher=meta.get("publisher"),
        author=meta.get("author"),
        published=meta.get("published"),
        url=meta.get("url"),
    )


def read_text(path: Path, settings: IngestSettings) -> Iterator[RawArticle]:
    article = parse_text(read_text_file(path, settings), {"path": str(path), "record": 0})
    if article.text:
        yield article
