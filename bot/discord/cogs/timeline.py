"""/timeline: a topic's dated events from the articles, oldest first, each line cited."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.answering import send_parts
from bot.discord.checks import FirstDay, LastDay, cooldown_check
from bot.discord.client import GeoBot
from bot.discord.errors import UserInputError
from bot.discord.limits import OPTION_TEXT_MAX

logger = logging.getLogger(__name__)


class TimelineCog(commands.Cog):
    def __init__(self, bot: GeoBot) -> None:
        self.bot = bot

    @app_commands.command(name="timeline")
    @app_commands.describe(
        topic="What the timeline is about, e.g. '5G network bans'",
        since="Only events on or after this date (2020, 2020-07, 2020-07-14, 'last year')",
        until="Only events on or before this date (2021, 2021-06, 2021-06-30)",
    )
    @app_commands.check(cooldown_check)
    async def timeline_command(
        self,
        interaction: discord.Interaction,
        # Discord's cap only: the configured limit is the timeline service's to apply.
        topic: app_commands.Range[str, 1, OPTION_TEXT_MAX],
        since: app_commands.Transform[date, FirstDay] | None = None,
        until: app_commands.Transform[date, LastDay] | None = None,
    ) -> None:
        """Dated events about a topic from the articles, oldest first, each one cited."""
        if since and until and since > until:
            raise UserInputError(f"'since' ({since}) is after 'until' ({until}).")
        await interaction.response.defer(thinking=True)
        started = time.perf_counter()
        found = await asyncio.to_thread(
            self.bot.services.asker.timeline, topic, interaction.guild_id, since=since, until=until
        )
        parts = render.timeline_messages(found, time.perf_counter() - started)
        await send_parts(lambda **kw: interaction.followup.send(wait=True, **kw), parts, None)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, GeoBot)
    await bot.add_cog(TimelineCog(bot))
