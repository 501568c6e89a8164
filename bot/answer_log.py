"""Every answer posted on Discord, kept so that its buttons and /sources work after restarts.

An answer gets its id before it is sent (the buttons carry it in their ``custom_id``) and is
saved after, with the id of the message that carries the buttons. Who asked is kept only as a
hash, as feedback is. ``prune`` deletes what is older than ``[answers] retention_days``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.answer.types import Answer, Citation, Origin
from bot.records import Records, now_iso

_CITATION_FIELDS = frozenset(f.name for f in fields(Citation))


def hash_user(user_id: int) -> str:
    """Nothing keeps a Discord user id, only this digest (one vote per user and answer)."""
    return hashlib.sha256(str(user_id).encode()).hexdigest()


def new_answer_id() -> int:
    """A random id (fits SQLite's INTEGER and a custom_id), so no database is needed to make one."""
    return secrets.randbits(62)


def citation_json(citation: Citation) -> dict[str, Any]:
    return asdict(citation)


def citation_from_json(data: dict[str, Any]) -> Citation:
    known = {k: v for k, v in data.items() if k in _CITATION_FIELDS}
    known["origin"] = tuple(Origin(**o) for o in known.get("origin", ()))
    return Citation(**known)


@dataclass(frozen=True, slots=True)
class PostedAnswer:
    id: int
    server_id: int | None
    channel_id: int
    user_id: int
    answer: Answer
    message_id: int | None = None


class AnswerLog:
    def __init__(self, records: Records) -> None:
        self.records = records

    def save(self, posted: PostedAnswer) -> None:
        answer = posted.answer
        citations = json.dumps([citation_json(c) for c in answer.citations], ensure_ascii=False)
        with self.records.transaction() as db:
            db.execute(
                """INSERT INTO answers (id, server_id, channel_id, user_hash, message_id, question, answer,
                       abstained, citations, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET message_id = excluded.message_id""",
                (
                    posted.id,
                    posted.server_id,
                    posted.channel_id,
                    hash_user(posted.user_id),
                    posted.message_id,
                    answer.question,
                    answer.text,
                    int(answer.abstained),
                    citations,
                    now_iso(),
                ),
            )

    def get(self, answer_id: int) -> Answer | None:
        with self.records.reading() as db:
            row = db.execute(
                "SELECT question, answer, abstained, citations FROM answers WHERE id = ?", (answer_id,)
            ).fetchone()
        return _answer(row) if row else None

    def last(self, channel_id: int, user_id: int) -> Answer | None:
        """The latest answer ``user_id`` asked for in ``channel_id``."""
        with self.records.reading() as db:
            row = db.execute(
                """SELECT question, answer, abstained, citations FROM answers
                   WHERE channel_id = ? AND user_hash = ? ORDER BY rowid DESC LIMIT 1""",
                (channel_id, hash_user(user_id)),
            ).fetchone()
        return _answer(row) if row else None

    def vote(self, answer_id: int, user_id: int, vote: int) -> bool:
        """Record (or change) one user's vote on an answer; False if the answer is not kept."""
        with self.records.transaction() as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute(
                """INSERT INTO feedback (answer_id, user_hash, vote, created_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (answer_id, user_hash) DO UPDATE SET vote = excluded.vote,
                       created_at = excluded.created_at""",
                (answer_id, hash_user(user_id), vote, now_iso()),
            )
        return True

    def prune(self, days: int, now: datetime | None = None) -> dict[str, int]:
        """Delete answers (with their feedback) and digests older than ``days``; 0 keeps all."""
        if days <= 0:
            return {"answers": 0, "digests": 0}
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="seconds")
        with self.records.transaction() as db:
            answers = db.execute("DELETE FROM answers WHERE created_at < ?", (cutoff,)).rowcount
            digests = db.execute("DELETE FROM digests WHERE created_at < ?", (cutoff,)).rowcount
        return {"answers": answers, "digests": digests}


def _answer(row: tuple[Any, ...]) -> Answer:
    question, text, abstained, citations = row
    return Answer(
        question=question,
        text=text,
        abstained=bool(abstained),
        citations=tuple(citation_from_json(c) for c in json.loads(citations)),
    )
