"""How the bot behaves in each channel, and which messages auto mode takes for questions.

* ``mention`` (the default): answers only when mentioned, or in the threads it started.
* ``auto``: answers every new question in the channel (in a thread it starts from the message);
  in a forum channel, the first post of every new thread, in that thread.
* ``off``: says nothing in the channel or its threads, mentioned or not (slash commands still
  work: they are asked of it explicitly, and answered to the asker).

Modes are kept in ``[records] db`` and held in memory, so the message handler never waits for
SQLite; a change is written first, then remembered.
"""

from __future__ import annotations

import re
import threading
from enum import Enum

from bot.records import Records, now_iso


class Mode(Enum):
    MENTION = "mention"
    AUTO = "auto"
    OFF = "off"


# Auto mode answers questions, not conversation. A message is taken for one when it has at
# least MIN_WORDS words and either ends with a question mark or opens with a question word;
# messages that reply to someone other than the bot are conversation between people, and are
# left alone whatever their wording.
MIN_WORDS = 3
_QUESTION_WORDS = frozenset({"who", "what", "when", "where", "why", "how", "which", "whose", "whom"})
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_NOT_TEXT = re.compile(r"<[@#][!&]?\d+>|<a?:\w+:\d+>|https?://\S+|`[^`]*`")


def looks_like_question(text: str, *, replies_to_someone_else: bool = False) -> bool:
    """Whether auto mode should take ``text`` for a question (see above)."""
    if replies_to_someone_else:
        return False
    plain = _NOT_TEXT.sub(" ", text).strip()
    words = _WORD.findall(plain.lower())
    if len(words) < MIN_WORDS:
        return False
    first = re.split(r"['’]", words[0])[0]  # "what's" asks as "what" does
    return plain.rstrip(" \t\n.!)\"'”»").endswith(("?", "？")) or first in _QUESTION_WORDS


class ChannelModes:
    """The mode of every channel that has one set (others are ``mention``)."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self._modes: dict[int, Mode] = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        """Read every stored mode (once, at start-up, off the event loop)."""
        with self.records.reading() as db:
            rows = db.execute("SELECT channel_id, mode FROM channel_modes").fetchall()
        with self._lock:
            self._modes = {int(channel): Mode(mode) for channel, mode in rows}

    def of(self, channel_id: int) -> Mode:
        with self._lock:
            return self._modes.get(channel_id, Mode.MENTION)

    def set(self, server_id: int, channel_id: int, mode: Mode) -> None:
        with self.records.transaction() as db:
            db.execute(
                """INSERT INTO channel_modes (channel_id, server_id, mode, set_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (channel_id) DO UPDATE SET mode = excluded.mode, set_at = excluded.set_at""",
                (channel_id, server_id, mode.value, now_iso()),
            )
        with self._lock:
            self._modes[channel_id] = mode
