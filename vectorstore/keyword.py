"""The keyword index and the article catalog: one SQLite file (FTS5) beside the Chroma store.

Chunks live in a plain table (id, article_id, publisher, published_ts, text, metadata JSON)
with an external-content FTS5 index over the text; the ``articles`` table is the catalog.
Writing an article's chunks and its catalog row happens in one transaction, so a crash leaves
either the old article or the new one.

Query speed: an FTS5 ``bm25()`` OR-query costs time in proportion to the postings of its terms,
and common words have huge posting lists but an IDF near zero (FTS5 floors a negative IDF at
1e-6). ``search`` therefore looks up each query term's document frequency in an fts5vocab
table and keeps only the rarest terms within a postings budget (see ``TermPolicy``).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vectorstore.errors import StoreError, disk_full
from vectorstore.metadata import parse_origins
from vectorstore.records import ArticleRecord, ChunkRecord, ScoredChunk

logger = logging.getLogger(__name__)

FILENAME = "keyword.sqlite3"
TOKENIZER = "porter unicode61 remove_diacritics 2"

SCHEMA = f"""
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
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, content='chunks', content_rowid='rowid', tokenize='{TOKENIZER}'
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_au AFTER UPDATE OF text ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO chunks_fts(rowid, text) VALUES (new.rowid, new.text);
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
    signature BLOB
);
CREATE INDEX IF NOT EXISTS articles_by_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_by_publisher ON articles(publisher);
CREATE INDEX IF NOT EXISTS articles_by_hash ON articles(content_hash);
"""  # noqa: S608 (only constants are formatted in)

# Per-connection scratch tables that run the query words through the index's own tokenizer
# (porter stemming included), so their document frequencies can be looked up exactly.
QUERY_SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_words USING fts5(word, tokenize='{TOKENIZER}');
CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_terms USING fts5vocab(temp, query_words, 'instance');
"""

ARTICLE_COLUMNS = (
    "id, title, publisher, author, published, url, language, origins, content_hash, ingested_at, chunk_count"
)

