"""The records that cross the store boundary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MetadataValue = str | int | float | bool
Metadata = Mapping[str, MetadataValue]


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    """One stored chunk: its deterministic id, its text and flat metadata (Chroma-compatible)."""

    id: str
    text: str
    metadata: Metadata = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A chunk returned by a search, with the score of the index that found it (higher is better)."""

    record: ChunkRecord
    score: float


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One stored article: what the catalog knows about it beyond its chunks.

    Every field is also copied into each chunk's Chroma metadata (``origins`` as a JSON
    string), so the catalog and the keyword index can be rebuilt from Chroma alone.
    """

    id: str
    title: str
    publisher: str | None
    author: str | None
    published: str | None  # ISO date (YYYY-MM-DD), None when unknown
    url: str | None
    language: str | None
    origins: tuple[Mapping[str, str | int], ...]  # {"path", "record"} or {"url"}
    content_hash: str
    ingested_at: str  # ISO timestamp, UTC
    chunk_count: int
    # The publisher profile ingest matched (an id of its profiles) and that profile's type;
    # type "unlabelled" when no profile matched, None when the article predates matching.
    publisher_id: str | None = None
    publisher_type: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleWrite:
    """One article for ``Store.write_articles``: its record, its chunks, their vectors, a signature.

    ``embeddings`` is any sequence of vectors (a numpy array in practice); ``signature`` None
    keeps a stored one.
    """

    article: ArticleRecord
    chunks: Sequence[ChunkRecord]
    embeddings: Sequence[Sequence[float]] | Any
    signature: bytes | None = None
