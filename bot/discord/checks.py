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


class _DateOption(app_commands.Transformer):
    """A date option typed as text, parsed before the command runs; a bad one is the user's
    mistake, answered with one line."""

    def parse(self, value: str) -> date:
        raise NotImplementedError

    async def transform(self, interaction: discord.Interaction, value: str) -> date:
        try:
            return self.parse(value)
        except ValueError as exc:
            raise UserInputError(str(exc)) from None


class SinceDate(_DateOption):
    """A `since` option: a date, or words such as 'last month'."""

    def parse(self, value: str) -> date:
        return parse_since(value)


class FirstDay(_DateOption):
    """A span's start: a date, or a year or month meaning its first day."""

    def parse(self, value: str) -> date:
        return parse_bound(value)


class LastDay(_DateOption):
    """A span's end: a date, or a year or month meaning its last day."""

    def parse(self, value: str) -> date:
        return parse_bound(value, end=True)
