"""/ask and /sources, and the daily deletion of answers past `[answers] retention_days`."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import date
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.answer.types import Question
from bot.discord import render
from bot.discord.answering import ask, post_answer, send_parts, send_sources
from bot.discord.checks import SinceDate, cooldown_check
from bot.discord.client import GeoBot
from bot.discord.limits import NAME_MAX, OPTION_TEXT_MAX
from bot.discord.publisher_filter import CHOICES, DESCRIPTIONS, type_filter

logger = logging.getLogger(__name__)


class AskCog(commands.Cog):
    def __init__(self, bot: GeoBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.prune.start()

    async def cog_unload(self) -> None:
        self.prune.cancel()

    @tasks.loop(hours=24)
    async def prune(self) -> None:
        days = self.bot.settings.answers.retention_days
        try:
            gone = await asyncio.to_thread(self.bot.services.answers.prune, days)
        except sqlite3.Error as exc:  # tried again tomorrow
            logger.error("could not delete answers older than %d days: %s", days, exc)
            return
        if any(gone.values()):
            logger.info(
                "deleted %d answers and %d digests older than %d days", gone["answers"], gone["digests"], days
            )

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="What you want to know, e.g. 'Which countries restrict Huawei equipment?'",
        since="Only articles published on or after this date (2024-05-01, 'last month')",
        source="Only articles from this publisher, e.g. Reuters",
        **DESCRIPTIONS,
    )
    @app_commands.choices(publisher_type=CHOICES)
    @app_commands.check(cooldown_check)
    async def ask_command(
        self,
        interaction: discord.Interaction,
        # Discord's cap only: the configured limit is the answering service's to apply.
        question: app_commands.Range[str, 1, OPTION_TEXT_MAX],
        since: app_commands.Transform[date, SinceDate] | None = None,
        source: app_commands.Range[str, 1, NAME_MAX] | None = None,
        publisher_type: app_commands.Choice[str] | None = None,
        exclude_type: bool = False,
    ) -> None:
        """Ask a question; the answer cites the news articles it comes from."""
        await interaction.response.defer(thinking=True)
        only, leave_out = type_filter(publisher_type, exclude_type)
        asked = Question(
            text=question,
            since=since,
            source=source,
            publisher_types=only,
            exclude_publisher_types=leave_out,
        )
        server = interaction.guild_id
        answer, elapsed = await ask(self.bot, asked, server)
        await post_answer(
            self.bot,
            lambda **kw: interaction.followup.send(wait=True, **kw),
            answer,
            elapsed,
            server=server,
            channel_id=interaction.channel_id or 0,
            user_id=interaction.user.id,
        )

    # An option, not subcommands: a command with subcommands cannot be run on its own, so
    # `/sources` as everyone uses it (and as the Sources button shows it) would stop working.
    @app_commands.command(name="sources")
    @app_commands.describe(
        show="answer: the passages behind your last answer (default); library: its publishers, labelled"
    )
    async def sources_command(
        self, interaction: discord.Interaction, show: Literal["answer", "library"] = "answer"
    ) -> None:
        """The passages behind your last answer here, or the library's publishers (only you see them)."""
        if show == "library":
            await interaction.response.defer(thinking=True, ephemeral=True)
            rows = await asyncio.to_thread(self.bot.services.library.publishers, interaction.guild_id)
            parts = render.publishers_messages(rows)
            await send_parts(
                lambda **kw: interaction.followup.send(ephemeral=True, wait=True, **kw), parts, None
            )
            return
        answer = await self.bot.last_answer(interaction.user.id, interaction.channel_id or 0)
        if answer is None:
            await interaction.response.send_message(
                "You have not asked anything in this channel yet; try /ask.", ephemeral=True
            )
            return
        await send_sources(interaction, answer)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, GeoBot)
    await bot.add_cog(AskCog(bot))
