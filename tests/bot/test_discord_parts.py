"""Plain parts of the Discord layer: cooldowns, dates, intents, error replies, digest messages."""

from __future__ import annotations

from datetime import date

import pytest
from discord import app_commands

from bot.digest import DigestLine
from bot.discord.client import intents_for
from bot.discord.cooldown import Cooldowns
from bot.discord.dates import parse_since
from bot.discord.digest_message import digest_embed, feeds_embed
from bot.discord.error_handler import reply_for
from bot.discord.errors import OnCooldown, UserInputError
from bot.errors import BotError, LLMConfigError
from bot.feeds import Feed
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


def _feed(**changes: object) -> Feed:
    base = dict(
        id=1, server_id=5, url="https://news.example/feed.xml", channel_id=9, title="Tidewater <@&1> Wire",
        etag=None, last_modified=None, next_poll_at=0.0, poll_started_at=None, last_poll_at=None,
        last_new_at=None, failures=0, failing_since=None, last_error=None,
    )  # fmt: skip
    return Feed(**(base | changes))  # type: ignore[arg-type]


def test_a_digest_is_one_message_within_discords_limits_however_many_lines() -> None:
    from testing.discord_emulator.limits import validate_message

    line = DigestLine(
        "Silo sensors @everyone", "Tidewater Wire", "2024-04-10", "https://t.example/a", ("Coast",)
    )
    embed = digest_embed(_feed(), [line])
    assert embed["title"] == "New from Tidewater <@\u200b&1> Wire"
    assert embed["description"] == (
        "• [Silo sensors @\u200beveryone](<https://t.example/a>) — Tidewater Wire · 2024-04-10 · also: Coast"
    )
    many = [
        DigestLine(f"Story number {i} " + "x" * 150, "P", "2024-01-01", f"https://t.example/{i}")
        for i in range(300)
    ]
    big = digest_embed(_feed(), many)
    assert validate_message({"embeds": [big]}, creating=True) is None
    assert big["description"].endswith(" more") and "…and " in big["description"]
    assert big["footer"]["text"].startswith("300 new articles")


def test_missing_permissions_name_the_permission_discord_shows() -> None:
    assert reply_for(app_commands.MissingPermissions(["manage_guild"])) == (
        "Only members with the Manage Server permission can use this command."
    )
    assert "Manage Channels permission" in (
        reply_for(app_commands.MissingPermissions(["manage_channels"])) or ""
    )


def test_the_feed_list_numbers_feeds_and_says_how_each_does() -> None:
    from testing.discord_emulator.limits import validate_message

    embed = feeds_embed(
        [(_feed(), "failing for 3 h (2 errors in a row): HTTP 500"), (_feed(id=2, channel_id=None), "ok")], 20
    )
    assert [f["name"] for f in embed["fields"]] == [f"{n}. Tidewater <@\u200b&1> Wire" for n in (1, 2)]
    assert "<#9>" in embed["fields"][0]["value"] and "HTTP 500" in embed["fields"][0]["value"]
    assert embed["footer"]["text"] == "2 of 20 feeds"
    assert validate_message({"embeds": [embed]}, creating=True) is None
    assert "follows no feeds" in feeds_embed([], 20)["description"]
