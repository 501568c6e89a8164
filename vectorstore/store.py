"""The store: Chroma (dense) and SQLite (keyword rows + article catalog) kept in step.

Write order, chosen so that ``kill -9`` at any point leaves a state the next ingest repairs:
Chroma first (upsert the new chunks, delete the article's stale ones), then ONE SQLite
transaction that replaces the article's keyword rows and writes its catalog row last. Until
that commit the catalog shows the old version (or nothing), so a rerun that compares
``content_hash`` redoes the article; chunk ids ``<article_id>:<index>`` make the redo idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from language.annotations import METADATA_KEY, encoded_notes, is_current
from vectorstore.base import Where
from vectorstore.catalog import open_catalog
from vectorstore.chroma import ChromaIndex, Vectors, open_client
from vectorstore.keyword import KeywordIndex
from vectorstore.metadata import ARTICLE_KEYS, article_from_metadata, article_metadata, chunk_id, present
from vectorstore.records import ArticleRecord, ArticleWrite, ChunkRecord, MetadataValue, ScoredChunk
from vectorstore.settings import VectorStoreSettings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

logger = logging.getLogger(__name__)

STATS_KEYS = ("articles", "chunks", "publishers", "earliest", "latest", "last_ingest")


class Store:
    """``ArticleStore`` (vectorstore.base) over Chroma + SQLite."""

    def __init__(self, dense: ChromaIndex, keyword: KeywordIndex) -> None:
        self.dense = dense
        self.keyword = keyword

    @property
    def local_folder(self) -> Path | None:
        return None if self.dense.remote else self.keyword.path.parent

    def close(self) -> None:
        self.keyword.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ChunkStore --------------------------------------------------------------------------

    def add(self, records: Sequence[ChunkRecord], embeddings: Vectors) -> None:
        """Upsert chunks by id into both indexes (the catalog is left alone: see write_article)."""
        self.dense.upsert(records, embeddings)
        with self.keyword.transaction() as db:
            self.keyword.upsert_chunks(db, records)

    def delete(self, ids: Sequence[str] | None = None, where: Where | None = None) -> int:
        """Delete chunks by ids and/or filter from both indexes; recount the affected articles."""
        if ids is None and where is None:
            raise ValueError("delete needs ids or where (refusing to delete everything)")
        if where is not None:
            matched = self.dense.ids(where)
            wanted = set(ids) if ids is not None else None
            targets = [i for i in matched if wanted is None or i in wanted]
        else:
            targets = list(dict.fromkeys(ids or []))
        if not targets:
            return 0
        existing = self.dense.get(ids=targets)
        self.dense.delete([r.id for r in existing])
        articles = {str(r.metadata["article_id"]) for r in existing if "article_id" in r.metadata}
        with self.keyword.transaction() as db:
            articles |= self.keyword.chunk_articles(targets)
            self.keyword.delete_chunks(db, targets)
            self.keyword.refresh_chunk_counts(db, articles)
        return len(existing)

    def get(
        self, ids: Sequence[str] | None = None, where: Where | None = None, limit: int | None = None
    ) -> list[ChunkRecord]:
        """Chunks by id (in the order asked) or by filter; ids are read from the SQLite rows,
        and from Chroma only for ids those rows lack, as in query()."""
        if ids is None or where is not None:
            return self.dense.get(ids, where, limit)
        records = self.keyword.records(ids)
        missing = [i for i in ids if i not in records]
        if missing:
            records |= {r.id: r for r in self.dense.get(ids=missing)}
        found = [records[i] for i in dict.fromkeys(ids) if i in records]
        return found[:limit] if limit is not None else found

    def query(self, embedding: Sequence[float], k: int, where: Where | None = None) -> list[ScoredChunk]:
        """Nearest chunks by cosine similarity (score in [-1, 1], higher is closer).

        Chroma finds the ids; their texts and metadata come from the SQLite rows kept beside it
        (the same records, written in the same step), and from Chroma for any id those rows
        lack, e.g. on a replica sharing a server whose rows have not been rebuilt yet.
        """
        hits = self.dense.query_ids(embedding, k, where)
        records = self.keyword.records([i for i, _ in hits])
        missing = [i for i, _ in hits if i not in records]
        if missing:
            records |= {r.id: r for r in self.dense.get(ids=missing)}
        return [ScoredChunk(records[i], score) for i, score in hits if i in records]

    def keyword_query(self, text: str, k: int, where: Where | None = None) -> list[ScoredChunk]:
        """BM25 over chunk texts (higher is better; not comparable to query())."""
        return self.keyword.search(text, k, where)

    def count(self) -> int:
        return self.dense.count()

    def warm(self) -> None:
        """Build the keyword index after writes, so the first question does not pay for it."""
        self.keyword.warm()

    # -- articles ----------------------------------------------------------------------------

    def write_article(
        self,
        article: ArticleRecord,
        chunks: Sequence[ChunkRecord],
        embeddings: Vectors,
        signature: bytes | None = None,
    ) -> None:
        """Store an article's chunks, replacing any earlier version of it (no orphans anywhere).

        ``chunks[i].id`` must be ``chunk_id(article.id, i)``; their metadata needs only the
        chunk's own keys (start_char, end_char): the article's fields are added here.
        ``signature`` (e.g. a MinHash) is kept in the catalog; None keeps a stored one.
        """
        self.write_articles([ArticleWrite(article, chunks, embeddings, signature)])

    def write_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """``write_article`` for many articles with one Chroma upsert and one SQLite transaction.

        Chroma's per-call cost (WAL commit, index update) dominates small writes; the order of
        the two stores and so the crash guarantee are those of ``write_article``.
        """
        records: list[ChunkRecord] = []
        vectors: list[Vectors] = []
        articles: list[tuple[ArticleRecord, list[ChunkRecord], bytes | None]] = []
        for write in writes:
            chunks = write.chunks
            if len(chunks) != len(write.embeddings):
                raise ValueError(f"{len(chunks)} chunks but {len(write.embeddings)} embeddings")
            for index, chunk in enumerate(chunks):
                if chunk.id != chunk_id(write.article.id, index):
                    raise ValueError(
                        f"chunk {index} of {write.article.id} has id {chunk.id!r}, expected "
                        f"{chunk_id(write.article.id, index)!r}"
                    )
            article = replace(write.article, chunk_count=len(chunks))
            article_records = self._with_article_metadata(article, chunks)
            records += article_records
            if len(chunks):
                vectors.append(write.embeddings)
            articles.append((article, article_records, write.signature))
        if not articles:
            return
        if records:
            self.dense.upsert(records, np.concatenate([np.asarray(v, dtype=np.float32) for v in vectors]))
        new_ids = {r.id for r in records}
        ids = [a.id for a, _, _ in articles]
        where: Where = {"article_id": ids[0]} if len(ids) == 1 else {"article_id": {"$in": ids}}
        stale = [i for i in self.dense.ids(where) if i not in new_ids]
        if stale:
            self.dense.delete(stale)
        with self.keyword.transaction() as db:
            for article, article_records, signature in articles:
                self.keyword.delete_article_chunks(db, article.id)
                self.keyword.upsert_chunks(db, article_records)
                self.keyword.put_article(db, article, signature)
        logger.debug("stored %d articles, %d chunks, %d stale gone", len(articles), len(records), len(stale))

    def delete_article(self, article_id: str) -> bool:
        """Remove an article and all its chunks; False if it was not stored."""
        ids = self.dense.ids({"article_id": article_id})
        known = self.keyword.get_article(article_id) is not None
        if ids:
            self.dense.delete(ids)
        with self.keyword.transaction() as db:
            self.keyword.delete_article_chunks(db, article_id)
            self.keyword.delete_article(db, article_id)
        return known or bool(ids)

    def get_article(self, article_id: str) -> ArticleRecord | None:
        return self.keyword.get_article(article_id)

    def find_article_by_hash(self, content_hash: str) -> ArticleRecord | None:
        """A stored article with exactly this content hash, if any (exact-duplicate check)."""
        return self.keyword.find_by_hash(content_hash)

    def list_articles(
        self,
        publisher: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArticleRecord]:
        """Catalog rows, newest first (undated last); dates are ISO strings, bounds inclusive."""
        return self.keyword.list_articles(publisher, since, until, limit, offset)

    def article_signatures(self) -> dict[str, bytes]:
        """Article id → signature bytes, for every article stored with one."""
        return self.keyword.article_signatures()

    def article_ids(self) -> set[str]:
        return self.keyword.article_ids()

    def publisher_names(self) -> set[str]:
        """Every publisher name as stored."""
        return self.keyword.publisher_names()

    def publishers(self) -> set[str]:
        """Every publisher name, lower-cased (what stats counts)."""
        return self.keyword.publishers()

    def update_article_metadata(self, article: ArticleRecord, signature: bytes | None = None) -> None:
        """New catalog fields (more origins, a better title...) for a stored article, no re-embedding."""
        stored = self.keyword.get_article(article.id)
        if stored is None:
            raise KeyError(f"article {article.id!r} is not stored")
        article = replace(article, chunk_count=stored.chunk_count)
        fields = article_metadata(article)
        ids = self.dense.ids({"article_id": article.id})
        # None removes a key that is now unknown; Chroma metadata never holds None.
        self.dense.update_metadata(ids, [fields] * len(ids))
        current = self.dense.get(ids=ids)
        with self.keyword.transaction() as db:
            self.keyword.update_chunk_metadata(db, current)
            self.keyword.put_article(db, article, signature)

    def article_count(self) -> int:
        return self.keyword.article_count()

    def stats(self) -> dict[str, Any]:
        """articles, chunks, publishers (count), earliest/latest (ISO dates), last_ingest (ISO time)."""
        catalog = self.keyword.catalog_stats()
        figures = {**catalog, "chunks": self.dense.count()}
        return {key: figures[key] for key in STATS_KEYS}

    def reindex(self) -> dict[str, int]:
        """Rebuild the keyword index and the catalog from Chroma alone (signatures are kept), and
        make sentence notes written by an earlier version of the rules again."""
        signatures = self.keyword.article_signatures()
        chunks = self._with_current_notes(list(self.dense.iter_all()))
        per_article: dict[str, list[Mapping[str, MetadataValue]]] = {}
        for record in chunks:
            if "article_id" in record.metadata:
                per_article.setdefault(str(record.metadata["article_id"]), []).append(record.metadata)
        with self.keyword.transaction() as db:
            self.keyword.wipe(db)
            self.keyword.upsert_chunks(db, chunks)
            for metas in per_article.values():
                first = min(metas, key=lambda m: int(m.get("chunk_index", 0)))
                self.keyword.put_article(db, article_from_metadata(first, len(metas)), None)
            self.keyword.set_signatures(db, {i: s for i, s in signatures.items() if i in per_article})
        logger.info("reindexed %d chunks of %d articles from Chroma", len(chunks), len(per_article))
        return {"articles": len(per_article), "chunks": len(chunks)}

    def _with_current_notes(self, chunks: list[ChunkRecord]) -> list[ChunkRecord]:
        """The chunks, with sentence notes written by an earlier version of the rules made again
        and stored, so that answering reads them instead of annotating on every ask."""
        stale: dict[str, list[int]] = {}
        for i, record in enumerate(chunks):
            if not is_current(record.metadata):
                stale.setdefault(str(record.metadata.get("article_id", record.id)), []).append(i)
        if not stale:
            return chunks
        updated = list(chunks)
        for positions in stale.values():
            # the article's chunks stand for its text
            texts = [chunks[i].text for i in positions]
            title = str(chunks[positions[0]].metadata.get("title") or "")
            for i, notes in zip(positions, encoded_notes(texts, title, "\n".join(texts)), strict=True):
                updated[i] = replace(chunks[i], metadata={**chunks[i].metadata, METADATA_KEY: notes})
        changed = [updated[i] for positions in stale.values() for i in positions]
        self.dense.update_metadata(
            [c.id for c in changed], [{METADATA_KEY: c.metadata[METADATA_KEY]} for c in changed]
        )
        logger.info("sentence notes made again for %d chunks", len(changed))
        return updated

    @staticmethod
    def _with_article_metadata(article: ArticleRecord, chunks: Sequence[ChunkRecord]) -> list[ChunkRecord]:
        fields = article_metadata(article)
        out = []
        for index, chunk in enumerate(chunks):
            own = {k: v for k, v in chunk.metadata.items() if k not in ARTICLE_KEYS}
            meta = present({**own, **fields, "chunk_index": index})
            out.append(ChunkRecord(chunk.id, chunk.text, meta))
        return out


def build_store(
    settings: VectorStoreSettings, folder: Path | None = None, client: ClientAPI | None = None
) -> Store:
    """Open (creating if needed) the store the settings describe: the base library, or with
    ``folder`` and ``settings.collection`` naming another library, that one (see
    vectorstore.libraries); ``client`` shares a Chroma client already open.

    Raises StoreError (naming `vectorstore.path`) when the folder cannot be created or written,
    StoreUnavailable when a Chroma server (mode = 'http') does not answer.
    """
    keyword = open_catalog(settings, folder)
    try:
        dense = ChromaIndex(client or open_client(settings), settings)
    except BaseException:
        keyword.close()
        raise
    return Store(dense, keyword)
