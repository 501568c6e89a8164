"""The storage interfaces the rest of geotech-bot talks to; ``vectorstore.store.Store`` is the
one implementation of a library, ``vectorstore.libraries`` keeps one per Discord server, and
tests/vectorstore/test_store_contract.py holds every store to them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from vectorstore.records import ArticleRecord, ArticleWrite, ChunkRecord, ScoredChunk

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Where = Mapping[str, Any]  # a Chroma `where` filter


class ChunkReader(Protocol):
    """Searching and reading chunks: the dense index (cosine, higher is closer) and the keyword
    index (BM25); ``where`` is Chroma's filter syntax."""

    def get(
        self, ids: Sequence[str] | None = None, where: Where | None = None, limit: int | None = None
    ) -> list[ChunkRecord]: ...

    def query(self, embedding: Sequence[float], k: int, where: Where | None = None) -> list[ScoredChunk]: ...

    def keyword_query(self, text: str, k: int, where: Where | None = None) -> list[ScoredChunk]: ...

    def count(self) -> int: ...


class ChunkStore(ChunkReader, Protocol):
    """Dense (Chroma) and keyword (BM25 over SQLite rows) indexes of chunks, kept in step.

    ``add`` upserts by id; every write reaches both indexes.
    """

    # Vectors are a numpy array in practice; numpy is imported only to check types, so that
    # reading the catalog alone never pays for it.
    def add(
        self, records: Sequence[ChunkRecord], embeddings: Sequence[Sequence[float]] | NDArray[np.float32]
    ) -> None: ...

    def delete(self, ids: Sequence[str] | None = None, where: Where | None = None) -> int: ...


class ArticleLookup(Protocol):
    """Stored articles, one by id or listed."""

    def get_article(self, article_id: str) -> ArticleRecord | None: ...

    def list_articles(
        self,
        publisher: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArticleRecord]:
        """Newest first (undated last); dates are ISO strings, bounds inclusive."""
        ...


class ArticleCatalog(ArticleLookup, Protocol):
    """What is stored, article by article. ``vectorstore.catalog.open_catalog`` opens it without
    the vectors, for deciding what to write before paying for Chroma."""

    def article_signatures(self) -> dict[str, bytes]:
        """Article id → the signature stored with it (near-duplicate detection)."""
        ...

    def article_ids(self) -> set[str]: ...

    def publishers(self) -> set[str]:
        """Every publisher name, lower-cased."""
        ...

    def close(self) -> None: ...


class LibraryReader(ChunkReader, ArticleLookup, Protocol):
    """What one Discord server reads: its library and the base library, searched as one and
    never written (``vectorstore.libraries.LibraryView``; a single ``ArticleStore`` is one too)."""

    def find_article_by_hash(self, content_hash: str) -> ArticleRecord | None: ...

    def stats(self) -> dict[str, Any]:
        """articles, chunks, publishers (count), earliest/latest (ISO dates), last_ingest."""
        ...

    def article_count(self) -> int:
        """``stats()["articles"]`` without the rest: cheap enough to say on every answer."""
        ...

    def publisher_names(self) -> set[str]:
        """Every publisher name as stored (a publisher filter matches them)."""
        ...

    def warm(self) -> None:
        """Build what the first query would otherwise wait for."""
        ...


class ArticleStore(ChunkStore, ArticleCatalog, LibraryReader, Protocol):
    """The whole store as ingest and the bot use it: chunks and their articles, written together."""

    @property
    def local_folder(self) -> Path | None:
        """The folder holding every part of the store, where a caller may keep records that are
        only valid as long as the store is (ingest's manifest); None when the vectors live on a
        Chroma server, which can be emptied or replaced without this process knowing."""
        ...

    def write_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """Store each article's chunks, vectors and catalog row, replacing any earlier version."""
        ...

    def write_article(
        self,
        article: ArticleRecord,
        chunks: Sequence[ChunkRecord],
        embeddings: Sequence[Sequence[float]] | NDArray[np.float32],
        signature: bytes | None = None,
    ) -> None: ...

    def update_article_metadata(self, article: ArticleRecord, signature: bytes | None = None) -> None:
        """New catalog fields for a stored article, without re-embedding; KeyError if not stored."""
        ...

    def delete_article(self, article_id: str) -> bool: ...

    def reindex(self) -> dict[str, int]:
        """Rebuild the keyword index and the catalog from the vectors' metadata alone, and make
        sentence notes of an earlier version of the rules again."""
        ...


__all__ = [
    "ArticleCatalog",
    "ArticleLookup",
    "ArticleRecord",
    "ArticleStore",
    "ArticleWrite",
    "ChunkReader",
    "ChunkRecord",
    "ChunkStore",
    "LibraryReader",
    "ScoredChunk",
    "Where",
]
