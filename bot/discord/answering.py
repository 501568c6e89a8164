"""Asking the answering core off the event loop, and showing its answer with the answer buttons."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.answer.types import Answer, Question
from bot.discord import render
from bot.discord.error_handler import ErrorReplyingView
from bot.discord.feedback import Vote
from bot.discord.limits import INTERACTION_SECONDS

if TYPE_CHECKING:
    from bot.discord.client import GeoBot

logger = logging.getLogger(__name__)


def to_embeds(part: render.MessagePart) -> list[discord.Embed]:
    return [discord.Embed.from_dict(e) for e in part.embeds]


async def ask(bot: GeoBot, question: Question) -> tuple[Answer, float]:
    """The answer (computed on a worker thread) and the seconds it took."""
    started = time.perf_counter()
    answer = await asyncio.to_thread(bot.services.asker.ask, question)
    return answer, time.perf_counter() - started


async def send_parts(
    send: Callable[..., Awaitable[Any]], parts: list[render.MessagePart], view: discord.ui.View | None
) -> list[Any]:
    """Send each part in order; the view goes on the last one."""
    sent = []
    for i, part in enumerate(parts):
        kwargs: dict[str, Any] = {"embeds": to_embeds(part)}
        if part.content:
            kwargs["content"] = part.content
        if view is not None and i == len(parts) - 1:
            kwargs["view"] = view
        sent.append(await send(**kwargs))
    return sent


async def send_sources(interaction: discord.Interaction, answer: Answer) -> None:
    """Each cited passage, quoted with its link, visible only to whoever asked for it."""
    for i, part in enumerate(render.sources_messages(answer.citations)):
        kwargs: dict[str, Any] = {"embeds": to_embeds(part), "ephemeral": True}
        if part.content:
            kwargs["content"] = part.content
        if i == 0:
            await interaction.response.send_message(**kwargs)
        else:
            await interaction.followup.send(**kwargs)


class AnswerView(ErrorReplyingView):
    """Sources (ephemeral quotes) and 👍/👎 feedback under an answer."""

    def __init__(self, bot: GeoBot, answer: Answer) -> None:
        # Usable for as long as Discord lets the interaction's follow-ups be sent.
        super().__init__(timeout=INTERACTION_SECONDS)
        self.bot = bot
        self.answer = answer
        if not answer.citations:
            self.remove_item(self.sources)

    @discord.ui.button(label="Sources", style=discord.ButtonStyle.primary, custom_id="geobot:sources")
    async def sources(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        await send_sources(interaction, self.answer)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary, custom_id="geobot:up")
    async def thumbs_up(
        self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]
    ) -> None:
        await self._vote(interaction, 1)

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary, custom_id="geobot:down")
    async def thumbs_down(
        self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]
    ) -> None:
        await self._vote(interaction, -1)

    async def _vote(self, interaction: discord.Interaction, vote: int) -> None:
        message_id = interaction.message.id if interaction.message else 0
        await self.bot.feedback.record(
            Vote(
                message_id=message_id,
                user_id=interaction.user.id,
                vote=vote,
                question=self.answer.question,
                answer=self.answer.text,
                cited_ids=[c.article_id for c in self.answer.citations],
            )
        )
        await interaction.response.send_message("Thanks, your feedback was recorded.", ephemeral=True)
