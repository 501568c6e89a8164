"""Question in, cited Answer out: retrieval, then the extractive answerer (or an LLM, if configured).

Everything is built once (``build_answer_service``, below) and passed in, so the CLI, the
Discord bot and the benchmarks share one code path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from bot.answer.extractive import ExtractiveAnswerer, ExtractiveParams
from bot.answer.followup import Reading, build_rewriter
from bot.answer.labels import Labeller
from bot.answer.provenance import Provenance
from bot.answer.questions import clean_question
from bot.answer.sources import Source
from bot.answer.types import Answer, Question
from bot.limits import MAX_QUESTION_CHARS
from bot.settings import AnswerSettings, Secrets, Settings
from language.questions import asks_about_now
from vectorstore.retrieval import Filters, HybridRetriever, NoMatchingPublisher, Passage

if TYPE_CHECKING:
    from ingest.publishers import PublisherDirectory
    from vectorstore.base import LibraryReader
    from vectorstore.embeddings import Embedder

logger = logging.getLogger(__name__)


class Answerer(Protocol):
    """What the optional LLM answerer offers (``bot.answer.llm.LLMAnswerer``)."""

    def answer(self, question: Question, passages: Sequence[Source]) -> Answer: ...


@dataclass(frozen=True, slots=True)
class Traced:
    """An answer with what produced it: the search query (a follow-up rewritten) and the passages."""

    answer: Answer
    query: str = ""
    passages: tuple[Passage, ...] = ()


class AnswerService:
    """Answers questions from the store; ``ask`` is safe to call from worker threads."""

    def __init__(
        self,
        retriever: HybridRetriever,
        answerer: ExtractiveAnswerer,
        *,
        llm: Answerer | None = None,
        rewriter: Callable[[Question], Reading] | None = None,
        provenance: Provenance | None = None,
        max_question_chars: int = MAX_QUESTION_CHARS,
    ) -> None:
        self.max_question_chars = max_question_chars
        self.retriever = retriever
        self.answerer = answerer
        self.llm = llm
        self.rewriter = rewriter
        self.provenance = provenance

    def ask(self, question: Question) -> Answer:
        """The answer to ``question``; bad questions get a short reply instead of an answer."""
        return self.ask_traced(question).answer

    def ask_traced(self, question: Question) -> Traced:
        """The answer, with the query it was searched with and the passages it was composed from.

        The extractive answerer decides whether the passages support an answer at all; only
        then may the LLM (if any) phrase it, so it is never asked to answer from nothing.
        """
        started = time.perf_counter()
        text, problem = clean_question(question.text, self.max_question_chars)
        if problem is not None:
            return Traced(Answer(question.text, problem, abstained=True, timings_ms={"total": _ms(started)}))
        question = replace(question, text=text)
        reading = Reading.as_is(text)
        if self.rewriter is not None and question.history:
            reading = self.rewriter(question)
        query = reading.query
        try:
            passages = self.retriever.with_following(self.retriever.retrieve(query, filters_of(question)))
        except NoMatchingPublisher as exc:
            answer = Answer(
                question.text, f"{str(exc).capitalize()}.", abstained=True, timings_ms={"total": _ms(started)}
            )
            return Traced(answer, query)
        retrieved = time.perf_counter()
        standalone = replace(question, text=reading.text, context=reading.context, typed=text)
        answer = self.answerer.answer(standalone, passages)
        if self.llm is not None and not answer.abstained:
            answer = self.llm.answer(standalone, [Source(p) for p in passages])
        if self.provenance is not None:
            answer = self.provenance.annotate(answer, current=asks_about_now(reading.text))
        shown = reading.text if reading.text != text else None
        answer = replace(answer, question=question.text, reading=shown)
        done = time.perf_counter()
        timings = {
            **answer.timings_ms,
            "retrieve": (retrieved - started) * 1000,
            "answer": (done - retrieved) * 1000,
            "total": (done - started) * 1000,
        }
        logger.info(
            "answered in %.0f ms (%d passages, %d citations, abstained=%s)",
            timings["total"],
            len(passages),
            len(answer.citations),
            answer.abstained,
        )
        return Traced(replace(answer, timings_ms=timings), query, tuple(passages))

    def passages(self, question: Question) -> list[Passage]:
        """What retrieval finds for the question (for inspection and benchmarks)."""
        return self.retriever.retrieve(question.text, filters_of(question))


def filters_of(question: Question) -> Filters:
    return Filters(
        question.since,
        question.until,
        question.source,
        publisher_types=question.publisher_types,
        exclude_publisher_types=question.exclude_publisher_types,
    )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def extractive_params(settings: AnswerSettings) -> ExtractiveParams:
    return ExtractiveParams(
        max_chars=settings.max_chars,
        max_sentences=settings.max_sentences,
        fact_sentences=settings.fact_sentences,
        max_items=settings.max_items,
    )


def build_retriever(settings: AnswerSettings, store: LibraryReader, embedder: Embedder) -> HybridRetriever:
    return HybridRetriever(
        store,
        embedder.embed_query,
        top_k=settings.top_k,
        candidates=settings.candidates,
        max_per_article=settings.max_per_article,
        rrf_k=settings.rrf_k,
        duplicate_overlap=settings.duplicate_overlap,
        read_on=settings.read_on,
    )


def build_answer_service(
    settings: Settings,
    secrets: Secrets,
    *,
    store: LibraryReader | None = None,
    embedder: Embedder | None = None,
    publishers: PublisherDirectory | None = None,
) -> AnswerService:
    """The answering core from the settings; pass ``store``/``embedder``/``publishers`` to share
    already-built ones.

    Raises StoreError, EmbeddingModelError, LLMConfigError or ConfigError (a malformed publisher
    profile) — one line each — when a part cannot be built.
    """
    from bot.answer.llm import build_llm_answerer
    from ingest.publishers import PublisherDirectory

    if publishers is None:
        publishers = PublisherDirectory.load(settings.publishers.profiles)
    labeller = Labeller(publishers)

    if store is None:
        from vectorstore.store import build_store

        store = build_store(settings.vectorstore)
    if embedder is None:
        from vectorstore.embeddings import build_embedder

        embedder = build_embedder(settings.embedding, serving=True)
    answerer = ExtractiveAnswerer(store.article_count, extractive_params(settings.answer), labeller=labeller)
    return AnswerService(
        build_retriever(settings.answer, store, embedder),
        answerer,
        llm=build_llm_answerer(settings.llm, secrets, answerer),
        rewriter=build_rewriter(settings.llm, secrets).rewrite,
        provenance=Provenance(labeller),
        max_question_chars=settings.answer.max_question_chars,
    )
