"""A topic's dated events, oldest first, each a sentence of the articles with its citations.

Passages about the topic are retrieved (more than an answer takes, several per article); of
their quotable sentences (captions, bylines, headlines and datelines were flagged at ingest and
are left out) a sentence is kept when it is about the topic — most of the topic's words, weighted
by how rare each is among the sentences — and states an event with a date
(``language.dating``: a date it states, resolved against its article's, else the publication
date of a report of something done). Reworded reports of one event (one fact, the same date at
the coarser precision of the two) become one line citing every source. The most relevant events
are kept, up to a limit, and shown oldest first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from bot.answer.candidates import Candidate, article_of, candidates
from bot.answer.extractive import VALUE_KINDS, quote, same_fact
from bot.answer.provenance import Provenance
from bot.answer.questions import clean_question
from bot.answer.sources import citation, shorten
from bot.answer.types import Citation
from language.dating import When, event_date, same_date, states_event, time_expressions
from language.expressions import TIMES, expressions
from language.sentences import refers_back
from language.terms import coverage, idf, terms
from vectorstore.records import ChunkRecord
from vectorstore.retrieval import HybridRetriever, Passage

if TYPE_CHECKING:
    from bot.settings import Settings
    from ingest.publishers import PublisherDirectory
    from vectorstore.base import LibraryReader
    from vectorstore.embeddings import Embedder

logger = logging.getLogger(__name__)

# Dates are compared by the timeline itself: two reports of one event may date it differently
# ("in July 2020", "on 14 July"), so only figures must agree for their wording to be one fact.
_FIGURES = VALUE_KINDS - TIMES
# Fused retrieval looks this many passages deep per passage wanted.
_CANDIDATES_PER_PASSAGE = 2


@dataclass(frozen=True, slots=True)
class TimelineParams:
    """How events are chosen (from ``[timeline]``)."""

    max_events: int = 15
    line_chars: int = 280
    # The share of the topic's words (weighted by rarity) a sentence must hold to be about it.
    about: float = 0.5


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a timeline: when, what (a sentence of the first source), who says so."""

    when: When
    text: str
    citations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    topic: str
    events: tuple[Event, ...] = ()
    citations: tuple[Citation, ...] = ()
    undated: int = 0  # sentences about the topic telling of an event no date could be fixed for
    more: int = 0  # events past the limit, not shown
    problem: str | None = None  # why the topic could not be used (empty, too long)


@dataclass(slots=True)
class _Found:
    """An event while the timeline is composed: its best sentence and every source of it."""

    when: When
    cand: Candidate
    about: float
    chunks: list[ChunkRecord] = field(default_factory=list)

    def absorb(self, when: When, cand: Candidate) -> None:
        if when.finer(self.when):
            self.when = when
        known = {article_of(c) for c in self.chunks}
        self.chunks.extend(c for c in cand.chunks if article_of(c) not in known)


def published_of(chunk: ChunkRecord) -> date | None:
    """The article's publication date (None when unknown or unreadable: never a guess)."""
    value = chunk.metadata.get("published")
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def compose(
    topic: str,
    passages: Sequence[Passage],
    params: TimelineParams | None = None,
    *,
    since: date | None = None,
    until: date | None = None,
) -> Timeline:
    """The timeline of ``topic`` from ``passages`` (best first); ``since``/``until`` keep the
    events whose date falls in that span (an event dated to a month or a year: that overlaps it)."""
    p = params or TimelineParams()
    wanted = terms(topic)
    cands = candidates(passages)
    weights = idf([c.terms for c in cands])
    rare = max(weights.values(), default=1.0)
    found: list[_Found] = []
    undated = 0
    placed: set[tuple[str, int]] = set()  # (chunk, position) of the sentences placed
    for cand in cands:
        pointing = refers_back(cand.text)
        words = cand.terms | (terms(cand.previous) if pointing else set())
        about = coverage(wanted, words, weights, rare)
        if about < p.about:
            continue
        # Alone, it would not say what it is about ("That is how much..."); shown after the
        # sentence it points back to, it would repeat that one's line when that one is placed,
        # or when it names no date of its own.
        if pointing and (
            not cand.previous
            or (cand.chunks[0].id, cand.position - 1) in placed
            or not time_expressions(cand.text, cand.expressions)
        ):
            continue
        when = _date(cand)
        if when is None:
            undated += _published(cand) is None and states_event(cand.text, cand.expressions)
            continue
        if (since and when.last < since) or (until and when.first > until):
            continue
        placed.add((cand.chunks[0].id, cand.position))
        twin = next((f for f in found if same_date(f.when, when) and _one_fact(f.cand, cand)), None)
        if twin is not None:
            twin.absorb(when, cand)
        else:
            found.append(_Found(when, cand, about, list(cand.chunks)))
    # The most relevant: about the topic, stated rather than reported, from the best passages.
    found.sort(key=lambda f: (-f.about, f.when.reported, f.cand.passage, f.cand.order))
    shown = sorted(found[: p.max_events], key=lambda f: (f.when.order, f.when.reported, f.cand.order))
    numbers: dict[str, int] = {}
    quoted: dict[str, tuple[ChunkRecord, list[str]]] = {}
    events = []
    for f in shown:
        text = shorten(quote(f.cand), p.line_chars)
        cited = []
        for chunk in f.chunks:
            article = article_of(chunk)
            cited.append(numbers.setdefault(article, len(numbers) + 1))
            quoted.setdefault(article, (chunk, []))[1].append(text)
        events.append(Event(f.when, text, tuple(dict.fromkeys(cited))))
    cites = tuple(
        citation(numbers[article], chunk, " … ".join(dict.fromkeys(quotes)))
        for article, (chunk, quotes) in quoted.items()
    )
    return Timeline(topic, tuple(events), cites, undated=undated, more=max(0, len(found) - p.max_events))


