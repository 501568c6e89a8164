"""Timelines composed from passages written for these tests (no model, no store)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.answer.timeline import Timeline, TimelineParams, compose, line, lines, notes
from vectorstore.records import ChunkRecord
from vectorstore.retrieval import Passage

pytestmark = pytest.mark.unit


def passage(article: str, text: str, published: str | None = "2021-07-15", title: str = "") -> Passage:
    meta: dict[str, str | int] = {
        "article_id": article,
        "chunk_index": 0,
        "title": title or f"Ferry story {article}",
        "publisher": "Island Wire",
        "origins": json.dumps([{"path": "ferries.csv", "record": 1}]),
    }
    if published is not None:
        meta["published"] = published
    return Passage(ChunkRecord(f"{article}:0", text, meta), 0.03, 0.6)


FERRIES = [
    passage(
        "a1",
        "The island council banned diesel ferries from the harbour on 14 March 2019. "
        "Operators must retire every diesel ferry by 2030. "
        "The harbour has six berths.",
        published="2019-03-20",
    ),
    passage(
        "a2",
        "Last year the council raised the harbour toll for diesel ferries. "
        "On 14 March 2019 the island council banned all diesel ferries from its harbour.",
        published="2020-05-02",
    ),
    passage(
        "a3",
        "The council fined two diesel ferry operators in the harbour in January. "
        "Fishing boats are exempt from the harbour rules.",
        published="2021-07-15",
    ),
]


def test_events_are_dated_from_their_articles_and_shown_oldest_first() -> None:
    timeline = compose("diesel ferries harbour", FERRIES)
    shown = [e.when.shown for e in timeline.events]
    assert shown == sorted(shown)
    assert shown[0] == "2019"  # "last year", in an article of 2020
    assert "2019-03-14" in shown
    assert "2021-01" in shown  # "in January", in an article of July 2021
    assert shown[-1] == "2030"  # a deadline is an event too
    assert not any("six berths" in e.text or "Fishing boats" in e.text for e in timeline.events)


def test_a_reworded_report_of_one_event_is_one_line_citing_both() -> None:
    timeline = compose("diesel ferries harbour", FERRIES)
    ban = [e for e in timeline.events if e.when.shown == "2019-03-14"]
    assert len(ban) == 1
    sources = {timeline.citations[n - 1].article_id for n in ban[0].citations}
    assert sources == {"a1", "a2"}
    assert line(ban[0]).startswith("2019-03-14 — The island council banned diesel ferries")
    assert line(ban[0]).endswith("[1][2]") or line(ban[0]).endswith("[2][1]")


def test_the_same_words_on_different_dates_are_different_events() -> None:
    passages = [
        passage("b1", "The council closed the old pier on 2 May 2018.", published="2018-05-03"),
        passage("b2", "The council closed the old pier on 9 June 2020.", published="2020-06-10"),
    ]
    timeline = compose("old pier", passages)
    assert [e.when.shown for e in timeline.events] == ["2018-05-02", "2020-06-09"]
    assert [e.citations for e in timeline.events] == [(1,), (2,)]


def test_a_report_without_a_date_is_placed_on_its_publication_day_marked_reported() -> None:
    timeline = compose("old pier", [passage("c1", "The council demolished the old pier.", "2022-02-02")])
    (event,) = timeline.events
    assert event.when.reported and event.when.shown == "2022-02-02"
    assert line(event) == "2022-02-02 (reported) — The council demolished the old pier. [1]"


def test_an_undated_article_is_never_given_todays_date_and_is_counted() -> None:
    passages = [
        passage("d1", "The council demolished the old pier last year. The old pier was rebuilt.", None),
        passage("d2", "The council opened the old pier on 1 April 1990.", None),
    ]
    timeline = compose("old pier", passages)
    assert [e.when.shown for e in timeline.events] == ["1990-04-01"]  # its own date: fixed
    assert timeline.undated == 2
    assert timeline.citations[0].published is None
    today = date.today().isoformat()
    assert all(today[:4] not in e.when.shown for e in timeline.events)
    assert "2 undated passages not placed (their articles have no date)." in notes(timeline)


def test_the_limit_keeps_the_most_relevant_and_says_how_many_more() -> None:
    text = " ".join(f"The council repainted the old pier on {d} May 2020." for d in range(1, 8))
    timeline = compose("old pier", [passage("e1", text, "2020-06-01")], TimelineParams(max_events=3))
    assert len(timeline.events) == 3 and timeline.more == 4
    assert "4 more events not shown: name the topic more closely, or a span of dates." in notes(timeline)
    # the first sentences of the best passage are the most relevant; still shown oldest first
    assert [e.when.shown for e in timeline.events] == ["2020-05-01", "2020-05-02", "2020-05-03"]


def test_since_and_until_keep_the_events_whose_period_overlaps_the_span() -> None:
    timeline = compose("diesel ferries harbour", FERRIES, since=date(2019, 6, 1), until=date(2021, 12, 31))
    assert [e.when.shown for e in timeline.events] == ["2019", "2021-01"]


def test_captions_headlines_and_datelines_are_not_events() -> None:
    text = (
        "Harbour Minister Ann Lee arriving at the old pier on Monday\n\n"
        "Council Votes To Close Old Pier\n\n"
        "WESTMOOR (Island Wire) - The council voted to close the old pier on 3 March 2020."
    )
    timeline = compose(
        "old pier", [passage("f1", text, "2020-03-04", title="Council Votes To Close Old Pier")]
    )
    assert [line(e) for e in timeline.events] == [
        "2020-03-03 — The council voted to close the old pier on 3 March 2020. [1]"
    ]


def test_nothing_dated_about_the_topic_says_so_in_a_plain_sentence() -> None:
    timeline = compose("lighthouse keepers", FERRIES)
    assert timeline.events == () and timeline.citations == ()
    assert lines(timeline) == ["The articles hold no dated events about “lighthouse keepers”."]
    assert lines(Timeline("x", problem="Please name a topic.")) == ["Please name a topic."]


def test_a_sentence_pointing_back_is_shown_with_the_one_before_once() -> None:
    text = (
        "The council closed the old pier on 2 May 2018. "
        "The move reversed a vote taken in 2016 to keep the old pier open. "
        "It also angered the old pier's anglers."
    )
    timeline = compose("old pier", [passage("g1", text, "2018-05-03")])
    assert [line(e) for e in timeline.events] == [
        "2018-05-02 — The council closed the old pier on 2 May 2018. [1]"
    ]
    # with nothing before it to show, it would not say what it is about
    alone = compose("old pier", [passage("g2", text.split(". ", 1)[1], "2018-05-03")])
    assert alone.events == ()
    after = compose(
        "old pier",
        [passage("g3", "The anglers gathered at the harbour. " + text.split(". ", 1)[1], "2018-05-03")],
    )
    assert [e.when.shown for e in after.events] == ["2016"]
    assert after.events[0].text.startswith("The anglers gathered at the harbour. The move reversed")
