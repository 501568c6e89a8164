"""read → clean → deduplicate → chunk → embed → write, idempotent and resumable.

Every article is written through the store in one call (its chunks, vectors and catalog row),
so a run killed at any point leaves whole articles behind; running again compares each
article's content hash and origins with the catalog and only does what is missing.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ingest.dedup import Candidate, Deduplicator, Merge, merge_articles
from ingest.errors import InputError
from ingest.manifest import FileState, Manifest, config_fingerprint, file_state, outcomes
from ingest.models import Article, Origin, RawArticle
from ingest.publishers import PublisherDirectory, recorded
from ingest.settings import IngestAppSettings, IngestSettings
from vectorstore.records import ArticleRecord, ArticleWrite, ChunkRecord

if TYPE_CHECKING:
    import numpy as np

    from ingest.chunking import Chunk
    from ingest.workers import ChunkEmbedPool
    from vectorstore.base import ArticleCatalog, ArticleStore
    from vectorstore.embeddings import Embedder

logger = logging.getLogger(__name__)


class Progress(Protocol):
    """What the pipeline tells the user interface; every method may be a no-op."""

    def stage(self, name: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1, chunks: int = 0) -> None:
        """``n`` more of the stage's units done; ``chunks``: chunks embedded with them, where
        the units are articles."""


class _Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1, chunks: int = 0) -> None:
        pass


@dataclass
class IngestReport:
    """What a run did; ``failed`` holds one line per input that could not be ingested."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # text changed: chunks replaced
    metadata_updated: list[str] = field(default_factory=list)  # new origins or richer metadata
    unchanged: list[str] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    embed_seconds: float = 0.0
    seconds: float = 0.0
    dry_run: bool = False
    planned: list[tuple[str, str, int]] = field(default_factory=list)  # (action, article id, chunks)
    skipped_files: list[str] = field(default_factory=list)  # unchanged since a completed ingest

    @property
    def ok(self) -> bool:
        return not self.failed


# Anything naming a scheme is a URL to the user: `ftp://…` or `data:…` goes to the URL reader,
# which refuses it with the reason, instead of being looked up as a file name.
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]+://|(?:data|javascript|mailto|about|blob):)", re.I)


def is_url(source: str) -> bool:
    return _URL.match(source) is not None


@dataclass
class _Reading:
    """What was read, and what is known about the files read (for the manifest)."""

    raws: list[RawArticle] = field(default_factory=list)
    states: dict[str, FileState] = field(default_factory=dict)
    records: dict[str, set[int]] = field(default_factory=dict)
    skipped_ids: set[str] = field(default_factory=set)  # articles of files skipped as unchanged


def _read_sources(
    sources: Sequence[str | Path],
    settings: IngestSettings,
    report: IngestReport,
    progress: Progress,
    unchanged: Callable[[FileState], list[str] | None] | None,
    reading_starts: Callable[[], None],
) -> _Reading:
    """Read every input; ``unchanged`` gives the stored articles of a file that need not be
    read again (``Manifest.unchanged``), None when every file is read."""
    from ingest.readers.files import expand, read_file

    reading = _Reading()
    paths: list[Path] = []
    urls: list[str] = []
    for source in sources:
        if isinstance(source, str) and is_url(source):
            urls.append(source)
        else:
            paths.append(Path(source))
    items = list(expand(paths))
    progress.stage("reading", total=len(items) + len(urls))
    for item in items:
        if isinstance(item, InputError):
            report.failed.append(str(item))
            progress.advance()
            continue
        # Origins keep the path as the user gave it (`geobot ask --json` reports it that way).
        path = item
        state = file_state(path)
        if state is not None and unchanged is not None:
            known = unchanged(state)
            if known is not None:
                report.skipped_files.append(state.path)
                report.unchanged.extend(known)
                reading.skipped_ids.update(known)
                progress.advance()
                continue
        reading_starts()
        try:
            found = read_file(path, settings)
        except InputError as exc:
            report.failed.append(str(exc))
        else:
            reading.raws.extend(found)
            if state is not None:
                reading.states[state.path] = state
                reading.records[state.path] = {
                    int(r.origin["record"]) for r in found if isinstance(r.origin.get("record"), int)
                }
        progress.advance()
    for url in urls:
        reading_starts()
        try:
            reading.raws.extend(_read_url(url, settings))
        except InputError as exc:
            report.failed.append(str(exc))
        progress.advance()
    return reading


