"""The one place where errors from commands, buttons and chat become replies or log lines.

The tree's error handler, every view's (``ErrorReplyingView``) and mention chat's all come here.
Order (first match wins):
1. `CommandInvokeError` is unwrapped to the exception the command raised.
2. Cooldown → "slow down, try again in N s".
3. Missing permission (checked at run time, not only by Discord's defaults) → refused.
4. Command used outside a server when it needs one → says so.
5. A parameter Discord could not convert → names the value; any other failed check → refused.
6. The store is unavailable → "try again in a moment"; it cannot be read or written → a generic
   line (its own message names settings, which are the operator's business).
7. Any other error of our packages (`BotError`, `IngestError`: a bad URL, a date that cannot
   be read, an input that cannot be ingested) → its own one-line message.
8. Everything else is a bug: logged with the command, user, guild and channel; the user gets
   a short apology. The expired-interaction case (10062) is logged only: nobody can be told.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.discord.errors import OnCooldown
from bot.errors import BotError
from ingest.errors import IngestError
from vectorstore.errors import StoreError, StoreUnavailable

logger = logging.getLogger(__name__)

# Discord's names for the permissions commands need, as its client shows them.
_PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_channels": "Manage Channels"}
UNEXPECTED = "Sorry, something went wrong on my side. It has been logged; please try again later."
STORE_DOWN = "The article library is unavailable right now; please try again in a moment."


def reply_for(error: BaseException) -> str | None:
    """The short reply for a known error, or None when it is unexpected (a bug)."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, OnCooldown):
        return f"Slow down a little: you can ask again in {max(1, round(error.retry_after))} s."
    if isinstance(error, app_commands.MissingPermissions):
        names = " and ".join(
            _PERMISSION_NAMES.get(p, p.replace("_", " ").title()) for p in error.missing_permissions
        )
        return f"Only members with the {names} permission can use this command."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.TransformerError):
        return f"I could not understand `{error.value}`."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    if isinstance(error, StoreUnavailable):
        return STORE_DOWN
    if isinstance(error, StoreError):
        return "The article library has a problem; the bot's operator has been told."
    if isinstance(error, BotError | IngestError):
        return str(error)
    return None


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as exc:
        logger.warning("could not send an error reply for interaction %s: %s", interaction.id, exc)


async def on_app_command_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The tree's and every view's error handler."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, discord.NotFound) and original.code == 10062:
        logger.warning("interaction %s expired before it was acknowledged", interaction.id)
        return
    text = reply_for(error)
    if text is None:
        command = interaction.command.qualified_name if interaction.command else interaction.data
        logger.error(
            "unexpected error in %s (user %s, guild %s, channel %s)",
            command,
            interaction.user.id,
            interaction.guild_id,
            interaction.channel_id,
            exc_info=original,
        )
        text = UNEXPECTED
    await send_ephemeral(interaction, text)


class ErrorReplyingView(discord.ui.View):
    """A view whose errors are answered like a command's."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await on_app_command_error(interaction, error)


def chat_reply_for(error: BaseException, where: str) -> str:
    """Reply for an error while answering a chat message; unexpected ones are logged."""
    text = reply_for(error)
    if text is None:
        logger.error("unexpected error answering a chat message in %s", where, exc_info=error)
        text = UNEXPECTED
    return text
