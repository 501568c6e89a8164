"""Chat: a message that mentions the bot is answered in a thread started from it; later messages
in that thread are follow-ups carrying the thread's earlier turns. Each channel's mode
(``bot.channel_modes``) decides what else is answered: every question in ``auto`` mode (and
the first post of each new thread of a forum), nothing at all in ``off`` mode."""

from __future__ import annotations

import logging
import re

import discord
from discord.ext import commands

from bot.answer import display
from bot.answer.types import Question, Turn
from bot.channel_modes import Mode, looks_like_question
from bot.discord import render
from bot.discord.answering import ask, post_answer
from bot.discord.client import GeoBot
from bot.discord.error_handler import chat_reply_for
from bot.discord.errors import OnCooldown
from bot.discord.limits import THREAD_NAME_MAX

logger = logging.getLogger(__name__)

HISTORY_MESSAGES = 50
HISTORY_TURNS = 6
MENTION = re.compile(r"<@[!&]?\d+>|@everyone\b|@here\b")
# Messages someone wrote: a thread started from a message opens with Discord's system message
# pointing at it, authored like it but empty, which must not replace the first question.
_SAID = frozenset({discord.MessageType.default, discord.MessageType.reply})
EMPTY = "Mention me with a question, e.g. *@me which countries restrict chip exports?*"


def answer_text(message: discord.Message) -> str:
    """The answer a bot message carried (its embed descriptions, less the publisher counts,
    group headings and notes shown around it)."""
    return display.answer_of("\n\n".join(e.description for e in message.embeds if e.description))