def _read_url(url: str, settings: IngestSettings) -> Iterable[RawArticle]:
    try:
        from ingest.readers.web import read_url  # written alongside ingest.fetch
    except ImportError as exc:
        raise InputError(url, "reading URLs is not available in this installation") from exc
    return list(read_url(url, settings))


def _origin_key(origin: Origin) -> str:
    return json.dumps(dict(origin), sort_keys=True)


def to_record(article: Article, chunk_count: int, ingested_at: str) -> ArticleRecord:
    return ArticleRecord(
        id=article.id,
        title=article.title,
        publisher=article.publisher,
        author=article.author,
        published=article.published,
        url=article.url,
        language=article.language,
        origins=tuple(dict(o) for o in article.origins),
        content_hash=article.content_hash,
        ingested_at=ingested_at,
        chunk_count=chunk_count,
        publisher_id=article.publisher_id,
        publisher_type=article.publisher_type,
    )


def from_record(record: ArticleRecord) -> Article:
    """The stored article's metadata as an Article (its text is not needed to merge metadata)."""
    from ingest.normalize import parse_date

    day = parse_date(record.published)
    return Article(
        id=record.id,
        title=record.title,
        text="",
        publisher=record.publisher,
        author=record.author,
        published=record.published,
        published_ts=int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) if day else None,
        url=record.url,
        language=record.language,
        origins=tuple(record.origins),
        content_hash=record.content_hash,
        title_is_derived=False,
        publisher_id=record.publisher_id,
        publisher_type=record.publisher_type,
    )


def _same_metadata(a: ArticleRecord, b: ArticleRecord) -> bool:
    fields = (
        "title",
        "publisher",
        "author",
        "published",
        "url",
        "language",
        "content_hash",
        "publisher_id",
        "publisher_type",
    )
    return all(getattr(a, f) == getattr(b, f) for f in fields) and {_origin_key(o) for o in a.origins} == {
        _origin_key(o) for o in b.origins
    }


@dataclass
class _Write:
    article: Article
    signature: bytes
    chunks: list[Chunk]
    action: str  # "added" or "updated"


class _Redo(Exception):
    """A changed input touches an article of a file skipped as unchanged: read everything."""


