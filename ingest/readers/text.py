"""Plain text and Markdown articles, including the seed format's `via <Publisher> <url> <Author>` trailer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.models import RawArticle
from ingest.readers.file_bytes import read_text_file
from ingest.readers.markdown import markdown_text
from ingest.settings import IngestSettings

_TRAILER = re.compile(r"^via\s+(?P<publisher>.+?)\s+(?P<url>https?://\S+)(?:\s+(?P<author>.+?))?\s*$", re.I)
# Simple `Key: value` front matter lines some briefs start with (title, date, publisher...).
_FRONT = re.compile(
    r"^(?P<key>title|date|published|publisher|source|author|url)\s*:\s*(?P<value>.+?)\s*$", re.I
)
_FRONT_KEYS = {"date": "published", "source": "publisher"}
# Separators of a front-matter line that packs several values.
_PACKED = re.compile(r"\s+[·|•–—]\s+")
_MARKDOWN = frozenset({".md", ".markdown"})


def parse_text(text: str, origin: dict[str, str | int], markdown: bool = False) -> RawArticle:
    """An article from plain text (``markdown``: written in Markdown, whose marks are dropped)."""
    lines = text.strip().splitlines()
    meta: dict[str, str] = {}
    # Markdown heading or front matter at the top, and front matter just under the heading
    _front_matter(lines, meta)
    if lines and lines[0].lstrip().startswith("#"):
        meta.setdefault("title", lines.pop(0).lstrip("# ").strip())
        _front_matter(lines, meta)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and (m := _TRAILER.match(lines[-1].strip())):
        lines.pop()
        meta.setdefault("publisher", m["publisher"])
        meta.setdefault("url", m["url"])
        if m["author"]:
            meta.setdefault("author", m["author"])
    body = "\n".join(lines).strip()
    return RawArticle(
        text=markdown_text(body) if markdown else body,
        origin=origin,
        title=meta.get("title"),
        publisher=meta.get("publisher"),
        author=meta.get("author"),
        published=meta.get("published"),
        url=meta.get("url"),
    )


def _front_matter(lines: list[str], meta: dict[str, str]) -> None:
    """Take the `Key: value` lines at the top of ``lines`` into ``meta``. A line that packs
    several ("Published: 3 June 2024 · Ministry of Shipping") gives the date and the publisher."""
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and (m := _FRONT.match(lines[0].strip())):
        key = _FRONT_KEYS.get(m["key"].lower(), m["key"].lower())
        value, *rest = _PACKED.split(m["value"], maxsplit=1)
        meta.setdefault(key, value.strip())
        if key == "published" and rest:
            meta.setdefault("publisher", rest[0].strip())
        lines.pop(0)
        while lines and not lines[0].strip():
            lines.pop(0)


def read_text(path: Path, settings: IngestSettings) -> Iterator[RawArticle]:
    markdown = path.suffix.lower() in _MARKDOWN
    article = parse_text(read_text_file(path, settings), {"path": str(path), "record": 0}, markdown)
    if article.text:
        yield article
