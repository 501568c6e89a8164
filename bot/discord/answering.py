"""Asking the answering core off the event loop, and posting its answer with buttons that last.

The Sources and 👍/👎 buttons carry the answer's id in their ``custom_id`` and are dynamic items
registered once in ``setup_hook`` (discord.py's ``DynamicItem``): whichever process receives the
click, however long after the answer, reads the answer back — from memory if this process
posted it, else from the records — so they work after restarts and never time out.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.answer.types import Answer, Question
from bot.answer_log import PostedAnswer, new_answer_id
from bot.discord import render
from bot.discord.error_handler import on_app_command_error
from bot.discord.ports import Server

if TYPE_CHECKING:
    from bot.discord.client import GeoBot

logger = logging.getLogger(__name__)

FORGOTTEN = "I no longer keep this answer (answers are kept for a while, then deleted); ask again."


def to_embeds(part: render.MessagePart) -> list[discord.Embed]:
    return [discord.Embed.from_dict(e) for e in part.embeds]


async def ask(bot: GeoBot, question: Question, server: Server) -> tuple[Answer, float]:
    """The answer (computed on a worker thread, from what ``server`` may read) and the seconds it took."""
    started = time.perf_counter()
    answer = await asyncio.to_thread(bot.services.asker.ask, question, server)
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


async def post_answer(
    bot: GeoBot,
    send: Callable[..., Awaitable[Any]],
    answer: Answer,
    elapsed: float,
    *,
    server: Server,
    channel_id: int,
    user_id: int,
) -> None:
    """Send the answer with its buttons, then keep it. A failure to keep it (the records file
    locked, the disk full) is logged; the answer has been sent, and its buttons work from
    memory until this process stops."""
    posted = PostedAnswer(new_answer_id(), server, channel_id, user_id, answer)
    bot.recent.remember(posted)
    sent = await send_parts(send, render.answer_messages(answer, elapsed), answer_view(posted))
    message_id = getattr(sent[-1], "id", None) if sent else None
    try:
        await asyncio.to_thread(bot.services.answers.save, replace(posted, message_id=message_id))
    except sqlite3.Error as exc:
        logger.error(
            "answer %s in channel %s was sent but could not be saved (%s): its buttons work until a restart",
            posted.id,
            channel_id,
            exc,
        )


def answer_view(posted: PostedAnswer) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if posted.answer.citations:
        view.add_item(SourcesButton(posted.id))
    view.add_item(VoteButton(posted.id, 1))
    view.add_item(VoteButton(posted.id, -1))
    return view


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


class SourcesButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"geobot:sources:(?P<id>[0-9]+)"
):
    """Shows the answer's cited passages to whoever clicks (ephemeral)."""

    def __init__(self, answer_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Sources", style=discord.ButtonStyle.primary, custom_id=f"geobot:sources:{answer_id}"
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SourcesButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            answer = await cast("GeoBot", interaction.client).answer_by_id(self.answer_id)
            if answer is None:
                await interaction.response.send_message(FORGOTTEN, ephemeral=True)
            else:
                await send_sources(interaction, answer)
        except Exception as exc:  # discord.py only logs a dynamic item's errors: answer them here
            await on_app_command_error(interaction, exc)


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"geobot:vote:(?P<id>[0-9]+):(?P<vote>up|down)"
):
    """👍 or 👎 on an answer, kept with it (one vote per user, the last one counts)."""

    def __init__(self, answer_id: int, vote: int) -> None:
        word, emoji = ("up", "👍") if vote > 0 else ("down", "👎")
        super().__init__(
            discord.ui.Button(
                emoji=emoji, style=discord.ButtonStyle.secondary, custom_id=f"geobot:vote:{answer_id}:{word}"
            )
        )
        self.answer_id = answer_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        return cls(int(match["id"]), 1 if match["vote"] == "up" else -1)

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = cast("GeoBot", interaction.client)
        try:
            kept = await asyncio.to_thread(
                bot.services.answers.vote, self.answer_id, interaction.user.id, self.vote
            )
            text = "Thanks, your feedback was recorded." if kept else FORGOTTEN
            await interaction.response.send_message(text, ephemeral=True)
        except Exception as exc:
            await on_app_command_error(interaction, exc)
