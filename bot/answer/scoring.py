"""How well each candidate sentence answers the question: general features, one linear score.

The features say nothing about any topic: how much of the question's wording the sentence (and
its neighbours) repeat, weighted by how rare each word is among the candidates; whether it holds
the names the question gives; whether it states something of the kind asked for that the
question does not already state (a new person for "who", a date for "when", an amount for "how
much"); how similar its passage is to the question; where it stands. The weights are fitted on
the tune half of the dev questions (``python -m bench.fit_scorer``) and kept in
``scorer_weights.json`` beside this module.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.answer.candidates import Candidate
from bot.answer.lists import introduced, stated_items
from language.agents import other_agent
from language.expressions import NAMES, Expression, Kind, country, expressions, is_money, is_share
from language.lexicon import (
    AMOUNT_NOUNS,
    CAUSE_MARKERS,
    MONTHS,
    PERSON_TITLES,
    REPORTING_VERBS,
    TITLE_MODIFIERS,
)
from language.questions import ANSWERED_BY, LIST_ITEMS, Asks, QuestionAnalysis
from language.speech import speakers, speech
from language.terms import coverage, idf, is_content, stem, term, terms, words
from language.values import part_period, speculative
from vectorstore.records import ChunkRecord
from vectorstore.retrieval import Passage

logger = logging.getLogger(__name__)

WEIGHTS_FILE = Path(__file__).with_name("scorer_weights.json")
FEATURES = (
    "words",
    "context",
    "phrases",
    "names",
    "relation",
    "document",
    "period",
    "kind",
    "kind_focus",
    "kind_near",
    "other_kind",
    "items",
    "dense",
    "rank",
    "lead",
    "long",
    "speaker",
)
_CAUSE = re.compile(r"\b(?:" + "|".join(re.escape(m) for m in CAUSE_MARKERS) + r")\b", re.I)
# "because" is weaker evidence of the reason asked than a date is of a "when": news gives its
# reasons without the word as often ("paused it until…", "found they had little incentive").
_CAUSE_FIT = 0.5
_QUOTE = re.compile(r"[\"“”«»]|(?:^|\s)['‘][A-Za-z]")
_REPORTING = re.compile(r"\b(?:" + "|".join(sorted(REPORTING_VERBS)) + r")\b|\baccording to\b", re.I)
_LONG_WORDS = 45
# How much a word carried over from earlier turns counts against one the follow-up uses itself.
CONTEXT_WEIGHT = 0.3
_REACH = 6
_FOUR_DIGITS = re.compile(r"\b\d{4}\b")
# "what year", "since which year": a date that does not say its year answers it only loosely.
_YEAR_ROLE = "year"
# What "which town / city / region ..." asks for lies within a country (stems).
_WITHIN_A_COUNTRY = frozenset({"town", "citi", "villag", "region", "provinc", "counti", "district", "suburb"})
# What "what was the revenue / cost / fine" measures (stems): a sentence that does not name it
# gives a sum of some other kind.
_MEASURED = frozenset(stem(n) for n in AMOUNT_NOUNS)
_OTHER_MEASURE = 0.5
_SPECULATED = 0.5
_OTHER_AGENT = 0.5
_OTHER_ACT = 0.7
_ACTORS = frozenset({Asks.PERSON, Asks.ORGANISATION})
_REPORTER = 0.5
_NEXT_WORDS = re.compile(r"\.?\s+([A-Za-z]+)(?:\s+([A-Za-z]+))?")
# Nouns of questions asking for a news source (stems), and what introduces one in a sentence.
_SOURCE_ROLES = frozenset(
    stem(w)
    for w in ("outlet", "newspaper", "paper", "agency", "broadcaster", "publication", "magazine", "site")
)
_SOURCE_BEFORE = re.compile(r"\b(?:according to|reported by|told|said in a report by)(?:\s+the)?\s*$", re.I)
# "How many did they sell?" counts things: a price or a share is a number of the wrong kind.
_COUNT_AS_MONEY = 0.3
# Words after which a bare figure is a sum ("revenue of 454 billion"): the measures of an amount
# and verbs of paying; not "sales", which are often counted in units.
_MONEY_WORDS = (_MEASURED - {stem("sales")}) | {stem(w) for w in ("worth", "paid", "earned")}
_MONEY_REACH = 3


@dataclass(frozen=True, slots=True)
class Weights:
    """A linear score over FEATURES: ``bias + sum(weight * feature)``, read as a log-odds."""

    bias: float
    weights: Mapping[str, float]

    def score(self, features: Mapping[str, float]) -> float:
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())


DEFAULT_WEIGHTS = Weights(
    -3.0,
    {
        "words": 2.0,
        "context": 1.0,
        "names": 1.0,
        "relation": 1.0,
        "kind": 1.5,
        "other_kind": 0.5,
        "dense": 1.0,
        "rank": 0.5,
        "lead": 0.2,
        "long": 0.0,
    },
)


@lru_cache(maxsize=1)
def fitted_weights() -> Weights:
    """The weights fitted on the tune questions, or the defaults if there is no fitted file."""
    try:
        data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
        return Weights(float(data["bias"]), {k: float(v) for k, v in data["weights"].items()})
    except (OSError, ValueError, KeyError) as exc:
        logger.warning(
            "the scorer's fitted weights (%s) cannot be read (%s): using rough defaults", WEIGHTS_FILE, exc
        )
        return DEFAULT_WEIGHTS


def kind_match(asks: Asks, cand: Candidate, qa: QuestionAnalysis) -> tuple[float, float]:
    """How well the sentence holds the kind of answer asked that the question does not give:
    (fit, nearness). Fit is 1 for the asked kind (a person for "who", a date for "when"), less for
    a looser kind (a year for "how long", an unknown name for "who") or one that lacks what the
    question names it by ("which judge": a person not called a judge; "how many users": a number
    of something else). Nearness is the share of the question's words within a few words of it."""
    if asks is Asks.REASON:
        return (_CAUSE_FIT if _CAUSE.search(cand.text) else 0.0), 0.0
    if asks is Asks.STANCE:
        return (bool(_QUOTE.search(cand.text)) + bool(_REPORTING.search(cand.text))) / 2, 0.0
    fits = ANSWERED_BY.get(asks)
    if not fits:
        return 0.0, 0.0
    best = near = 0.0
    # "paid by the Harbour Board": a sentence saying it was paid by someone else answers less
    done_by_another = _OTHER_AGENT if qa.agent and other_agent(cand.text, *qa.agent) else 1.0
    # the part of the year may be said anywhere in the passage or its title ("the half-year
    # report shows…", then the figures)
    partial = qa.whole_year and part_period(
        f"{cand.chunks[0].metadata.get('title') or ''} {cand.chunks[0].text}"
    )
    said = speech(cand.text, cand.expressions) if asks in _ACTORS and not qa.speakers else {}
    lead_in = any(_leads_in(cand.text, end) for end in said.values())
    for expr in cand.expressions:
        if expr.kind not in fits or expr.key in qa.given or expr.text.lower() in qa.given:
            continue
        fit = fits[expr.kind]
        nearby = around(cand.text, expr)
        if expr.key in said and _only_reports(qa, cand.text, said[expr.key]):
            fit *= _REPORTER  # "who is in charge": "X told reporters investors would be in charge"
        elif lead_in and expr.kind in NAMES:
            fit *= _REPORTER  # "Ann Lee, chair of the board, said:" names who speaks, nothing more
        if qa.counted and expr.kind in (Kind.NUMBER, Kind.AMOUNT) and qa.counted not in nearby:
            fit *= 0.7
        if (
            qa.role
            and expr.kind in NAMES
            and qa.role not in nearby
            and not _cited_source(qa.role, cand.text, expr)
        ):
            fit *= 0.7
        if asks is Asks.PLACE and expr.kind is Kind.PLACE and _before_a_title(cand.text, expr):
            fit = ANSWERED_BY[Asks.PLACE][Kind.NATIONALITY]  # "U.S. President X": whose, not where
        if qa.role in _WITHIN_A_COUNTRY and country(expr.text) is not None:
            continue  # "which town": a country is no answer
        if (
            expr.kind in (Kind.AMOUNT, Kind.NUMBER)
            and qa.happened
            and speculative(cand.text, expr.start, expr.end)
        ):
            fit *= _SPECULATED  # "how many actually voted": "if 40 would vote" is no count of votes
        if asks is Asks.AMOUNT and qa.role in _MEASURED and qa.role not in cand.terms:
            fit *= _OTHER_MEASURE  # "what was the revenue": a cost is a sum of the wrong kind
        if asks is Asks.NUMBER and expr.kind in (Kind.AMOUNT, Kind.NUMBER) and _a_sum(cand.text, expr):
            fit *= 1.0 if is_money(qa.counted) else _COUNT_AS_MONEY
        elif asks is Asks.NUMBER and is_share(expr.text) and not is_share(qa.counted):
            fit *= _COUNT_AS_MONEY  # "how many did they sell": "13.1 percent" is no count either
        if asks is Asks.TIME and qa.act and qa.act not in cand.terms:
            fit *= _OTHER_ACT  # "when did X sign it": a date of something else X did
        if qa.role == _YEAR_ROLE and expr.kind is Kind.DATE and not _FOUR_DIGITS.search(expr.text):
            fit *= 0.3
        if expr.kind in (Kind.AMOUNT, Kind.NUMBER) and partial:
            continue  # a half-year's figure is no answer for the year
        best = max(best, fit * done_by_another)
        near = max(near, len(qa.terms & nearby) / len(qa.terms) if qa.terms else 0.0)
    return best, near


