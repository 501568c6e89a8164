"""The value an expression states, so that two wordings of one value compare equal.

"by the end of 2027" and "2027" are one year; "£2bn", "£2 billion" and "2,000m pounds" one
amount; "35 per cent" and "35%" one share; "18 months" and "a year and a half" one span. Two
values *conflict* only when they can be compared and differ: a date is compared at the
precision both give ("September 2021" and "2021" agree, "2025" and "2027" do not), amounts only
in the same unit (a sum in pounds and one in dollars are not compared).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from language.expressions import Expression, Kind
from language.lexicon import MONTH_ABBREVIATIONS, MONTHS, NUMBER_WORDS

_MONTH_NUMBER = {name: i for i, name in enumerate(MONTHS, start=1)} | {
    abbr: MONTHS.index(next(m for m in MONTHS if m.startswith(abbr[:3]))) + 1 for abbr in MONTH_ABBREVIATIONS
}
_ISO = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b(?!s)")
_DAY = re.compile(r"(?<![\d-])(\d{1,2})(?:st|nd|rd|th)?\b(?![-\d])")
_WORD = re.compile(r"[a-z]+")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_MAGNITUDES = {
    "k": 1e3,
    "thousand": 1e3,
    "lakh": 1e5,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "crore": 1e7,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "tn": 1e12,
    "trillion": 1e12,
}
_CURRENCIES = (
    (re.compile(r"£|\bgbp\b|\bpounds?\b|\bsterling\b", re.I), "GBP"),
    (re.compile(r"€|\beur\b|\beuros?\b", re.I), "EUR"),
    (re.compile(r"\bhk\$|\bhkd\b", re.I), "HKD"),
    (re.compile(r"\$|\busd?\b|\bdollars?\b", re.I), "USD"),
    (re.compile(r"\b(?:rmb|cny|yuan|renminbi)\b", re.I), "CNY"),
    (re.compile(r"\byen\b", re.I), "JPY"),
    (re.compile(r"\brupees?\b", re.I), "INR"),
)
_PERCENT = re.compile(r"%|\bper ?cent\b", re.I)
_POINTS = re.compile(r"\bpercentage points?\b", re.I)
_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25, "decade": 3652.5}
_RANGE = re.compile(r"\b(?:to|and|or)\b|[-–]\s?\d", re.I)
# Relative spread within which two durations are one ("18 months" and "a year and a half").
_DURATION_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class Value:
    """A date (year, month, day; 0 where not given), an amount (number, unit: a currency code, "%",
    "points" or "" for a bare number) or a duration in days."""

    kind: str  # "date", "amount" or "duration"
    number: float = 0.0
    unit: str = ""
    date: tuple[int, int, int] = (0, 0, 0)


def value_of(expr: Expression) -> Value | None:
    """What the expression states, or None when it cannot be compared (a relative date, a range,
    a date without its year, a decade)."""
    text = expr.text.lower()
    if expr.kind in (Kind.DATE, Kind.YEAR):
        return _date(text)
    if expr.kind is Kind.DURATION:
        return _duration(text)
    if expr.kind in (Kind.AMOUNT, Kind.NUMBER):
        return _amount(text)
    return None


def conflict(a: Value, b: Value) -> bool:
    """Whether the two values can be compared and differ."""
    if a.kind != b.kind:
        return False
    if a.kind == "date":
        (year_a, month_a, day_a), (year_b, month_b, day_b) = a.date, b.date
        if year_a != year_b:
            return True
        if month_a and month_b and month_a != month_b:
            return True
        return month_a == month_b and bool(day_a and day_b and day_a != day_b)
    if a.kind == "duration":
        return abs(a.number - b.number) > _DURATION_TOLERANCE * max(a.number, b.number)
    return a.unit == b.unit and abs(a.number - b.number) > 1e-9 * max(abs(a.number), abs(b.number), 1.0)


def shown(value: Value, text: str) -> str:
    """How a side of a disagreement is written: the year alone for a date ("2027"), else the
    expression as the source words it."""
    if value.kind == "date" and value.date[1:] == (0, 0):
        return str(value.date[0])
    return " ".join(text.split())


def _date(text: str) -> Value | None:
    if iso := _ISO.search(text):
        return Value("date", date=(int(iso[1]), int(iso[2]), int(iso[3])))
    year = _YEAR.search(text)
    if year is None:
        return None
    month = next((_MONTH_NUMBER[w] for w in _WORD.findall(text) if w in _MONTH_NUMBER), 0)
    rest = text[: year.start()] + text[year.end() :]
    day = _DAY.search(rest) if month else None
    return Value("date", date=(int(year[1]), month, int(day[1]) if day else 0))


def _duration(text: str) -> Value | None:
    if _RANGE.search(text):
        return None
    unit = next((u for w in _WORD.findall(text) for u in _DAYS if w.rstrip("s") == u), None)
    amount = _number(text)
    if unit is None or amount is None:
        return None
    return Value("duration", number=amount * _DAYS[unit])


def _amount(text: str) -> Value | None:
    amount = _number(text)
    if amount is None:
        return None
    magnitude = next((_MAGNITUDES[w] for w in _WORD.findall(text) if w in _MAGNITUDES), 1.0)
    amount *= magnitude
    if _POINTS.search(text):
        unit = "points"
    elif _PERCENT.search(text):
        unit = "%"
    else:
        unit = next((code for pattern, code in _CURRENCIES if pattern.search(text)), "")
    return Value("amount", number=amount, unit=unit)


def _number(text: str) -> float | None:
    if digits := _NUMBER.search(text):
        return float(digits.group().replace(",", ""))
    for word in _WORD.findall(text):
        if word in _MAGNITUDES:  # "a million": the magnitude multiplies the number before it
            continue
        if NUMBER_WORDS.get(word):
            return float(NUMBER_WORDS[word])
        if word in ("a", "an", "one"):
            return 1.0
    return None


# A figure for part of a year ("in the first half", "third-quarter sales") does not answer a
# question about the whole year ("full-year revenue", "annual profit"), however alike they read.
_WHOLE_PERIOD = re.compile(
    r"\b(?:full[- ]year|whole year|entire year|annual(?:ly)?|all of (?:19|20)\d{2}|for the year|yearly|"
    r"(?:in|during|over) (?:19|20)\d{2}(?![-/]))\b",
    re.I,
)
_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b", re.I)
_PART_PERIOD = re.compile(
    r"\b(?:(?:first|second|1st|2nd) half|half[- ]year(?:ly)?|semi[- ]?annual|interim|"
    r"(?:first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter|quarterly|Q[1-4]|H[12]|"
    r"first (?:three|six|nine) months|(?:three|six|nine) months to)\b",
    re.I,
)


def asks_whole_period(question: str) -> bool:
    """Whether the question asks for a figure over a whole year ("full-year revenue", "how many
    did it ship in 2019"), not a month or a part of one."""
    return (
        bool(_WHOLE_PERIOD.search(question))
        and not _PART_PERIOD.search(question)
        and not _MONTH.search(question)
    )


def part_period(sentence: str) -> bool:
    """Whether the sentence gives a figure for part of a year."""
    return bool(_PART_PERIOD.search(sentence))


# Words that make a figure a guess or a condition rather than what happened: "if 40 MPs would
# vote…", "as many as 60 could back it", "predicted up to 60".
_SPECULATION = re.compile(
    r"\b(?:would|could|might|may|if|unless|predicted|predicts|expected to|expects)\b", re.I
)
_PAST_FACT = re.compile(r"\b(?:did|was|were|had|actually)\b", re.I)
_MODAL_QUESTION = re.compile(r"\b(?:would|could|might|may|will|should|expected|likely|predicted)\b", re.I)
_SPECULATION_REACH = 80  # characters either side of the figure


def asks_what_happened(question: str) -> bool:
    """Whether the question asks what did happen ("how many MPs actually voted"), not what
    would or could."""
    return bool(_PAST_FACT.search(question)) and not _MODAL_QUESTION.search(question)


def speculative(sentence: str, start: int, end: int) -> bool:
    """Whether the figure at ``sentence[start:end]`` is a guess or a condition: a modal or "if"
    stands close to it."""
    return bool(_SPECULATION.search(sentence, max(0, start - _SPECULATION_REACH), end + _SPECULATION_REACH))
