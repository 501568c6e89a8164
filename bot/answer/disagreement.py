"""Sources that give different values for the one thing asked: a date, an amount, a number, or
yes and no.

A deadline moved twice is reported with three dates; an answer that quotes one of them should
say that others differ, and cite them. Two sentences disagree when both answer the question
about the same thing — each states exactly one value of the asked kind that the question does
not give, next to the question's own words for what happened ("removed ... by 2027") — and the
values conflict once their wording is set aside (``language.values``): "2027" and "the end of
2027", or "£2bn" and "2 billion pounds", are one value.

For a yes/no question, two sentences disagree when both state what the question asks about (its
most specific words and most of its words for what happened) and one negates it ("did not",
"denied", "ruled out") while the other does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer.candidates import Candidate, article_of
from bot.answer.scoring import around, new_expressions
from bot.answer.support import BEST, focus_terms, states_kind
from language.expressions import Expression
from language.questions import Asks, QuestionAnalysis
from language.values import Value, conflict, shown, value_of

# Questions whose answer is one value that sources can give differently.
VALUED = frozenset({Asks.TIME, Asks.AMOUNT, Asks.NUMBER, Asks.DURATION})
# How far below the best (in log-odds) a sentence giving another value may score: another source
# words the same fact its own way and scores lower for it, but the checks below (the asked kind,
# the question's words beside the value) keep out sentences about something else.
MARGIN = 3.0
# How much of the question's words for what happened a sentence must hold to say yes or no to it.
ASKED_SHARE = 0.6
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|neither|nor|denied|denies|deny|rejected|rejects|refused|refuses|"
    r"ruled out|rules out|dismissed|dismisses)\b|n[’']t\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """The answer's value and another source's conflicting one, each with its sentence."""

    ours: str
    lead: Candidate
    theirs: str
    other: Candidate


def stated_value(qa: QuestionAnalysis, cand: Candidate) -> tuple[Expression, Value] | None:
    """The one value of the asked kind the sentence states about what the question asks (the
    question's words for what happened within a few words of it); None when it states none or
    several (then which one answers is not clear)."""
    wanted = qa.relation or qa.terms
    found = []
    for expr in new_expressions(qa.asks[0], cand, qa.given):
        value = value_of(expr)
        if value is not None and wanted & around(cand.text, expr):
            found.append((expr, value))
    distinct = {(v.kind, v.number, v.unit, v.date) for _, v in found}
    return found[0] if len(distinct) == 1 else None


def disagreement(qa: QuestionAnalysis, lead: Candidate, ranked: Sequence[Candidate]) -> Disagreement | None:
    """The best sentence of another article, scoring within ``MARGIN`` of the best, that answers
    the same question with a value conflicting with the lead sentence's; None if none does."""
    if qa.asks[0] is Asks.YES_NO and not qa.wants_list and not qa.parts:
        return _yes_and_no(qa, lead, ranked)
    if qa.asks[0] not in VALUED or qa.wants_list or qa.parts:
        return None
    ours = stated_value(qa, lead)
    if ours is None:
        return None
    best = max(c.score for c in ranked)
    focus = focus_terms(qa, ranked)
    cited = {article_of(ch) for c in (lead, *lead.corroboration) for ch in c.chunks}
    for cand in ranked[: BEST * 2]:
        if cand.article in cited or cand.score < best - MARGIN or not states_kind(qa, cand):
            continue
        if focus and not focus & cand.context:
            continue
        theirs = stated_value(qa, cand)
        if theirs is not None and conflict(ours[1], theirs[1]):
            return Disagreement(shown(ours[1], ours[0].text), lead, shown(theirs[1], theirs[0].text), cand)
    return None


def stated_answer(qa: QuestionAnalysis, cand: Candidate, focus: set[str]) -> bool | None:
    """Whether the sentence says yes (True) or no (False) to a yes/no question; None when it does
    not state what the question asks about."""
    asked = qa.relation or qa.terms
    if not asked or (focus and not focus & cand.terms):
        return None
    if len(asked & cand.terms) < ASKED_SHARE * len(asked):
        return None
    return _NEGATION.search(cand.text) is None


def _yes_and_no(qa: QuestionAnalysis, lead: Candidate, ranked: Sequence[Candidate]) -> Disagreement | None:
    focus = focus_terms(qa, ranked)
    ours = stated_answer(qa, lead, focus)
    if ours is None:
        return None
    best = max(c.score for c in ranked)
    cited = {article_of(ch) for c in (lead, *lead.corroboration) for ch in c.chunks}
    for cand in ranked[: BEST * 2]:
        if cand.article in cited or cand.score < best - MARGIN:
            continue
        theirs = stated_answer(qa, cand, focus)
        if theirs is not None and theirs != ours:
            return Disagreement("yes" if ours else "no", lead, "yes" if theirs else "no", cand)
    return None
