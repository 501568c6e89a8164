"""Checks and parameter transformers shared by the cogs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

import discord
from discord import app_commands

from bot.discord.dates import parse_bound, parse_since
from bot.discord.errors import OnCooldown, UserInputError

if TYPE_CHECKING:
    from bot.discord.client import GeoBot


F = TypeVar("F", bound=Callable[..., Any])


def server_managers_only(command: F) -> F:
    """For a command of one server's managers: guild only, offered by Discord to members with
    Manage Server, and checked again when it runs — a server's settings can open any command
    to everyone."""
    command = app_commands.checks.has_permissions(manage_guild=True)(command)
    command = app_commands.guild_only()(command)
    return app_commands.default_permissions(manage_guild=True)(command)


def cooldown_check(interaction: discord.Interaction) -> bool:
    """Per-user question budget, shared by /ask and mention chat."""
    bot = cast("GeoBot", interaction.client)
    retry_after = bot.cooldowns.hit(interaction.user.id)
    if retry_after:
        raise OnCooldown(retry_after)
    return True


class SinceDate(app_commands.Transformer):
    """A `since` option typed as text and parsed into a date before the command runs."""

    async def transform(self, interaction: discord.Interaction, value: str) -> date:
        try:
            return parse_since(value)
        except ValueError as exc:
            raise UserInputError(str(exc)) from None


class FirstDay(app_commands.Transformer):
    """A span's start: a date, or a year or month meaning its first day."""

    async def transform(self, interaction: discord.Interaction, value: str) -> date:
        try:
            return parse_bound(value)
        except ValueError as exc:
            raise UserInputError(str(exc)) from None


class LastDay(app_commands.Transformer):
    """A span's end: a date, or a year or month meaning its last day."""

    async def transform(self, interaction: discord.Interaction, value: str) -> date:
        try:
            return parse_bound(value, end=True)
        except ValueError as exc:
            raise UserInputError(str(exc)) from None
