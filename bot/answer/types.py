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
    typed: str = ""  # a follow-up as the user wrote it, before its references were filled in
    # Publisher types (ingest.publishers.PUBLISHER_TYPES, or "unlabelled") to keep only / leave out.
    publisher_types: tuple[str, ...] = ()
    exclude_publisher_types: tuple[str, ...] = ()


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
    # The publisher profile ingest matched and its type ("unlabelled" or None when none did);
    # the country and the label as shown are added from the profile (bot.answer.provenance).
    publisher_id: str | None = None
    publisher_type: str | None = None
    publisher_country: str | None = None
    publisher_label: str = "unlabelled"

    @property
    def undated(self) -> bool:
        return self.published is None


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence (or list line) of an answer and who supports it.

    ``start``/``end`` delimit it in ``Answer.text``, its citation marks included. ``copies``
    groups the numbers of sources quoting one text (one story, syndicated or repeated), so that
    counting publishers counts it once; ``corroboration`` is how many independent publishers
    support it (``bot.answer.corroboration``).
    """

    start: int
    end: int
    citations: tuple[int, ...]
    copies: tuple[tuple[int, ...], ...] = ()
    corroboration: int = 0
    publishers: tuple[str, ...] = ()
    state_affiliated_only: bool = False  # backed by one state-affiliated outlet, and nothing else


@dataclass(frozen=True, slots=True)
class Difference:
    """Sources giving different values for the one thing asked: each value with who gives it."""

    values: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True, slots=True)
class Dating:
    """When the cited evidence dates from (ISO dates; None when no cited source is dated)."""

    newest: str | None
    oldest: str | None
    undated: int = 0  # cited sources without a date
    current: bool = False  # the question asks how things stand now: the answer says as of when


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    reading: str | None = None  # how a follow-up was read, when not as asked ("Reading this as: ...")
    # Beside the answer proper (``text``), shown after it: see bot.answer.display.
    claims: tuple[Claim, ...] = ()
    differences: tuple[Difference, ...] = ()
    dating: Dating | None = None
    # Where the evidence is grouped by publisher type: (offset in ``text``, "Newspapers (UK)").
    headings: tuple[tuple[int, str], ...] = ()
