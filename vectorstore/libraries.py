"""A library per Discord server, and the base library every server reads.

Each library is a whole store (``ArticleStore``) of its own: its vectors in a Chroma collection
of their own, its keyword index, catalog and ingest manifest in a folder of their own. So the
boundary between servers is where the data lives, not a filter a query could forget
(docs/servers.md has the measurements behind the choice):

* the base library — what ``geobot ingest`` loads — is the store as it always was: collection
  ``[vectorstore] collection``, folder ``[vectorstore] path``;
* server S's library: collection ``<collection>-s<S>``, folder ``<path>/servers/<S>/``.

A server reads through ``Libraries.view(S)`` (base + its own, searched as one), and only its own
library can be written (``Libraries.own(S)``); ``view(None)`` — direct messages, the CLI's
default — is the base library alone. Nothing here hands out a reader over another server's
library.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vectorstore.base import ArticleStore, Where
from vectorstore.catalog import SERVERS_FOLDER, server_folder
from vectorstore.keyword import FILENAME as KEYWORD_FILE
from vectorstore.records import ArticleRecord, ChunkRecord, ScoredChunk
from vectorstore.settings import VectorStoreSettings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

logger = logging.getLogger(__name__)

Server = int | None  # a Discord server (guild) id; None: no server, the base library alone

# Opens one library: the settings (with that library's collection) and its folder.
Opener = Callable[[VectorStoreSettings, Path], ArticleStore]


def collection_name(settings: VectorStoreSettings, server: Server) -> str:
    return settings.collection if server is None else f"{settings.collection}-s{server}"


class Libraries:
    """The libraries of one store, each opened on first use and kept open until ``close``.

    Thread-safe: the bot's worker threads open libraries as questions arrive.
    """

    def __init__(self, settings: VectorStoreSettings, opener: Opener | None = None) -> None:
        self.settings = settings
        self._opener = opener or self._open_store
        self._open: dict[Server, ArticleStore] = {}
        self._lock = threading.Lock()
        self._client: ClientAPI | None = None

    def _open_store(self, settings: VectorStoreSettings, folder: Path) -> ArticleStore:
        from vectorstore.chroma import open_client
        from vectorstore.store import build_store

        # One Chroma client for every library: an embedded store is one database on disk.
        if self._client is None:
            self._client = open_client(self.settings)
        return build_store(settings, folder, self._client)

    def folder(self, server: Server) -> Path:
        return self.settings.path if server is None else server_folder(self.settings, server)

    def own(self, server: Server) -> ArticleStore:
        """The library ``server`` writes (created if it has none yet); None: the base library."""
        with self._lock:
            store = self._open.get(server)
            if store is None:
                name = collection_name(self.settings, server)
                settings = self.settings.model_copy(update={"collection": name})
                store = self._opener(settings, self.folder(server))
                self._open[server] = store
            return store

    def existing(self, server: Server) -> ArticleStore | None:
        """The library of ``server`` if it has one (another process may have made it since)."""
        if server is None or server in self._open or (self.folder(server) / KEYWORD_FILE).is_file():
            return self.own(server)
        return None

    def view(self, server: Server) -> LibraryView:
        """What ``server`` reads: the base library and its own."""
        return LibraryView(self, server)

    def servers(self) -> list[int]:
        """Servers that have a library here."""
        root = self.settings.path / SERVERS_FOLDER
        found = {int(p.name) for p in root.iterdir() if p.name.isdigit()} if root.is_dir() else set()
        return sorted(found | {s for s in self._open if s is not None})

    def warm(self) -> None:
        self.own(None).warm()

    def close(self) -> None:
        with self._lock:
            stores, self._open = list(self._open.values()), {}
        for store in stores:
            store.close()

    def __enter__(self) -> Libraries:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LibraryView:
    """One server's reading of the libraries: its own and the base library, as one (a
    ``LibraryReader``). Searches ask each and merge by score: dense scores are cosines of one
    model's vectors, so they compare; BM25 scores of two indexes compare only roughly (each has
    its own word statistics), which rank fusion with the dense list absorbs. A chunk in both
    (an article ingested twice) is returned once, the server's copy first."""

    def __init__(self, libraries: Libraries, server: Server) -> None:
        self.libraries = libraries
        self.server = server

    def parts(self) -> list[ArticleStore]:
        """The server's own library (if it has one) first, then the base library."""
        own = None if self.server is None else self.libraries.existing(self.server)
        base = self.libraries.own(None)
        return [base] if own is None else [own, base]

    def get(
        self, ids: Sequence[str] | None = None, where: Where | None = None, limit: int | None = None
    ) -> list[ChunkRecord]:
        found: dict[str, ChunkRecord] = {}
        for part in self.parts():
            for record in part.get(ids, where, limit):
                found.setdefault(record.id, record)
        records = list(found.values())
        if ids is not None:
            position = {chunk_id: n for n, chunk_id in enumerate(ids)}
            records.sort(key=lambda r: position[r.id])
        return records[:limit] if limit is not None else records

    def query(self, embedding: Sequence[float], k: int, where: Where | None = None) -> list[ScoredChunk]:
        return _best(k, (part.query(embedding, k, where) for part in self.parts()))

    def keyword_query(self, text: str, k: int, where: Where | None = None) -> list[ScoredChunk]:
        return _best(k, (part.keyword_query(text, k, where) for part in self.parts()))

    def count(self) -> int:
        return sum(part.count() for part in self.parts())

    def get_article(self, article_id: str) -> ArticleRecord | None:
        return next((a for part in self.parts() if (a := part.get_article(article_id)) is not None), None)

    def find_article_by_hash(self, content_hash: str) -> ArticleRecord | None:
        return next(
            (a for part in self.parts() if (a := part.find_article_by_hash(content_hash)) is not None), None
        )

    def list_articles(
        self,
        publisher: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArticleRecord]:
        """Newest first (undated last), as each library orders them."""
        wanted = None if limit is None else limit + offset
        found: dict[str, ArticleRecord] = {}
        for part in self.parts():
            for article in part.list_articles(publisher, since, until, wanted):
                found.setdefault(article.id, article)
        ordered = sorted(found.values(), key=lambda a: (a.title, a.id))
        ordered.sort(key=lambda a: a.published or "", reverse=True)
        ordered.sort(key=lambda a: a.published is None)
        return ordered[offset : None if wanted is None else wanted]

    def publisher_names(self) -> set[str]:
        return {name for part in self.parts() for name in part.publisher_names()}

    def article_count(self) -> int:
        """Articles in either library, each once. Only the server's own library (small next to
        the base library) is walked, to leave out articles the base library also holds."""
        parts = self.parts()
        if len(parts) == 1:
            return parts[0].article_count()
        own, base = parts
        return base.article_count() + sum(1 for i in own.article_ids() if base.get_article(i) is None)

    def stats(self) -> dict[str, Any]:
        """The figures of ``Store.stats`` over both libraries (an article in both counts once)."""
        parts = self.parts()
        if len(parts) == 1:
            return parts[0].stats()
        figures = [part.stats() for part in parts]
        ids: set[str] = set()
        publishers: set[str] = set()
        for part in parts:
            ids |= part.article_ids()
            publishers |= part.publishers()

        def extreme(key: str, pick: Callable[[Iterable[str]], str]) -> str | None:
            values = [f[key] for f in figures if f.get(key)]
            return pick(values) if values else None

        return {
            "articles": len(ids),
            "chunks": sum(int(f["chunks"]) for f in figures),
            "publishers": len(publishers),
            "earliest": extreme("earliest", min),
            "latest": extreme("latest", max),
            "last_ingest": extreme("last_ingest", max),
        }

    def warm(self) -> None:
        for part in self.parts():
            part.warm()


def _best(k: int, rankings: Iterable[list[ScoredChunk]]) -> list[ScoredChunk]:
    """The ``k`` best of several rankings by score, each chunk id once (its best score)."""
    seen: set[str] = set()
    out: list[ScoredChunk] = []
    for hit in heapq.merge(*rankings, key=lambda h: -h.score):
        if hit.record.id not in seen:
            seen.add(hit.record.id)
            out.append(hit)
            if len(out) == k:
                break
    return out
