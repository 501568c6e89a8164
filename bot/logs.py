"""Logging is configured once, at start-up, by the entry point."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot.settings import LoggingSettings

# Third-party loggers that are chatty at INFO and say nothing a user of the bot needs.
_QUIET = (
    "discord.http",
    "discord.gateway",
    "chromadb",
    "httpx",
    "httpcore",
    "sentence_transformers",
    "urllib3",
    "trafilatura",
    "htmldate",
    "posthog",
    "bm25s",
)


class RedactSecrets(logging.Filter):
    """Replace any secret value that reaches a log record (message or arguments) with ***."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if any(s in message for s in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


def configure_logging(settings: LoggingSettings, secrets: Iterable[str] = ()) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.file is not None:
        settings.file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(settings.file, encoding="utf-8"))
    redact = RedactSecrets(secrets)
    formatter = logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redact)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(logging.WARNING)
    for name in ("bot", "ingest", "vectorstore"):
        logging.getLogger(name).setLevel(settings.level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
