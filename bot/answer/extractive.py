"""The default answerer: sentences of the retrieved articles that answer the question, each cited.

No model writes anything: every sentence of an answer is a sentence of a stored article, so
nothing is invented. The steps, each in its own module:

1. ``language.questions``: what the question asks for (a person, a date, an amount, a list...)
   and what it is about;
2. ``candidates``: the quotable sentences of the passages (captions, bylines, prompts and
   headlines were flagged at ingest and are left out);
3. ``scoring``: one score per sentence from general features, the log-odds that it is the
   answer among the question's sentences;
4. ``support``: "I couldn't find that" unless a sentence states what an answer must state;
5. here: the sentence that states what is asked first, then what is about the same thing; a
   list question gets one line per item (``lists``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.answer.candidates import Candidate, article_of, candidates
from bot.answer.disagreement import Disagreement, disagreement
from bot.answer.followup import first_sentence
from bot.answer.labels import Labeller, PublisherLabel
from bot.answer.lists import Item, introduced, list_items
from bot.answer.perspectives import Section, other_voices, sections
from bot.answer.scoring import Weights, fitted_weights, rank
from bot.answer.sources import citation
from bot.answer.support import BEST, CONCRETE, corroborating, first_answering, states_kind, verdict
from bot.answer.types import Answer, Citation, Claim, Difference, Question
from language.expressions import NAMES, Kind, expressions
from language.questions import Asks, QuestionAnalysis, analyse, excluding_earlier
from language.sentences import refers_back
from language.speech import speakers
from language.terms import as_written, stem, words
from vectorstore.records import ChunkRecord
from vectorstore.retrieval import Passage, overlap

logger = logging.getLogger(__name__)

# A list of points answers a list question from further down when it names two of its items.
_NAMED_POINTS = 2 / 3
# Questions whose answer is one fact: the answer stays short.
VALUE_KINDS = frozenset({Kind.DATE, Kind.YEAR, Kind.DURATION, Kind.AMOUNT, Kind.NUMBER})
# Questions whose answer goes on after the sentence that reports the event.
_EXPLAINED = frozenset({Asks.REASON, Asks.STANCE})
# Questions about time: a date without its year is given the article's date.
_DATED = frozenset({Asks.TIME})
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_ONE_FACT = frozenset(
    {
        Asks.PERSON,
        Asks.ORGANISATION,
        Asks.PLACE,
        Asks.TIME,
        Asks.DURATION,
        Asks.AMOUNT,
        Asks.NUMBER,
        Asks.TITLE,
    }
)


# Two sentences are one fact when they share this much of their word triples, or of their
# content words (with the same dates and figures).
SAME_FACT = 0.6
SAME_WORDS = 0.8
# "who said that?", "and who claimed it?": the previous answer's claim, attributed.
_WHO_SAID = re.compile(
    r"^\W*(?:and\s+|so\s+|but\s+)?who\s+(?:said|says|claimed|claims|estimated|estimates|wrote|argued|"
    r"warned|reported|predicted|made)\s+(?:that|this|it|so)(?:\s+claim)?\W*$",
    re.I,
)
# A follow-up with at most this many words of its own ("by what year?") leans on the earlier sources.
BARE_FOLLOWUP = 2


@dataclass(frozen=True, slots=True)
class ExtractiveParams:
    """How sentences are chosen and composed (from ``[answer]``)."""

    max_chars: int = 700
    max_sentences: int = 4
    fact_sentences: int = 2
    max_items: int = 12
    keep_margin: float = 2.0
    list_margin: float = 3.0
    same_fact: float = SAME_FACT
    same_words: float = SAME_WORDS
    # A follow-up's answer leads with something the user has not just read, unless what is new
    # scores this much (log-odds) below the best sentence.
    told_margin: float = 2.0


@dataclass(frozen=True, slots=True)
class Composed:
    """What an answer says: sentences (best first) or list items led by one sentence, and a
    source that gives another value for what is asked, if one does."""

    sentences: list[Candidate]
    items: list[Item]
    differs: Disagreement | None = None


class ExtractiveAnswerer:
    """Answers from the retrieved passages' own sentences, every one cited."""

    def __init__(
        self,
        article_count: Callable[[], int],
        params: ExtractiveParams | None = None,
        weights: Weights | None = None,
        labeller: Labeller | None = None,
    ) -> None:
        self.article_count = article_count
        self.params = params or ExtractiveParams()
        self.weights = weights or fitted_weights()
        self.labeller = labeller

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        texts = [p.chunk.text for p in passages]
        qa = analyse(as_written(question.text, texts), question.context)
        if question.history:
            last = question.history[-1]
            qa = excluding_earlier(qa, (last.question, last.answer))
        ranked = self.rank(qa, passages)
        if not ranked:
            return self.abstain(question, passages)
        if question.history and _WHO_SAID.match(question.typed or question.text):
            said = attribution(ranked, question.history[-1].answer)
            if said:
                for cand in said:
                    cand.shown = quote(cand, [c.shown for c in said if c is not cand])
                return self.render(question, qa, Composed(said, []))
        support = verdict(qa, ranked, passages)
        if not support.supported:
            logger.info("abstaining: %s", support.reason)
            return self.abstain(question, passages)
        if qa.current:
            ranked = newest_first(ranked, self.params.keep_margin)
        if question.history:
            # a bare follow-up ("by what year?") has only the earlier answer's sources to go on
            bare = len(qa.terms) <= BARE_FOLLOWUP
            ranked = not_told_again(ranked, question.history[-1].answer, self.params.told_margin, bare)
            typed = as_written(question.typed, texts) if question.typed else question.text
            ranked = about_its_names(typed, ranked)
        return self.render(question, qa, self.compose(qa, ranked, self.part_answers(qa, ranked, passages)))

    def part_answers(
        self, qa: QuestionAnalysis, ranked: Sequence[Candidate], passages: Sequence[Passage]
    ) -> list[Candidate]:
        """For a two-part question ("How much did X pledge, and what did Y say would happen to
        it?"), the best sentence for each later part, read with the rest as its context; one
        only where that part is answered (its own verdict)."""
        if not qa.parts or qa.wants_list:
            return []
        found: list[Candidate] = []
        at = {(c.passage, c.position): c for c in ranked}
        for i, part in enumerate(qa.parts[1:], start=1):
            rest = " ".join(q for j, q in enumerate(qa.parts) if j != i)
            part_qa = analyse(part, f"{rest} {' '.join(sorted(qa.context))}")
            part_ranked = self.rank(part_qa, passages)
            if not part_ranked or not verdict(part_qa, part_ranked, passages).supported:
                continue
            best = part_ranked[0]
            if part_qa.asks[0] in CONCRETE and not states_kind(part_qa, best):
                best = first_answering(part_qa, part_ranked) or best
            same = at.get((best.passage, best.position))
            if same is not None and same not in found:
                found.append(same)
        return found

    def rank(self, qa: QuestionAnalysis, passages: Sequence[Passage]) -> list[Candidate]:
        """The passages' quotable sentences, best answer first."""
        return rank(qa, candidates(passages), passages, self.weights)

    # -- composing ---------------------------------------------------------------------------

    def compose(
        self, qa: QuestionAnalysis, ranked: Sequence[Candidate], parts: Sequence[Candidate] = ()
    ) -> Composed:
        """``parts``: the answers to a two-part question's later parts, which follow the first."""
        p = self.params
        # Scores are log-odds of being the answer among these sentences: a margin is a ratio.
        best = max(c.score for c in ranked)
        kept = [c for c in ranked if c.score >= best - p.keep_margin]
        if qa.wants_list or qa.asks[0] is Asks.OTHER:
            # "what kinds of equipment…": the best sentence that introduces a list, with its
            # points; an open "what" question takes one close to the best, a list question also
            # one of the best sentences whose points name what it asks for
            named = [c for c in ranked[:BEST] if c.features.get("items", 0.0) >= _NAMED_POINTS]
            for cand in [*kept, *(c for c in named if qa.wants_list and c not in kept)]:
                points = introduced(cand)
                if len(points) >= 2:
                    return Composed([cand], points[: p.max_items])
        if qa.wants_list:
            items = list_items(qa, ranked, p.max_items, p.list_margin)
            if len(items) >= 2:
                # the best sentence naming the most of them leads, so the list reads in context
                def stated(c: Candidate) -> int:  # items whose own sentence qualifies them
                    return sum(i.source is c and not i.in_title and bool(i.qualifier) for i in items)

                lead = max((i.source for i in items), key=lambda c: (stated(c), c.score))
                return Composed([lead], items)
        if qa.asks[0] in CONCRETE and not states_kind(qa, ranked[0]):
            # the answer first: when the best sentence states nothing of the kind asked (or not
            # the relation asked about), the best one that does leads
            answering = first_answering(qa, ranked)
            if answering is not None:
                kept = [answering, *(c for c in kept if c is not answering)]
        if parts:
            kept = [
                kept[0],
                *(c for c in parts if c is not kept[0]),
                *(c for c in kept[1:] if c not in parts),
            ]
        limit = p.fact_sentences if qa.asks[0] in _ONE_FACT and not qa.parts else p.max_sentences
        if qa.asks[0] in CONCRETE:
            # other articles giving the same answer are cited beside the first sentence, not
            # repeated after it
            kept[0].corroboration = corroborating(qa, kept[0], ranked, [kept[0]])
            kept = [c for c in kept if all(c is not other for other in kept[0].corroboration)]
        chosen: list[Candidate] = []
        used = 0

        def room_for(cand: Candidate) -> bool:
            # A sentence already quoted (as the one before another that points back to it) is
            # not quoted again, nor put before a sentence that follows it here.
            if any(cand.text in c.shown for c in chosen):
                return False
            cand.shown = quote(cand, [c.shown for c in chosen])
            return not chosen or used + len(cand.shown) + 8 <= p.max_chars

        for cand in self._with_followers(qa, kept, ranked):
            if len(chosen) >= limit:
                break
            twin = next((c for c in chosen if self._same_fact(cand, c)), None)
            if (
                twin is not None
            ):  # the same fact again (reworded, or in another article): cite it beside the first
                known = {article_of(ch) for ch in twin.chunks}
                twin.chunks.extend(ch for ch in cand.chunks if article_of(ch) not in known)
                continue
            if not room_for(cand):
                continue
            chosen.append(cand)
            used += len(cand.shown) + 8
        if qa.asks[0] is Asks.STANCE and self.labeller is not None:
            # a reaction as several kinds of publisher report it: each kind gets its best sentence
            for cand in other_voices(qa, chosen, ranked, p.keep_margin, self.label_of):
                if room_for(cand):
                    chosen.append(cand)
                    used += len(cand.shown) + 8
        return Composed(chosen, [], disagreement(qa, chosen[0], ranked) if chosen else None)

    def label_of(self, cand: Candidate) -> PublisherLabel:
        """The publisher label of the sentence's own article."""
        assert self.labeller is not None
        return self.labeller.of_metadata(cand.chunks[0].metadata)

    def _same_fact(self, a: Candidate, b: Candidate) -> bool:
        return same_fact(a, b, self.params.same_fact, self.params.same_words)

    @staticmethod
    def _with_followers(
        qa: QuestionAnalysis, kept: Sequence[Candidate], ranked: Sequence[Candidate]
    ) -> list[Candidate]:
        """The kept sentences in order; for a "why" or "what did they say" question each is
        followed by the sentence after it, where news explains the event it reports."""
        if qa.asks[0] not in _EXPLAINED:
            return list(kept)
        after = {(c.passage, c.position): c for c in ranked}
        out: list[Candidate] = []
        for cand in kept:
            for c in (cand, after.get((cand.passage, cand.position + 1))):
                if c is not None and c not in out:
                    out.append(c)
        return out

    # -- rendering ---------------------------------------------------------------------------

    def render(self, question: Question, qa: QuestionAnalysis, composed: Composed) -> Answer:
        """Each sentence with its citation marks; a list's items one per line, as many as fit
        in ``max_chars`` with the sentence above them (which then takes at most half). Each
        sentence and item is a claim, with its sources grouped by the text they quote."""
        budget = self.params.max_chars
        cites = _Citations()
        text = ""
        claims: list[Claim] = []
        grouped: list[Section] = []
        if qa.asks[0] is Asks.STANCE and self.labeller is not None:
            grouped = sections(composed.sentences, self.label_of)
        parts = grouped or [Section("", tuple(composed.sentences))]
        headings: list[tuple[int, str]] = []
        for part in parts:
            if part.heading:  # one line per kind of publisher, headed when shown
                text += "\n" if text else ""
                headings.append((len(text), part.heading))
            for cand in part.sentences:
                said = _fit(cand.shown or quote(cand), budget // 2 if composed.items else budget)
                if cand is composed.sentences[0] and qa.asks[0] in _DATED:
                    said += _reported(cand)
                groups = [cites.cite(source.chunks, source.text) for source in (cand, *cand.corroboration)]
                if text and not text.endswith((" ", "\n")):
                    text += " "
                start = len(text)
                text += f"{said} {_marks(groups)}"
                claims.append(_claim(start, len(text), groups))
        for item in composed.items:
            line = f"- {item.name}" + (f": {item.qualifier}" if item.qualifier else "")
            if len(text) + len(line) + _MARKS > budget:
                break
            numbers = cites.cite(item.source.chunks[:1], item.quote)
            start = len(text) + 1
            text += f"\n{line} {_marks([numbers])}"
            claims.append(_claim(start, len(text), [numbers]))
        differences = _differences(composed.differs, claims, cites)
        return Answer(
            question.text,
            text,
            abstained=False,
            citations=cites.citations(),
            claims=tuple(claims),
            differences=differences,
            headings=tuple(headings),
        )

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


class _Citations:
    """Numbers each cited article once, in order of first citation, with the sentences quoted from it."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.quotes: dict[str, list[str]] = {}
        self.chunks: dict[str, ChunkRecord] = {}

    def cite(self, chunks: Sequence[ChunkRecord], quote: str) -> list[int]:
        """The numbers of the chunks' articles, each quoting ``quote``."""
        numbers: list[int] = []
        for chunk in chunks:
            article = article_of(chunk)
            n = self.numbers.setdefault(article, len(self.numbers) + 1)
            self.chunks.setdefault(article, chunk)
            quotes = self.quotes.setdefault(article, [])
            if quote not in quotes:
                quotes.append(quote)
            if n not in numbers:
                numbers.append(n)
        return numbers

    def citations(self) -> tuple[Citation, ...]:
        return tuple(
            citation(n, self.chunks[article], " … ".join(self.quotes[article]))
            for article, n in self.numbers.items()
        )


def _differences(
    differs: Disagreement | None, claims: Sequence[Claim], cites: _Citations
) -> tuple[Difference, ...]:
    """The other source's value beside the answer's, each with the sources giving it (the other
    one is cited now, quoting its sentence)."""
    if differs is None or not claims:
        return ()
    theirs = tuple(cites.cite(differs.other.chunks[:1], differs.other.text))
    ours = claims[0].copies[0] if claims[0].copies else claims[0].citations
    return (Difference(((differs.ours, ours), (differs.theirs, theirs))),)


def _marks(groups: Sequence[Sequence[int]]) -> str:
    """ "[1][3]": each number once, in order."""
    return "".join(f"[{n}]" for n in dict.fromkeys(n for group in groups for n in group))


def _claim(start: int, end: int, groups: Sequence[Sequence[int]]) -> Claim:
    numbers = tuple(dict.fromkeys(n for group in groups for n in group))
    return Claim(start, end, numbers, tuple(tuple(g) for g in groups if g))


def newest_first(ranked: Sequence[Candidate], margin: float) -> list[Candidate]:
    """For a question about how things stand now: of the sentences scoring within ``margin`` of
    the best, those of the newest articles first (undated ones after the dated); the rest after."""
    best = max(c.score for c in ranked)
    close = [c for c in ranked if c.score >= best - margin]
    rest = [c for c in ranked if c.score < best - margin]

    def age(cand: Candidate) -> tuple[bool, float]:
        ts = cand.chunks[0].metadata.get("published_ts")
        return (not isinstance(ts, int), -float(ts) if isinstance(ts, int) else 0.0)

    return sorted(close, key=age) + rest


def attribution(ranked: Sequence[Candidate], told: str) -> list[Candidate]:
    """For "who said that?": the first sentence the previous answer quoted, with the sentence
    that names who says it when that is another one of its passage ("…, Ann Lee said." before
    or after); just that sentence when it names its speaker itself or none is named (its source
    then says who: the article's own claim). Empty when that sentence was not retrieved."""
    first = first_sentence(told)
    claim = next((c for c in ranked if c.text and c.text in first), None)
    if claim is None:
        return []
    if speakers(claim.text, claim.expressions):
        return [claim]
    beside = {(c.passage, c.position): c for c in ranked}
    for step in (-1, 1, -2, 2):
        other = beside.get((claim.passage, claim.position + step))
        if other is not None and speakers(other.text, other.expressions):
            return sorted([claim, other], key=lambda c: c.position)
    return [claim]


def about_its_names(typed: str, ranked: Sequence[Candidate]) -> list[Candidate]:
    """A follow-up that names something itself ("and what about Westmoor?") is answered by
    sentences about it: when some sentence (with its neighbours) names all it names, only those.
    Names filled in for its references ("he", "it") and years do not count: the sentences that
    answer often say "he", or no year."""
    own = {stem(w) for e in expressions(typed) if e.kind in NAMES for w in words(e.text)}
    if not own:
        return list(ranked)
    about = [c for c in ranked if own <= c.context]
    return about or list(ranked)


def not_told_again(
    ranked: Sequence[Candidate], told: str, margin: float, from_quoted: bool = False
) -> list[Candidate]:
    """The ranking with sentences of the previous answer moved behind new ones scoring within
    ``margin`` of the best: a follow-up asks for what that answer did not say; with
    ``from_quoted``, the other sentences of the articles it quoted come first."""
    best = ranked[0].score
    new = [c for c in ranked if c.text not in told]
    if not new or new[0].score < best - margin:
        return list(ranked)
    again = [c for c in ranked if c.text in told]
    quoted = {c.article for c in again} if from_quoted else set()
    close = [c for c in new if c.score >= best - margin]
    return [
        *(c for c in close if c.article in quoted),
        *(c for c in close if c.article not in quoted),
        *again,
        *(c for c in new if c.score < best - margin),
    ]


def same_fact(
    a: Candidate,
    b: Candidate,
    shingle_share: float = SAME_FACT,
    word_share: float = SAME_WORDS,
    values: frozenset[Kind] = VALUE_KINDS,
) -> bool:
    """Whether two sentences state one fact: most of their word triples, or of their content
    words with the same ``values`` (dates and figures), are shared ("launched by party co-chairman
    X in 2013" and "launched by Conservative Party co-chairman X in 2013" are one; "will open in
    2031" and "now expect it to open in 2029" are two)."""
    if overlap(a.shingles, b.shingles) >= shingle_share:
        return True
    if not a.terms or not b.terms or _values(a, values) != _values(b, values):
        return False
    return len(a.terms & b.terms) / min(len(a.terms), len(b.terms)) >= word_share


def _values(cand: Candidate, kinds: frozenset[Kind] = VALUE_KINDS) -> set[str]:
    """The dates and figures (expressions of ``kinds``) a sentence states."""
    return {e.key for e in cand.expressions if e.kind in kinds}


def quote(cand: Candidate, already: Sequence[str] = ()) -> str:
    """The sentence as quoted: with the one before it when it opens by pointing back ("He
    said...", "However, ..."), unless the answer ``already`` quotes that one."""
    if cand.previous and refers_back(cand.text) and not any(cand.previous in s for s in already):
        return f"{cand.previous} {cand.text}"
    return cand.text


def _reported(cand: Candidate) -> str:
    """ " (reported 2020-07-29)" for a date stated without its year ("on June 29", "last month")."""
    if any(e.kind is Kind.YEAR or (e.kind is Kind.DATE and _YEAR.search(e.text)) for e in cand.expressions):
        return ""
    published = cand.chunks[0].metadata.get("published")
    return f" (reported {published})" if published else ""


# Room kept for a line's citation marks and the line break.
_MARKS = 8


def _fit(sentence: str, limit: int) -> str:
    if len(sentence) <= limit - 8:
        return sentence
    return sentence[: limit - 9].rsplit(" ", 1)[0] + "…"


__all__ = ["VALUE_KINDS", "Composed", "ExtractiveAnswerer", "ExtractiveParams", "quote", "same_fact"]
