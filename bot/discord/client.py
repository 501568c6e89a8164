"""The bot: a commands.Bot built from its settings and services (discord.py advanced_startup style)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import TypeVar

import discord
from discord.ext import commands

from bot.answer.types import Answer
from bot.answer_log import PostedAnswer
from bot.discord.answering import SourcesButton, VoteButton
from bot.discord.cooldown import Cooldowns
from bot.discord.dates import parse_since
from bot.discord.error_handler import on_app_command_error
from bot.discord.ports import Services
from bot.settings import DiscordSettings, Settings

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)

EXTENSIONS = (
    "bot.discord.cogs.ask",
    "bot.discord.cogs.timeline",
    "bot.discord.cogs.library",
    "bot.discord.cogs.admin",
    "bot.discord.cogs.chat",
    "bot.discord.cogs.feeds",
    "bot.discord.cogs.channels",
)


def intents_for(settings: DiscordSettings) -> discord.Intents:
    """Only what the bot uses; the privileged message-content intent only for mention chat."""
    intents = discord.Intents.none()
    intents.guilds = True
    if settings.mention_chat:
        intents.guild_messages = True
        intents.message_content = True
        intents.dm_messages = settings.allow_dms
    return intents


class RecentAnswers:
    """The answers this process posted lately: the Sources button and /sources read them here
    first, and from here alone when the records could not be written."""

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._by_id: OrderedDict[int, Answer] = OrderedDict()
        self._last: OrderedDict[tuple[int, int], Answer] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, posted: PostedAnswer) -> None:
        with self._lock:
            _put(self._by_id, posted.id, posted.answer, self.size)
            _put(self._last, (posted.user_id, posted.channel_id), posted.answer, self.size)

    def by_id(self, answer_id: int) -> Answer | None:
        with self._lock:
            return self._by_id.get(answer_id)

    def last(self, user_id: int, channel_id: int) -> Answer | None:
        with self._lock:
            return self._last.get((user_id, channel_id))


def _put(table: OrderedDict[K, Answer], key: K, answer: Answer, size: int) -> None:
    table[key] = answer
    table.move_to_end(key)
    while len(table) > size:
        table.popitem(last=False)


class GeoBot(commands.Bot):
    def __init__(self, settings: Settings, services: Services) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents_for(settings.discord),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.services = services
        self.cooldowns = Cooldowns(settings.discord.cooldown_rate, settings.discord.cooldown_seconds)
        # Auto mode's per-channel budget (mention chat and commands have the per-user one).
        self.channel_budget = Cooldowns(settings.channels.auto_rate, settings.channels.auto_seconds)
        self.recent = RecentAnswers()
        self.synced: list[discord.app_commands.AppCommand] = []

    async def setup_hook(self) -> None:
        # dateparser loads its language data on first use (~1 s): do it now, not inside a command.
        await asyncio.to_thread(parse_since, "yesterday")
        # The answer buttons of every answer ever posted, whichever process posted it.
        self.add_dynamic_items(SourcesButton, VoteButton)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.tree.error(on_app_command_error)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """To each of `[discord] guild_ids` (instant), else globally (Discord takes up to an hour)."""
        guild_ids = self.settings.discord.guild_ids
        if guild_ids:
            self.synced = []
            for guild_id in guild_ids:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                self.synced += await self.tree.sync(guild=guild)
            logger.info("synced %d commands to guilds %s", len(self.synced), guild_ids)
        else:
            self.synced = await self.tree.sync()
            logger.info("synced %d commands globally", len(self.synced))

    async def on_message(self, message: discord.Message) -> None:
        """Chat is handled by the chat cog's listener; there are no prefix commands to process."""

    async def on_ready(self) -> None:
        logger.info("connected as %s to %d guilds", self.user, len(self.guilds))

    async def answer_by_id(self, answer_id: int) -> Answer | None:
        """An answer posted earlier, by this process or any before it; None once pruned."""
        return self.recent.by_id(answer_id) or await asyncio.to_thread(self.services.answers.get, answer_id)

    async def last_answer(self, user_id: int, channel_id: int) -> Answer | None:
        """The latest answer ``user_id`` asked for in ``channel_id``."""
        answer = self.recent.last(user_id, channel_id)
        if answer is not None:
            return answer
        try:
            return await asyncio.to_thread(self.services.answers.last, channel_id, user_id)
        except sqlite3.Error as exc:
            logger.error("could not read earlier answers: %s", exc)
            return None
