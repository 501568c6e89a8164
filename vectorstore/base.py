"""The one small storage interface the rest of geotech-bot talks to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from vectorstore.records import ArticleRecord, ChunkRecord, ScoredChunk

Where = Mapping[str, Any]  # a Chroma `where` filter


class ChunkStore(Protocol):
    """Dense (Chroma) and keyword (BM25 over SQLite rows) indexes of chunks, kept in step.

    ``add`` upserts by id; every write reaches both indexes; ``where`` is Chroma's filter syntax.
    """

    def add(self, records: Sequence[ChunkRecord], embeddings: Sequence[Sequence[float]]) -> None: ...

    def delete(self, ids: Sequence[str] | None = None, where: Where | None = None) -> int: ...

    def get(
        self, ids: Sequence[str] | None = None, where: Where | None = None, limit: int | None = None
    ) -> list[ChunkRecord]: ...

    def query(self, embedding: Sequence[float], k: int, where: Where | None = None) -> list[ScoredChunk]: ...

    def keyword_query(self, text: str, k: int, where: Where | None = None) -> list[ScoredChunk]: ...

    def count(self) -> int: ...


__all__ = ["ArticleRecord", "ChunkRecord", "ChunkStore", "ScoredChunk", "Where"]
