"""Who speaks in a sentence, and whom a question asks to hear from (sentences written here)."""

from __future__ import annotations

import pytest

from language.expressions import expressions
from language.speech import asked_speakers, speakers

pytestmark = pytest.mark.unit


def said_by(sentence: str) -> frozenset[str]:
    return speakers(sentence, expressions(sentence))


def asked(question: str) -> frozenset[str]:
    return asked_speakers(question, expressions(question))


def test_the_speaker_before_or_after_the_verb() -> None:
    assert "lee" in said_by("Ann Lee, the port's chief executive, said the fees would rise.")
    assert "reed" in said_by('"We will appeal," said Tom Reed of Westmoor Council.')
    assert "westmoor port authority" in said_by("According to the Westmoor Port Authority, the fees rose.")


def test_a_name_spoken_about_is_not_the_speaker() -> None:
    # the name is what the report is about; the one speaking is an unnamed agency
    assert not said_by("Tom Reed failed to pay the fees, the harbour's own auditors said in a report.")
    assert not said_by("Tom Reed paid the fees in March.")
    assert not said_by("Tom Reed paid the fees late and then the auditors said so.")
    assert "reed" in said_by("Tom Reed has repeatedly said the fees are fair.")
    # a name before an inverted verb is what is spoken of; the speaker follows the verb
    heard = said_by("Ferries will stop buying Westmoor Marine engines for the night routes, said Radio Kell.")
    assert "radio kell" in heard and "marine" not in heard
    # a name further on after the verb is what is said; the one after "told" listens
    assert not said_by("It also said it would stop buying Westmoor Marine engines by 2027.")
    heard = said_by("The chief of Westmoor Marine has told the Island Herald that fees will rise.")
    assert "marine" in heard and "island herald" not in heard


def test_a_question_asks_to_hear_from_the_name_between_its_auxiliary_and_verb() -> None:
    assert "lee" in asked("What did Ann Lee say about the fees?")
    assert "westmoor port authority" in asked(
        "How long did the Westmoor Port Authority claim the repairs would take?"
    )
    assert "lee" in asked("According to Ann Lee, why did the ferry stop?")
    assert not asked("When did Westmoor ban night ferries?")


def test_a_speech_noun_is_not_a_question_for_a_speaker() -> None:
    assert not asked("Which paper did the Westmoor article rely on for Ann Lee's comments?")
    assert "lee" in asked("Has Ann Lee commented on the fees?")
