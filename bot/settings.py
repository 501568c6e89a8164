"""Settings of the [answer], [timeline], [llm], [discord], [records], [answers], [feeds], [channels] and
[logging] sections, and the whole config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from bot.limits import MAX_QUESTION_CHARS
from ingest.settings import IngestAppSettings, IngestSettings, PublishersSettings
from vectorstore.config import load_config
from vectorstore.settings import EmbeddingSettings, Section, VectorStoreSettings


class AnswerSettings(Section):
    top_k: int = Field(16, ge=1, le=50, description="passages handed to the answerer")
    candidates: int = Field(40, ge=1, le=500, description="passages fetched from each index before fusion")
    max_per_article: int = Field(3, ge=1, description="passages one article may contribute")
    read_on: int = Field(
        4,
        ge=0,
        le=50,
        description="best passages whose next chunk the answerer reads too (a passage ending inside "
        "a list is read on whatever its rank)",
    )
    max_chars: int = Field(700, ge=100, le=4000, description="longest extractive answer, in characters")
    max_sentences: int = Field(4, ge=1, le=20, description="most sentences in an extractive answer")
    fact_sentences: int = Field(
        2, ge=1, le=20, description="most sentences answering who / when / where / how much / how many"
    )
    max_items: int = Field(12, ge=2, le=25, description="most items in an answer that is a list")
    rrf_k: int = Field(
        60, ge=1, description="reciprocal rank fusion constant (larger flattens rank differences)"
    )
    duplicate_overlap: float = Field(
        0.8, gt=0, le=1, description="share of shared word 3-grams above which two passages are one"
    )
    max_question_chars: int = Field(
        MAX_QUESTION_CHARS, ge=10, description="longer questions are refused (in the CLI and on Discord)"
    )


class TimelineSettings(Section):
    max_events: int = Field(
        15, ge=1, le=50, description="most events in a timeline (the most relevant, then oldest first)"
    )
    passages: int = Field(50, ge=5, le=200, description="passages a timeline is drawn from")
    max_per_article: int = Field(4, ge=1, description="passages one article may contribute to a timeline")
    line_chars: int = Field(
        280, ge=80, le=1000, description="longest event line, in characters (cut at a word)"
    )


class LLMSettings(Section):
    provider: Literal["none", "openai", "ollama", "anthropic"] = Field(
        "none", description="'none' answers extractively; otherwise the chat model to ask"
    )
    model: str = Field("", description="model name at the provider")
    base_url: str = Field("", description="server URL (OpenAI-compatible or Ollama); empty = default")
    timeout: float = Field(20.0, gt=0, description="seconds before falling back to the extractive answer")
    temperature: float = Field(0.0, ge=0, le=2, description="sampling temperature")
    max_tokens: int = Field(400, ge=16, description="longest reply, in tokens")


class DiscordSettings(Section):
    guild_ids: list[int] = Field(
        default_factory=list, description="sync commands to these guilds (instant); empty = global"
    )
    mention_chat: bool = Field(True, description="answer messages that mention the bot, in a thread")
    allow_dms: bool = Field(False, description="answer direct messages too")
    cooldown_seconds: float = Field(10.0, ge=0, description="per-user cooldown window for /ask")
    cooldown_rate: int = Field(3, ge=1, description="questions a user may ask per cooldown window")
    api_base: str = Field("", description="test only: Discord REST base URL (e.g. an emulator)")
    gateway_url: str = Field("", description="test only: Discord gateway URL (e.g. an emulator)")


class RecordsSettings(Section):
    db: Path = Field(
        Path("data/records.sqlite3"),
        description="SQLite file of the bot's own records: answers posted and their feedback, "
        "channel modes, followed feeds and their digests",
    )


class AnswersSettings(Section):
    retention_days: int = Field(
        90,
        ge=0,
        description="answers posted (with their feedback) and feed digests older than this many days "
        "are deleted, daily by `geobot serve` and by `geobot answers prune`; 0 keeps them",
    )


class FeedSettings(Section):
    poll_minutes: int = Field(
        30, ge=5, description="minutes between two polls of a followed feed (at least 5)"
    )
    jitter: float = Field(
        0.1,
        ge=0,
        le=0.5,
        description="each wait is moved by up to this share of itself at random, so feeds followed "
        "together do not poll together",
    )
    max_backoff_hours: float = Field(
        24.0, gt=0, description="longest wait before polling a failing feed again (it doubles per error)"
    )
    max_per_server: int = Field(20, ge=1, description="feeds one Discord server may follow")


class ChannelSettings(Section):
    auto_rate: int = Field(
        5, ge=1, description="questions answered per channel and window in a channel set to auto mode"
    )
    auto_seconds: float = Field(60.0, ge=0, description="the window of auto_rate, in seconds")


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "WARNING",
        description="log level of geotech-bot's own loggers (other libraries': WARNING, or this if "
        "higher); `geobot -v` runs one command at INFO, `geobot -q` at ERROR",
    )
    file: Path | None = Field(None, description="also write logs to this file")


class Settings(BaseModel):
    """The whole config.toml: one model per section."""

    model_config = ConfigDict(extra="forbid")

    vectorstore: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    publishers: PublishersSettings = Field(default_factory=PublishersSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    timeline: TimelineSettings = Field(default_factory=TimelineSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    records: RecordsSettings = Field(default_factory=RecordsSettings)
    answers: AnswersSettings = Field(default_factory=AnswersSettings)
    feeds: FeedSettings = Field(default_factory=FeedSettings)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    def ingest_app(self) -> IngestAppSettings:
        """The sections the ingest pipeline reads."""
        return IngestAppSettings(
            vectorstore=self.vectorstore,
            embedding=self.embedding,
            ingest=self.ingest,
            publishers=self.publishers,
        )


class Secrets(BaseModel):
    """Secrets come from the environment or .env only, never from config.toml."""

    discord_token: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Secrets:
        env = dict(os.environ if environ is None else environ)
        file_values = {k: v for k, v in dotenv_values(dotenv or Path(".env")).items() if v}
        merged = {**file_values, **env}  # the environment wins over .env

        def get(name: str) -> SecretStr | None:
            value = merged.get(name)
            return SecretStr(value) if value else None

        return cls(
            discord_token=get("DISCORD_TOKEN"),
            openai_api_key=get("OPENAI_API_KEY"),
            anthropic_api_key=get("ANTHROPIC_API_KEY"),
        )


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Load config.toml (or `path`) with GEOBOT_ overrides; raises ConfigError on mistakes."""
    return load_config(Settings, path, environ)
