"""An event's date from its sentence and its article's publication date (sentences written here)."""

from __future__ import annotations

from datetime import date

import pytest

from language.dating import Precision, When, event_date, is_past, same_date, states_event
from language.expressions import expressions

pytestmark = pytest.mark.unit

PUBLISHED = date(2021, 7, 15)


def dated(sentence: str, published: date | None = PUBLISHED) -> When | None:
    return event_date(sentence, expressions(sentence), published)


@pytest.mark.parametrize(
    ("sentence", "shown", "precision"),
    [
        ("The harbour board closed the old pier on 14 March 2019.", "2019-03-14", Precision.DAY),
        ("The harbour board closed the old pier on March 14, 2019.", "2019-03-14", Precision.DAY),
        ("The ferry company cut its fares in January 2020.", "2020-01", Precision.MONTH),
        ("The island council raised the toll in 2018.", "2018", Precision.YEAR),
        ("Every diesel ferry must be retired by 2030.", "2030", Precision.YEAR),
        ("The council voted on the toll in early March 2021.", "2021-03", Precision.MONTH),
    ],
)
def test_a_stated_date_is_the_events_at_its_own_precision(
    sentence: str, shown: str, precision: Precision
) -> None:
    when = dated(sentence)
    assert when is not None and not when.reported
    assert (when.shown, when.precision) == (shown, precision)


def test_dates_without_a_year_are_read_against_the_publication_date() -> None:
    assert (w := dated("The regulator fined the ferry company last year.")) and w.shown == "2020"
    assert (w := dated("The harbour master resigned last month.")) and w.shown == "2021-06"
    assert (w := dated("The pier reopened yesterday.")) and w.shown == "2021-07-14"
    # a month named without its year: the one before publication in a report of what was done...
    assert (w := dated("The board approved the plan in December.")) and w.shown == "2020-12"
    # ...the one after it in a plan
    assert (w := dated("The board will vote on the plan in March.")) and w.shown == "2022-03"
    assert (w := dated("The board approved the plan in March.")) and w.shown == "2021-03"


def test_a_report_without_a_date_gets_the_publication_date_marked_as_reported() -> None:
    when = dated("The harbour board approved the new ferry timetable.")
    assert when == When(PUBLISHED, Precision.DAY, reported=True)
    assert when.shown == "2021-07-15"


def test_an_undated_article_fixes_only_dates_that_state_their_year_and_never_uses_today() -> None:
    when = dated("The harbour board closed the pier on 14 March 2019.", None)
    assert when is not None and when.shown == "2019-03-14"
    for sentence in (
        "The regulator fined the ferry company last year.",
        "The board approved the plan in December.",
        "The harbour board approved the new ferry timetable.",
        "The pier reopened yesterday.",
    ):
        assert dated(sentence, None) is None, sentence
        assert states_event(sentence, expressions(sentence)), sentence


def test_statements_of_how_things_are_are_not_events() -> None:
    for sentence in (
        "The ferry company runs six boats.",
        "The proposed toll is a matter of debate.",
        "The council should have listened to the ferry crews.",
        "If the toll were doubled, the ferries would leave.",
    ):
        assert dated(sentence) is None
        assert not states_event(sentence, expressions(sentence))


def test_past_tense() -> None:
    assert is_past("The council has banned cars from the pier.")
    assert is_past("Officials met the ferry operators.")
    assert not is_past("The so-called toll is unpopular.")
    assert not is_past("The state-backed ferry line runs island-related routes.")
    assert not is_past("The council will ban cars from the pier.")


def test_dates_of_one_event_match_at_the_coarser_precision() -> None:
    day = When(date(2020, 7, 14), Precision.DAY)
    assert same_date(day, When(date(2020, 7, 1), Precision.MONTH))
    assert same_date(day, When(date(2020, 1, 1), Precision.YEAR))
    assert not same_date(day, When(date(2020, 7, 15), Precision.DAY))
    assert not same_date(day, When(date(2019, 1, 1), Precision.YEAR))
    # a report tells of an event on or a few days before its date, never after it
    assert same_date(day, When(date(2020, 7, 16), Precision.DAY, reported=True))
    assert not same_date(day, When(date(2020, 7, 10), Precision.DAY, reported=True))
    assert not same_date(day, When(date(2020, 9, 1), Precision.DAY, reported=True))


def test_order_and_periods() -> None:
    year = When(date(2020, 7, 1), Precision.YEAR)
    month = When(date(2020, 2, 9), Precision.MONTH)
    day = When(date(2020, 2, 9), Precision.DAY)
    assert sorted([day, month, year], key=lambda w: w.order) == [year, month, day]
    assert (month.first, month.last) == (date(2020, 2, 1), date(2020, 2, 29))
    assert (year.first, year.last) == (date(2020, 1, 1), date(2020, 12, 31))
    assert When(date(2020, 12, 5), Precision.MONTH).last == date(2020, 12, 31)


def test_weekdays_are_the_last_before_publication_unless_planned() -> None:
    thursday = date(2021, 7, 15)
    assert (w := dated("The minister said on Thursday that the pier would close.", thursday))
    assert w.shown == "2021-07-15"  # published that Thursday
    assert (w := dated("The minister spoke on Monday.", thursday)) and w.shown == "2021-07-12"
    assert (w := dated("The board will meet next Monday.", thursday)) and w.shown == "2021-07-19"


def test_the_first_date_of_a_sentence_is_its_events_and_an_opening_month_counts() -> None:
    when = dated("The council said on 2 June 2020 that every ferry must be electric by 2030.")
    assert when is not None and when.shown == "2020-06-02"
    assert (w := dated("In March, the council approved the toll.")) and w.shown == "2021-03"
    # said it would happen after a month named without its year: the month after publication
    when = dated("The council said it would close the pier after December 31.")
    assert when is not None and when.shown == "2021-12-31"


def test_the_verb_before_a_date_says_which_way_it_looks() -> None:
    assert (w := dated("In January, the board estimated the toll would double.")) and w.shown == "2021-01"
    assert (w := dated("By December, every operator must sell its diesel ferries.")) and w.shown == "2021-12"
    when = dated("The board banned diesel sales after 31 December this year, and more ferries followed.")
    assert when is not None and when.shown == "2021-12-31"
    when = dated("Ferry crews must be retrained and the operators must refit, the board said on 2 June.")
    assert when is not None and when.shown == "2021-06-02"
    when = dated(
        "Operators are being barred from buying diesel engines after December 31, and they must scrap them."
    )
    assert when is not None and when.shown == "2021-12-31"
