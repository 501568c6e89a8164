"""The agent of a passive question and of a sentence (sentences written here)."""

from __future__ import annotations

import pytest

from language.agents import asked_agent, other_agent

pytestmark = pytest.mark.unit


def test_a_passive_question_names_its_verb_and_agent() -> None:
    assert asked_agent("How much was the ferry club paid by the Harbour Board?") == ("paid", "board")
    assert asked_agent("When was Tom Reed fined by Westmoor Council?") == ("fine", "council")
    assert asked_agent("How much did the Harbour Board pay the ferry club?") is None


def test_a_sentence_naming_someone_else_as_agent_is_another_agents_act() -> None:
    verb, agent = "paid", "board"
    assert other_agent("The pier club was paid 2 million pounds by the council last year.", verb, agent)
    assert not other_agent("The ferry club was paid 40,000 pounds by the Harbour Board.", verb, agent)
    # no agent, or one the sentence only points to, says nothing against it
    assert not other_agent("The ferry club was paid 40,000 pounds in May.", verb, agent)
    assert not other_agent("The ferry club was paid 40,000 pounds by its owner.", verb, agent)
