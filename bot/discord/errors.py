"""Errors of the Discord layer; the error handler turns each into a short ephemeral reply.

They are BotErrors like the rest of the package's, and also discord.py's own kinds, which is
what lets a check or a parameter transformer raise them.
"""

from __future__ import annotations

from discord import app_commands

from bot.errors import BotError


class OnCooldown(BotError, app_commands.CheckFailure):
    """The user asked more than `[discord] cooldown_rate` questions in the cooldown window."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"on cooldown for {retry_after:.1f} s")
        self.retry_after = retry_after


class UserInputError(BotError, app_commands.AppCommandError):
    """A parameter the user typed cannot be used; str() is the reply."""


class StartupError(BotError):
    """The bot cannot connect as configured; str() is the one line for the user."""