WORD = re.compile(r"[^\W_]+")
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
COLUMNS = {
    "id": "c.id",
    "article_id": "c.article_id",
    "publisher": "c.publisher",
    "published_ts": "c.published_ts",
}
COMPARISONS = {"$eq": "=", "$ne": "!=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


@dataclass(frozen=True, slots=True)
class TermPolicy:
    """Which query terms reach FTS5 (budget measured in bench/keyword_latency.py).

    FTS5 time grows with the postings it must score. Terms are taken rarest first while their
    summed document frequencies stay within ``postings_budget``, at most ``max_terms`` of them;
    the rarest term is always kept. The terms left out are the most common ones, whose BM25
    IDF is smallest (FTS5 floors it at ~0 once a term is in half the chunks), so the ranking
    barely changes; a small store keeps every term.
    """

    postings_budget: int = 20_000
    max_terms: int = 16


class KeywordIndex:
    """SQLite FTS5 over chunk texts plus the article catalog, in ``<folder>/keyword.sqlite3``."""

    def __init__(self, folder: Path, policy: TermPolicy | None = None) -> None:
        self.path = folder / FILENAME
        self.policy = policy or TermPolicy()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(SCHEMA)
            self._db.executescript(QUERY_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(
                f"vectorstore.path: the keyword index {self.path} cannot be opened ({exc}); set "
                "vectorstore.path in config.toml (or GEOBOT_VECTORSTORE__PATH) to a writable folder"
            ) from exc
        # One connection shared by the bot's worker threads; sqlite3 objects are not safe to use
        # from two threads at once.
        self._lock = threading.RLock()
        self._df_cache: dict[str, int] = {}
        self._df_version = -1

    def close(self) -> None:
        with self._lock:
            self._db.close()

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
            self._df_cache.clear()

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

    def count_chunks(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def wipe(self, db: sqlite3.Connection) -> None:
        """Empty the chunks (and their FTS index) and the catalog, inside a transaction."""
        db.execute("DELETE FROM chunks")
        db.execute("DELETE FROM articles")

    # -- search ------------------------------------------------------------------------------

    def select_terms(self, text: str) -> list[str]:
        """The query words worth searching for, rarest first (see TermPolicy)."""
        words = list(dict.fromkeys(w.lower() for w in WORD.findall(text)))[:64]
        if not words:
            return []
        with self._lock:
            self._db.execute("DELETE FROM temp.query_words")
            self._db.executemany(
                "INSERT INTO temp.query_words (rowid, word) VALUES (?, ?)", list(enumerate(words))
            )
            stems = self._db.execute("SELECT doc, term FROM temp.query_terms").fetchall()
            frequencies = self._document_frequencies({term for _, term in stems})
        rows = [(i, term, frequencies[term]) for i, term in stems if frequencies[term]]
        by_term: dict[str, tuple[int, int]] = {}  # stem -> (document frequency, first word)
        for word_index, term, df in rows:
            if term not in by_term or word_index < by_term[term][1]:
                by_term[term] = (df, word_index)
        ranked = sorted(by_term.values())
        kept: list[str] = []
        postings = 0
        for df, word_index in ranked:
            if kept and (postings + df > self.policy.postings_budget or len(kept) >= self.policy.max_terms):
                break
            kept.append(words[word_index])
            postings += df
        return kept

    def _document_frequencies(self, terms: set[str]) -> dict[str, int]:
        """Chunks containing each term, cached until the database changes.

        fts5vocab counts by walking the term's whole posting list, which for common words costs
        as much as the search saved by dropping them; questions repeat those words, so the
        counts are kept until another connection commits (data_version) or this one does.
        """
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._df_version:
            self._df_cache.clear()
            self._df_version = version
        for term in terms - self._df_cache.keys():
            row = self._db.execute("SELECT doc FROM chunks_vocab WHERE term = ?", (term,)).fetchone()
            self._df_cache[term] = int(row[0]) if row else 0
        return {term: self._df_cache[term] for term in terms}

    def search(self, text: str, k: int, where: Mapping[str, Any] | None = None) -> list[ScoredChunk]:
        """BM25-ranked chunks matching any kept query term; score = -bm25 (higher is better)."""
        terms = self.select_terms(text)
        if not terms or k <= 0:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        if where:
            condition, params = _sql_where(where)
            sql = f"""SELECT c.id, c.text, c.metadata, f.rank FROM chunks_fts AS f
                      JOIN chunks AS c ON c.rowid = f.rowid
                      WHERE chunks_fts MATCH ? AND {condition} ORDER BY f.rank LIMIT ?"""  # noqa: S608
            args: list[Any] = [match, *params, k]
        else:
            sql = """SELECT c.id, c.text, c.metadata, f.rank
                     FROM (SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ?
                           ORDER BY rank LIMIT ?) AS f
                     JOIN chunks AS c ON c.rowid = f.rowid ORDER BY f.rank"""
            args = [match, k]
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [ScoredChunk(ChunkRecord(i, t, json.loads(m)), -float(rank)) for i, t, m, rank in rows]

    # -- catalog -----------------------------------------------------------------------------

    def put_article(self, db: sqlite3.Connection, article: ArticleRecord, signature: bytes | None) -> None:
        """Insert or replace the catalog row; ``signature=None`` keeps a stored signature."""
        db.execute(
            f"""INSERT INTO articles ({ARTICLE_COLUMNS}, signature) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, publisher = excluded.publisher,
                    author = excluded.author, published = excluded.published, url = excluded.url,
                    language = excluded.language, origins = excluded.origins,
                    content_hash = excluded.content_hash, ingested_at = excluded.ingested_at,
                    chunk_count = excluded.chunk_count,
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

    def signatures(self) -> dict[str, bytes]:
        with self._lock:
            rows = self._db.execute("SELECT id, signature FROM articles WHERE signature IS NOT NULL")
            return {i: bytes(s) for i, s in rows}

    def set_signatures(self, db: sqlite3.Connection, signatures: Mapping[str, bytes]) -> None:
        db.executemany(
            "UPDATE articles SET signature = ? WHERE id = ?", ((s, i) for i, s in signatures.items())
        )

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
