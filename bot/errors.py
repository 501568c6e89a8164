"""Errors of the bot package."""

from __future__ import annotations


class BotError(Exception):
    """Base of every bot error; str() is one line for the user."""


class LLMConfigError(BotError):
    """The [llm] section names a provider that cannot be used as configured; str() is one line."""


class EvalFileError(BotError):
    """A gold questions file cannot be read or is malformed; str() is one line."""


class BadQuestion(BotError):
    """A question that cannot be asked (empty, nothing but symbols...); str() is one line for the user."""


class RecordsError(BotError):
    """The bot's records file (``[records] db``) cannot be opened; str() is one line."""


class FeedError(BotError):
    """A feed cannot be followed or found as asked (already followed, over the limit, unknown)."""
