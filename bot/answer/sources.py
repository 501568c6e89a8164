"""Retrieved passages as citable sources: the article metadata each chunk carries becomes a Citation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from bot.answer.types import Citation, Origin
from vectorstore.records import ChunkRecord, MetadataValue
from vectorstore.retrieval import Passage

QUOTE_CHARS = 400


def origins(metadata: Mapping[str, MetadataValue]) -> tuple[Origin, ...]:
    """The article's origins from its chunk metadata (a JSON list of {path, record} or {url})."""
    raw = metadata.get("origins")
    try:
        items = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return ()
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("url"):
            out.append(Origin(url=str(item["url"])))
        elif item.get("path"):
            record = item.get("record")
            out.append(Origin(path=str(item["path"]), record=record if isinstance(record, int) else None))
    return tuple(out)


def _text(metadata: Mapping[str, MetadataValue], key: str) -> str | None:
    value = metadata.get(key)
    return str(value) if value not in (None, "") else None


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def citation(n: int, chunk: ChunkRecord, quote: str) -> Citation:
    """Source ``n``: the chunk's article, quoting ``quote`` (shortened)."""
    meta = chunk.metadata
    return Citation(
        n=n,
        article_id=str(meta.get("article_id", chunk.id)),
        title=_text(meta, "title") or _text(meta, "url") or "(untitled)",
        publisher=_text(meta, "publisher"),
        author=_text(meta, "author"),
        published=_text(meta, "published"),
        url=_text(meta, "url"),
        quote=shorten(quote),
        origin=origins(meta),
        publisher_id=_text(meta, "publisher_id"),
        publisher_type=_text(meta, "publisher_type"),
    )


@dataclass(frozen=True, slots=True)
class Source:
    """A passage handed to an answerer: its text, and how to cite it."""

    passage: Passage

    @property
    def text(self) -> str:
        return self.passage.text

    def citation(self, n: int, quote: str) -> Citation:
        return citation(n, self.passage.chunk, quote)
