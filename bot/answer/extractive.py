"""The default answerer: the retrieved sentences that answer the question, each citing its article.

No model writes anything: every sentence of the answer is a sentence of a stored article, so
nothing is invented. Sentences are scored on three signals:

- meaning: cosine similarity of the sentence to the question (the embedding model, run on the
  few dozen best sentences only: query-time embedding of hundreds would be too slow);
- words: the idf-weighted share of the question's content words the sentence (or its
  neighbour, which often carries the subject) contains;
- kind: whether the sentence holds the kind of answer asked for (``kinds.py``).

The best sentences are composed into a short answer, preferring new articles and new facts;
a sentence repeated in another article is stated once and cites both. When even the best
sentence supports the question too little, when the question names something no passage
mentions, or when no sentence holds the kind of answer asked for (an amount for "how much"; for
"who" about a multi-word proper name, another name in a sentence naming it), the answer says
so instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from bot.answer.kinds import Kind, holds_amount, kind_match, name_phrases, names, question_kinds, years
from bot.answer.sources import citation
from bot.answer.text import coverage, idf, split_sentences, terms, tidy
from bot.answer.types import Answer, Citation, Question
from vectorstore.records import ChunkRecord
from vectorstore.retrieval import Passage, overlap, shingles

logger = logging.getLogger(__name__)

_LETTERS = re.compile(r"[a-z]")
_LIST_KINDS = (Kind.COUNTRIES, Kind.ORGANISATIONS)
# Kinds whose answer is a name (the one the question's named subject must come with).
_NAMED_KINDS = (Kind.WHO, Kind.ORGANISATIONS)
# How close in score a sentence from a new article must come to the best remaining one to go first.
_NEAR = 0.85


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class ExtractiveParams:
    """How sentences are scored and composed (from ``[answer]``)."""

    max_chars: int = 700
    max_sentences: int = 4
    embed_sentences: int = 0
    min_support: float = 0.0
    weight_dense: float = 1.0
    weight_words: float = 1.0
    weight_kind: float = 0.3
    weight_rank: float = 0.2
    neighbour: float = 0.5
    keep_ratio: float = 0.75
    list_keep_ratio: float = 0.6
    same_fact: float = 0.6


@dataclass(slots=True)
class Candidate:
    """One sentence of a retrieved passage."""

    text: str
    passage: int  # index in the retrieved list (0 = best)
    chunks: list[ChunkRecord]  # the chunk it came from, then other articles' chunks repeating it
    terms: set[str]
    words: float = 0.0
    kind: float = 0.0
    dense: float = 0.0
    score: float = 0.0
    shingles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Scored:
    """The scored candidates of a question, best first, and how well the best supports it."""

    candidates: list[Candidate]
    support: float
    sentences: list[Candidate] = field(default_factory=list)  # every candidate sentence, unranked


def _quotable(sentence: str) -> bool:
    """A sentence, not page furniture: enough words and mostly lower-case prose."""
    words = sentence.split()
    if len(words) < 5 or len(sentence) > 600:
        return False
    lower = sum(1 for w in words if _LETTERS.match(w))
    return lower >= len(words) / 3 and "http" not in sentence


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    """The quotable sentences of the passages, each once (overlapping chunks repeat sentences)."""
    seen: dict[str, Candidate] = {}
    for rank, passage in enumerate(passages):
        copy_shingles = [(c, shingles(c.text)) for c in passage.copies]
        for raw in split_sentences(passage.text):
            sentence = tidy(raw)
            if not _quotable(sentence):
                continue
            key = " ".join(sentence.lower().split())
            if key in seen:  # the same sentence in another article: cite that one too
                known = seen[key]
                if all(_article(c) != passage.article_id for c in known.chunks):
                    known.chunks.append(passage.chunk)
                continue
            sig = shingles(sentence)
            copies = [c for c, c_sig in copy_shingles if overlap(sig, c_sig) >= 0.9]
            seen[key] = Candidate(sentence, rank, [passage.chunk, *copies], terms(sentence), shingles=sig)
    return list(seen.values())


def unmentioned_names(question: str, passages: Sequence[Passage]) -> set[str]:
    """Names in the question (capitalised words) that no retrieved passage contains.

    A question about something the articles never name ("the Swedish court", "Royal Assent")
    cannot be answered from them, however close the rest of the wording comes.
    """
    if not passages:
        return set()
    text = " ".join(p.text for p in passages).lower()
    return {n for n in names(question) if n not in text}


class ExtractiveAnswerer:
    """Answers from the retrieved passages' own sentences, every one cited."""

    def __init__(
        self,
        encoder: Encoder | None,
        article_count: Callable[[], int],
        params: ExtractiveParams | None = None,
    ) -> None:
        self.encoder = encoder
        self.article_count = article_count
        self.params = params or ExtractiveParams()

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        unknown = unmentioned_names(question.text, passages)
        if unknown:
            logger.info("abstaining: no retrieved passage mentions %s", ", ".join(sorted(unknown)))
            return self.abstain(question, passages)
        scored = self.score(question.text, passages)
        if not scored.candidates or scored.support < self.params.min_support:
            return self.abstain(question, passages)
        if not holds_answer(question.text, scored.candidates):
            logger.info("abstaining: no retrieved sentence holds the amount or year asked for")
            return self.abstain(question, passages)
        if not names_answer(question.text, scored.sentences):
            logger.info(
                "abstaining: no sentence naming %s holds the kind of answer asked for",
                name_phrases(question.text),
            )
            return self.abstain(question, passages)
        breadth = any(k in _LIST_KINDS for k in question_kinds(question.text))
        chosen = self.compose(scored.candidates, breadth=breadth)
        return self.render(question, chosen)

    # -- scoring -----------------------------------------------------------------------------

    def score(self, query: str, passages: Sequence[Passage]) -> Scored:
        p = self.params
        found = candidates(passages)
        if not found:
            return Scored([], 0.0)
        kinds = question_kinds(query)
        query_terms = terms(query)
        weights = idf([c.terms for c in found])
        unseen = max(weights.values(), default=1.0)
        for i, cand in enumerate(found):
            own = coverage(query_terms, cand.terms, weights, unseen)
            context = set(cand.terms)
            for j in (i - 1, i + 1):
                if 0 <= j < len(found) and found[j].passage == cand.passage:
                    context |= found[j].terms
            cand.words = max(own, p.neighbour * coverage(query_terms, context, weights, unseen))
            cand.kind = max(kind_match(k, cand.text, query) for k in kinds) if kinds != (Kind.OTHER,) else 0.0
        prior = [1.0 / (1 + rank) for rank in range(len(passages))]
        # Only the most promising sentences are embedded (the cost grows with their number);
        # the others, and all of them with embed_sentences = 0, take their passage's similarity.
        pre = sorted(
            found,
            key=lambda c: (
                p.weight_words * c.words + p.weight_kind * c.kind + p.weight_rank * prior[c.passage]
            ),
            reverse=True,
        )[: max(p.embed_sentences, p.max_sentences * 8)]
        for cand in pre:
            cand.dense = passages[cand.passage].dense or 0.0
        embedded = pre[: p.embed_sentences] if self.encoder is not None else []
        if self.encoder is not None and embedded:
            vectors = self.encoder.encode([query, *(c.text for c in embedded)])
            for cand, sim in zip(embedded, vectors[1:] @ vectors[0], strict=True):
                cand.dense = float(sim)
        for cand in pre:
            cand.score = (
                p.weight_dense * cand.dense
                + p.weight_words * cand.words
                + p.weight_kind * cand.kind
                + p.weight_rank * prior[cand.passage]
            )
        pre.sort(key=lambda c: c.score, reverse=True)
        best = pre[0]
        support = p.weight_dense * best.dense + p.weight_words * best.words
        return Scored(pre, support, found)

    # -- composing ---------------------------------------------------------------------------

    def compose(self, ranked: Sequence[Candidate], breadth: bool = False) -> list[Candidate]:
        """The best sentence, then others close to it in score that add a new fact, within max_chars.

        A sentence that repeats a chosen one from another article is not repeated: its article
        is cited beside the chosen sentence instead. With ``breadth`` (questions asking for a
        list of countries or companies) the answer is spread over articles: a sentence of the
        right kind from an article not cited yet goes before a slightly better one from a cited article,
        since each source tends to name different members of the list.
        """
        p = self.params
        chosen: list[Candidate] = []
        used = 0
        top = ranked[0].score
        floor = (p.list_keep_ratio if breadth else p.keep_ratio) * top
        pool = list(ranked)
        while pool and len(chosen) < p.max_sentences:
            cand = pool.pop(self._next(pool, chosen) if breadth else 0)
            twin = next((c for c in chosen if overlap(cand.shingles, c.shingles) >= p.same_fact), None)
            if twin is not None:
                known = {_article(ch) for ch in twin.chunks}
                twin.chunks.extend(ch for ch in cand.chunks if _article(ch) not in known)
                continue
            if chosen and cand.score < floor:
                continue
            cost = len(cand.text) + 8
            if used + cost > p.max_chars:
                continue
            chosen.append(cand)
            used += cost
        if not chosen:
            chosen.append(ranked[0])
        return chosen

    @staticmethod
    def _next(pool: Sequence[Candidate], chosen: Sequence[Candidate]) -> int:
        """Index of the best candidate of the right kind from an uncited article, else of the best."""
        cited = {_article(ch) for c in chosen for ch in c.chunks}
        for i, cand in enumerate(pool):
            if cand.score < _NEAR * pool[0].score:
                break
            if cand.kind > 0 and _article(cand.chunks[0]) not in cited:
                return i
        return 0

    def render(self, question: Question, chosen: Sequence[Candidate]) -> Answer:
        numbers: dict[str, int] = {}
        quotes: dict[str, list[str]] = {}
        chunks: dict[str, ChunkRecord] = {}
        lines = []
        for cand in chosen:
            marks = []
            for chunk in cand.chunks:
                article = _article(chunk)
                n = numbers.setdefault(article, len(numbers) + 1)
                chunks.setdefault(article, chunk)
                quotes.setdefault(article, []).append(cand.text)
                if f"[{n}]" not in marks:
                    marks.append(f"[{n}]")
            lines.append(f"{_fit(cand.text, self.params.max_chars)} {''.join(marks)}")
        citations = tuple(
            citation(n, chunks[article], " … ".join(quotes[article])) for article, n in numbers.items()
        )
        return Answer(question.text, " ".join(lines), abstained=False, citations=citations)

    def abstain(self, question: Question, passages: Sequence[Passage], closest: int = 3) -> Answer:
        """ "I couldn't find that", naming the closest articles (no claim is made, so nothing is cited)."""
        titles: list[str] = []
        seen: set[str] = set()
        for passage in passages:
            if passage.article_id in seen:
                continue
            seen.add(passage.article_id)
            meta = passage.chunk.metadata
            title = str(meta.get("title") or meta.get("url") or passage.article_id)
            details = ", ".join(str(v) for v in (meta.get("publisher"), meta.get("published")) if v)
            titles.append(f"{title} ({details})" if details else title)
            if len(titles) >= closest:
                break
        text = f"I couldn't find that in the {self.article_count()} articles I have."
        if titles:
            text += " The closest articles are: " + "; ".join(f"“{t}”" for t in titles) + "."
        return Answer(question.text, text, abstained=True)


