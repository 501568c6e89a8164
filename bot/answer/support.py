"""Whether the retrieved sentences answer the question at all, or only share its words.

Questions whose answer is in no article are often close to ones that are: the person is named,
but not their successor; the firm is named, but not what it was paid. A score cannot tell them
apart (the sentences about the person match well), so the answerer checks what an answer must
state:

- every distinctive word of a name the question gives ("Royal Assent", "Supreme Court") is in a
  passage;
- a relation the question asks about (who *took over*, what was *paid*, who was *picked*, when
  someone *left*) is stated by one of the best sentences;
- for a question that wants a person, organisation, place, date, duration, amount or number,
  one of the best sentences states one that the question does not give (of the year the question
  names, if it names one), with the relation asked about if there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer.candidates import Candidate, article_of
from bot.answer.scoring import new_expressions
from language.expressions import Kind, country
from language.lexicon import FUNCTION_WORDS
from language.questions import ANSWERED_BY, QuestionAnalysis, states_relation
from language.terms import stem
from vectorstore.retrieval import Passage

# How many of the best sentences an answer may come from.
BEST = 8
# How well a sentence must state the kind asked (see scoring.kind_match) to answer.
KIND = 0.6
# At most this many other articles are cited beside an answer they also give.
CORROBORATING = 2
# How many of the question's rarest words a sentence answering it holds one of.
FOCUS = 4
# ... unless more than this share of the sentences hold it.
COMMON = 0.5
CONCRETE = frozenset(ANSWERED_BY)
_NAME_KINDS = frozenset({Kind.PERSON, Kind.ORGANISATION, Kind.NAME, Kind.PLACE})


@dataclass(frozen=True, slots=True)
class Verdict:
    supported: bool
    reason: str = ""


def missing_names(qa: QuestionAnalysis, passages: Sequence[Passage]) -> list[str]:
    """Names of two or more words in the question with a distinctive word no passage contains
    (nor its article's title or publisher: "the Commons committee" is named in its report's title)."""
    text = " ".join(
        f"{p.text} {p.chunk.metadata.get('title') or ''} {p.chunk.metadata.get('publisher') or ''}"
        for p in passages
    ).lower()
    missing = []
    for expr in qa.expressions:
        if expr.kind not in _NAME_KINDS or " " not in expr.text:
            continue
        words = [w.strip(".,'’").lower() for w in expr.text.split()]
        distinctive = [w for w in words if len(w) >= 4 and w not in FUNCTION_WORDS and country(w) is None]
        if any(w.removesuffix("'s") not in text for w in distinctive):
            missing.append(expr.text)
    return missing


def verdict(qa: QuestionAnalysis, ranked: Sequence[Candidate], passages: Sequence[Passage]) -> Verdict:
    """Supported, or not and why (one line for the log)."""
    missing = missing_names(qa, passages)
    if missing:
        return Verdict(False, f"no passage mentions {', '.join(missing)}")
    best = ranked[:BEST]
    for relation in sorted(qa.relations):
        if not any(states_relation(relation, c.text, qa.text) for c in best):
            return Verdict(False, f"no sentence states the {relation} asked about")
    main = qa.asks[0]
    if main in CONCRETE and not qa.wants_list and first_answering(qa, ranked) is None:
        with_relations = f" with the {', '.join(sorted(qa.relations))}" if qa.relations else ""
        return Verdict(False, f"no sentence about the question states a {main.value}{with_relations}")
    return Verdict(True)


def states_kind(qa: QuestionAnalysis, cand: Candidate) -> bool:
    """Whether the sentence states something of the kind asked, with the relation asked about."""
    return cand.features.get("kind", 0.0) >= KIND and all(
        states_relation(r, cand.text, qa.text) for r in qa.relations
    )


def first_answering(qa: QuestionAnalysis, ranked: Sequence[Candidate]) -> Candidate | None:
    """The best of the best sentences that states what a concrete question asks: an expression
    of the asked kind the question does not give, of the year it names, about its most specific
    words, with the relation it asks about; None when none does."""
    focus = focus_terms(qa, ranked)
    for cand in ranked[:BEST]:
        if states_kind(qa, cand) and _in_years(qa, cand) and (not focus or focus & cand.context):
            return cand
    return None


# Verbs that say little of what a question is about ("how large can the fines get").
_LIGHT_VERBS = frozenset(
    stem(w)
    for w in ("get", "gets", "got", "make", "makes", "made", "take", "put", "give", "go", "want", "look")
)


def focus_terms(qa: QuestionAnalysis, ranked: Sequence[Candidate]) -> set[str]:
    """The question's rarest words among the sentences (its most specific ones: "fishermen" in
    "how much did the fishermen pay the harbour authority?"), of those some sentence holds."""
    # the years it names are checked on their own (_in_years)
    counts = {t: sum(t in c.terms for c in ranked) for t in qa.terms - _LIGHT_VERBS - qa.years}
    present = sorted((n, t) for t, n in counts.items() if n)
    # a word most of the sentences hold (the story's subject) says nothing specific; among a
    # handful of sentences, every word is in most of them
    common = len(ranked) * COMMON if len(ranked) >= BEST else len(ranked)
    specific = [(n, t) for n, t in present if n <= common] or present[:1]
    return {t for _, t in specific[:FOCUS]}


def _in_years(qa: QuestionAnalysis, cand: Candidate) -> bool:
    """Whether the sentence can be about every year the question names: it states the year, or
    its article was published that year or the next (news reports a year's figures after it)."""
    published = str(cand.chunks[0].metadata.get("published") or "")[:4]
    for year in qa.years:
        if year not in cand.text and published not in (year, str(int(year) + 1)):
            return False
    return True


def corroborating(
    qa: QuestionAnalysis, lead: Candidate, ranked: Sequence[Candidate], chosen: Sequence[Candidate]
) -> list[Candidate]:
    """The best sentences of other articles that state the answer the lead sentence gives (the
    same date, figure or name of the asked kind) about the same thing (its most specific words):
    an answer several sources give cites them all, each with its own sentence."""
    answers = {e.key for e in new_expressions(qa.asks[0], lead, qa.given)}
    if not answers:
        return []
    focus = focus_terms(qa, ranked)
    cited = {a for c in chosen for a in (article_of(ch) for ch in c.chunks)}
    found: list[Candidate] = []
    for cand in ranked[: BEST * 2]:
        if cand.article in cited or not (focus & cand.context):
            continue
        if answers & {e.key for e in new_expressions(qa.asks[0], cand, qa.given)}:
            found.append(cand)
            cited.add(cand.article)
    return found[:CORROBORATING]
