"""When a sentence says something happened (or will): its date, resolved against the article's.

A sentence dates its event itself ("on 14 July 2020", "in January", "last year", "in 2027"),
read by dateparser with the article's publication date as "now" (``RELATIVE_BASE``): a month
without its year is the one before publication when the verb governing it reports what was done,
the one after when it looks ahead; a weekday is the last one up to publication unless planned.
A sentence in the past tense that names no date reports something that happened by the time it
was published: it gets that date, marked as reported. Without a publication date only a date
stating its year can be fixed; nothing is ever dated from today. Tense is read from surface
rules (past forms, modal verbs), not a parser: see docs/answering.md for what they miss.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, cast

from language.expressions import Expression, Kind
from language.lexicon import (
    ADJECTIVE_MARKERS,
    IRREGULAR_PAST,
    MONTH_ABBREVIATIONS,
    MONTHS,
    NOT_PARTICIPLES,
    WEEKDAYS,
)

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

Tense = Literal["past", "future", "current_period"]  # dateparser's PREFER_DATES_FROM values


class Precision(Enum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_RANK = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}
_SHOWN = {Precision.YEAR: 4, Precision.MONTH: 7, Precision.DAY: 10}  # characters of the ISO date


@dataclass(frozen=True, slots=True)
class When:
    """An event's date to the precision the text gives; ``reported``: the article's publication
    date, for an event it reports without dating it (it happened by then)."""

    day: date
    precision: Precision
    reported: bool = False

    @property
    def shown(self) -> str:
        """ "2020-07-14", "2020-07" or "2020"."""
        return self.day.isoformat()[: _SHOWN[self.precision]]

    @property
    def order(self) -> tuple[int, int, int]:
        """Oldest first; a year before its months, a month before its days."""
        month = self.day.month if self.precision is not Precision.YEAR else 0
        day = self.day.day if self.precision is Precision.DAY else 0
        return (self.day.year, month, day)

    @property
    def first(self) -> date:
        """The first day of the period it names."""
        if self.precision is Precision.YEAR:
            return date(self.day.year, 1, 1)
        if self.precision is Precision.MONTH:
            return date(self.day.year, self.day.month, 1)
        return self.day

    @property
    def last(self) -> date:
        """The last day of the period it names."""
        if self.precision is Precision.YEAR:
            return date(self.day.year, 12, 31)
        if self.precision is Precision.MONTH:
            following = date(self.day.year + self.day.month // 12, self.day.month % 12 + 1, 1)
            return following - timedelta(days=1)
        return self.day

    def finer(self, other: When) -> bool:
        """Whether this date says more than ``other``: stated rather than reported, then finer."""
        return (not self.reported, _RANK[self.precision]) > (not other.reported, _RANK[other.precision])


def coarser(a: When, b: When) -> Precision:
    return a.precision if _RANK[a.precision] <= _RANK[b.precision] else b.precision


def same_date(a: When, b: When, reported_days: int = 7) -> bool:
    """Whether two dates can be one event's: equal at the coarser precision of the two. A
    reported date is the day an article told of the event, so it matches a stated date on or
    up to ``reported_days`` before it, and another report as many days apart."""
    if a.reported and b.reported:
        return abs((a.day - b.day).days) <= reported_days
    if a.reported or b.reported:
        stated, told = (b, a) if a.reported else (a, b)
        return stated.first <= told.day and (told.day - stated.last).days <= reported_days
    chars = _SHOWN[coarser(a, b)]
    return a.day.isoformat()[:chars] == b.day.isoformat()[:chars]


# -- tense ----------------------------------------------------------------------------------

_FUTURE = re.compile(
    r"\b(?:will|shall|won['’]t|would|must)\b"
    r"|\b(?:is|are|was|were) (?:due |set |scheduled |going |expected )?to\b"
    r"|\bplans? to\b",
    re.I,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def past_verbs(sentence: str) -> list[int]:
    """Where the sentence has a verb in the past tense (or a present perfect: "has banned"),
    not an adjective made of a participle ("the proposed ban")."""
    found = []
    previous = ""
    for match in _WORD.finditer(sentence):
        token = match.group()
        word = token.lower()
        if word in IRREGULAR_PAST or (
            token[0].islower()
            and "-" not in word  # "state-backed", "China-related": adjectives
            and len(word) > 4
            and word.endswith("ed")
            and word not in NOT_PARTICIPLES
            and previous not in ADJECTIVE_MARKERS
        ):
            found.append(match.start())
        previous = word
    return found


def is_past(sentence: str) -> bool:
    """Whether the sentence reports something done (see ``past_verbs``)."""
    return bool(past_verbs(sentence))


# -- dates ----------------------------------------------------------------------------------

_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
_DECADE = re.compile(r"\d0s$")
# "early March 2021", "the end of 2019": the period is the month or year named.
_MODIFIER = re.compile(
    r"^(?:the\s)?(?:early|mid|late|end of|start of|beginning of|earlier|later)[\s-]+", re.I
)
_PERIODS = {"day": Precision.DAY, "month": Precision.MONTH, "year": Precision.YEAR}
_KINDS = frozenset({Kind.DATE, Kind.YEAR, Kind.RELATIVE_DATE})
_MONTH_NAMES = "|".join(m.capitalize() for m in (*MONTHS, *MONTH_ABBREVIATIONS))
# "In July, ...": expressions only read a lower-case "in" before a month without its year.
_OPENING_MONTH = re.compile(
    rf"^[\"“‘']?(?:In|Since|By|From|Until|Early|Late|Mid|Mid-)\s?(?P<month>(?:{_MONTH_NAMES})\.?)(?![\w-])"
)
_WEEKDAY = re.compile(r"\b(?:on |last |this |next )?(" + "|".join(WEEKDAYS) + r")\b", re.I)


@lru_cache(maxsize=512)
def _parser(base: date, prefer: Tense) -> DateDataParser:
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    return DateDataParser(languages=["en"], settings=settings)


def time_expressions(sentence: str, expressions: Sequence[Expression]) -> list[tuple[int, str]]:
    """Where the sentence states a date, a year (not a decade) or a relative date, and its text,
    in text order: news names the date of what it reports first ("said on Tuesday that ... by
    2027"), a deadline after it."""
    found = [(e.start, e.text) for e in expressions if e.kind in _KINDS and not _DECADE.search(e.text)]
    opening = _OPENING_MONTH.match(sentence)
    if opening and all(start > opening.end() or start < opening.start("month") for start, _ in found):
        found.append((opening.start("month"), opening.group("month")))
    return sorted(found)


def resolve(text: str, published: date | None, prefer: Tense, *, past: bool = False) -> When | None:
    """The date one expression names ("14 July", "January 2020", "last year", "on Monday"),
    from the article published on ``published``; None when it names no day, month or year (a
    week, a season) or needs a publication date the article lacks. ``past``: the sentence
    reports something done, so a weekday is the last one on or before publication."""
    bare = _MODIFIER.sub("", text.strip())
    stated = _YEAR.search(bare)
    if published is None:
        if stated is None:
            return None
        # The year is the text's own: the base only fills what the precision does not show.
        published = date(int(stated.group()), 1, 1)
    if stated is not None and stated.group() == bare:  # a year alone: no parser needed
        return When(date(int(bare), 1, 1), Precision.YEAR)
    weekday = _WEEKDAY.fullmatch(bare)
    if weekday is not None:
        return _weekday(weekday, published, past or prefer != "future")
    data = _parser(published, prefer).get_date_data(bare)
    precision = _PERIODS.get(str(data.period))
    if data.date_obj is None or precision is None:
        return None
    return When(data.date_obj.date(), precision)


def _weekday(match: re.Match[str], published: date, back: bool) -> When:
    """News dates what was done by its weekday in the week up to publication ("said on Monday":
    the publication day itself, if a Monday); "next Monday", and a plan's, come after it."""
    wanted = WEEKDAYS.index(match.group(1).lower())
    lead = (match.group(0).split()[0] if " " in match.group(0) else "").lower()
    if lead == "next" or not back:
        ahead = (wanted - published.weekday()) % 7 or 7
        return When(published + timedelta(days=ahead), Precision.DAY)
    behind = (published.weekday() - wanted) % 7
    if lead == "last" and behind == 0:
        behind = 7
    return When(published - timedelta(days=behind), Precision.DAY)


def event_date(sentence: str, expressions: Sequence[Expression], published: date | None) -> When | None:
    """When the event the sentence states happened (or is to happen): the first date it states
    that can be fixed, else, for a report of something done, the publication date marked as
    reported; None when it states no event or its date cannot be fixed."""
    for start, text in time_expressions(sentence, expressions):
        prefer, past = _looks(sentence, start)
        year = _WHICH_YEAR.match(sentence, start + len(text))
        if year is not None and published is not None and not _YEAR.search(text):
            # "31 December this year": the year is the one it names from publication
            text = f"{text} {published.year + _YEAR_OFFSET[year.group(1).lower()]}"
        when = resolve(text, published, prefer, past=past)
        if when is not None:
            return when
    if published is not None and reports_done(sentence):
        return When(published, Precision.DAY, reported=True)
    return None


_CLAUSE_END = re.compile(r"[.!?;:–—]")
_WHICH_YEAR = re.compile(r",?\s+(?:of\s+)?(this|next|last) year\b", re.I)
_YEAR_OFFSET = {"this": 0, "next": 1, "last": -1}


def _looks(sentence: str, at: int) -> tuple[Tense, bool]:
    """Which way a date at offset ``at`` looks from publication, and whether its clause reports
    something done: as the verb that governs it, the last before it in its clause ("said it
    would close the pier after December" looks ahead, "approved the plan in December" back),
    else the first after it ("In January, the board estimated the toll would double")."""
    before = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, at)]
    after = _CLAUSE_END.search(sentence, at)
    start, end = (before[-1] if before else 0), (after.start() if after else len(sentence))
    text = sentence[start:end]
    verbs = sorted(
        [(start + i, "past") for i in past_verbs(text)]
        + [(start + m.start(), "future") for m in _FUTURE.finditer(text)]
    )
    earlier = [kind for i, kind in verbs if i < at]
    later = [kind for i, kind in verbs if i >= at]
    governing = earlier[-1] if earlier else later[0] if later else "current_period"
    return cast("Tense", governing), governing == "past"


# What may, should or could be is an opinion or a forecast, not something done.
_SPECULATION = re.compile(r"\b(?:should|could|might|may|ought to)\b|^[\"“‘']?(?:If|Unless)\b")


def reports_done(sentence: str) -> bool:
    """Whether the sentence reports something done (what its publication date dates)."""
    return is_past(sentence) and not _SPECULATION.search(sentence)


_CLAUSE_END = re.compile(r"[.!?;:–—]")
_WHICH_YEAR = re.compile(r",?\s+(?:of\s+)?(this|next|last) year\b", re.I)
_YEAR_OFFSET = {"this": 0, "next": 1, "last": -1}


def clause(sentence: str, at: int) -> str:
    """The part of the sentence around offset ``at``, between stops, semicolons and dashes."""
    before = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, at)]
    after = _CLAUSE_END.search(sentence, at)
    return sentence[before[-1] if before else 0 : after.start() if after else len(sentence)]


def states_event(sentence: str, expressions: Sequence[Expression]) -> bool:
    """Whether the sentence tells of something done or to be done at some time: a date, or a
    verb in the past tense (what an undated article's sentence must be to count as left out)."""
    return bool(time_expressions(sentence, expressions)) or reports_done(sentence)
