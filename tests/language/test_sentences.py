"""Sentence splitting and the flags that keep furniture out of answers, on sentences written here."""

from __future__ import annotations

import pytest

from language.sentences import Flag, flags, refers_back, sentence_spans, split_sentences, tidy

pytestmark = pytest.mark.unit


def test_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    text = (
        "Mr. Okafor met U.S. officials on Tuesday. The talks, led by John F. Keane, ran late. "
        "Dr. Lin said 40% of the kit was old."
    )
    assert split_sentences(text) == [
        "Mr. Okafor met U.S. officials on Tuesday.",
        "The talks, led by John F. Keane, ran late.",
        "Dr. Lin said 40% of the kit was old.",
    ]


def test_spans_point_into_the_text() -> None:
    text = "First line here today.\n\nSecond   one follows it now."
    spans = sentence_spans(text)
    assert [text[s.start : s.end] for s in spans] == [
        "First line here today.",
        "Second   one follows it now.",
    ]


@pytest.mark.parametrize(
    ("sentence", "flag"),
    [
        ("Harbour Minister Ann Lee arriving at the Westmoor ferry terminal with aides", Flag.CAPTION),
        ("The new terminal opened in May (Photo: Westmoor Press)", Flag.CAPTION),
        ("By Ravi Menon and Clara Ode", Flag.BYLINE),
        ("Reporting by Tom Hale; Editing by Jo Park", Flag.BYLINE),
        ("Read more: how the ferry deal was done", Flag.PROMPT),
        ("Sign up for our morning newsletter to get the best stories", Flag.PROMPT),
        ("This article was first published on the Harbour Gazette website.", Flag.PROMPT),
        ("The post Ferry fares rise again appeared first on Coastal Weekly.", Flag.PROMPT),
        ("Island Wire's Noor Haddad and Piet Olsen contributed to this report.", Flag.CREDIT),
        ("Published: 3 June 2024 · Ministry of Shipping (press release)", Flag.BYLINE),
        ("Original title: Westmoor closes its pier", Flag.BYLINE),
        ("Ann Lee, head of the Harbour Board, is photographed in Westmoor, Thursday, May 2.", Flag.CAPTION),
        ("The board's chair, Tom Reed, giving evidence to the ferry committee in July.", Flag.CAPTION),
        (
            "Updated later on June 3, first with the ferry timetable and then with the mayor's reply.",
            Flag.PROMPT,
        ),
        ("This story was updated on May 2 with a statement from the harbour board.", Flag.PROMPT),
        ("Correction: an earlier version of this story misnamed the harbour master.", Flag.PROMPT),
        ("Editor’s note: the ferry column first ran in print.", Flag.PROMPT),
        ("Westmoor Opens Its New Ferry Terminal To Traffic", Flag.HEADLINE),
        ("Will the island council now approve the second pier?", Flag.QUESTION),
        ("Then it rained.", Flag.FRAGMENT),
        ("Harbour board warns ferry crews about winter storms", Flag.HEADLINE),
        ("Ann Lee, harbour minister", Flag.HEADLINE),
        ("The new ferry terminal opens to traffic (Dara Quinn/Island Wire)", Flag.CAPTION),
        ("see the rest of the report on page two of the supplement.", Flag.FRAGMENT),
    ],
)
def test_furniture_is_flagged(sentence: str, flag: Flag) -> None:
    assert flag in flags(sentence)


def test_a_headline_repeated_as_the_first_line_is_flagged_by_the_title() -> None:
    title = "Ferry operator wins the island contract"
    assert Flag.HEADLINE in flags("Ferry operator wins the island contract", title)
    assert not flags("The ferry operator won the island contract after a long tender.", title)


@pytest.mark.parametrize(
    "sentence",
    [
        "The harbour board approved the ferry contract on Monday after a two-hour debate.",
        "Minister Ann Lee said the terminal would open in 2031, two years late.",
        "“We will not accept a second delay,” the mayor told reporters.",
        "Officials speaking to reporters said the pier was safe.",
        # a paragraph's last sentence that lost its full stop is still prose
        "The move followed a safety review by the harbour board",
        "The harbour report was first published in 2019 and revised after the storm.",
        "Tourism contributed to the harbour's recovery after the storm, the board said.",
        "The harbour board updated its ferry rules on Monday after the storm.",
        "Correction of the timetable errors took the board two weeks, its chair said.",
        "Tom Reed spoke to the committee, giving evidence that the pier was safe.",
        "The harbour minister, who was angry, is seen as a moderate.",
        # a point of a list that states a value is a fact, however short
        "- night crossings: after six months;",
        "- 12 March 2024: consultation closes",
    ],
)
def test_statements_are_not_flagged(sentence: str) -> None:
    assert flags(sentence) == Flag(0)


def test_datelines_are_removed_from_quotes() -> None:
    assert tidy("WESTMOOR (Island Wire) - The ferry   left late.") == "The ferry left late."
    assert tidy("PORT ELLA, March 3 (Island Wire) - Talks resumed.") == "Talks resumed."
    assert tidy("Mar 3 (Island Wire) - Talks resumed.") == "Talks resumed."


def test_section_labels_are_removed_from_quotes() -> None:
    assert tidy("EXCLUSIVE: The ferry board sold two boats.") == "The ferry board sold two boats."
    assert tidy("TOPLINE The ferry board sold two boats.") == "The ferry board sold two boats."
    assert tidy("UPDATE - Talks resumed on Friday.") == "Talks resumed on Friday."
    # an acronym or a word in capitals that is the sentence's own subject stays
    assert tidy("NATO said the ferry route was safe.") == "NATO said the ferry route was safe."
    assert tidy("LIVE broadcasts resumed on Friday.") == "LIVE broadcasts resumed on Friday."


def test_sentences_that_point_back_are_recognised() -> None:
    assert refers_back("This was the third delay in a year.")
    assert refers_back("He said the vote would be close.")
    assert refers_back("For that reason, the pier was closed.")
    assert not refers_back("The harbour board met on Monday.")


def test_a_labelled_promotion_is_a_prompt_and_a_quote_after_a_colon_is_not() -> None:
    assert flags("Harbour Digest: Know what's moving the ferry markets with our weekly email.") & Flag.PROMPT
    assert not flags("Ann Lee said: know your limits at sea.") & Flag.PROMPT
    assert not flags("Analysis: The ferry ban will cost the port millions.") & Flag.PROMPT
