"""The answering core's vocabulary: Question in, Answer (with Citations) out. No Discord here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier question and answer of the same conversation (for follow-ups)."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    since: date | None = None
    until: date | None = None
    source: str | None = None
    history: tuple[Turn, ...] = ()
    context: str = ""  # a follow-up's carried-over topic words (set when it is read in context)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an article came from: a file (and its 0-based record for CSV/JSONL) or a URL."""

    path: str | None = None
    record: int | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        if self.url is not None:
            return {"url": self.url}
        return {"path": self.path, "record": self.record}


@dataclass(frozen=True, slots=True)
class Citation:
    n: int
    article_id: str
    title: str
    publisher: str | None
    author: str | None
    published: str | None  # ISO date, or None when unknown
    url: str | None
    quote: str
    origin: tuple[Origin, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    reading: str | None = None  # how a follow-up was read, when not as asked ("Reading this as: ...")
