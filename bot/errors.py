"""Errors of the bot package."""

from __future__ import annotations


class BotError(Exception):
    """Base of every bot error."""


class LLMConfigError(BotError):
    """The [llm] section names a provider that cannot be used as configured; str() is one line."""
