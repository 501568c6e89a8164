"""How an article's fields are flattened into each chunk's metadata, and read back.

Chroma metadata holds only str/int/float/bool: unknown values are left out (never None) and
``origins`` is a JSON string. Because every chunk carries its article's fields, the catalog and
the keyword index can be rebuilt from Chroma alone (``Store.reindex``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from vectorstore.records import ArticleRecord, MetadataValue

# The article-level keys copied into every chunk; `chunk_index`, `start_char` and `end_char`
# are the chunk's own.
ARTICLE_KEYS = (
    "article_id",
    "title",
    "publisher",
    "author",
    "published",
    "published_ts",
    "url",
    "language",
    "origins",
    "content_hash",
    "ingested_at",
    "publisher_id",
    "publisher_type",
)


def chunk_id(article_id: str, index: int) -> str:
    """The deterministic id of an article's index-th chunk, so rewriting an article is idempotent."""
    return f"{article_id}:{index}"


def next_chunk_id(chunk: str) -> str | None:
    """The id of the chunk after ``chunk`` in its article; None for an id not made by chunk_id."""
    article, _, index = chunk.rpartition(":")
    return chunk_id(article, int(index) + 1) if article and index.isdigit() else None


def published_ts(published: str | None) -> int | None:
    """Epoch seconds (UTC midnight) of an ISO date, for range filters; None when unknown or invalid."""
    if not published:
        return None
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def article_metadata(article: ArticleRecord) -> dict[str, MetadataValue | None]:
    """The article's fields as chunk metadata; None marks a field that is unknown (to be omitted)."""
    return {
        "article_id": article.id,
        "title": article.title,
        "publisher": article.publisher,
        "author": article.author,
        "published": article.published,
        "published_ts": published_ts(article.published),
        "url": article.url,
        "language": article.language,
        "origins": json.dumps([dict(o) for o in article.origins], sort_keys=True),
        "content_hash": article.content_hash,
        "ingested_at": article.ingested_at,
        "publisher_id": article.publisher_id,
        "publisher_type": article.publisher_type,
    }


def present(meta: Mapping[str, MetadataValue | None]) -> dict[str, MetadataValue]:
    """Drop unknown (None) values: Chroma metadata cannot hold them."""
    return {k: v for k, v in meta.items() if v is not None}


def article_from_metadata(meta: Mapping[str, Any], chunk_count: int) -> ArticleRecord:
    """Rebuild an article from one of its chunks' metadata."""

    def text(key: str) -> str | None:
        value = meta.get(key)
        return str(value) if value is not None and value != "" else None

    return ArticleRecord(
        id=str(meta["article_id"]),
        title=str(meta.get("title") or ""),
        publisher=text("publisher"),
        author=text("author"),
        published=text("published"),
        url=text("url"),
        language=text("language"),
        origins=parse_origins(meta.get("origins")),
        content_hash=str(meta.get("content_hash") or ""),
        ingested_at=str(meta.get("ingested_at") or ""),
        chunk_count=chunk_count,
        publisher_id=text("publisher_id"),
        publisher_type=text("publisher_type"),
    )


def parse_origins(raw: Any) -> tuple[Mapping[str, str | int], ...]:
    if not isinstance(raw, str) or not raw:
        return ()
    try:
        data = json.loads(raw)
    except ValueError:
        return ()
    return tuple(o for o in data if isinstance(o, dict)) if isinstance(data, list) else ()
