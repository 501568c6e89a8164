"""Values of dates, amounts and durations, so that one value in two wordings is one value."""

from __future__ import annotations

import pytest

from language.expressions import Kind, expressions
from language.values import (
    Value,
    asks_what_happened,
    asks_whole_period,
    conflict,
    part_period,
    shown,
    speculative,
    value_of,
)

pytestmark = pytest.mark.unit

_VALUED = (Kind.DATE, Kind.YEAR, Kind.AMOUNT, Kind.NUMBER, Kind.DURATION)


def value(sentence: str) -> Value:
    found = [e for e in expressions(sentence) if e.kind in _VALUED]
    assert len(found) == 1, found
    got = value_of(found[0])
    assert got is not None, found[0]
    return got


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The tunnel opens in 2027.", "The tunnel opens by the end of 2027."),
        ("Work stops in September 2021.", "Work stops in 2021."),
        ("The vote is on 14 July 2020.", "The vote is on 2020-07-14."),
        ("It costs £2bn.", "It costs 2 billion pounds."),
        ("It costs £2bn.", "It costs 2,000m pounds."),
        ("Turnout was 35 per cent.", "Turnout was 35%."),
        ("The review takes 18 months.", "The review takes eighteen months."),
        ("The council has twelve members.", "The council has 12 members."),
    ],
)
def test_one_value_in_other_words_does_not_conflict(a: str, b: str) -> None:
    assert not conflict(value(a), value(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The tunnel opens in 2027.", "The tunnel opens in 2025."),
        ("Work stops in September 2021.", "Work stops in March 2021."),
        ("The vote is on 14 July 2020.", "The vote is on 16 July 2020."),
        ("It costs £2bn.", "It costs £2.5bn."),
        ("Turnout was 35 per cent.", "Turnout was 40%."),
        ("The review takes 18 months.", "The review takes two years."),
        ("The council has twelve members.", "The council has 15 members."),
    ],
)
def test_different_values_conflict(a: str, b: str) -> None:
    assert conflict(value(a), value(b))


def test_values_in_other_units_are_not_compared() -> None:
    assert not conflict(value("It costs £5m."), value("It costs $7m."))
    assert not conflict(value("It costs £5m."), value("Turnout was 35%."))


def test_how_a_side_is_written() -> None:
    assert shown(value("It opens by the end of 2027."), "the end of 2027") == "2027"
    assert shown(value("It costs £2bn."), "£2bn") == "£2bn"


def test_a_whole_year_is_asked_and_a_part_of_one_is_given() -> None:
    assert asks_whole_period("What was the ferry line's full-year profit in 2023?")
    assert asks_whole_period("What were its annual sales?")
    assert not asks_whole_period("What was its profit in the first half of the year?")
    # a year asked about is the whole of it, a month of it is not
    assert asks_whole_period("How many ferries did the yard build in 2019?")
    assert not asks_whole_period("How many ferries did the yard build in March 2019?")
    assert part_period("Its interim report showed sales of 4 million pounds.")
    assert part_period("Sales rose in the third quarter.")
    assert not part_period("Sales rose to 9 million pounds in 2023.")


def test_a_figure_in_a_guess_or_a_condition_is_not_what_happened() -> None:
    assert asks_what_happened("How many councillors actually voted against the pier plan?")
    assert not asks_what_happened("How many councillors could vote against the pier plan?")
    guess = "If 12 councillors would vote against it, the plan would fall."
    assert speculative(guess, guess.index("12"), guess.index("12") + 2)
    fact = "In the end 9 councillors voted against the plan on Tuesday."
    assert not speculative(fact, fact.index("9"), fact.index("9") + 1)
