"""Answers to "which countries / companies / who ..." questions: one line per item.

Items are the names of the asked kind that the best sentences state and the question does not;
each keeps the words its source puts beside it (its qualifier: "banned", "considering a ban",
"later lifted") and its own citation. Mentions of one thing under several names fold into one
item (countries through pycountry and the demonym lexicon, people through their surname).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer.candidates import Candidate
from language.expressions import NAMES, Expression, Kind, country, expressions
from language.lexicon import QUALIFIERS
from language.questions import LIST_ITEMS, Asks, QuestionAnalysis
from language.terms import terms

_QUALIFIER = re.compile(
    r"\b(?:" + "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True)) + r")\b", re.I
)
_CLAUSE_END = re.compile(
    r"[;:.!?)(]|,\s|\s[-–—]\s|\b(?:while|whereas|but|although|though|which|who)\b|"
    r"\b(?:and|or)\s+(?=the\b)"  # "bans X and the EU agrees...": another clause (not "X and Y ban")
)
_QUALIFIER_WORDS = 8
# Nouns (stems) of "which countries ..." questions: their items are countries, not cities.
_COUNTRY_NOUNS = frozenset({"countri", "nation", "govern"})


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    key: str
    qualifier: str
    source: Candidate  # the sentence it comes from (or a sentence of the article whose title names it)
    quote: str  # the sentence or the headline that names it
    in_title: bool = False


def _display(expr: Expression) -> str:
    if expr.kind in (Kind.PLACE, Kind.NATIONALITY):
        return expr.key.title() if expr.key.islower() and len(expr.key) > 3 else expr.text
    return expr.text


def qualifier(sentence: str, expr: Expression) -> str:
    """What the sentence says of the item in the item's own clause: from the qualifying word (a
    ban, a review, "later lifted") nearest after the item (else before it) to the end of the
    clause; "" when the clause has none (the sentence quoted above the list then says it)."""
    start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, expr.start)), default=0)
    end_match = _CLAUSE_END.search(sentence, expr.end)
    end = end_match.start() if end_match else len(sentence)
    found = _QUALIFIER.search(sentence, expr.end, end) or next(
        reversed(list(_QUALIFIER.finditer(sentence, start, expr.start))), None
    )
    if found is None:
        return ""
    words = sentence[found.start() : end].split()
    text = " ".join(words[:_QUALIFIER_WORDS]).strip(" ,;:-–—\"“”'")
    return text + ("…" if len(words) > _QUALIFIER_WORDS else "")


def _about(qa: QuestionAnalysis, text: str) -> bool:
    """Whether the text names what the question names (or, naming nothing, uses one of its words)."""
    lowered = text.lower()
    names = [e.key for e in qa.expressions if e.kind in NAMES]
    if names:
        return any(name in lowered for name in names)
    return bool(qa.terms & terms(text))


def list_items(qa: QuestionAnalysis, ranked: Sequence[Candidate], limit: int, margin: float) -> list[Item]:
    """The items named by the sentences scoring within ``margin`` of the best (and by the titles
    of their articles), each once, at most ``limit``, best sentence first.

    An item must be one of what is asked, not just mentioned: its clause says what it did (a
    qualifying word: banned, restricted, considering...), or its sentence uses the question's
    own words for it, or lists it with others of its kind.
    """
    kinds = LIST_ITEMS[qa.list_of or Asks.OTHER]
    countries_only = qa.list_of is Asks.PLACE and qa.role in _COUNTRY_NOUNS

    def wanted(expr: Expression) -> bool:
        if expr.kind not in kinds or expr.key in qa.given or expr.text.lower() in qa.given:
            return False
        return not countries_only or country(expr.text) is not None

    items: dict[str, Item] = {}
    best = max((c.score for c in ranked), default=0.0)
    for cand in ranked:
        if cand.score < best - margin:
            continue  # not break: a follow-up's ranking puts what was told already behind, unsorted
        found = [e for e in cand.expressions if wanted(e)]
        listed = len({e.key for e in found}) > 1
        for expr in found:
            said = qualifier(cand.text, expr)
            known = items.get(expr.key)
            if known is not None and (known.qualifier or not said):
                continue
            if said or listed or cand.features.get("relation", 0.0) > 0:
                items[expr.key] = Item(_display(expr), expr.key, said, cand, cand.text)
    # A headline that names an item, what the question is about and what was done ("X bars Y
    # from its networks") counts for any article retrieved, however its sentences scored.
    titled: set[str] = set()
    for cand in ranked:
        title = str(cand.chunks[0].metadata.get("title") or "")
        if cand.article in titled or not _about(qa, title):
            continue
        titled.add(cand.article)
        for expr in expressions(title):
            said = qualifier(title, expr)
            known = items.get(expr.key)
            if wanted(expr) and said and (known is None or not known.qualifier):
                items[expr.key] = Item(_display(expr), expr.key, said, cand, title, in_title=True)
    return list(items.values())[:limit]
