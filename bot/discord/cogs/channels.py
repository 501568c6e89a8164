"""/channel mode: how the bot behaves in a channel (``bot.channel_modes``)."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.channel_modes import Mode
from bot.discord.client import GeoBot

WHAT_IT_DOES = {
    Mode.MENTION: "I answer only when mentioned, and in the threads I start.",
    Mode.AUTO: "I answer every new question here in a thread (in a forum, every new post), "
    "at most {rate} every {seconds:g} s.",
    Mode.OFF: "I say nothing here, even when mentioned; slash commands still work.",
}


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class ChannelsCog(commands.GroupCog, group_name="channel", group_description="How I behave in a channel"):
    def __init__(self, bot: GeoBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="mode")
    @app_commands.describe(
        mode="mention: only when mentioned; auto: every question; off: never",
        channel="The text or forum channel (default: this one)",
    )
    @app_commands.checks.has_permissions(manage_channels=True)
    async def mode(
        self,
        interaction: discord.Interaction,
        mode: Mode,
        channel: discord.TextChannel | discord.ForumChannel | None = None,
    ) -> None:
        """Set how I answer in a channel (Manage Channels only)."""
        assert interaction.guild_id is not None  # guild_only
        target = channel.id if channel is not None else interaction.channel_id or 0
        here = interaction.channel
        if channel is None and isinstance(here, discord.Thread) and here.parent_id:
            target = here.parent_id  # a thread follows its channel (a forum's posts, its forum)
        await asyncio.to_thread(self.bot.services.channels.set, interaction.guild_id, target, mode)
        settings = self.bot.settings.channels
        what = WHAT_IT_DOES[mode].format(rate=settings.auto_rate, seconds=settings.auto_seconds)
        await interaction.response.send_message(
            f"<#{target}> is now in {mode.value} mode: {what}", ephemeral=True
        )


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, GeoBot)
    await bot.add_cog(ChannelsCog(bot))
