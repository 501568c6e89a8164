"""/feeds add|list|remove, and the scheduler that polls followed feeds and posts their digests.

The scheduler is one task (``discord.ext.tasks``), started when the cog loads and cancelled when
it unloads. Every ``TICK_SECONDS`` it posts digests still waiting (a restart between a poll and
its post resumes here), then polls each feed that is due, one at a time on a worker thread —
fetching and ingesting never run on the event loop, and a failing feed only delays its own next
poll. What is due, and everything a poll remembers, is in the records (``bot.feeds``).
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord.client import GeoBot
from bot.discord.digest_message import digest_embed, feeds_embed
from bot.discord.limits import URL_MAX
from bot.discord.render import masked_link, neutralise
from bot.feeds import Digest, status_line

logger = logging.getLogger(__name__)

# How often the scheduler looks for due feeds; polls are minutes apart ([feeds] poll_minutes).
TICK_SECONDS = 30.0


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class FeedsCog(commands.GroupCog, group_name="feeds", group_description="Feeds this server follows"):
    def __init__(self, bot: GeoBot) -> None:
        self.bot = bot
        self.feeds = bot.services.feeds
        super().__init__()

    async def cog_load(self) -> None:
        self.scheduler.start()

    async def cog_unload(self) -> None:
        self.scheduler.cancel()

    # -- the scheduler -----------------------------------------------------------------------

    @tasks.loop(seconds=TICK_SECONDS)
    async def scheduler(self) -> None:
        try:
            await self.run_due()
        except Exception:  # the loop must outlive any one tick; what failed is logged
            logger.exception("feed scheduler tick failed")

    @scheduler.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def run_due(self) -> None:
        """Post waiting digests, then poll every feed that is due."""
        registry = self.feeds.registry
        for digest in await asyncio.to_thread(registry.pending):
            await self.post(digest)
        for feed in await asyncio.to_thread(registry.due):
            outcome = await asyncio.to_thread(self.feeds.poll, feed)
            if outcome.digest is not None and outcome.feed.channel_id:
                await self.post(outcome.digest)

    async def post(self, digest: Digest) -> None:
        """Post one digest to its feed's channel, at most once: it is marked as being sent
        first, so a stop between sending and recording never sends it again. A channel that is
        gone or closed to the bot marks it failed (logged), so it is not tried forever."""
        registry = self.feeds.registry
        channel_id = digest.feed.channel_id
        assert channel_id is not None
        await asyncio.to_thread(registry.mark, digest, "sending")
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                raise TypeError(f"channel {channel_id} takes no messages")
            embed = discord.Embed.from_dict(digest_embed(digest.feed, digest.lines))
            message = await channel.send(embed=embed)
        except (discord.HTTPException, TypeError) as exc:
            logger.warning(
                "could not post the digest of feed %s in channel %s: %s", digest.feed.id, channel_id, exc
            )
            await asyncio.to_thread(registry.mark, digest, "failed")
            return
        # Sent: what is recorded of it must not be lost to a cancellation (the bot stopping).
        await asyncio.shield(asyncio.to_thread(registry.mark, digest, "posted", message.id))

    # -- commands ----------------------------------------------------------------------------

    @app_commands.command(name="add")
    @app_commands.describe(
        url="The address of an RSS or Atom feed (http or https)",
        channel="Where to post a digest when it brings new articles (default: here)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, URL_MAX],
        channel: discord.TextChannel | discord.Thread | None = None,
    ) -> None:
        """Follow a feed: its new articles go into this server's library, with a digest."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        target = channel.id if channel is not None else interaction.channel_id
        feed = await asyncio.to_thread(self.feeds.follow, interaction.guild_id, url, target)
        await interaction.followup.send(
            f"Following {masked_link(feed.name, feed.url)}: its new articles go into this server's "
            f"library, with a digest in <#{target}>. The first poll is within a minute.",
            ephemeral=True,
        )

    @app_commands.command(name="list")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def list_feeds(self, interaction: discord.Interaction) -> None:
        """The feeds this server follows, and how each is doing."""
        registry = self.feeds.registry
        feeds = await asyncio.to_thread(registry.following, interaction.guild_id)
        now = registry.clock()
        embed = feeds_embed([(f, status_line(f, now)) for f in feeds], self.bot.settings.feeds.max_per_server)
        await interaction.response.send_message(embed=discord.Embed.from_dict(embed), ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(feed="The feed's number in /feeds list, or its address")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def remove(
        self, interaction: discord.Interaction, feed: app_commands.Range[str, 1, URL_MAX]
    ) -> None:
        """Stop following a feed (the articles it brought stay in the library)."""
        removed = await asyncio.to_thread(self.feeds.registry.remove, interaction.guild_id, feed)
        if removed is None:
            text = f"This server follows no feed `{neutralise(feed.strip())[:100]}`; /feeds list shows them."
        else:
            text = f"No longer following {masked_link(removed.name, removed.url)}."
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, GeoBot)
    await bot.add_cog(FeedsCog(bot))
