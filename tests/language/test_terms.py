"""Term matching helpers on text written for these tests."""

from __future__ import annotations

import pytest

from language.questions import Asks, analyse
from language.terms import terms, truecased

pytestmark = pytest.mark.unit

PASSAGES = [
    "The Nordmark Data Office fined Skyline Media in May. Skyline Media said the Nordmark fine was unfair.",
    "Data from the office showed the app shared data widely. Critics of Skyline Media welcomed the fine.",
]


def test_a_question_typed_in_lower_case_names_what_the_articles_capitalise() -> None:
    question = "why did the nordmark data office fine skyline media"
    read = truecased(question, PASSAGES)
    assert read == "why did the Nordmark data office fine Skyline Media"  # "data" is mostly lower case
    assert {"nordmark", "skylin", "media"} <= analyse(read).names
    assert not analyse(question).names


def test_truecasing_leaves_function_words_and_written_capitals_alone() -> None:
    assert truecased("Did Skyline Media pay the fine?", PASSAGES) == "Did Skyline Media pay the fine?"
    # "may" is a function word, whatever the articles write
    assert truecased("who fined them in may?", PASSAGES) == "who fined them in may?"


def test_titles_ask_for_people() -> None:
    assert analyse("Which British lord visited the emperor's court?").asks[0] is Asks.PERSON
    assert analyse("Which officers signed the letter?").wants_list


def test_words_of_the_same_meaning_match() -> None:
    from language.terms import terms

    asked, stated = terms("When did the ferry levy come into force?"), terms("The levy took effect in May.")
    assert "effect" in asked & stated
    assert "ban" in terms("Which ports banned the ferries?") & terms("Two ports prohibited the ferries.")
    assert "feasibl" in terms("Was the deadline doable?") & terms("Most said the deadline was feasible.")
    assert not terms("The police force came to the harbour.") & {"effect"}


def test_a_typo_is_read_as_the_word_the_articles_hold() -> None:
    from language.terms import corrected

    texts = ["The island government fined Skyline Media, which said it was actually fair."]
    assert (
        corrected("Why did the goverment fine Skylne Media?", texts)
        == "Why did the government fine Skyline Media?"
    )
    assert corrected("was it acutally fair?", texts) == "was it actually fair?"
    # a negation typed without its apostrophe keeps its meaning
    assert corrected("why wouldnt they pay?", texts) == "why wouldn't they pay?"
    # English words are left alone, however close to a word of the articles ("fines", "paying")
    assert corrected("Who is paying the fines?", texts) == "Who is paying the fines?"
    assert (
        corrected("Did the council appeal?", ["The council appeared in court."]) == "Did the council appeal?"
    )


def test_a_name_the_articles_write_only_in_the_possessive_is_still_restored() -> None:
    assert (
        truecased("what did skyline say", ["Skyline's chief spoke. Skyline's app grew."])
        == "what did Skyline say"
    )


def test_words_of_the_same_meaning_stand_as_one_even_written_with_a_sign() -> None:
    assert "research" in terms("How much did the port put into R&D?")
    assert "research" in terms("It spent 2 million pounds on research and development.")
    assert "envoy" in terms("The ambassador praised the ferry ban.")
