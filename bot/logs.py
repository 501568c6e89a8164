"""Logging is configured once, at start-up, by the entry point."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot.settings import LoggingSettings

# Whose records below WARNING are shown (at ``[logging] level``); other libraries only warn.
_OWN = ("bot", "ingest", "vectorstore")
# The command line's -v / -q, for one run: [logging] level's place.
_VERBOSITY_LEVELS = {1: logging.INFO, -1: logging.ERROR}


class OthersFrom(logging.Filter):
    """Drops other libraries' records below ``level``, even from a library that lowers its own
    logger's level when imported (bm25s sets DEBUG), which the root level cannot stop."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level or record.name.split(".", 1)[0] in _OWN


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


def configure_logging(settings: LoggingSettings, secrets: Iterable[str] = (), verbosity: int = 0) -> None:
    """Our records from ``[logging] level`` (or INFO with ``verbosity`` 1, ERROR with -1) to
    stderr and the optional file; other libraries' from WARNING, or from our level if higher."""
    own = _VERBOSITY_LEVELS.get(verbosity, logging.getLevelNamesMapping()[settings.level])
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.file is not None:
        settings.file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(settings.file, encoding="utf-8"))
    redact = RedactSecrets(secrets)
    formatter = logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(OthersFrom(max(logging.WARNING, own)))
        handler.addFilter(redact)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(max(logging.WARNING, own))
    for name in _OWN:
        logging.getLogger(name).setLevel(own)