def run_ingest(
    sources: Sequence[str | Path],
    settings: IngestAppSettings,
    *,
    store: ArticleStore | None = None,
    embedder: Embedder | None = None,
    publishers: PublisherDirectory | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files, directories and URLs into the store; never raises for a bad input.

    ``store`` and ``embedder`` are built from ``settings`` when not given (and only when there
    is something to do), ``publishers`` (the profiles each article's publisher is matched to)
    likewise; a malformed profile raises ConfigError before anything is read. With ``dry_run``
    nothing is embedded or written; the report says what would be. Files ingested completely
    before and unchanged since (same bytes, same settings, their articles still in the catalog)
    are skipped without being read: see ingest.manifest.
    """
    started = time.perf_counter()
    progress = progress or _Silent()
    if publishers is None:
        publishers = PublisherDirectory.load(settings.publishers.profiles)
    folder = _manifest_folder(settings, store)
    config = config_fingerprint(
        {
            # How the writes are batched and who embeds do not change what is stored.
            "ingest": settings.ingest.model_dump(mode="json", exclude={"write_batch_chunks", "processes"}),
            "model": settings.embedding.model,
            "collection": settings.vectorstore.collection,
            # Other profiles match other publishers: files are read again to record the matches.
            "publishers": publishers.fingerprint(),
        }
    )
    run = _Run(settings, store, embedder, dry_run, progress, folder, config, publishers)
    try:
        try:
            report = run.ingest(sources, skip_unchanged=folder is not None)
        except _Redo:
            logger.info("a changed input touches articles of unchanged files; reading every input")
            report = run.ingest(sources, skip_unchanged=False)
    finally:
        run.close()
    report.seconds = time.perf_counter() - started
    return report


def ingest_articles(
    raws: Sequence[RawArticle],
    settings: IngestAppSettings,
    *,
    store: ArticleStore,
    embedder: Embedder | None = None,
    publishers: PublisherDirectory | None = None,
) -> IngestReport:
    """Ingest articles already read (a followed feed's new entries) into ``store``: cleaning,
    deduplication against what it holds, publisher matching, chunking, embedding and writing as
    ``run_ingest``."""
    started = time.perf_counter()
    if publishers is None:
        publishers = PublisherDirectory.load(settings.publishers.profiles)
    run = _Run(settings, store, embedder, False, _Silent(), None, "", publishers)
    try:
        report = run.process(_Reading(raws=list(raws)), IngestReport())
    finally:
        run.close()
    report.seconds = time.perf_counter() - started
    return report


def _manifest_folder(settings: IngestAppSettings, store: ArticleStore | None) -> Path | None:
    """The store's folder, which holds the manifest; None where the vectors live on a server
    (it can be emptied behind our back, so nothing is skipped then)."""
    if store is not None:
        return store.local_folder
    from vectorstore.catalog import local_folder

    return local_folder(settings.vectorstore)


@dataclass
class _Run:
    settings: IngestAppSettings
    store: ArticleStore | None
    embedder: Embedder | None
    dry_run: bool
    progress: Progress
    folder: Path | None
    config: str
    publishers: PublisherDirectory
    pool: ChunkEmbedPool | None = None
    catalog: ArticleCatalog | None = None  # opened here, before any store (see _process)
    owns_store: bool = False  # opened here, so closed here

    def start_pool(self) -> None:
        """Start the chunk-and-embed workers, so the model loads while the inputs are read.

        Only for a real run with no embedder given (the bot passes its own, tests too) and more
        than one process configured; ``[ingest] processes = 1`` keeps everything in-process.
        """
        if self.pool is not None or self.dry_run or self.embedder is not None:
            return
        from ingest.workers import ChunkEmbedPool, cpu_cores

        processes = self.settings.ingest.processes or cpu_cores()
        if processes > 1:
            self.pool = ChunkEmbedPool(self.settings.embedding, self.settings.ingest, processes)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self.owns_store and self.store is not None:
            self.store.close()
        if self.catalog is not None:
            self.catalog.close()
        self.store = self.catalog = None

    def ingest(self, sources: Sequence[str | Path], *, skip_unchanged: bool) -> IngestReport:
        from vectorstore.catalog import holds_vectors

        report = IngestReport(dry_run=self.dry_run)
        manifest = None
        if skip_unchanged and self.folder is not None and holds_vectors(self.folder):
            manifest = Manifest.existing(self.folder)
        try:
            unchanged = None
            if manifest is not None:
                unchanged = partial(manifest.unchanged, config=self.config, catalog=self._catalog())
            reading = _read_sources(
                sources, self.settings.ingest, report, self.progress, unchanged, self.start_pool
            )
        finally:
            if manifest is not None:
                manifest.close()
        return self.process(reading, report)

    def process(self, reading: _Reading, report: IngestReport) -> IngestReport:
        if reading.raws:
            self._process(reading, report)
        report.unchanged = _unique(
            report.unchanged, exclude={*report.added, *report.updated, *report.metadata_updated}
        )
        return report

    def _process(self, reading: _Reading, report: IngestReport) -> None:
        settings, progress = self.settings, self.progress
        progress.stage("cleaning", total=len(reading.raws))
        with ThreadPoolExecutor(1, thread_name_prefix="cleaning") as background:
            # The workers (if any) clean the articles while this process reads the catalog.
            clean = self.pool.normalize if self.pool is not None else _normalize_all
            cleaning = background.submit(clean, reading.raws, progress.advance)
            catalog = self._catalog()
            stored = {rec.id: rec for rec in catalog.list_articles()}
            by_origin = {_origin_key(o): rec.id for rec in stored.values() for o in rec.origins}
            dedup = Deduplicator(settings.ingest.near_duplicate_threshold)
            signatures = catalog.article_signatures()
            for rec in stored.values():
                dedup.add_stored(rec.id, rec.content_hash, signatures.get(rec.id))
            cleaned = cleaning.result()
        articles: list[Article] = []
        for raw, article in zip(reading.raws, cleaned, strict=True):
            if article is None:
                report.failed.append(
                    f"{_describe(raw.origin)}: no article text left after removing page furniture"
                )
            else:
                articles.append(article)
        candidates, merges = dedup.run(articles)
        report.merges.extend(merges)
        for cand in candidates:
            cand.article = recorded(cand.article, self.publishers)

        writes: list[_Write] = []
        meta_updates: list[ArticleRecord] = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for cand in candidates:
            plan = _plan(cand, stored, by_origin, now, report, self.publishers)
            if isinstance(plan, _Write):
                writes.append(plan)
            elif plan is not None:
                meta_updates.append(plan)
        touched = {w.article.id for w in writes} | {r.id for r in meta_updates}
        if touched & reading.skipped_ids:
            raise _Redo

        # Worker processes chunk, embed and are written in one pass (never in a dry run); in
        # process, chunking comes first so that a dry run can say what it would store.
        if writes and self.pool is not None:
            self._embed_and_write(writes, now, report)
        elif writes:
            self._chunk(writes)

        for write in writes:
            report.planned.append((write.action, write.article.id, len(write.chunks)))
            getattr(report, write.action).append(write.article.id)
        for record in meta_updates:
            report.planned.append(("metadata", record.id, record.chunk_count))
            report.metadata_updated.append(record.id)
        if self.dry_run:
            return

        for record in meta_updates:
            self._store().update_article_metadata(record)
        if writes and self.pool is None:
            assert self.embedder is not None
            vectors = _embed(writes, self.embedder, report, progress)
            _write(writes, vectors, self._store(), now, progress, self.settings.ingest)
        if writes or meta_updates:
            self._store().warm()
        if self.folder is not None and reading.states:
            # Only now is every article of these files committed (see ingest.manifest).
            manifest = Manifest(self.folder)
            try:
                stored_now = catalog.list_articles()
                manifest.record(outcomes(reading.states, reading.records, stored_now), self.config)
            finally:
                manifest.close()

    def _catalog(self) -> ArticleCatalog:
        """The store's catalog: what is stored, and the signatures deduplication compares."""
        if self.store is not None:
            return self.store
        if self.catalog is None:
            from vectorstore.catalog import open_catalog

            self.catalog = open_catalog(self.settings.vectorstore)
        return self.catalog

    def _store(self) -> ArticleStore:
        """The whole store, Chroma included, opened on first need: a run with nothing to write
        never imports chromadb."""
        if self.store is None:
            from vectorstore.store import build_store

            self.store = build_store(self.settings.vectorstore)
            self.owns_store = True
        return self.store

    def _chunk(self, writes: list[_Write]) -> None:
        if self.embedder is None:
            from vectorstore.embeddings import build_embedder

            self.embedder = build_embedder(self.settings.embedding)
        from ingest.chunking import annotated, chunker_for

        chunker = chunker_for(self.embedder, self.settings.ingest)
        self.progress.stage("chunking", total=len(writes))
        for write in writes:
            write.chunks = annotated(write.article, chunker.split(write.article))
            self.progress.advance()

    def _embed_and_write(self, writes: list[_Write], now: str, report: IngestReport) -> None:
        """Chunks and vectors from the worker processes, each article written as its vectors
        arrive: writing overlaps embedding, and a run killed half-way keeps what it embedded.

        Chroma opens in a thread while the workers embed the first articles: before, its import
        held up the first embedding by ~1.5 s with the workers idle.
        """
        assert self.pool is not None and not self.dry_run  # the pool only runs real ingests
        self.progress.stage("embedding", total=len(writes))
        started = time.perf_counter()
        with ThreadPoolExecutor(1, thread_name_prefix="opening") as opener:
            opening = opener.submit(self._store)
            writer = _Writer(opening.result, now, self.settings.ingest.write_batch_chunks)
            for i, (chunks, vectors) in self.pool.run([w.article for w in writes]):
                writes[i].chunks = chunks
                writer.add(writes[i], vectors)
                report.chunks_embedded += len(chunks)
                self.progress.advance(1, chunks=len(chunks))
            writer.flush()
        report.embed_seconds = time.perf_counter() - started


def _normalize_all(raws: Sequence[RawArticle], done: Callable[[], None]) -> list[Article | None]:
    from ingest.normalize import normalize

    cleaned = []
    for raw in raws:
        cleaned.append(normalize(raw))
        done()
    return cleaned


def _unique(ids: list[str], exclude: set[str]) -> list[str]:
    return [i for i in dict.fromkeys(ids) if i not in exclude]


def _describe(origin: Origin) -> str:
    if "url" in origin:
        return str(origin["url"])
    return f"{origin.get('path')} record {origin.get('record')}"


def _plan(
    cand: Candidate,
    stored: dict[str, ArticleRecord],
    by_origin: dict[str, str],
    now: str,
    report: IngestReport,
    publishers: PublisherDirectory,
) -> _Write | ArticleRecord | None:
    """What to do with one deduplicated article: write it, update metadata, or nothing."""
    article = cand.article
    # The same input record seen before: an update of that article, whatever its text now.
    origin_match = next((by_origin[k] for o in article.origins if (k := _origin_key(o)) in by_origin), None)
    match_id = origin_match or cand.stored_id or (article.id if article.id in stored else None)
    if match_id is None or match_id not in stored:
        return _Write(article, cand.signature, [], "added")
    old = stored[match_id]
    # The merged article's publisher may be the stored one's: its match is recorded anew.
    merged = recorded(merge_articles(from_record(old), article), publishers)
    merged = replace(merged, text=article.text, content_hash=old.content_hash)
    if old.content_hash != article.content_hash and (origin_match or match_id == article.id):
        # Changed text from the same source: replace the chunks, keep the id.
        return _Write(replace(merged, content_hash=article.content_hash), cand.signature, [], "updated")
    if cand.stored_id and origin_match is None and old.content_hash != article.content_hash:
        report.merges.append(Merge(old.id, old.origins[0], article.origins[0], cand.stored_similarity, True))
    record = to_record(merged, old.chunk_count, old.ingested_at)
    if _same_metadata(record, old):
        report.unchanged.append(old.id)
        return None
    return replace(record, ingested_at=now)


def _embed(writes: list[_Write], embedder: Embedder, report: IngestReport, progress: Progress) -> np.ndarray:
    texts = [c.embed_text for w in writes for c in w.chunks]
    progress.stage("embedding", total=len(texts))
    started = time.perf_counter()
    vectors = _encode(embedder, texts, progress)
    report.embed_seconds = time.perf_counter() - started
    report.chunks_embedded = len(texts)
    return vectors


class _Writer:
    """Writes articles to the store in groups of about ``batch_chunks`` chunks (one call each)."""

    def __init__(self, store: Callable[[], ArticleStore], now: str, batch_chunks: int) -> None:
        self.store, self.now, self.batch_chunks = store, now, batch_chunks
        self._group: list[ArticleWrite] = []
        self._chunks = 0

    def add(self, write: _Write, vectors: np.ndarray) -> int:
        """Queue one article; the number of articles written (a group, once it is full)."""
        from ingest.chunking import chunk_metadata

        record = to_record(write.article, len(write.chunks), self.now)
        chunks = [ChunkRecord(c.id, c.text, chunk_metadata(write.article, c)) for c in write.chunks]
        self._group.append(ArticleWrite(record, chunks, vectors, write.signature))
        self._chunks += len(chunks)
        return self.flush() if self._chunks >= self.batch_chunks else 0

    def flush(self) -> int:
        """Write what is waiting; the number of articles written."""
        written = len(self._group)
        if self._group:
            self.store().write_articles(self._group)
        self._group, self._chunks = [], 0
        return written


def _write(
    writes: list[_Write],
    vectors: np.ndarray,
    store: ArticleStore,
    now: str,
    progress: Progress,
    settings: IngestSettings,
) -> None:
    progress.stage("writing", total=len(writes))
    writer = _Writer(lambda: store, now, settings.write_batch_chunks)
    offset = 0
    for write in writes:
        n = len(write.chunks)
        if written := writer.add(write, vectors[offset : offset + n]):
            progress.advance(written)
        offset += n
    if written := writer.flush():
        progress.advance(written)


def _encode(embedder: Embedder, texts: list[str], progress: Progress) -> np.ndarray:
    """All vectors, in the order of ``texts``; encoded longest first so batches pad little."""
    import numpy as np

    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out: np.ndarray | None = None
    step = 256
    for begin in range(0, len(order), step):
        idx = order[begin : begin + step]
        vecs = embedder.encode([texts[i] for i in idx])
        if out is None:
            out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
        out[idx] = vecs
        progress.advance(len(idx))
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)