class ChatCog(commands.Cog):
    def __init__(self, bot: GeoBot) -> None:
        self.bot = bot

    def _question_text(self, message: discord.Message) -> str:
        # Mentions (the bot's, users', roles', @everyone/@here) address people, they are not
        # part of the question, and echoing them back would only invite pings. A question too
        # long is refused by the answering service, as /ask's is, not cut short here.
        return " ".join(MENTION.sub(" ", message.content).split())

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        # Bots include this one: it never answers itself or another bot.
        if message.author.bot or self.bot.user is None:
            return
        channel = message.channel
        if message.guild is None:
            if self.bot.settings.discord.allow_dms:
                await self._direct(message)
            return
        thread = channel if isinstance(channel, discord.Thread) else None
        mode = self.bot.services.channels.of(thread.parent_id if thread else channel.id)
        if mode is Mode.OFF:
            return
        # Named explicitly: an @everyone or role ping alone (which mentioned_in counts) is not a
        # question for the bot, but a question naming it is, whatever else it pings.
        mentioned = any(user.id == self.bot.user.id for user in message.mentions)
        if thread is not None and thread.owner_id == self.bot.user.id:
            await self._follow_up(message, thread)
        elif thread is not None and mode is Mode.AUTO and self._opens_forum_post(message, thread):
            await self._auto(message, thread, self._forum_question(message, thread))
        elif mentioned:
            await self._start_thread(message, thread)
        elif thread is None and mode is Mode.AUTO:
            await self._auto(message, None, self._auto_question(message))

    @staticmethod
    def _opens_forum_post(message: discord.Message, thread: discord.Thread) -> bool:
        # A forum post is a thread whose first message has the thread's own id.
        return isinstance(thread.parent, discord.ForumChannel) and message.id == thread.id

    def _auto_question(self, message: discord.Message) -> str | None:
        reference = message.reference
        replied = reference.resolved if reference is not None else None
        to_someone_else = reference is not None and not (
            isinstance(replied, discord.Message)
            and self.bot.user is not None
            and replied.author.id == self.bot.user.id
        )
        text = self._question_text(message)
        return text if looks_like_question(text, replies_to_someone_else=to_someone_else) else None

    def _forum_question(self, message: discord.Message, thread: discord.Thread) -> str | None:
        """A forum post asks in its title, its text, or both."""
        text, title = self._question_text(message), " ".join(thread.name.split())
        asks_in_text, asks_in_title = looks_like_question(text), looks_like_question(title)
        if asks_in_text and asks_in_title and title not in text:
            return f"{title} {text}"
        return text if asks_in_text else title if asks_in_title else None

    async def _auto(self, message: discord.Message, thread: discord.Thread | None, text: str | None) -> None:
        """Auto mode: a question, within the channel's budget and the asker's, gets an answer in
        a thread (a forum post's own); anything else is left alone, without a word."""
        if text is None:
            return
        channel_id = thread.parent_id if thread is not None else message.channel.id
        if self.bot.channel_budget.hit(channel_id) or self.bot.cooldowns.hit(message.author.id):
            logger.info("auto mode: a question in channel %s left unanswered (over the budget)", channel_id)
            return
        if thread is None:
            thread = await message.create_thread(
                name=render.truncate(text, THREAD_NAME_MAX), auto_archive_duration=1440
            )
        await self._answer(message, thread, Question(text=text), counted=True)

    async def _start_thread(self, message: discord.Message, thread: discord.Thread | None) -> None:
        text = self._question_text(message)
        if not text:
            await message.reply(EMPTY)
            return
        if thread is None:
            thread = await message.create_thread(
                name=render.truncate(text, THREAD_NAME_MAX), auto_archive_duration=1440
            )
        # In a thread already (a forum post, someone's thread), the answer goes there.
        await self._answer(message, thread, Question(text=text))

    async def _follow_up(self, message: discord.Message, thread: discord.Thread) -> None:
        text = self._question_text(message)
        if not text:
            return
        history = await self._thread_turns(thread, before=message)
        await self._answer(message, thread, Question(text=text, history=history))

    async def _direct(self, message: discord.Message) -> None:
        text = self._question_text(message)
        if not text:
            return
        turns = await self._turns(message.channel, before=message, first_question=None)
        await self._answer(message, message.channel, Question(text=text, history=turns))

    async def _thread_turns(self, thread: discord.Thread, before: discord.Message) -> tuple[Turn, ...]:
        starter = thread.starter_message
        if starter is None and isinstance(thread.parent, discord.TextChannel):
            try:
                starter = await thread.parent.fetch_message(thread.id)
            except discord.NotFound:
                starter = None
        first = self._question_text(starter) if starter is not None else None
        return await self._turns(thread, before=before, first_question=first)

    async def _turns(
        self, channel: discord.abc.Messageable, before: discord.Message, first_question: str | None
    ) -> tuple[Turn, ...]:
        """Earlier (question, answer) pairs, oldest first: user messages then the bot's replies."""
        turns: list[Turn] = []
        question, answer = first_question, ""
        async for past in channel.history(limit=HISTORY_MESSAGES, before=before, oldest_first=True):
            if past.type not in _SAID:  # system messages (a thread's starter) say nothing
                continue
            if past.author.bot:
                if past.author == self.bot.user:
                    answer = "\n\n".join(x for x in (answer, answer_text(past)) if x)
                continue
            if question and answer:
                turns.append(Turn(question=question, answer=answer))
            question, answer = self._question_text(past), ""
        if question and answer:
            turns.append(Turn(question=question, answer=answer))
        return tuple(turns[-HISTORY_TURNS:])

    async def _answer(
        self,
        message: discord.Message,
        where: discord.abc.Messageable,
        question: Question,
        *,
        counted: bool = False,
    ) -> None:
        """Answer in ``where``; ``counted``: the asker's cooldown was charged already."""
        retry_after = 0.0 if counted else self.bot.cooldowns.hit(message.author.id)
        server = message.guild.id if message.guild else None
        try:
            if retry_after:
                raise OnCooldown(retry_after)
            async with where.typing():
                answer, elapsed = await ask(self.bot, question, server)
            channel_id = getattr(where, "id", message.channel.id)
            await post_answer(
                self.bot,
                where.send,
                answer,
                elapsed,
                server=server,
                channel_id=channel_id,
                user_id=message.author.id,
            )
        except Exception as exc:  # every failure gets one short reply; chat_reply_for logs the bugs
            try:
                await where.send(chat_reply_for(exc, f"channel {message.channel.id}"))
            except discord.HTTPException as send_error:
                logger.warning("could not reply in channel %s: %s", message.channel.id, send_error)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, GeoBot)
    await bot.add_cog(ChatCog(bot))
