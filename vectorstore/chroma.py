"""The dense index: one Chroma collection in cosine space, embedded or behind a chroma server."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np
from numpy.typing import NDArray

from vectorstore.catalog import ensure_dir
from vectorstore.errors import StoreError, StoreUnavailable, disk_full
from vectorstore.records import ChunkRecord, Metadata
from vectorstore.settings import VectorStoreSettings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
Where = Mapping[str, Any]
Vectors = Sequence[Sequence[float]] | NDArray[np.float32]

# Chroma's own page size for reads that walk the whole collection (reindex).
READ_PAGE = 2000


def _unavailable(settings: VectorStoreSettings) -> StoreUnavailable:
    scheme = "https" if settings.ssl else "http"
    return StoreUnavailable(
        f"store unavailable: the Chroma server at {scheme}://{settings.host}:{settings.port} "
        "did not answer; try again"
    )


def _guard(method: Callable[P, T]) -> Callable[P, T]:
    """Turn a lost connection to the Chroma server into StoreUnavailable, a full disk into StoreError."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        index = args[0]
        assert isinstance(index, ChromaIndex)
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            if index.remote and _is_connection_error(exc):
                raise _unavailable(index.settings) from exc
            if (full := disk_full(exc, None if index.remote else index.settings.path)) is not None:
                raise full from exc
            raise

    return wrapper


def _is_connection_error(exc: BaseException) -> bool:
    import httpx

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, httpx.TransportError | ConnectionError | TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def open_client(settings: VectorStoreSettings) -> ClientAPI:
    """A Chroma client for the settings: PersistentClient(path) or HttpClient(host, port)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.mode == "http":
        try:
            return chromadb.HttpClient(
                host=settings.host, port=settings.port, ssl=settings.ssl, settings=chroma_settings
            )
        except Exception as exc:
            if _is_connection_error(exc) or "Could not connect" in str(exc):
                raise _unavailable(settings) from exc
            raise
    path = ensure_dir(settings.path)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"vectorstore.path {path}: Chroma cannot open its store there ({exc}); set "
            "vectorstore.path in config.toml (or GEOBOT_VECTORSTORE__PATH) to a folder of its own"
        ) from exc


# HNSW is approximate, and its graph depends on the (multi-threaded) insertion order: with
# Chroma's default ef_search of 100, stores built from the same corpus missed 2-4 of the exact
# top-40 neighbours of the 30 dev questions, a different few each build, enough to move dev
# hit@4 between 0.92 and 0.88 from one build to the next. 400 gave the exact top 40 on every
# build checked; the extra graph walk is well under a millisecond next to the rest of a query.
_EF_SEARCH = 400


class ChromaIndex:
    """Chunks with their vectors and metadata; scores are cosine similarities (1 - distance)."""

    def __init__(self, client: ClientAPI, settings: VectorStoreSettings) -> None:
        self.settings = settings
        self.remote = settings.mode == "http"
        self._client = client
        self._collection = self._open_collection()
        self._max_batch = int(client.get_max_batch_size())

    @_guard
    def _open_collection(self) -> Collection:
        collection = self._client.get_or_create_collection(
            self.settings.collection,
            configuration={"hnsw": {"space": "cosine", "ef_search": _EF_SEARCH}},
            embedding_function=None,
        )
        # Chroma keeps an existing collection's configuration: one created with its default (or
        # before this setting) gets the larger ef_search here. Its graph is left as it is.
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if int(hnsw.get("ef_search", _EF_SEARCH)) < _EF_SEARCH:
            collection.modify(configuration={"hnsw": {"ef_search": _EF_SEARCH}})
        return collection

    @_guard
    def upsert(self, records: Sequence[ChunkRecord], embeddings: Vectors) -> None:
        if len(records) != len(embeddings):
            raise ValueError(f"{len(records)} records but {len(embeddings)} embeddings")
        vectors = np.asarray(embeddings, dtype=np.float32)
        for start in range(0, len(records), self._max_batch):
            batch = records[start : start + self._max_batch]
            self._collection.upsert(
                ids=[r.id for r in batch],
                embeddings=vectors[start : start + self._max_batch],
                documents=[r.text for r in batch],
                metadatas=[dict(r.metadata) or None for r in batch],  # type: ignore[misc]
            )

    @_guard
    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[Mapping[str, Any]]) -> None:
        """Replace metadata keys in place; a key set to None is removed. Vectors stay as they are."""
        for start in range(0, len(ids), self._max_batch):
            self._collection.update(
                ids=list(ids[start : start + self._max_batch]),
                metadatas=[dict(m) for m in metadatas[start : start + self._max_batch]],
            )

    @_guard
    def ids(self, where: Where | None = None) -> list[str]:
        return list(self._collection.get(where=_where(where), include=[])["ids"])

    @_guard
    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), self._max_batch):
            self._collection.delete(ids=list(ids[start : start + self._max_batch]))

    @_guard
    def get(
        self, ids: Sequence[str] | None = None, where: Where | None = None, limit: int | None = None
    ) -> list[ChunkRecord]:
        if ids is not None and not ids:
            return []
        got = self._collection.get(
            ids=list(ids) if ids is not None else None,
            where=_where(where),
            limit=limit,
            include=["documents", "metadatas"],
        )
        records = _records(got["ids"], got["documents"], got["metadatas"])
        if ids is not None:
            position = {chunk_id: n for n, chunk_id in enumerate(ids)}
            records.sort(key=lambda r: position[r.id])
        return records

    def iter_all(self) -> Iterator[ChunkRecord]:
        """Every chunk, page by page (for rebuilding the keyword index and the catalog)."""
        offset = 0
        while True:
            page = self._page(offset)
            if not page:
                return
            yield from page
            offset += len(page)

    @_guard
    def _page(self, offset: int) -> list[ChunkRecord]:
        got = self._collection.get(limit=READ_PAGE, offset=offset, include=["documents", "metadatas"])
        return _records(got["ids"], got["documents"], got["metadatas"])

    @_guard
    def query_ids(
        self, embedding: Sequence[float], k: int, where: Where | None = None
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the nearest chunks, without their texts (the search
        itself is ~2 ms at 100k chunks; reading 40 documents and metadatas back is ~6 more)."""
        if k <= 0:
            return []
        got = self._collection.query(
            query_embeddings=np.asarray([embedding], dtype=np.float32),
            n_results=k,
            where=_where(where),
            include=["distances"],
        )
        distances = (got["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], distances, strict=True)]

    @_guard
    def count(self) -> int:
        return int(self._collection.count())


def _where(where: Where | None) -> Any:
    # Chroma rejects an empty filter; no filter is None.
    return dict(where) if where else None


def _records(ids: Sequence[str], documents: Any, metadatas: Any) -> list[ChunkRecord]:
    documents = documents if documents is not None else [""] * len(ids)
    metadatas = metadatas if metadatas is not None else [None] * len(ids)
    return [
        ChunkRecord(chunk_id, text or "", _clean(meta))
        for chunk_id, text, meta in zip(ids, documents, metadatas, strict=True)
    ]


def _clean(meta: Mapping[str, Any] | None) -> Metadata:
    return {k: v for k, v in (meta or {}).items() if isinstance(v, str | int | float | bool)}
