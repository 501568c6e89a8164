"""Answers to "which countries / companies / who ..." questions: one line per item.

Items are the names of the asked kind that the best sentences state and the question does not;
each keeps the words its source puts beside it (its qualifier: "banned", "considering a ban",
"later lifted") and its own citation. Mentions of one thing under several names fold into one
item (countries through pycountry and the demonym lexicon, people through their surname).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer.candidates import Candidate
from language.expressions import NAMES, Expression, Kind, country, expressions
from language.lexicon import (
    AUXILIARY_VERBS,
    BODY_HEADS,
    COMMERCIAL_NOUNS,
    QUALIFIERS,
    STATE_NOUNS,
    THING_HEADS,
)
from language.questions import LIST_ITEMS, Asks, QuestionAnalysis
from language.terms import stem, term, terms, words

_QUALIFIER = re.compile(
    r"\b(?:" + "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True)) + r")\b", re.I
)
_CLAUSE_END = re.compile(
    r"[;:.!?)(]|,\s|\s[-–—]\s|\b(?:while|whereas|but|although|though|which|who)\b|"
    r"\b(?:and|or)\s+(?=the\b)"  # "bans X and the EU agrees...": another clause (not "X and Y ban")
)
_QUALIFIER_WORDS = 8
# A qualifier before its item stands close to it ("bans in Chile"), not a clause away.
_QUALIFIER_BEFORE_WORDS = 4
# The word after an expression ("Danish government"), past a possessive.
_NEXT_WORD = re.compile(r"[\s'’s]*([A-Za-z]+)")
# A sentence naming this many items lists them, however it words the list.
_MANY_ITEMS = 3
# How much further down than the margin a sentence listing several items may stand.
_LIST_REACH = 2.0
# What separates the items of a list ("Chile, Peru, and Ghana", "Chile or Peru"); a short aside
# may follow an item ("Ann Lee (Westmoor), Tom Reed (Avel) and…", "Ann Lee, 45, and Tom Reed").
_LIST_GAP = re.compile(
    r"^\s*(?:\([^()]{1,40}\)\s*|,\s*[^,;:()]{1,30}?,\s*(?=and\b|or\b|&))?"
    r"(?:,|,?\s*(?:and|or|as well as|&))\s*(?:the\s+)?$",
    re.I,
)
# Nouns (stems) of "which countries ..." questions: their items are countries, not cities.
_COUNTRY_NOUNS = frozenset({"countri", "nation", "govern"})
_COMMERCIAL = frozenset(term(n) for n in COMMERCIAL_NOUNS)


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    key: str
    qualifier: str
    source: Candidate  # the sentence it comes from (or a sentence of the article whose title names it)
    quote: str  # the sentence or the headline that names it
    in_title: bool = False


def _public_or_legal(expr: Expression) -> bool:
    """Whether the name is a public body's ("Ministry of Home Affairs", "the Ministry") or a
    law's ("Information Technology Act"): by its first or last word."""
    first, last = expr.text.split()[0].lower(), expr.text.split()[-1].lower()
    return first in BODY_HEADS or last in BODY_HEADS or last in THING_HEADS


def _bodies_by_company(
    sentence: str, expressions_: Sequence[Expression], found: Sequence[Expression], kinds: frozenset[Kind]
) -> list[Expression]:
    """Names taken for people that a list of organisations holds ("HSBC, GSK and Jaguar Land
    Rover"): two or more organisations in the same list say what they are."""
    if Kind.PERSON in kinds or Kind.ORGANISATION not in kinds:
        return []
    out: list[Expression] = []
    for run in _runs(
        sentence, sorted([*found, *(e for e in expressions_ if e.kind is Kind.PERSON)], key=lambda e: e.start)
    ):
        bodies = [e for e in run if e.kind is not Kind.PERSON]
        if len(bodies) >= 2:
            out.extend(e for e in run if e.kind is Kind.PERSON)
    return out


def _display(expr: Expression) -> str:
    if expr.kind in (Kind.PLACE, Kind.NATIONALITY):
        return expr.key.title() if expr.key.islower() and len(expr.key) > 3 else expr.text
    return expr.text


def _clause(sentence: str, expr: Expression) -> tuple[int, int]:
    """Where the clause holding the expression starts and ends."""
    start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, expr.start)), default=0)
    end_match = _CLAUSE_END.search(sentence, expr.end)
    return start, end_match.start() if end_match else len(sentence)


