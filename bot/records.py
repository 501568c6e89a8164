"""The bot's own records in one SQLite file (``[records] db``): answers posted and their feedback,
channel modes, followed feeds with what their polls remember, and digests.

The file is shared by ``geobot serve`` and the CLI commands that manage feeds and answers (WAL,
so readers never wait for a writer). Every method blocks; the Discord layer calls them from
worker threads. One connection per ``Records``, used under a lock.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import RecordsError

logger = logging.getLogger(__name__)

# Bumped when a table changes; `migrate` brings an older file up to date.
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    -- the rowid keeps the order answers were posted in; ids are random (made before sending)
    id INTEGER NOT NULL UNIQUE,
    server_id INTEGER,  -- NULL: a direct message
    channel_id INTEGER NOT NULL,
    user_hash TEXT NOT NULL,  -- who asked, as a hash: no Discord user id is kept
    message_id INTEGER,  -- the message carrying the buttons
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    citations TEXT NOT NULL,  -- JSON: each citation with its quote and origins
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_by_asker ON answers(channel_id, user_hash);
CREATE INDEX IF NOT EXISTS answers_by_time ON answers(created_at);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user_hash)
);
CREATE TABLE IF NOT EXISTS channel_modes (
    channel_id INTEGER PRIMARY KEY,
    server_id INTEGER NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('mention', 'auto', 'off')),
    set_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    server_id INTEGER NOT NULL,  -- 0: the base library (followed from the command line)
    url TEXT NOT NULL,
    channel_id INTEGER,  -- where its digests are posted; NULL: nowhere
    title TEXT,
    added_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    next_poll_at REAL NOT NULL,  -- epoch seconds
    poll_started_at TEXT,  -- while a poll is unfinished: when its first attempt began
    last_poll_at TEXT,
    last_new_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0,  -- errors in a row
    failing_since TEXT,
    last_error TEXT,
    UNIQUE (server_id, url)
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, key)
);
CREATE TABLE IF NOT EXISTS digests (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    -- pending: to post; sending: handed to Discord (never sent twice); posted; unposted: no
    -- channel to post it in; failed: the channel refused it
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'posted', 'unposted', 'failed')),
    message_id INTEGER
);
CREATE INDEX IF NOT EXISTS digests_by_time ON digests(created_at);
CREATE TABLE IF NOT EXISTS digest_items (
    digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT,
    published TEXT,
    url TEXT,
    PRIMARY KEY (digest_id, position)
);
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Records:
    """The connection to ``[records] db``; ``transaction()`` for writes that go together."""

    def __init__(self, path: Path, busy_seconds: float = 5.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise RecordsError(
                f"records.db {path}: cannot be opened ({exc}); set [records] db in config.toml to a "
                "writable file"
            ) from exc
        self._lock = threading.RLock()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"written by a newer geotech-bot (schema {version})")
        self._db.executescript(SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @property
    def db(self) -> sqlite3.Connection:
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    def close(self) -> None:
        with self._lock:
            self._db.close()
