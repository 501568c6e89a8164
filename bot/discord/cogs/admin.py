"""/ingest and /remove: server managers add articles to their server's library and take them out."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.checks import server_managers_only
from bot.discord.client import GeoBot
from bot.discord.errors import UserInputError
from bot.discord.limits import NAME_MAX, URL_MAX


def _server(interaction: discord.Interaction) -> int:
    # guild_only commands: Discord never sends them from a direct message.
    assert interaction.guild_id is not None
    return interaction.guild_id


class AdminCog(commands.Cog):
    def __init__(self, bot: GeoBot) -> None:
        self.bot = bot

    @app_commands.command(name="ingest")
    @app_commands.describe(url="An article or RSS/Atom feed address (http or https)")
    @server_managers_only
    async def ingest_command(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, URL_MAX]
    ) -> None:
        """Fetch an article or feed into this server's library (Manage Server only)."""
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UserInputError("Give an http:// or https:// address of an article or a feed.")
        await interaction.response.defer(thinking=True, ephemeral=True)
        summary = await asyncio.to_thread(self.bot.services.ingester.ingest_urls, _server(interaction), [url])
        await interaction.followup.send(render.ingest_text(url, summary), ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(article="The article's id (shown by /search and /article) or its address")
    @server_managers_only
    async def remove_command(
        self, interaction: discord.Interaction, article: app_commands.Range[str, 1, URL_MAX]
    ) -> None:
        """Remove an article from this server's library (Manage Server only)."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        server = _server(interaction)
        removed = await asyncio.to_thread(self.bot.services.ingester.remove, server, article)
        shown = render.truncate(render.neutralise(article.strip()), NAME_MAX)
        if removed is not None:
            link = render.masked_link(removed.title, removed.url)
            text = f"Removed {link} (`{removed.id}`) from this server's library."
        elif await asyncio.to_thread(self.bot.services.library.get_article, server, article.strip()):
            text = (
                f"`{shown}` is in the base library every server shares, which only the bot's operator "
                "changes (`geobot remove`)."
            )
        else:
            text = f"This server's library has no article `{shown}`; /search shows ids."
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, GeoBot)
    await bot.add_cog(AdminCog(bot))
