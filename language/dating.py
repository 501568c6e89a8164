"""When a sentence says something happened (or will): its date, resolved against the article's.

A sentence dates its event itself ("on 14 July 2020", "in January", "last year", "in 2027"),
read by dateparser with the article's publication date as "now" (``RELATIVE_BASE``): a month or
weekday without a year is the one before publication in a sentence in the past tense, the one
after in a sentence about the future. A sentence in the past tense that names no date reports
something that happened by the time it was published: it gets that date, marked as reported.
Without a publication date only a date stating its year can be fixed; nothing is ever dated
from today.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from language.expressions import Expression, Kind

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
    r"\b(?:will|shall|won['’]t)\b|\b(?:is|are|was|were) (?:due|set|scheduled|going|expected) to\b"
    r"|\bplans? to\b",
    re.I,
)
_IRREGULAR_PAST = frozenset(
    (
        "was were had did said told made took gave went came became began won lost sold bought met "
        "led held brought thought found sent spent built chose drew fell felt fought forbade got grew "
        "heard hid kept knew laid lent meant paid ran rose saw sought shook sang sat slept spoke stood "
        "stole struck swore taught threw understood withdrew woke wore wrote overtook undertook "
        "forgot forgave froze rode shot stuck swept swung tore wound"
    ).split()
)
_WORD = re.compile(r"[A-Za-z][a-z'’]*")
# Before a participle, these make it an adjective ("the proposed ban") or a passive that is not
# past ("is expected", "to be removed").
_NOT_PAST_BEFORE = frozenset(
    "the a an its their his her this that these those our your my some any no every each "
    "be being is are am get gets to so-called".split()
)
# Words ending in "ed" that are not past forms.
_NOT_PARTICIPLES = frozenset(
    "need needs indeed speed feed seed breed proceed exceed succeed embed shed bed red hundred "
    "sacred naked wicked ragged".split()
)


def is_past(sentence: str) -> bool:
    """Whether the sentence reports something done: a verb in the past tense (or a present
    perfect: "has banned"), not an adjective made of a participle ("the proposed ban")."""
    tokens = _WORD.findall(sentence)
    for i, token in enumerate(tokens):
        word = token.lower()
        if word in _IRREGULAR_PAST:
            return True
        if (
            token[0].islower()
            and len(word) > 4
            and word.endswith("ed")
            and word not in _NOT_PARTICIPLES
            and (i == 0 or tokens[i - 1].lower() not in _NOT_PAST_BEFORE)
        ):
            return True
    return False


def tense(sentence: str) -> Tense:
    """Which way from publication a date without its year lies: a plan or a deadline looks
    ahead, a report of what was done looks back."""
    if _FUTURE.search(sentence):
        return "future"
    if is_past(sentence):
        return "past"
    return "current_period"


# -- dates ----------------------------------------------------------------------------------

_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
_DECADE = re.compile(r"\d0s$")
# "early March 2021", "the end of 2019": the period is the month or year named.
_MODIFIER = re.compile(r"^(?:the\s)?(?:early|mid|late|end of|start of|beginning of|earlier|later)[\s-]+", re.I)
_PERIODS = {"day": Precision.DAY, "month": Precision.MONTH, "year": Precision.YEAR}
# Without a date of its own, a text states a year only through these ("in 2019").
_ORDER = (Kind.DATE, Kind.YEAR, Kind.RELATIVE_DATE)


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


def time_expressions(expressions: Sequence[Expression]) -> list[Expression]:
    """The sentence's dates, years (not decades) and relative dates, the most telling first."""
    found = [e for e in expressions if e.kind in _ORDER and not _DECADE.search(e.text)]
    return sorted(found, key=lambda e: (_ORDER.index(e.kind), e.start))


def resolve(text: str, published: date | None, prefer: Tense) -> When | None:
    """The date one expression names ("14 July", "January 2020", "last year"), from the article
    published on ``published``; None when it names no day, month or year (a week, a season)
    or needs a publication date the article lacks."""
    bare = _MODIFIER.sub("", text.strip())
    stated = _YEAR.search(bare)
    if published is None:
        if stated is None:
            return None
        # The year is the text's own: the base only fills what the precision does not show.
        published = date(int(stated.group()), 1, 1)
    data = _parser(published, prefer).get_date_data(bare)
    precision = _PERIODS.get(str(data.period))
    if data.date_obj is None or precision is None:
        return None
    return When(data.date_obj.date(), precision)


def event_date(sentence: str, expressions: Sequence[Expression], published: date | None) -> When | None:
    """When the event the sentence states happened (or is to happen): the first date it states
    that can be fixed, else, for a report of something done, the publication date marked as
    reported; None when it states no event or its date cannot be fixed."""
    prefer = tense(sentence)
    for expr in time_expressions(expressions):
        when = resolve(expr.text, published, prefer)
        if when is not None:
            return when
    if published is not None and prefer == "past":
        return When(published, Precision.DAY, reported=True)
    return None


def states_event(sentence: str, expressions: Sequence[Expression]) -> bool:
    """Whether the sentence tells of something done or to be done at some time: a date, or a
    verb in the past tense (what an undated article's sentence must be to count as left out)."""
    return bool(time_expressions(expressions)) or tense(sentence) == "past"
