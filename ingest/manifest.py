"""Which input files an earlier run ingested completely, so an unchanged one is skipped cheaply.

A row per file (resolved path, size, mtime_ns, SHA-256 of its bytes, the config fingerprint, and
the stored article id and content hash each of its records ended up in) lives in its own SQLite
file in the store's folder (``ArticleStore.local_folder``). A file is skipped only when its
bytes hash the same, the config fingerprint is the same, and the catalog still holds every
recorded article with that content hash and with this file's records among its origins;
anything else (a changed file, a deleted or rebuilt store, other settings) takes the full path.
Rows are written only after all of a run's articles are committed, so a run killed at any point
leaves no row claiming more than the store holds.

Checking the manifest needs only the standard library and the catalog, so an unchanged corpus
is skipped without loading the embedding model, Chroma or trafilatura.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vectorstore.base import ArticleCatalog
from vectorstore.records import ArticleRecord

logger = logging.getLogger(__name__)

FILENAME = "ingest_manifest.sqlite3"

# Bump when the pipeline would store the same input differently, so old rows stop matching.
PIPELINE_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS ingest_manifest (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    config TEXT NOT NULL,
    articles TEXT NOT NULL,
    recorded_at TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class FileState:
    path: str  # as given to ingest, as in the origins readers write
    size: int
    mtime_ns: int
    sha256: str


def file_state(path: Path) -> FileState | None:
    """The file as it is now; None if it cannot be read (the reader then reports why)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # opening a named pipe would block the whole run
            return None
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return FileState(str(path), st.st_size, st.st_mtime_ns, digest.hexdigest())


def config_fingerprint(settings: Mapping[str, object]) -> str:
    """A hash of the settings that shape what is stored from an input."""
    blob = json.dumps({"version": PIPELINE_VERSION, **settings}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


# record number -> (article id, content hash) of the stored article it is part of
Outcome = dict[int, tuple[str, str]]


class Manifest:
    """The ``ingest_manifest`` table in ``<store folder>/ingest_manifest.sqlite3``."""

    def __init__(self, folder: Path) -> None:
        self._db = sqlite3.connect(folder / FILENAME, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.execute(SCHEMA)

    @classmethod
    def existing(cls, folder: Path) -> Manifest | None:
        """The manifest of a store that has one already, else None (nothing to skip)."""
        if not (folder / FILENAME).is_file():
            return None
        try:
            return cls(folder)
        except sqlite3.Error as exc:
            logger.warning("ingest manifest in %s unusable (%s); reading every input", folder, exc)
            return None

    def close(self) -> None:
        self._db.close()

    def unchanged(self, state: FileState, config: str, catalog: ArticleCatalog) -> list[str] | None:
        """The stored article ids of a file ingested before exactly as it is now, else None."""
        row = self._db.execute(
            "SELECT sha256, config, articles FROM ingest_manifest WHERE path = ?", (state.path,)
        ).fetchone()
        if row is None or row[0] != state.sha256 or row[1] != config:
            return None
        outcome = {int(k): (v[0], v[1]) for k, v in json.loads(row[2]).items()}
        ids = sorted({article_id for article_id, _ in outcome.values()})
        stored = {article_id: catalog.get_article(article_id) for article_id in ids}
        for record, (article_id, content_hash) in outcome.items():
            article = stored[article_id]
            if article is None or article.content_hash != content_hash:
                return None
            if {"path": state.path, "record": record} not in article.origins:
                return None
        return ids

    def record(self, files: Iterable[tuple[FileState, Outcome]], config: str) -> None:
        """Remember files whose every record is now stored (one transaction)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (s.path, s.size, s.mtime_ns, s.sha256, config, json.dumps(outcome, sort_keys=True), now)
            for s, outcome in files
        ]
        if not rows:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                """INSERT INTO ingest_manifest (path, size, mtime_ns, sha256, config, articles, recorded_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                       sha256 = excluded.sha256, config = excluded.config,
                       articles = excluded.articles, recorded_at = excluded.recorded_at""",
                rows,
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def forget(self, article_id: str) -> int:
        """Drop the rows of files that have a record in ``article_id`` (it is being removed, so
        those files are read again next time); the number of rows dropped."""
        rows = self._db.execute("SELECT path, articles FROM ingest_manifest").fetchall()
        stale = [
            (path,)
            for path, articles in rows
            if any(stored_id == article_id for stored_id, _ in json.loads(articles).values())
        ]
        self._db.executemany("DELETE FROM ingest_manifest WHERE path = ?", stale)
        return len(stale)


def outcomes(
    states: Mapping[str, FileState], records: Mapping[str, set[int]], catalog: Iterable[ArticleRecord]
) -> list[tuple[FileState, Outcome]]:
    """For each file read this run, where each of its records is stored; files with a record
    that is not stored (a failed row) are left out, so they are read again next time."""
    found: dict[str, Outcome] = {path: {} for path in states}
    for article in catalog:
        for origin in article.origins:
            path, record = origin.get("path"), origin.get("record")
            if isinstance(path, str) and path in found and isinstance(record, int):
                found[path][record] = (article.id, article.content_hash)
    return [
        (states[path], outcome)
        for path, outcome in found.items()
        if records.get(path) and set(outcome) >= records[path]
    ]