def qualifier(sentence: str, expr: Expression, others: Sequence[Expression] = ()) -> str:
    """What the sentence says of the item in the item's own clause: from the qualifying word (a
    ban, a review, "later lifted") nearest after the item (else close before it) to the end of the
    clause; "" when the clause has none (the sentence quoted above the list then says it), or
    when the word belongs to one of the ``others`` (items named between: in "Chile watched
    Peru's ban", the ban is Peru's), unless it is listed with them ("Chile and Peru banned")."""
    start, end = _clause(sentence, expr)
    found = _QUALIFIER.search(sentence, expr.end, end)
    if found is not None:
        between = [o for o in others if expr.end <= o.start and o.end <= found.start()]
        if between and not _coordinated(sentence, [expr, *between]):
            return ""
    else:
        before = list(_QUALIFIER.finditer(sentence, start, expr.start))
        found = before[-1] if before else None
        if found is None or len(sentence[found.end() : expr.start].split()) > _QUALIFIER_BEFORE_WORDS:
            return ""
        # "the UK bans China's firm": the ban is the item's before it, its subject
        if any(start <= o.start and o.end <= found.start() for o in others):
            return ""
    said = sentence[found.start() : end].split()
    # "ban Huawei has led it into a quagmire": what follows the next verb is said of the ban
    verb = next((i for i, w in enumerate(said[1:], start=1) if w.lower() in AUXILIARY_VERBS), len(said))
    said = said[:verb]
    text = " ".join(said[:_QUALIFIER_WORDS]).strip(" ,;:-–—\"“”'")
    return text + ("…" if len(said) > _QUALIFIER_WORDS else "")


def _coordinated(sentence: str, run: Sequence[Expression]) -> bool:
    """Whether the expressions, in text order, are one list: "Chile, Peru and Ghana"."""
    return all(_LIST_GAP.match(sentence[a.end : b.start]) for a, b in itertools.pairwise(run))


def _listed(runs: Sequence[Sequence[Expression]]) -> set[Expression]:
    """The expressions named in a list with another of the same kind ("Chile, Peru and Ghana"),
    or all of them when the sentence names several (its list may be broken up by asides)."""
    found = [e for run in runs for e in run]
    # "Chinese analysts": a nationality describes, it does not name an item of its own
    named = [e for e in found if e.kind is not Kind.NATIONALITY]
    if len({e.key for e in named}) >= _MANY_ITEMS:
        return set(named)
    return {e for run in runs if len(run) > 1 for e in run}


def _in_clause(qa: QuestionAnalysis, sentence: str, expr: Expression, others: Sequence[Expression]) -> bool:
    """Whether the item's own clause says what the question asks about ("which countries ban
    the sensors": a ban), not just the sentence, nor the part of it about another item."""
    start, end = _clause(sentence, expr)
    # what stands before the item is about it only when no other item comes first: in "Peru
    # bans Chile's sensor maker" the ban is Peru's
    if any(start <= o.start and o.end <= expr.start for o in others):
        start = expr.start
    end = min([end, *(o.start for o in others if o.start >= expr.end)])
    # "which two senators": the count is no relation
    counts = {stem(w) for e in qa.expressions if e.kind is Kind.NUMBER for w in words(e.text)}
    return bool((qa.relation - {qa.role} - counts) & terms(sentence[start:end]))


def _about(qa: QuestionAnalysis, text: str) -> bool:
    """Whether the text names what the question names (or, naming nothing, uses one of its words)."""
    if _asked_names(qa):
        return _names_what_is_asked_about(qa, text)
    return bool(qa.terms & terms(text))


def _asked_names(qa: QuestionAnalysis) -> list[str]:
    return [e.key for e in qa.expressions if e.kind in NAMES]


def _names_what_is_asked_about(qa: QuestionAnalysis, text: str) -> bool:
    """Whether the text names one of the things the question names (any text, if it names none)."""
    names = _asked_names(qa)
    lowered = text.lower()
    return not names or any(name in lowered for name in names)


def stated_items(
    qa: QuestionAnalysis, sentence: str, found: Sequence[Expression]
) -> list[tuple[Expression, str]]:
    """The expressions (of the kind asked) that the sentence states as items, each with its
    qualifier: its clause says what it did (a qualifying word: banned, restricted,
    considering...) or uses the question's own words, or the sentence lists it with others."""
    found = [e for e in found if e.kind is not Kind.NATIONALITY or _acting(sentence, e)]
    runs = _runs(sentence, found)
    listed = _listed(runs)
    out = []
    for run in runs:
        # the items of one list share what the sentence says of them ("Chile, Peru and Ghana
        # banned it": all three banned it)
        shared = _said(sentence, run[-1], found) if len(run) > 1 else ""
        for expr in run:
            others = _others(expr, found)
            said = shared or qualifier(sentence, expr, others)
            if said or expr in listed or _in_clause(qa, sentence, expr, others):
                out.append((expr, said))
    return out


def _others(expr: Expression, found: Sequence[Expression]) -> list[Expression]:
    return [e for e in found if e.key != expr.key]


def _said(sentence: str, expr: Expression, found: Sequence[Expression]) -> str:
    return qualifier(sentence, expr, _others(expr, found))


def _acting(sentence: str, expr: Expression) -> bool:
    """Whether a nationality adjective stands for its country ("the Danish government"), not
    for a company or people of it ("the Danish company", "Danish analysts")."""
    following = _NEXT_WORD.match(sentence, expr.end)
    return following is not None and following.group(1).lower() in STATE_NOUNS


