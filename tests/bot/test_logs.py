"""What reaches the log: geotech-bot's own records at the configured level, other libraries'
only from WARNING up, and never a secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import configure_logging
from bot.settings import LoggingSettings


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("bot", "ingest", "vectorstore", "bm25s")}
    yield tmp_path / "logs" / "geobot.log"
    for handler in root.handlers:
        handler.close()
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def logged(log_file: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return log_file.read_text(encoding="utf-8")


def test_other_libraries_only_warn_even_if_they_lower_their_level(log_file: Path) -> None:
    configure_logging(LoggingSettings(level="INFO", file=log_file), secrets=["s3cret-token-value"])
    import bm25s  # noqa: F401 - sets its own logger to DEBUG when imported, after the set-up

    assert logging.getLogger("bm25s").level == logging.DEBUG
    logging.getLogger("bm25s").debug("library detail")
    logging.getLogger("bm25s").info("library progress")
    logging.getLogger("bm25s").warning("library problem")
    logging.getLogger("vectorstore.keyword").info("our progress")
    logging.getLogger("ingest.pipeline").debug("our detail")
    logging.getLogger("bot.cli").warning("token is s3cret-token-value")
    text = logged(log_file)
    assert "library problem" in text and "our progress" in text
    assert "library detail" not in text and "library progress" not in text
    assert "our detail" not in text  # below the configured INFO
    assert "s3cret-token-value" not in text and "token is ***" in text


def test_quiet_keeps_errors_only_and_verbose_shows_our_progress(log_file: Path) -> None:
    configure_logging(LoggingSettings(file=log_file), verbosity=-1)  # [logging] level: WARNING
    for name in ("bm25s", "vectorstore.keyword"):
        logging.getLogger(name).warning("%s warns", name)
        logging.getLogger(name).error("%s fails", name)
    configure_logging(LoggingSettings(file=log_file), verbosity=1)
    logging.getLogger("ingest.pipeline").info("our progress")
    logging.getLogger("ingest.pipeline").debug("our detail")
    logging.getLogger("bm25s").info("library progress")
    text = logged(log_file)
    assert "bm25s fails" in text and "vectorstore.keyword fails" in text
    assert "warns" not in text
    assert "our progress" in text and "our detail" not in text and "library progress" not in text