def _published(cand: Candidate) -> date | None:
    """The publication date of the sentence's first dated source (syndicated copies may differ)."""
    return next((d for d in map(published_of, cand.chunks) if d is not None), None)


def _date(cand: Candidate) -> When | None:
    """The event's date; a sentence shown after the one it points back to ("The move...") is
    dated from both, the one before first, as the reader reads them."""
    said = quote(cand)
    found = cand.expressions if said == cand.text else expressions(said)
    return event_date(said, found, _published(cand))


def _one_fact(a: Candidate, b: Candidate) -> bool:
    return same_fact(a, b, values=_FIGURES)


# -- showing ----------------------------------------------------------------------------------


def marks(event: Event) -> str:
    return "".join(f"[{n}]" for n in event.citations)


def line(event: Event) -> str:
    """ "2020-07-14 — <sentence> [1][3]" ("2020-07-15 (reported) — …" for a report's date)."""
    reported = " (reported)" if event.when.reported else ""
    return f"{event.when.shown}{reported} — {event.text} {marks(event)}"


def empty(topic: str) -> str:
    return f"The articles hold no dated events about “{topic}”."


def notes(timeline: Timeline) -> list[str]:
    """What was left out: events past the limit, events no date could be fixed for."""
    out = []
    if timeline.more:
        plural = "s" if timeline.more != 1 else ""
        shown = f"{timeline.more} more event{plural} not shown"
        out.append(f"{shown}: name the topic more closely, or a span of dates.")
    if timeline.undated:
        many = timeline.undated != 1
        their = "their articles have" if many else "its article has"
        out.append(f"{timeline.undated} undated passage{'s' if many else ''} not placed ({their} no date).")
    return out


def lines(timeline: Timeline) -> list[str]:
    """Everything shown above the sources: the problem, or the events and notes."""
    if timeline.problem:
        return [timeline.problem]
    if not timeline.events:
        return [empty(timeline.topic), *notes(timeline)]
    return [*(line(e) for e in timeline.events), *notes(timeline)]


def event_json(event: Event) -> dict[str, object]:
    return {
        "date": event.when.shown,
        "precision": event.when.precision.value,
        "reported": event.when.reported,
        "text": event.text,
        "citations": list(event.citations),
    }


# -- the service ------------------------------------------------------------------------------


class TimelineService:
    """Timelines over one library view; ``timeline`` is safe to call from worker threads."""

    def __init__(
        self,
        retriever: HybridRetriever,
        provenance: Provenance,
        params: TimelineParams | None = None,
        *,
        passages: int = 50,
        max_topic_chars: int = 1000,
    ) -> None:
        self.retriever = retriever
        self.provenance = provenance
        self.params = params or TimelineParams()
        self.passages = passages
        self.max_topic_chars = max_topic_chars

    def timeline(self, topic: str, *, since: date | None = None, until: date | None = None) -> Timeline:
        """The topic's dated events. Retrieval is not limited by publication date: an article of
        any date may tell of an event inside the span, and undated articles carry events too."""
        text, problem = clean_question(topic, self.max_topic_chars)
        if problem is not None:
            logger.info("topic refused: %s", problem)
            words = f"Please name a topic in words, in at most {self.max_topic_chars:,} characters."
            return Timeline(topic, problem=words)
        found = self.retriever.retrieve(text, k=self.passages)
        timeline = compose(text, found, self.params, since=since, until=until)
        logger.info(
            "timeline of %d events from %d passages (%d undated, %d past the limit)",
            len(timeline.events),
            len(found),
            timeline.undated,
            timeline.more,
        )
        return replace(timeline, citations=tuple(self.provenance.labelled(c) for c in timeline.citations))


def build_timeline_service(
    settings: Settings,
    store: LibraryReader,
    embedder: Embedder,
    publishers: PublisherDirectory | None = None,
) -> TimelineService:
    """Timelines over ``store`` (a library view) with the settings' ``[timeline]``."""
    from bot.answer.labels import Labeller
    from ingest.publishers import PublisherDirectory

    if publishers is None:
        publishers = PublisherDirectory.load(settings.publishers.profiles)
    t = settings.timeline
    retriever = HybridRetriever(
        store,
        embedder.embed_query,
        top_k=t.passages,
        candidates=t.passages * _CANDIDATES_PER_PASSAGE,
        max_per_article=t.max_per_article,
        rrf_k=settings.answer.rrf_k,
        duplicate_overlap=settings.answer.duplicate_overlap,
    )
    return TimelineService(
        retriever,
        Provenance(Labeller(publishers)),
        TimelineParams(max_events=t.max_events, line_chars=t.line_chars),
        passages=t.passages,
        max_topic_chars=settings.answer.max_question_chars,
    )
