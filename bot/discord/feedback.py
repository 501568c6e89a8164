"""Thumbs up/down feedback in SQLite, written on its own thread (never on the event loop)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    message_id INTEGER NOT NULL,
    user_hash TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    cited_ids TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (message_id, user_hash)
)
"""


def hash_user(user_id: int) -> str:
    """Feedback keeps no Discord user id, only this digest (one vote per user and answer)."""
    return hashlib.sha256(str(user_id).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Vote:
    message_id: int
    user_id: int
    vote: int  # +1 or -1
    question: str
    answer: str
    cited_ids: Sequence[str]


class FeedbackStore:
    """One connection used from one worker thread; a later vote by the same user replaces theirs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedback")
        self._db: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute(_SCHEMA)
            self._db.commit()
        return self._db

    def _record(self, vote: Vote) -> None:
        db = self._open()
        db.execute(
            "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (message_id, user_hash) DO UPDATE SET vote = excluded.vote, "
            "created_at = excluded.created_at",
            (
                vote.message_id,
                hash_user(vote.user_id),
                vote.vote,
                vote.question,
                vote.answer,
                json.dumps(list(vote.cited_ids)),
                datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )
        db.commit()

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def open(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._open)

    async def record(self, vote: Vote) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._record, vote)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=False)
