"""/search, /article and /stats: what the library holds, as the server they are used in sees it
(the base library and its own; a direct message, the base library alone)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.checks import SinceDate
from bot.discord.client import GeoBot
from bot.discord.error_handler import ErrorReplyingView
from bot.discord.limits import INTERACTION_SECONDS, NAME_MAX, SEARCH_QUERY_MAX
from bot.discord.ports import ArticleHit
from bot.discord.publisher_filter import CHOICES, DESCRIPTIONS, type_filter

SEARCH_LIMIT = 50


class SearchPager(ErrorReplyingView):
    """Previous/next buttons over search results; only the person who searched can turn pages."""

    def __init__(self, owner_id: int, query: str, hits: Sequence[ArticleHit]) -> None:
        super().__init__(timeout=INTERACTION_SECONDS)
        self.owner_id = owner_id
        self.query = query
        self.hits = hits
        self.page = 0
        self.pages = render.page_count(len(hits))
        self._update_buttons()

    def embed(self) -> discord.Embed:
        return discord.Embed.from_dict(render.search_embed(self.query, self.hits, self.page))

    def _update_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message("Run /search yourself to browse results.", ephemeral=True)
        return False

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(max(0, self.page + step), self.pages - 1)
        self._update_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary, custom_id="geobot:search:prev")
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[SearchPager]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary, custom_id="geobot:search:next")
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[SearchPager]) -> None:
        await self._turn(interaction, 1)


class LibraryCog(commands.Cog):
    def __init__(self, bot: GeoBot) -> None:
        self.bot = bot

    @app_commands.command(name="search")
    @app_commands.describe(
        query="Words to look for in the articles",
        since="Only articles published on or after this date (2024-05-01, 'last month')",
        source="Only articles from this publisher",
        **DESCRIPTIONS,
    )
    @app_commands.choices(publisher_type=CHOICES)
    async def search_command(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, SEARCH_QUERY_MAX],
        since: app_commands.Transform[date, SinceDate] | None = None,
        source: app_commands.Range[str, 1, NAME_MAX] | None = None,
        publisher_type: app_commands.Choice[str] | None = None,
        exclude_type: bool = False,
    ) -> None:
        """Find articles in the library, best matches first."""
        await interaction.response.defer(thinking=True)
        only, leave_out = type_filter(publisher_type, exclude_type)
        hits = await asyncio.to_thread(
            self.bot.services.library.search,
            interaction.guild_id,
            query,
            since=since,
            source=source,
            limit=SEARCH_LIMIT,
            publisher_types=only,
            exclude_publisher_types=leave_out,
        )
        pager = SearchPager(interaction.user.id, query, hits)
        if pager.pages > 1:
            await interaction.followup.send(embed=pager.embed(), view=pager, wait=True)
        else:
            await interaction.followup.send(embed=pager.embed(), wait=True)

    @app_commands.command(name="article")
    @app_commands.describe(id="The article id shown by /search or in an answer's sources")
    async def article_command(
        self, interaction: discord.Interaction, id: app_commands.Range[str, 1, NAME_MAX]
    ) -> None:
        """Show one article: title, publisher, author, date, link and its opening paragraph."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        library = self.bot.services.library
        article = await asyncio.to_thread(library.get_article, interaction.guild_id, id.strip())
        if article is None:
            shown = render.truncate(render.neutralise(id), NAME_MAX)
            await interaction.followup.send(
                f"No article has the id `{shown}`; /search finds ids.", ephemeral=True
            )
            return
        lead = await asyncio.to_thread(library.lead, interaction.guild_id, article.id)
        embed = render.article_embed(article, lead, library.label(article))
        await interaction.followup.send(embed=discord.Embed.from_dict(embed))

    @app_commands.command(name="stats")
    async def stats_command(self, interaction: discord.Interaction) -> None:
        """How many articles, chunks and publishers the library holds, and how recent they are."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        stats = await asyncio.to_thread(self.bot.services.library.stats, interaction.guild_id)
        await interaction.followup.send(embed=discord.Embed.from_dict(render.stats_embed(stats)))


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, GeoBot)
    await bot.add_cog(LibraryCog(bot))
