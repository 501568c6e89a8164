"""Follow-up questions become standalone retrieval queries; standalone questions are left alone."""

from __future__ import annotations

import pytest

from bot.answer.followup import FollowupRewriter, entities, is_followup, rewrite_followup
from bot.answer.types import Question, Turn

pytestmark = pytest.mark.unit


def turns(*questions: str) -> tuple[Turn, ...]:
    return tuple(Turn(q, "An earlier answer [1].") for q in questions)


@pytest.mark.parametrize(
    ("history", "followup", "expected"),
    [
        # a new country replaces the old one, with its article
        (("Did the UK ban Huawei?",), "and Canada?", "Did Canada ban Huawei?"),
        (("What did France say about 5G?",), "what about Germany?", "What did Germany say about 5G?"),
        (("Did the UK ban Huawei?",), "Canada?", "Did Canada ban Huawei?"),
        (("Did the UK ban Huawei?",), "and canada?", "Did Canada ban Huawei?"),
        # a new company replaces the old company, a year the old year
        (("Which countries ban Huawei?",), "What about ZTE?", "Which countries ban ZTE?"),
        (
            ("How many chips did China import in 2020?",),
            "and in 2021?",
            "How many chips did China import in 2021?",
        ),
        # "do that" takes the previous question's action
        (("Did the UK ban Huawei?",), "why did they do that?", "why did the UK ban Huawei?"),
        (("Which countries ban Huawei?",), "Why did they do that?", "Why did countries ban Huawei?"),
        # a bare question word asks it of the previous question
        (("Did the US restrict Nvidia exports?",), "Why?", "Why did the US restrict Nvidia exports?"),
        # pronouns resolved when only one earlier name fits (people: names, not countries)
        (("Tell me about Huawei.",), "What is its market share?", "What is Huawei's market share?"),
        (
            ("What did Xi Jinping say about Taiwan?",),
            "What did he say about it?",
            "What did Xi Jinping say about Taiwan?",
        ),
        # the earlier follow-up is resolved first, so the chain keeps its topic
        (("Did the UK ban Huawei?", "what about Germany?"), "and Japan?", "Did Japan ban Huawei?"),
    ],
)
def test_followups_are_rewritten(history: tuple[str, ...], followup: str, expected: str) -> None:
    assert is_followup(followup)
    assert rewrite_followup(followup, turns(*history)) == expected


def test_a_country_with_nothing_to_replace_is_added_to_the_previous_question() -> None:
    query = rewrite_followup("and Canada?", turns("Which countries ban Huawei?"))
    assert "Canada" in query and "ban Huawei" in query


def test_an_ambiguous_pronoun_keeps_the_previous_question_as_context() -> None:
    query = rewrite_followup("What did they announce?", turns("Did the UK ban Huawei?"))
    assert query.startswith("What did they announce")
    assert "the UK ban Huawei" in query


@pytest.mark.parametrize(
    "question",
    [
        "Which countries ban Huawei?",
        "What did the EU decide about TikTok?",
        "How many semiconductor plants does TSMC build in Arizona?",
        "What happened in the trade war this year?",
        "Who is the president of the United States?",
        "Is it true that Russia sells gas to China?",
        "What are the export controls on gallium?",
    ],
)
def test_standalone_questions_pass_through_unchanged(question: str) -> None:
    assert not is_followup(question)
    assert rewrite_followup(question, turns("Did the UK ban Huawei?", "and Canada?")) == question


def test_without_history_nothing_changes() -> None:
    assert rewrite_followup("and Canada?", ()) == "and Canada?"
    assert FollowupRewriter().rewrite(Question("why did they do that?")) == "why did they do that?"


def test_the_rewriter_reads_the_question_history() -> None:
    question = Question("what about Germany?", history=turns("Did the UK ban Huawei?"))
    assert FollowupRewriter().rewrite(question) == "Did Germany ban Huawei?"


def test_entities_know_country_aliases_and_not_the_pronoun_us() -> None:
    found = entities("Did the U.S. and Britain tell us about Huawei's 5G plans in 2020?")
    assert [(e.kind, e.key) for e in found] == [
        ("country", "United States"),
        ("country", "United Kingdom"),
        ("name", "huawei"),
        ("year", "2020"),
    ]
