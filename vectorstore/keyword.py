"""The keyword index and the article catalog: one SQLite file beside the Chroma store.

Chunks live in a plain table (id, article_id, publisher, published_ts, text, metadata JSON);
the ``articles`` table is the catalog. Writing an article's chunks and its catalog row happens
in one transaction, so a crash leaves either the old article or the new one.

SQLite is the durable copy of the keyword rows; queries are served by a BM25 index
(``vectorstore.bm25``) built from them and saved beside them, because an FTS5 ``bm25()``
OR-query at 100k chunks costs tens to hundreds of milliseconds and bm25s a few
(bench/keyword_latency.py). Triggers bump a generation counter in the same transaction as any
chunk write, so every query can check cheaply that the index it searches is current, including
after writes by another process; they also log which rows were changed or deleted at which
generation, so a saved index can be brought up to date with only the rows written since.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vectorstore.errors import StoreError, disk_full
from vectorstore.metadata import parse_origins
from vectorstore.records import ArticleRecord, ChunkRecord, ScoredChunk

if TYPE_CHECKING:
    from vectorstore.bm25 import Bm25Snapshot, Bm25View, Generation

logger = logging.getLogger(__name__)

FILENAME = "keyword.sqlite3"
BM25_FOLDER = "bm25s"

SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL,
    publisher TEXT,
    published_ts INTEGER,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS chunks_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    store TEXT NOT NULL,
    generation INTEGER NOT NULL
);
INSERT OR IGNORE INTO chunks_generation VALUES (1, lower(hex(randomblob(16))), 0);
CREATE TRIGGER IF NOT EXISTS chunks_gen_ai AFTER INSERT ON chunks BEGIN
    UPDATE chunks_generation SET generation = generation + 1;
END;
CREATE TRIGGER IF NOT EXISTS chunks_gen_ad AFTER DELETE ON chunks BEGIN
    UPDATE chunks_generation SET generation = generation + 1;
END;
CREATE TRIGGER IF NOT EXISTS chunks_gen_au AFTER UPDATE ON chunks BEGIN
    UPDATE chunks_generation SET generation = generation + 1;
END;
CREATE TABLE IF NOT EXISTS chunks_changed (
    rowid INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_changed_by_generation ON chunks_changed(generation);
CREATE TRIGGER IF NOT EXISTS chunks_changed_ad AFTER DELETE ON chunks BEGIN
    INSERT OR REPLACE INTO chunks_changed SELECT old.rowid, generation FROM chunks_generation;
END;
CREATE TRIGGER IF NOT EXISTS chunks_changed_au AFTER UPDATE ON chunks BEGIN
    INSERT OR REPLACE INTO chunks_changed SELECT old.rowid, generation FROM chunks_generation;
END;
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    publisher TEXT,
    author TEXT,
    published TEXT,
    url TEXT,
    language TEXT,
    origins TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    signature BLOB,
    publisher_id TEXT,
    publisher_type TEXT
);
CREATE INDEX IF NOT EXISTS articles_by_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_by_publisher ON articles(publisher);
CREATE INDEX IF NOT EXISTS articles_by_hash ON articles(content_hash);
CREATE TABLE IF NOT EXISTS articles_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT OR IGNORE INTO articles_count
    SELECT 1, count(*) FROM articles WHERE NOT EXISTS (SELECT 1 FROM articles_count);
CREATE TRIGGER IF NOT EXISTS articles_count_ai AFTER INSERT ON articles BEGIN
    UPDATE articles_count SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS articles_count_ad AFTER DELETE ON articles BEGIN
    UPDATE articles_count SET n = n - 1;
END;
"""

# Stores written before the in-memory index kept an FTS5 index kept in step by triggers; nothing
# reads it now and every chunk write paid for it.
DROP_FTS5 = """
DROP TRIGGER IF EXISTS chunks_ai;
DROP TRIGGER IF EXISTS chunks_ad;
DROP TRIGGER IF EXISTS chunks_au;
DROP TABLE IF EXISTS chunks_vocab;
DROP TABLE IF EXISTS chunks_fts;
"""