def _only_reports(qa: QuestionAnalysis, sentence: str, verb_end: int) -> bool:
    """Whether what the question says happened is only in what a speaker says: the speaker
    reports it, it is not what the speaker did ("Ann Lee told reporters that the investors
    would be in charge" for "who is in charge?"), unlike "after the ban, Ann Lee tweeted…"."""
    relation = qa.relation
    return bool(relation & terms(sentence[verb_end:])) and not relation & terms(sentence[:verb_end])


def _leads_in(sentence: str, verb_end: int) -> bool:
    """Whether the sentence only says who speaks next ("Ann Lee, who chairs the board, said:"):
    it states nothing of its own, so its speaker answers no question by being named in it."""
    return not sentence[verb_end:].strip(" :\"“”'‘’")


def _a_sum(sentence: str, expr: Expression) -> bool:
    """Whether the figure is a sum of money: written so ("6,999 yuan"), or just after a word
    for one ("revenue of 454 billion")."""
    if is_money(expr.text):
        return True
    before = [stem(w) for w in words(sentence[: expr.start])[-_MONEY_REACH:]]
    return bool(_MONEY_WORDS & set(before))


def _before_a_title(sentence: str, expr: Expression) -> bool:
    """Whether a place names whose official follows ("U.S. President", "UK Foreign Secretary")."""
    following = _NEXT_WORDS.match(sentence, expr.end)
    if following is None:
        return False
    first, second = following.group(1).lower(), (following.group(2) or "").lower()
    return first in PERSON_TITLES or (first in TITLE_MODIFIERS and second in PERSON_TITLES)