def _runs(sentence: str, found: Sequence[Expression]) -> list[list[Expression]]:
    """The expressions grouped into lists ("Chile, Peru and Ghana"), in text order."""
    runs: list[list[Expression]] = []
    for expr in sorted(found, key=lambda e: e.start):
        if runs and _coordinated(sentence, [runs[-1][-1], expr]):
            runs[-1].append(expr)
        else:
            runs.append([expr])
    return runs


def list_items(qa: QuestionAnalysis, ranked: Sequence[Candidate], limit: int, margin: float) -> list[Item]:
    """The items named by the sentences scoring within ``margin`` of the best (and by the titles
    of their articles), each once, at most ``limit``, best sentence first.

    An item must be one of what is asked, not just mentioned: its clause says what it did (a
    qualifying word: banned, restricted, considering...), or its sentence uses the question's
    own words for it, or lists it with others of its kind.
    """
    kinds = LIST_ITEMS[qa.list_of or Asks.OTHER]
    countries_only = qa.list_of is Asks.PLACE and qa.role in _COUNTRY_NOUNS

    commercial = qa.role in _COMMERCIAL

    def wanted(expr: Expression) -> bool:
        if expr.kind not in kinds or expr.key in qa.given or expr.text.lower() in qa.given:
            return False
        if commercial and _public_or_legal(expr):
            return False  # "which apps were blocked": not the ministry that blocked them, nor the act
        return not countries_only or country(expr.text) is not None

    items: dict[str, Item] = {}
    best = max((c.score for c in ranked), default=0.0)
    for cand in ranked:
        if cand.score < best - _LIST_REACH * margin:
            continue  # not break: a follow-up's ranking puts what was told already behind, unsorted
        if not _names_what_is_asked_about(qa, cand.chunks[0].text):
            continue  # "which senators introduced the X Act": not senators of a passage on another act
        found = [e for e in cand.expressions if wanted(e)]
        stated = stated_items(
            qa, cand.text, [*found, *_bodies_by_company(cand.text, cand.expressions, found, kinds)]
        )
        # a sentence that lists several counts from further down than one naming a single item
        if cand.score < best - margin and len({e.key for e, _ in stated}) < _MANY_ITEMS:
            continue
        for expr, said in stated:
            known = items.get(expr.key)
            if known is None or (said and not known.qualifier):
                items[expr.key] = Item(_display(expr), expr.key, said, cand, cand.text)
    # A headline that names an item, what the question is about and what was done ("X bars Y
    # from its networks") counts for any article retrieved, however its sentences scored.
    titled: set[str] = set()
    for cand in ranked:
        title = str(cand.chunks[0].metadata.get("title") or "")
        if cand.article in titled or not _about(qa, title):
            continue
        titled.add(cand.article)
        named = [e for e in expressions(title) if wanted(e)]
        for expr in named:
            said = _said(title, expr, named)
            known = items.get(expr.key)
            if said and (known is None or not known.qualifier):
                items[expr.key] = Item(_display(expr), expr.key, said, cand, title, in_title=True)
    return list(items.values())[:limit]


# A point of a list in a passage: "- Cleaning equipment (3 items)", "2. halt the approvals;".
_POINT = re.compile(r"^\s*(?:[-•*▪–]|\(?\d{1,2}[.)])\s+(\S.*?)\s*[;,.]?\s*$")
_POINT_CHARS = 160


def introduced(cand: Candidate) -> list[Item]:
    """The points of the list a sentence introduces ("…fall into the following six categories:"
    and the lines after it), each an item citing the passage; [] when it introduces none.
    Short points are flagged as fragments at ingest, so they are read here from the passage,
    and from the chunk after it when the sentence ends its chunk and that chunk was read too."""
    if not cand.text.rstrip().endswith(":"):
        return []
    tail = cand.text.rstrip()[-40:]
    text = cand.chunks[0].text
    at = text.find(tail)
    if at < 0:
        return []
    points, ended = _points(text[at + len(tail) :])
    if ended and cand.following:
        # chunks overlap by a sentence or so: go on after the last line the next one repeats
        last = points[-1].group().strip() if points else tail
        again = cand.following.find(last)
        more, _ = _points(cand.following[again + len(last) :] if again >= 0 else cand.following)
        points += more
    items: list[Item] = []
    for point in points:
        said = point.group(1)
        said = said if len(said) <= _POINT_CHARS else said[: _POINT_CHARS - 1].rsplit(" ", 1)[0] + "…"
        items.append(Item(said, said.lower(), "", cand, point.group().strip()))
    return items


def _points(text: str) -> tuple[list[re.Match[str]], bool]:
    """The list points that open ``text``, and whether they run to its end."""
    found: list[re.Match[str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        point = _POINT.match(line)
        if point is None:
            return found, False
        found.append(point)
    return found, True