ARTICLE_COLUMNS = (
    "id, title, publisher, author, published, url, language, origins, content_hash, ingested_at, "
    "chunk_count, publisher_id, publisher_type"
)
# Columns added to the catalog after stores were first written: (name, SQL type).
ADDED_ARTICLE_COLUMNS = (("publisher_id", "TEXT"), ("publisher_type", "TEXT"))

KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
COLUMNS = {
    "id": "c.id",
    "article_id": "c.article_id",
    "publisher": "c.publisher",
    "published_ts": "c.published_ts",
}
COMPARISONS = {"$eq": "=", "$ne": "!=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


class KeywordIndex:
    """Chunk rows and the article catalog in ``<folder>/keyword.sqlite3``; BM25 search over the
    chunks from an index saved in ``<folder>/bm25s/`` and the rows written since it was built."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILENAME
        self.bm25_path = folder / BM25_FOLDER
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(DROP_FTS5 + SCHEMA)
            self._add_columns()
        except sqlite3.Error as exc:
            raise StoreError(
                f"vectorstore.path: the keyword index {self.path} cannot be opened ({exc}); set "
                "vectorstore.path in config.toml (or GEOBOT_VECTORSTORE__PATH) to a writable folder"
            ) from exc
        # One connection shared by the bot's worker threads; sqlite3 objects are not safe to use
        # from two threads at once.
        self._lock = threading.RLock()
        self._view: Bm25View | None = None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _add_columns(self) -> None:
        """Bring a catalog written before a column existed up to the schema (the column empty)."""
        present = {row[1] for row in self._db.execute("PRAGMA table_info(articles)")}
        for name, kind in ADDED_ARTICLE_COLUMNS:
            if name not in present:
                self._db.execute(f"ALTER TABLE articles ADD COLUMN {name} {kind}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; everything inside commits together or not at all."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:  # a failed COMMIT may have rolled back already
                    self._db.execute("ROLLBACK")
                if (full := disk_full(exc)) is not None:
                    raise full from exc
                raise

    # -- chunks ------------------------------------------------------------------------------

    def upsert_chunks(self, db: sqlite3.Connection, records: Iterable[ChunkRecord]) -> None:
        db.executemany(
            """INSERT INTO chunks (id, article_id, publisher, published_ts, text, metadata)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET article_id = excluded.article_id,
                   publisher = excluded.publisher, published_ts = excluded.published_ts,
                   text = excluded.text, metadata = excluded.metadata""",
            (_chunk_row(r) for r in records),
        )

    def update_chunk_metadata(self, db: sqlite3.Connection, records: Iterable[ChunkRecord]) -> None:
        db.executemany(
            "UPDATE chunks SET publisher = ?, published_ts = ?, metadata = ? WHERE id = ?",
            ((r[2], r[3], r[5], r[0]) for r in map(_chunk_row, records)),
        )

    def delete_chunks(self, db: sqlite3.Connection, ids: Sequence[str]) -> None:
        db.executemany("DELETE FROM chunks WHERE id = ?", ((i,) for i in ids))

    def delete_article_chunks(self, db: sqlite3.Connection, article_id: str) -> None:
        db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))

    def chunk_ids(self, article_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM chunks WHERE article_id = ? ORDER BY rowid", (article_id,)
            ).fetchall()
        return [r[0] for r in rows]

    def chunk_articles(self, ids: Sequence[str]) -> set[str]:
        with self._lock:
            return {
                row[0]
                for i in ids
                for row in self._db.execute("SELECT article_id FROM chunks WHERE id = ?", (i,))
            }

    def records(self, ids: Sequence[str]) -> dict[str, ChunkRecord]:
        """The stored rows of these chunk ids (ids not stored are left out)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        sql = f"SELECT id, text, metadata FROM chunks WHERE id IN ({marks})"  # noqa: S608
        with self._lock:
            rows = self._db.execute(sql, list(ids)).fetchall()
        return {i: ChunkRecord(i, text, json.loads(meta)) for i, text, meta in rows}

    def count_chunks(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def wipe(self, db: sqlite3.Connection) -> None:
        """Empty the chunks and the catalog, inside a transaction."""
        db.execute("DELETE FROM chunks")
        db.execute("DELETE FROM articles")

    # -- search ------------------------------------------------------------------------------

    def search(self, text: str, k: int, where: Mapping[str, Any] | None = None) -> list[ScoredChunk]:
        """BM25-ranked chunks matching any query word (score: higher is better)."""
        if k <= 0:
            return []
        from vectorstore.bm25 import Unfilterable

        with self._lock:
            # one read transaction: the generation, the rows indexed and the rows returned agree
            self._db.execute("BEGIN")
            try:
                view = self._current_view()
                masks = None
                if where:
                    try:
                        masks = view.masks(where)
                    except Unfilterable:
                        masks = view.masks_of(self._sql_rowids(where))
                hits = view.search(text, k, masks)
                marks = ",".join("?" * len(hits))
                sql = f"SELECT rowid, id, text, metadata FROM chunks WHERE rowid IN ({marks})"  # noqa: S608
                rows = {r[0]: r[1:] for r in self._db.execute(sql, [rowid for rowid, _ in hits])}
            finally:
                self._db.execute("COMMIT")
        return [
            ScoredChunk(ChunkRecord(rows[rowid][0], rows[rowid][1], json.loads(rows[rowid][2])), score)
            for rowid, score in hits
        ]

    def warm(self) -> None:
        """Bring the index up to date now, not on the next query (rebuilding and saving the main
        index if the rows written since it was built have outgrown it)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._current_view()
            finally:
                self._db.execute("COMMIT")

    def _current_view(self) -> Bm25View:
        """The index of the rows as of now; call inside a read transaction."""
        # numpy and the index load only here: a catalog read (a re-ingest that finds nothing
        # new) needs neither, and numpy's import is a sixth of that run.
        from vectorstore.bm25 import DELTA_SHARE, Bm25Snapshot, Bm25View, Generation, saved_generation

        store, number = self._db.execute("SELECT store, generation FROM chunks_generation").fetchone()
        generation = Generation(store, number)
        view = self._view
        if view is not None and view.generation == generation:
            return view
        main = view.main if view is not None and view.main.generation.store == store else None
        saved = saved_generation(self.bm25_path)
        if main is None or (saved is not None and main.generation.number < saved <= number):
            # none in memory, or another process has saved a newer one
            main = Bm25Snapshot.load(self.bm25_path, store)
            view = None
        if main is not None and main.docs > 0 and main.generation.number <= number:
            changed = self._db.execute(
                "SELECT count(*) FROM chunks_changed WHERE generation >= ?", (main.generation.number,)
            ).fetchone()[0]
            added = self._db.execute(
                "SELECT count(*) FROM chunks WHERE rowid > ?", (main.max_rowid,)
            ).fetchone()[0]
            if changed + added <= DELTA_SHARE * main.docs:
                self._view = self._delta_view(generation, main, view)
                return self._view
        count = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        logger.info("building the keyword index over %d chunks", count)
        cursor = self._db.execute(
            "SELECT rowid, article_id, publisher, published_ts, text FROM chunks ORDER BY rowid"
        )
        main = Bm25Snapshot.build(generation, ((r[:4], r[4]) for r in cursor))
        main.save(self.bm25_path)
        # read back from disk, so the arrays just built leave memory
        reread = Bm25Snapshot.load(self.bm25_path, store)
        if reread is not None and reread.generation == generation:
            main = reread
        self._view = Bm25View.of(main)
        return self._view

    def _delta_view(self, generation: Generation, main: Bm25Snapshot, previous: Bm25View | None) -> Bm25View:
        """``main`` brought up to ``generation``: the rows changed or deleted since it was built
        left out of it, the rows written since in the delta (those of ``previous`` reused)."""
        import numpy as np

        from vectorstore.bm25 import Bm25View, Delta, word_counts

        since = main.generation.number
        stale = [
            r[0]
            for r in self._db.execute(
                "SELECT rowid FROM chunks_changed WHERE generation >= ? AND rowid <= ?",
                (since, main.max_rowid),
            )
        ]
        rows = self._db.execute(
            """SELECT rowid, article_id, publisher, published_ts FROM chunks WHERE rowid > ?
               OR rowid IN (SELECT rowid FROM chunks_changed WHERE generation >= ?) ORDER BY rowid""",
            (main.max_rowid, since),
        ).fetchall()
        reusable = {}
        if previous is not None and previous.main is main:
            reusable = previous.delta.reusable()
            for (rowid,) in self._db.execute(
                "SELECT rowid FROM chunks_changed WHERE generation >= ?", (previous.generation.number,)
            ):
                reusable.pop(rowid, None)
        wanted = [r[0] for r in rows if r[0] not in reusable]
        texts = dict(
            self._db.execute(
                "SELECT rowid, text FROM chunks WHERE rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(wanted),),
            )
        )
        delta = Delta.build(
            [(r, reusable[r[0]] if r[0] in reusable else word_counts(texts[r[0]])) for r in rows]
        )
        mask = np.isin(main.columns.rowids, stale) if stale else None
        return Bm25View(generation, main, mask, delta)

    def _sql_rowids(self, where: Mapping[str, Any]) -> list[int]:
        condition, params = _sql_where(where)
        sql = f"SELECT c.rowid FROM chunks AS c WHERE {condition}"  # noqa: S608
        return [r[0] for r in self._db.execute(sql, params)]

    # -- catalog -----------------------------------------------------------------------------

    def put_article(self, db: sqlite3.Connection, article: ArticleRecord, signature: bytes | None) -> None:
        """Insert or replace the catalog row; ``signature=None`` keeps a stored signature."""
        db.execute(
            f"""INSERT INTO articles ({ARTICLE_COLUMNS}, signature) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, publisher = excluded.publisher,
                    author = excluded.author, published = excluded.published, url = excluded.url,
                    language = excluded.language, origins = excluded.origins,
                    content_hash = excluded.content_hash, ingested_at = excluded.ingested_at,
                    chunk_count = excluded.chunk_count, publisher_id = excluded.publisher_id,
                    publisher_type = excluded.publisher_type,
                    signature = coalesce(excluded.signature, articles.signature)""",  # noqa: S608
            (*_article_row(article), signature),
        )

    def delete_article(self, db: sqlite3.Connection, article_id: str) -> None:
        db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def refresh_chunk_counts(self, db: sqlite3.Connection, article_ids: Iterable[str]) -> None:
        """After chunk-level deletes: recount, and drop catalog rows left without chunks."""
        for article_id in article_ids:
            n = db.execute("SELECT count(*) FROM chunks WHERE article_id = ?", (article_id,)).fetchone()[0]
            if n:
                db.execute("UPDATE articles SET chunk_count = ? WHERE id = ?", (n, article_id))
            else:
                db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def get_article(self, article_id: str) -> ArticleRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?",  # noqa: S608
                (article_id,),
            ).fetchone()
        return _article(row) if row else None

    def find_by_hash(self, content_hash: str) -> ArticleRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1",  # noqa: S608
                (content_hash,),
            ).fetchone()
        return _article(row) if row else None

    def list_articles(
        self,
        publisher: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArticleRecord]:
        conditions, params = ["1"], []
        if publisher is not None:
            conditions.append("publisher = ? COLLATE NOCASE")
            params.append(publisher)
        if since is not None:
            conditions.append("published >= ?")
            params.append(since)
        if until is not None:
            conditions.append("published <= ?")
            params.append(until)
        sql = (
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {' AND '.join(conditions)} "  # noqa: S608
            "ORDER BY published IS NULL, published DESC, title, id LIMIT ? OFFSET ?"
        )
        with self._lock:
            rows = self._db.execute(sql, [*params, -1 if limit is None else limit, offset]).fetchall()
        return [_article(r) for r in rows]

    def article_signatures(self) -> dict[str, bytes]:
        with self._lock:
            rows = self._db.execute("SELECT id, signature FROM articles WHERE signature IS NOT NULL")
            return {i: bytes(s) for i, s in rows}

    def set_signatures(self, db: sqlite3.Connection, signatures: Mapping[str, bytes]) -> None:
        db.executemany(
            "UPDATE articles SET signature = ? WHERE id = ?", ((s, i) for i, s in signatures.items())
        )

    def article_ids(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT id FROM articles")}

    def publisher_names(self) -> set[str]:
        """Every publisher name as stored (read from its index, not from every article)."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT publisher FROM articles WHERE publisher NOTNULL")
            return {row[0] for row in rows}

    def publishers(self) -> set[str]:
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT lower(publisher) FROM articles WHERE publisher NOTNULL")
            return {row[0] for row in rows}

    def article_count(self) -> int:
        """The number of catalog rows, kept by triggers in the transaction of every write: an
        abstention says it, and counting 150k rows each time was most of a 1M-chunk ask's p95."""
        with self._lock:
            return int(self._db.execute("SELECT n FROM articles_count").fetchone()[0])

    def catalog_stats(self) -> dict[str, Any]:
        with self._lock:
            articles, publishers, earliest, latest, last = self._db.execute(
                """SELECT count(*), count(DISTINCT lower(publisher)), min(published), max(published),
                          max(ingested_at) FROM articles"""
            ).fetchone()
        return {
            "articles": articles,
            "publishers": publishers,
            "earliest": earliest,
            "latest": latest,
            "last_ingest": last or None,
        }


def _chunk_row(record: ChunkRecord) -> tuple[Any, ...]:
    meta = record.metadata
    ts = meta.get("published_ts")
    publisher = meta.get("publisher")
    return (
        record.id,
        str(meta.get("article_id", "")),
        publisher if isinstance(publisher, str) else None,
        ts if isinstance(ts, int) and not isinstance(ts, bool) else None,
        record.text,
        json.dumps(dict(meta), ensure_ascii=False, sort_keys=True),
    )


def _article_row(a: ArticleRecord) -> tuple[Any, ...]:
    origins = json.dumps([dict(o) for o in a.origins], sort_keys=True)
    return (
        a.id,
        a.title,
        a.publisher,
        a.author,
        a.published,
        a.url,
        a.language,
        origins,
        a.content_hash,
        a.ingested_at,
        a.chunk_count,
        a.publisher_id,
        a.publisher_type,
    )


def _article(row: Sequence[Any]) -> ArticleRecord:
    return ArticleRecord(
        id=row[0],
        title=row[1],
        publisher=row[2],
        author=row[3],
        published=row[4],
        url=row[5],
        language=row[6],
        origins=parse_origins(row[7]),
        content_hash=row[8],
        ingested_at=row[9],
        chunk_count=row[10],
        publisher_id=row[11],
        publisher_type=row[12],
    )


def _sql_where(where: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """Translate a Chroma ``where`` filter into SQL over the chunks table (``c``)."""
    parts: list[str] = []
    params: list[Any] = []
    for key, value in where.items():
        if key in ("$and", "$or"):
            subs = [_sql_where(w) for w in value]
            joiner = " AND " if key == "$and" else " OR "
            parts.append("(" + joiner.join(s for s, _ in subs) + ")")
            params.extend(p for _, ps in subs for p in ps)
            continue
        if not KEY.match(key):
            raise ValueError(f"unsupported metadata key in where filter: {key!r}")
        column = COLUMNS.get(key, f"json_extract(c.metadata, '$.{key}')")
        ops = value if isinstance(value, Mapping) else {"$eq": value}
        for op, operand in ops.items():
            if op in COMPARISONS:
                parts.append(f"{column} {COMPARISONS[op]} ?")
                params.append(operand)
            elif op in ("$in", "$nin"):
                marks = ",".join("?" * len(operand)) or "NULL"
                parts.append(f"{column} {'IN' if op == '$in' else 'NOT IN'} ({marks})")
                params.extend(operand)
            else:
                raise ValueError(f"unsupported operator in where filter: {op!r}")
    return "(" + " AND ".join(parts or ["1"]) + ")", params
