"""What kind of answer a question wants, and whether a sentence holds that kind of answer.

A "who" question is answered by a sentence naming someone the question does not name, a "when"
question by a date it does not already give, a "how many" question by a new number, a "which
countries" question by several countries, a "why" question by a cause, a "what did X say"
question by a quote. These are cheap surface features (regular expressions and pycountry), used
to re-rank sentences that are already relevant, never to find them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum
from functools import lru_cache

import pycountry


class Kind(Enum):
    WHO = "who"
    WHEN = "when"
    NUMBER = "number"
    COUNTRIES = "countries"
    ORGANISATIONS = "organisations"
    WHY = "why"
    QUOTE = "quote"
    OTHER = "other"


_FILLER = r"(?:[\w'’-]+\s+){0,4}?"
_RULES: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        (
            Kind.QUOTE,
            r"\b(?:what|how)(?: \w+)? did\b.*\b(?:say|said|claim|tell|told|argue|warn|describe|call|respond|"
            r"ask|accuse)",
        ),
        (Kind.QUOTE, r"\baccording to\b|\bwhat was .*\b(?:reaction|response)\b"),
        (Kind.WHY, r"^\W*why\b|\bwhy (?:did|does|do|is|was|were|has|have|had|would|should)\b"),
        (Kind.WHY, r"\bfor what reason\b|\bwhat was the reason\b"),
        (Kind.WHEN, r"^\W*when\b|\bwhat (?:year|date|month|day)\b"),
        (Kind.WHEN, r"\b(?:which|since|by) (?:what )?(?:year|date)\b"),
        (Kind.WHEN, r"\bsince when\b|\bby when\b|\bhow long ago\b"),
        (Kind.COUNTRIES, rf"\b(?:which|what) {_FILLER}(?:countries|nations|governments|states|allies)\b"),
        (Kind.COUNTRIES, rf"\b(?:which|what) {_FILLER}members\b"),
        (
            Kind.ORGANISATIONS,
            rf"\b(?:which|what) {_FILLER}(?:companies|firms|carriers|operators|vendors|suppliers|providers|"
            r"groups|organi[sz]ations|makers|manufacturers)\b",
        ),
        (
            Kind.NUMBER,
            r"\bhow (?:much|many|long|far|big|large|high|low)\b|\bwhat (?:percentage|share|proportion|amount|"
            r"number|rank|sum|price|figure)\b|\b(?:cost|rank|ranked|worth)\b",
        ),
        (Kind.WHO, r"^\W*who\b|\bwho (?:is|was|were|did|had|has|led|said|took|came)\b|\bwhose\b"),
        (
            Kind.WHO,
            rf"\b(?:which|what) {_FILLER}(?:member|mp|minister|senator|senators|official|officials|person|"
            r"people|"
            r"firm|company|outlet|agency|organi[sz]ation|newspaper|body|leader|president|ambassador|secretary|"
            r"chief|executive|reporter|politician|politicians|lawmaker|lawmakers|man|woman|investigator|group)\b",
        ),
    )
)


def question_kinds(question: str) -> tuple[Kind, ...]:
    """The kinds of answer the question asks for, in rule order ((OTHER,) when no rule says).

    A two-part question ("who led it, and how many signed?") has two.
    """
    found = tuple(dict.fromkeys(kind for kind, pattern in _RULES if pattern.search(question)))
    return found or (Kind.OTHER,)


_MONTHS = str.split(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_DATE = re.compile(
    r"\b(?:" + "|".join(_MONTHS) + r")\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:" + "|".join(_MONTHS) + r")\b", re.I
)
_NUMBER = re.compile(
    r"[£$€¥]\s?\d|\b\d[\d,.]*\s?(?:%|percent|per cent|bn|billion|million|m|trillion|thousand)?\b|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|hundreds|thousand|thousands|million|billion|dozen|dozens|half)\b",
    re.I,
)
# An amount, not a bare count or a year: money, a percentage, or a figure with its magnitude.
_AMOUNT = re.compile(
    r"[£$€¥]\s?\d|\b\d[\d,.]*\s?(?:%|percent|per cent|bn|billion|million|trillion|thousand|pounds|dollars|"
    r"euros|yuan)\b",
    re.I,
)
_HOW_MUCH = re.compile(r"\bhow much\b", re.I)
_QUOTE = re.compile(r"[\"“”«»]|(?:^|\s)['‘][A-Za-z]")
_REPORTING = re.compile(
    r"\b(?:said|says|told|described|called|claimed|warned|accused|insisted|argued|added|stated|wrote|"
    r"according to|branded|dubbed)\b",
    re.I,
)
_CAUSE = re.compile(
    r"\b(?:because|due to|owing to|as a result|in order to|so that|amid|over (?:concerns|fears|worries)|"
    r"concerns?|fears?|risks?|reasons?|citing|given|would (?:cause|lead|risk)|lead to|led to|blackouts?|"
    r"security|to avoid|to ensure|to prevent|in response)\b",
    re.I,
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’.-]*[a-z][\w'’-]*\b|\b[A-Z]{2,}\b")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Lower-cased name or common alias → canonical country name."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        canonical = getattr(country, "common_name", None) or country.name
        for name in (country.name, canonical, getattr(country, "official_name", None)):
            if name and "," not in name:
                names[name.lower()] = canonical
    aliases = {
        "United Kingdom": ("uk", "u.k.", "britain", "great britain", "england", "scotland", "wales"),
        "United States": ("us", "u.s.", "usa", "america", "united states"),
        "China": ("china", "prc"),
        "Russia": ("russia",),
        "South Korea": ("south korea", "korea"),
        "Iran": ("iran",),
        "Taiwan": ("taiwan",),
        "Vietnam": ("vietnam",),
    }
    for canonical, spellings in aliases.items():
        for spelling in spellings:
            names[spelling] = canonical
    return names


@lru_cache(maxsize=1)
def _country_pattern() -> re.Pattern[str]:
    names = sorted(_country_names(), key=len, reverse=True)
    # "US" and "UK" only as capitals, not the pronoun "us"
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])", re.I)


def countries(text: str) -> set[str]:
    """Canonical names of the countries the text mentions."""
    found = set()
    for match in _country_pattern().finditer(text):
        word = match.group()
        if word.lower() == "us" and word != "US":
            continue
        found.add(_country_names()[word.lower()])
    return found


def names(text: str) -> set[str]:
    """Capitalised words that are not a sentence's first word: people, organisations, places.

    Lower-cased, without a possessive 's; hyphenated names give each part ("Juncker-Abe").
    """
    found: set[str] = set()
    for match in _CAPITALISED.finditer(text):
        word = re.sub(r"['’]s$", "", match.group().strip(".")).lower()
        found.update(part for part in word.split("-") if len(part) > 1)
    return found - set(_MONTHS)


def name_phrases(text: str) -> list[str]:
    """Proper names of two or more capitalised words ("National Grid Office", "Dana Whitfield").

    The most specific thing a question can name: a sentence that names it is about it. A
    possessive ends a name ("Westmoor's Harbour Board" gives only "Harbour Board").
    """
    found: list[str] = []
    run: list[str] = []
    end = -1
    for match in _CAPITALISED.finditer(text):
        if run and text[end : match.start()].strip():
            found.append(" ".join(run))
            run = []
        word = match.group()
        possessive = re.sub(r"['’]s$", "", word)
        if possessive != word:
            found.append(" ".join([*run, possessive]))
            run, end = [], -1
            continue
        run.append(word)
        end = match.end()
    found.append(" ".join(run))
    return [name for name in dict.fromkeys(found) if " " in name]


def years(text: str) -> set[str]:
    return set(_YEAR.findall(text))


def numbers(text: str) -> set[str]:
    return {m.group().strip().lower() for m in _NUMBER.finditer(text)} - years(text)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _new(found: Iterable[str], known: set[str]) -> int:
    return len({f for f in found if f not in known})


def kind_match(kind: Kind, sentence: str, question: str) -> float:
    """How well the sentence holds the kind of answer asked for, in [0, 1].

    Only what the question does not already say counts: a "when" question that names 2020
    is not answered by a sentence whose only date is 2020.
    """
    if kind is Kind.WHO:
        new = _new(names(sentence), names(question) | set(words(question)))
        return min(new, 2) / 2
    if kind is Kind.WHEN:
        new_years = _new(years(sentence), years(question))
        return 1.0 if new_years else (0.5 if _DATE.search(sentence) else 0.0)
    if kind is Kind.NUMBER:
        new = _new(numbers(sentence) | years(sentence), numbers(question) | years(question))
        return min(new, 2) / 2
    if kind is Kind.COUNTRIES:
        return min(_new(countries(sentence), countries(question)), 3) / 3
    if kind is Kind.ORGANISATIONS:
        new = _new(names(sentence), names(question) | set(words(question)))
        return min(new, 3) / 3
    if kind is Kind.WHY:
        return 1.0 if _CAUSE.search(sentence) else 0.0
    if kind is Kind.QUOTE:
        quoted = bool(_QUOTE.search(sentence))
        reported = bool(_REPORTING.search(sentence))
        return (quoted + reported) / 2
    return 0.0


def holds_amount(sentence: str, question: str) -> bool:
    """Whether the sentence could answer a "how much" question: it states an amount (money, a
    share, a figure with its magnitude), not only a year or a bare count. Any sentence can
    when the question asks something else.

    Only this kind is strict enough to decide abstention; the looser kind rules above (a
    capitalised word for "who", a full date for "when") only re-rank.
    """
    return not _HOW_MUCH.search(question) or bool(_AMOUNT.search(sentence))
