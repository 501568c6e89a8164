"""Follow-up questions are read in context; standalone questions are left alone."""

from __future__ import annotations

import pytest

from bot.answer.followup import FollowupRewriter, Reading, entities, is_followup, read_followup
from bot.answer.types import Question, Turn
from language.questions import analyse

pytestmark = pytest.mark.unit


def turns(*questions: str, answer: str = "") -> tuple[Turn, ...]:
    return tuple(Turn(q, answer) for q in questions)


@pytest.mark.parametrize(
    ("history", "followup", "expected"),
    [
        # a new country replaces the old one, with its article
        (("Did the UK ban the ferry line?",), "and Canada?", "Did Canada ban the ferry line?"),
        (("What did France say about 5G?",), "what about Germany?", "What did Germany say about 5G?"),
        (("Did the UK ban the ferry line?",), "Canada?", "Did Canada ban the ferry line?"),
        (("Did the UK ban the ferry line?",), "and canada?", "Did Canada ban the ferry line?"),
        # a new company replaces the old company, a year the old year
        (
            ("Which countries ban Gull Lines?",),
            "What about Tern Ferries?",
            "Which countries ban Tern Ferries?",
        ),
        (
            ("How many chips did China import in 2020?",),
            "and in 2021?",
            "How many chips did China import in 2021?",
        ),
        # "do that" takes the previous question's action
        (("Did the UK ban the ferry line?",), "why did they do that?", "why did the UK ban the ferry line?"),
        # a bare question word asks it of the previous question
        (("Did the US restrict chip exports?",), "Why?", "Why did the US restrict chip exports?"),
        # ... or in place of the previous question's own question word
        (
            ("When must ferry lines remove the radar sets?",),
            "why?",
            "Why must ferry lines remove the radar sets?",
        ),
        # the earlier follow-up is resolved first, so the chain keeps its topic
        (
            ("Did the UK ban the ferry line?", "what about Germany?"),
            "and Japan?",
            "Did Japan ban the ferry line?",
        ),
    ],
)
def test_ellipses_become_the_previous_question(
    history: tuple[str, ...], followup: str, expected: str
) -> None:
    assert is_followup(followup)
    assert read_followup(followup, turns(*history)) == Reading(expected)


def test_a_pronoun_binds_to_the_person_the_user_just_read_about() -> None:
    history = (
        Turn(
            "Which harbour official announced the ferry ban?",
            "Harbour Secretary Ann Lee announced the ban on Monday, citing safety. [1] "
            "Gull Lines objected. [2]",
        ),
    )
    reading = read_followup("what did he say about the safety checks?", history)
    assert reading.text == "what did Ann Lee say about the safety checks?"


def test_they_binds_to_the_subject_of_the_earlier_question() -> None:
    reading = read_followup("who was speaking for them?", turns("What did Labour say about the ferry bill?"))
    assert reading.text == "who was speaking for Labour?"


def test_a_followup_that_names_something_is_still_a_followup() -> None:
    history = turns("What did the council's report say about the pier?")
    assert is_followup("and what did Gull Lines say about the report?")
    reading = read_followup("and what did Gull Lines say about the report?", history)
    assert "Gull Lines" in reading.text and "pier" in reading.context


def test_it_ending_the_question_points_back() -> None:
    assert is_followup("who's the minister quoted on it?")
    reading = read_followup("what did the union say about it?", turns("What does the new ferry levy charge?"))
    assert "levy" in reading.context


def test_the_topic_is_carried_in_lower_case_so_it_never_counts_as_a_name() -> None:
    history = turns("How did Westmoor's Harbour Board react to the ferry strike?")
    reading = read_followup("who said that?", history)
    assert reading.text == "who said that?"
    assert "harbour" in reading.context and reading.context == reading.context.lower()
    qa = analyse(reading.text, reading.context)
    assert not qa.given and "harbour" in " ".join(qa.context)


def test_a_pronoun_with_no_clear_referent_stays_as_it_is() -> None:
    history = turns("Did Ann Lee and Tom Hale meet the Gull Lines board?")
    reading = read_followup("what did he tell them?", history)
    assert "he" in reading.text.split() and reading.context


@pytest.mark.parametrize(
    "question",
    [
        "Which countries ban the ferry line?",
        "What did the EU decide about the ferry line?",
        "How many semiconductor plants does the chipmaker build in Arizona?",
        "What happened in the trade war this year?",
        "Who is the president of the United States?",
        "Is it true that Russia sells gas to China?",
        "What are the export controls on gallium?",
    ],
)
def test_standalone_questions_are_read_as_they_are(question: str) -> None:
    assert not is_followup(question)
    assert read_followup(question, turns("Did the UK ban the ferry line?", "and Canada?")) == Reading(
        question
    )


def test_without_history_nothing_changes() -> None:
    assert read_followup("and Canada?", ()) == Reading("and Canada?")
    assert FollowupRewriter().rewrite(Question("why did they do that?")) == Reading("why did they do that?")


def test_the_rewriter_reads_the_question_history() -> None:
    question = Question("what about Germany?", history=turns("Did the UK ban the ferry line?"))
    assert FollowupRewriter().rewrite(question).text == "Did Germany ban the ferry line?"


def test_an_abstention_gives_no_topic_to_lean_on() -> None:
    history = (Turn("Who built the pier?", "I couldn't find that in the 3 articles I have."),)
    reading = read_followup("when did they build it?", history)
    assert reading.context == "built pier"


def test_entities_know_country_aliases_and_not_the_pronoun_us() -> None:
    found = entities("Did the U.S. and Britain tell us about Gull Lines' plans in 2020?")
    assert [(e.kind, e.key) for e in found] == [
        ("country", "United States"),
        ("country", "United Kingdom"),
        ("name", "gull lines"),
        ("year", "2020"),
    ]


def test_a_short_question_pointing_with_the_at_what_was_asked_before_is_a_follow_up() -> None:
    history = turns("Whose report showed how the harbour board was pushed into the ferry ban?")
    reading = read_followup("whats the report called?", history)
    assert "harbour" in reading.context and "ferry" in reading.context
    # pointing at something new, it stands alone
    assert read_followup("whats the bridge called?", history) == Reading("whats the bridge called?")


def test_it_after_a_name_the_follow_up_gives_is_that_name() -> None:
    history = turns("How did the council react when the Harbour Board criticised Gull Lines?")
    reading = read_followup("and what about gull lines itself, what did it say about the criticism?", history)
    assert "what did Gull Lines say" in reading.text
    # an object pronoun in the name's own clause is something else
    endorsed = read_followup(
        "and when did the Harbour Board endorse it?", turns("What did the council say about the levy?")
    )
    assert endorsed.text.count("Harbour Board") == 1
