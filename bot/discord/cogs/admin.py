"""/ingest: server managers add an article or feed to the library."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.client import GeoBot
from bot.discord.errors import UserInputError
from bot.discord.limits import URL_MAX


class AdminCog(commands.Cog):
    def __init__(self, bot: GeoBot) -> None:
        self.bot = bot

    @app_commands.command(name="ingest")
    @app_commands.describe(url="An article or RSS/Atom feed address (http or https)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    # Discord hides the command from others, but server settings can override that: check again.
    @app_commands.checks.has_permissions(manage_guild=True)
    async def ingest_command(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, URL_MAX]
    ) -> None:
        """Fetch an article or feed and add it to the library (Manage Server only)."""
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UserInputError("Give an http:// or https:// address of an article or a feed.")
        await interaction.response.defer(thinking=True, ephemeral=True)
        summary = await asyncio.to_thread(self.bot.services.ingester.ingest_urls, [url])
        await interaction.followup.send(render.ingest_text(url, summary), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, GeoBot)
    await bot.add_cog(AdminCog(bot))
