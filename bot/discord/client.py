"""The bot: a commands.Bot built from its settings and services (discord.py advanced_startup style)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

import discord
from discord.ext import commands

from bot.answer.types import Answer
from bot.discord.cooldown import Cooldowns
from bot.discord.dates import parse_since
from bot.discord.error_handler import on_app_command_error
from bot.discord.feedback import FeedbackStore
from bot.discord.ports import Services
from bot.settings import DiscordSettings

logger = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.discord.cogs.ask",
    "bot.discord.cogs.library",
    "bot.discord.cogs.admin",
    "bot.discord.cogs.chat",
)
_REMEMBERED_ANSWERS = 5000


def intents_for(settings: DiscordSettings) -> discord.Intents:
    """Only what the bot uses; the privileged message-content intent only for mention chat."""
    intents = discord.Intents.none()
    intents.guilds = True
    if settings.mention_chat:
        intents.guild_messages = True
        intents.message_content = True
        intents.dm_messages = settings.allow_dms
    return intents


class GeoBot(commands.Bot):
    def __init__(self, settings: DiscordSettings, services: Services, feedback: FeedbackStore) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents_for(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.services = services
        self.feedback = feedback
        self.cooldowns = Cooldowns(settings.cooldown_rate, settings.cooldown_seconds)
        self._last_answers: OrderedDict[tuple[int, int], Answer] = OrderedDict()
        self.synced: list[discord.app_commands.AppCommand] = []

    async def setup_hook(self) -> None:
        await self.feedback.open()
        # dateparser loads its language data on first use (~1 s): do it now, not inside a command.
        await asyncio.to_thread(parse_since, "yesterday")
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.tree.error(on_app_command_error)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """To each of `[discord] guild_ids` (instant), else globally (Discord takes up to an hour)."""
        if self.settings.guild_ids:
            self.synced = []
            for guild_id in self.settings.guild_ids:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                self.synced += await self.tree.sync(guild=guild)
            logger.info("synced %d commands to guilds %s", len(self.synced), self.settings.guild_ids)
        else:
            self.synced = await self.tree.sync()
            logger.info("synced %d commands globally", len(self.synced))

    async def on_message(self, message: discord.Message) -> None:
        """Chat is handled by the chat cog's listener; there are no prefix commands to process."""

    async def on_ready(self) -> None:
        logger.info("connected as %s to %d guilds", self.user, len(self.guilds))

    def remember(self, user_id: int, channel_id: int, answer: Answer) -> None:
        key = (user_id, channel_id)
        self._last_answers[key] = answer
        self._last_answers.move_to_end(key)
        while len(self._last_answers) > _REMEMBERED_ANSWERS:
            self._last_answers.popitem(last=False)

    def last_answer(self, user_id: int, channel_id: int) -> Answer | None:
        return self._last_answers.get((user_id, channel_id))

    async def close(self) -> None:
        await super().close()
        await self.feedback.close()