def _cited_source(role: str, sentence: str, expr: Expression) -> bool:
    """Whether a question for an outlet ("which news outlet…") is answered by a name the
    sentence cites as its source ("…, according to the Westmoor Post"), which says what it is."""
    return role in _SOURCE_ROLES and bool(
        _SOURCE_BEFORE.search(sentence[max(0, expr.start - 20) : expr.start])
    )


def around(sentence: str, expr: Expression) -> set[str]:
    """The stems of the few words either side of an expression."""
    before = words(sentence[: expr.start])[-_REACH:]
    after = words(sentence[expr.end :])[:_REACH]
    return {term(w) for w in (*before, *after)}


def new_expressions(asks: Asks, cand: Candidate, given: frozenset[str]) -> list[Expression]:
    """What the sentence states of the asked kind that the question does not."""
    fits = ANSWERED_BY.get(asks, {})
    return [e for e in cand.expressions if e.kind in fits and e.key not in given]


def new_items(qa: QuestionAnalysis, cand: Candidate) -> int:
    """How many things of the kind a list question asks for the sentence names (the question's own aside)."""
    if not qa.wants_list:
        return 0
    kinds = LIST_ITEMS[qa.list_of or Asks.OTHER]
    points = introduced(cand)
    if points:  # "The other bodies are:" names its items in the points after it
        return len(
            {e.key for p in points for e in expressions(p.name) if e.kind in kinds and e.key not in qa.given}
        )
    found = [e for e in cand.expressions if e.kind in kinds and e.key not in qa.given]
    return len({e.key for e, _ in stated_items(qa, cand.text, found)})


def _pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent content-word stems ("golden era", "think tank"): phrases the question and a sentence share."""
    stems = [stem(w) for w in words(text) if is_content(w)]
    return set(itertools.pairwise(stems))


def _share(wanted: set[tuple[str, str]], found: set[tuple[str, str]]) -> float:
    return len(wanted & found) / len(wanted)


def _document_terms(chunk: ChunkRecord) -> set[str]:
    """What the article's title and publisher say it is ("the Forbes column on the ban")."""
    meta = chunk.metadata
    return terms(f"{meta.get('title') or ''} {meta.get('publisher') or ''}")


