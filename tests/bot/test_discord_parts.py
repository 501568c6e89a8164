"""Plain parts of the Discord layer: cooldowns, dates, intents, feedback storage, error replies."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from discord import app_commands

from bot.discord.client import intents_for
from bot.discord.cooldown import Cooldowns
from bot.discord.dates import parse_since
from bot.discord.error_handler import reply_for
from bot.discord.errors import OnCooldown, UserInputError
from bot.discord.feedback import FeedbackStore, Vote
from bot.errors import BotError, LLMConfigError
from bot.settings import DiscordSettings
from ingest.errors import IngestError, RefusedURL
from vectorstore.errors import EmbeddingModelError, StoreError, StoreUnavailable, VectorStoreError

pytestmark = pytest.mark.unit


def test_cooldown_allows_rate_per_window_per_user() -> None:
    now = [100.0]
    cooldowns = Cooldowns(rate=2, per=10, clock=lambda: now[0])
    assert cooldowns.hit("a") == 0 and cooldowns.hit("a") == 0
    assert cooldowns.hit("a") == pytest.approx(10)
    assert cooldowns.hit("b") == 0
    now[0] += 4
    assert cooldowns.hit("a") == pytest.approx(6)
    now[0] += 6
    assert cooldowns.hit("a") == 0


def test_since_accepts_iso_and_plain_english_and_refuses_nonsense() -> None:
    assert parse_since("2024-05-01") == date(2024, 5, 1)
    assert parse_since("3 days ago") < date.today()
    with pytest.raises(ValueError, match="not a date"):
        parse_since("the day after never")


def test_message_content_intent_only_for_mention_chat() -> None:
    on = intents_for(DiscordSettings(mention_chat=True))
    assert on.message_content and on.guild_messages and not on.dm_messages and not on.members
    assert intents_for(DiscordSettings(mention_chat=True, allow_dms=True)).dm_messages
    off = intents_for(DiscordSettings(mention_chat=False))
    assert not off.message_content and not off.guild_messages and off.guilds


def test_known_errors_get_short_replies_and_bugs_get_none() -> None:
    assert "again in 4 s" in (reply_for(OnCooldown(3.6)) or "")
    assert reply_for(app_commands.MissingPermissions(["manage_guild"])) is not None
    assert reply_for(UserInputError("bad date")) == "bad date"
    assert "try again" in (reply_for(StoreUnavailable("down")) or "")
    assert reply_for(RuntimeError("bug")) is None


def test_errors_of_our_packages_reply_with_their_own_line() -> None:
    assert reply_for(LLMConfigError("[llm] provider = 'openai' needs a model name")) == (
        "[llm] provider = 'openai' needs a model name"
    )
    refused = RefusedURL("http://10.0.0.7/a", "refused: private address 10.0.0.7")
    assert reply_for(refused) == str(refused)
    # A store's own message names settings, for the operator; the user gets a plain line.
    assert "library has a problem" in (reply_for(StoreError("vectorstore.path /x: cannot write")) or "")
    assert reply_for(EmbeddingModelError("embedding.model: cannot load")) is None  # a bug here


@pytest.mark.parametrize(
    ("module", "base"),
    [
        ("bot.errors", BotError),
        ("bot.discord.errors", BotError),
        ("ingest.errors", IngestError),
        ("vectorstore.errors", VectorStoreError),
    ],
)
def test_every_error_a_package_raises_has_its_base(module: str, base: type[Exception]) -> None:
    import importlib
    import inspect

    errors = [
        cls
        for _, cls in inspect.getmembers(importlib.import_module(module), inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == module
    ]
    assert errors and all(issubclass(cls, base) for cls in errors), errors


async def test_feedback_is_stored_with_a_hashed_user_and_one_vote_per_user(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "feedback.sqlite3")
    await store.open()
    vote = Vote(message_id=7, user_id=42, vote=1, question="q?", answer="a [1].", cited_ids=["x", "y"])
    await store.record(vote)
    await store.record(Vote(7, 42, -1, "q?", "a [1].", ["x", "y"]))
    await store.record(Vote(7, 43, 1, "q?", "a [1].", ["x", "y"]))
    await store.close()
    with sqlite3.connect(tmp_path / "sub" / "feedback.sqlite3") as db:
        rows = db.execute(
            "SELECT message_id, user_hash, vote, cited_ids FROM feedback ORDER BY vote"
        ).fetchall()
    assert rows[0] == (7, hashlib.sha256(b"42").hexdigest(), -1, '["x", "y"]')
    assert {r[1] for r in rows} == {hashlib.sha256(b"42").hexdigest(), hashlib.sha256(b"43").hexdigest()}