def holds_answer(question: str, ranked: Sequence[Candidate]) -> bool:
    """Whether a candidate sentence could state the fact asked for: an amount when the question
    asks "how much", within every year the question names.

    Sentences about the question's subject that state no amount, or amounts of another year,
    mean the articles cover the topic but not this fact. A year counts as met when the
    sentence states it or its article was published in it (news says "last month", not the year).
    """
    wanted = years(question)
    for cand in ranked:
        published = str(cand.chunks[0].metadata.get("published") or "")[:4]
        if all(y in cand.text or y == published for y in wanted) and holds_amount(cand.text, question):
            return True
    return False


def names_answer(question: str, sentences: Sequence[Candidate]) -> bool:
    """Whether a sentence naming the question's proper names names someone or something else,
    when the question asks "who" or "which company" and names a multi-word proper name.

    A name of two or more words ("National Grid Office", "Dana Whitfield") is the most specific
    thing a question names; a sentence that names it is about it. When no sentence about it
    names anyone the question does not, the articles know the subject but not who did it,
    however well the sentences around them match: a neighbour's name must not answer for the
    named subject. Only asked-for names are checked this strictly: a date or a number is often
    stated a sentence away from the full name. Needs ``Candidate.kind`` as set by ``score``.
    """
    if not any(kind in _NAMED_KINDS for kind in question_kinds(question)):
        return True
    wanted = [name.lower() for name in name_phrases(question)]
    about = [c for c in sentences if any(name in c.text.lower() for name in wanted)]
    return not about or any(c.kind > 0 for c in about)


def _article(chunk: ChunkRecord) -> str:
    return str(chunk.metadata.get("article_id", chunk.id))


def _fit(sentence: str, limit: int) -> str:
    if len(sentence) <= limit - 8:
        return sentence
    return sentence[: limit - 9].rsplit(" ", 1)[0] + "…"


__all__ = ["Citation", "ExtractiveAnswerer", "ExtractiveParams", "Scored", "candidates"]