def question_periods(qa: QuestionAnalysis) -> list[tuple[int, int | None]]:
    """The (year, month or None) the question sets itself in ("back in May 2020", "in 2019")."""
    found = []
    for expr in qa.expressions:
        if expr.kind not in (Kind.DATE, Kind.YEAR):
            continue
        year = re.search(r"\b(?:19|20)\d{2}\b", expr.text)
        if year is None:
            continue
        month = next((i + 1 for i, m in enumerate(MONTHS) if m[:3] in expr.text.lower()), None)
        found.append((int(year.group()), month if expr.kind is Kind.DATE else None))
    return found


def period_match(periods: Sequence[tuple[int, int | None]], chunk: ChunkRecord) -> float:
    """How well the article's date fits the time the question sets itself in: 1 the same month
    (or year, when no month is given), less for a neighbouring month or year, 0 far off."""
    published = str(chunk.metadata.get("published") or "")
    if not periods or len(published) < 7:
        return 0.0
    year, month = int(published[:4]), int(published[5:7])
    best = 0.0
    for want_year, want_month in periods:
        if want_month is None:
            fit = {0: 1.0, 1: 0.4}.get(abs(year - want_year), 0.0)
        else:
            apart = abs((year * 12 + month) - (want_year * 12 + want_month))
            fit = {0: 1.0, 1: 0.7, 2: 0.4}.get(apart, 0.1 if year == want_year else 0.0)
        best = max(best, fit)
    return best


def featurize(qa: QuestionAnalysis, found: Sequence[Candidate], passages: Sequence[Passage]) -> None:
    """Set every candidate's ``features`` for the question."""
    weights = idf([c.terms for c in found])
    unseen = max(weights.values(), default=1.0)
    # A follow-up's carried-over topic counts, less than its own words.
    for carried in qa.context:
        weights[carried] = weights.get(carried, unseen) * CONTEXT_WEIGHT
    # "what year" asks for a year: the word is what the answer is, not what it is about
    query = (qa.terms - {qa.role} if qa.asks[0] is Asks.TIME else qa.terms) | qa.context
    names = qa.names & qa.terms
    relation = qa.relation
    # A passage the dense index did not return is less similar than the least similar one it did.
    known = [p.dense for p in passages if p.dense is not None]
    floor = min(known, default=0.0)
    pairs = _pairs(qa.text)
    periods = question_periods(qa)
    documents: dict[str, set[str]] = {}
    for c in found:
        if c.article not in documents:
            documents[c.article] = _document_terms(c.chunks[0])
    for i, cand in enumerate(found):
        context = set(cand.terms)
        for j in (i - 1, i + 1):
            if 0 <= j < len(found) and found[j].passage == cand.passage:
                context |= found[j].terms
        cand.context = context
        kind, near = kind_match(qa.asks[0], cand, qa)
        context_share = coverage(query, context, weights, unseen)
        others = [kind_match(a, cand, qa)[0] for a in qa.asks[1:]]
        dense = passages[cand.passage].dense
        cand.features = {
            "words": coverage(query, cand.terms, weights, unseen),
            "context": context_share,
            "phrases": _share(pairs, _pairs(cand.text)) if pairs else 0.0,
            "names": coverage(names, context, weights, unseen) if names else 1.0,
            "document": coverage(query, documents[cand.article], weights, unseen),
            "period": period_match(periods, cand.chunks[0]),
            "relation": coverage(relation, cand.terms, weights, unseen) if relation else 1.0,
            "kind": kind,
            "kind_focus": kind * context_share,
            "kind_near": near,
            "other_kind": max(others, default=0.0),
            "items": min(new_items(qa, cand), 3) / 3,
            "dense": dense if dense is not None else floor,
            "rank": 1.0 - cand.passage / len(passages),
            "lead": 1.0 if cand.lead else 0.0,
            "long": 1.0 if len(cand.text.split()) > _LONG_WORDS else 0.0,
            "speaker": 1.0 if qa.speakers and qa.speakers & speakers(cand.text, cand.expressions) else 0.0,
        }


def rank(
    qa: QuestionAnalysis, found: list[Candidate], passages: Sequence[Passage], weights: Weights
) -> list[Candidate]:
    """The candidates scored for the question, best first."""
    featurize(qa, found, passages)
    for cand in found:
        cand.score = weights.score(cand.features)
    return sorted(found, key=lambda c: (-c.score, c.order))
