"""Who says so, and when: labels beside sources, publishers counted per sentence, dates, sources
that differ and evidence grouped by publisher type — on passages and publishers written here."""

from __future__ import annotations

import json

import pytest

from bot.answer import display
from bot.answer.corroboration import corroborate
from bot.answer.extractive import ExtractiveAnswerer
from bot.answer.labels import Labeller
from bot.answer.provenance import Provenance, claims_of
from bot.answer.types import Answer, Citation, Claim, Dating, Difference, Question
from bot.evaluation import GoldQuestion, evaluate, first_sentence
from ingest.publishers import PublisherDirectory, PublisherProfile
from language.questions import asks_about_now
from vectorstore.records import ChunkRecord
from vectorstore.retrieval import Passage

pytestmark = pytest.mark.unit


def profile(pid: str, name: str, kind: str, country: str, owner: str) -> PublisherProfile:
    return PublisherProfile(
        id=pid,
        name=name,
        type=kind,
        type_basis=f"A {kind} (written for these tests).",
        country=country,
        country_basis=f"Based in {country}.",
        owner=owner,
        owner_basis=f"Owned by {owner}.",
    )


DIRECTORY = PublisherDirectory(
    [
        profile("harbour-herald", "The Harbour Herald", "newspaper", "Westmoor", "Ellis Holdings"),
        profile("evening-lamp", "Evening Lamp", "tabloid", "Westmoor", "Ellis Holdings"),
        profile(
            "state-voice", "State Voice", "state-affiliated media", "Eastland", "Eastland Information Office"
        ),
        profile("coast-wire", "Coast Wire", "wire service", "Westmoor", "Coast Wire Cooperative"),
    ]
)
LABELS = Labeller(DIRECTORY)


def passage(
    article: str, text: str, publisher: str | None, published: str | None = "2024-05-02", dense: float = 0.6
) -> Passage:
    found = DIRECTORY.match(publisher)
    meta: dict[str, str | int] = {
        "article_id": article,
        "chunk_index": 0,
        "title": f"Story {article}",
        "origins": json.dumps([{"path": "notes.csv", "record": 1}]),
        "publisher_type": found.type if found else "unlabelled",
    }
    if publisher:
        meta["publisher"] = publisher
    if found:
        meta["publisher_id"] = found.id
    if published:
        meta["published"] = published
        meta["published_ts"] = int(published[:4]) * 366 * 86400  # only the order matters here
    return Passage(ChunkRecord(f"{article}:0", text, meta), 0.03, dense)


def answer(question: str, passages: list[Passage]) -> Answer:
    composed = ExtractiveAnswerer(lambda: 9, labeller=LABELS).answer(Question(question), passages)
    assert not composed.abstained, composed.text
    return Provenance(LABELS).annotate(composed, current=asks_about_now(question))


def test_sources_carry_their_publishers_label_and_date() -> None:
    got = answer(
        "Who will lead the construction team for the bridge?",
        [
            passage(
                "a1",
                "Engineer Dana Whitfield will lead the construction team for the new bridge.",
                "HARBOUR HERALD",
            ),
            passage(
                "a2",
                "Engineer Dana Whitfield, who will lead the bridge construction team, trained abroad.",
                "Quay Notes",
                published=None,
            ),
        ],
    )
    first, second = got.citations
    assert (first.publisher, first.publisher_type, first.publisher_country) == (
        "The Harbour Herald",
        "newspaper",
        "Westmoor",
    )
    assert first.publisher_label == "newspaper (Westmoor)" and not first.undated
    assert (second.publisher, second.publisher_label, second.publisher_type) == (
        "Quay Notes",
        "unlabelled",
        None,
    )
    assert second.undated and second.published is None
    assert display.notes(got)[-1] == "Newest source: 2024-05-02"


def test_an_undated_answer_says_undated_never_a_date() -> None:
    got = answer(
        "Who will lead the construction team for the bridge?",
        [
            passage(
                "a1", "Engineer Dana Whitfield will lead the construction team for the bridge.", None, None
            )
        ],
    )
    assert got.citations[0].undated and got.dating is not None and got.dating.newest is None
    assert display.notes(got) == ["Newest source: undated"]
    assert "20" not in display.notes(got)[0]  # no year of any kind, today's least of all


def test_syndicated_copies_of_one_sentence_count_once() -> None:
    sentence = "Engineer Dana Whitfield will lead the construction team for the bridge."
    got = answer(
        "Who will lead the construction team for the bridge?",
        [passage("a1", sentence, "The Harbour Herald"), passage("a2", sentence, "State Voice")],
    )
    claim = got.claims[0]
    assert claim.citations == (1, 2) and claim.corroboration == 1
    assert "[1][2] · 1 publisher" in display.body(got)


def test_same_owner_outlets_count_once_and_independent_ones_add_up() -> None:
    citations = {
        1: Citation(
            1,
            "a1",
            "t",
            "The Harbour Herald",
            None,
            None,
            None,
            "q",
            publisher_id="harbour-herald",
            publisher_type="newspaper",
        ),
        2: Citation(
            2,
            "a2",
            "t",
            "Evening Lamp",
            None,
            None,
            None,
            "q",
            publisher_id="evening-lamp",
            publisher_type="tabloid",
        ),
        3: Citation(
            3,
            "a3",
            "t",
            "Coast Wire",
            None,
            None,
            None,
            "q",
            publisher_id="coast-wire",
            publisher_type="wire service",
        ),
        4: Citation(4, "a4", "t", " quay notes", None, None, None, "q", publisher_type="unlabelled"),
        5: Citation(5, "a5", "t", "Quay Notes", None, None, None, "q", publisher_type="unlabelled"),
        6: Citation(6, "a6", "t", None, None, None, None, "q"),
    }
    owner = LABELS.owner

    def count(*numbers: int) -> int:
        return corroborate(Claim(0, 1, numbers, tuple((n,) for n in numbers)), citations, owner).corroboration

    assert count(1, 2) == 1  # one owner
    assert count(1, 2, 3) == 2
    assert count(4, 5) == 1  # one publisher, spelt two ways
    assert count(1, 6) == 2  # a source naming no publisher is a voice of its own
    copies = Claim(0, 1, (1, 3), ((1, 3),))  # one text quoted by both: one story
    assert corroborate(copies, citations, owner).corroboration == 1


def test_a_story_another_outlet_carries_counts_once_however_it_was_edited() -> None:
    def cite(n: int, publisher: str, author: str | None, published: str = "2024-05-02") -> Citation:
        return Citation(n, f"a{n}", "t", publisher, author, published, None, "q", publisher_type="unlabelled")

    citations = {
        1: cite(1, "Quay Notes", "Mara Holt"),
        2: cite(2, "Pier Daily", "Mara Holt, Quay Notes"),  # credits the outlet it carries
        3: cite(3, "Tide Review", "Mara Holt"),  # the same writer's byline on the same day
        4: cite(4, "Ferry Gazette", "Mara Holt", "2024-06-01"),  # the same writer, another story
        5: cite(5, "Harbour Weekly", "Ivo Brand and Lena Ross"),
    }

    def count(*numbers: int) -> int:
        claim = Claim(0, 1, numbers, tuple((n,) for n in numbers))
        return corroborate(claim, citations, LABELS.owner).corroboration

    assert count(1, 2) == 1 and count(1, 2, 3) == 1
    assert count(1, 4) == 2 and count(1, 5) == 2


def test_a_claim_backed_only_by_one_state_affiliated_outlet_is_shown_as_such() -> None:
    got = answer(
        "Who will lead the construction team for the bridge?",
        [
            passage(
                "a1", "Engineer Dana Whitfield will lead the construction team for the bridge.", "State Voice"
            )
        ],
    )
    assert got.claims[0].state_affiliated_only and got.claims[0].publishers == ("State Voice",)
    assert "· 1 publisher, state-affiliated media only" in display.shown(got)


@pytest.mark.parametrize(
    ("newer", "differs"),
    [
        (
            "Planners now expect the bridge to open in 2029, the harbour authority said.",
            "2031 [1] · 2029 [2]",
        ),
        ("The harbour authority said the bridge should open by the end of 2031.", None),
    ],
)
def test_sources_giving_other_dates_are_cited_and_equal_ones_are_not(newer: str, differs: str | None) -> None:
    got = answer(
        "When will the bridge open?",
        [
            passage(
                "a1",
                "The harbour authority said the bridge will open in 2031.",
                "The Harbour Herald",
                "2023-01-05",
                dense=0.7,
            ),
            passage("a2", newer, "Coast Wire", "2024-02-01", dense=0.6),
        ],
    )
    lines = display.notes(got)
    if differs is None:
        assert not got.differences and not any(line.startswith("Sources differ") for line in lines)
    else:
        assert lines[0] == f"Sources differ: {differs}"
        assert {c.n for c in got.citations} == {1, 2}


@pytest.mark.parametrize(
    ("other", "flagged"),
    [
        ("The harbour authority put the cost of the bridge at £55m.", True),
        ("The harbour authority put the cost of the bridge at £40m.", False),
        ("The harbour authority put the cost of the bridge at 40,000,000 pounds.", False),
    ],
)
def test_differing_amounts_are_flagged_and_equal_ones_in_other_words_are_not(
    other: str, flagged: bool
) -> None:
    got = answer(
        "How much will the bridge cost?",
        [
            passage(
                "a1",
                "The harbour authority said the bridge will cost 40 million pounds.",
                "The Harbour Herald",
                dense=0.7,
            ),
            passage("a2", other, "Coast Wire", dense=0.6),
        ],
    )
    assert bool(got.differences) is flagged


@pytest.mark.parametrize(
    ("other", "differs"),
    [
        (
            "The island council did not ban diesel ferries from the harbour, a spokesperson said.",
            "yes [1] · no [2]",
        ),
        ("The island council voted to ban diesel ferries from the harbour from next spring.", None),
        # a negation about something else says nothing against the answer
        ("The island council did not comment on the new ferry timetable.", None),
    ],
)
def test_sources_saying_yes_and_no_are_both_cited(other: str, differs: str | None) -> None:
    got = answer(
        "Did the island council ban diesel ferries from the harbour?",
        [
            passage(
                "a1",
                "The island council banned diesel ferries from the harbour in March.",
                "The Harbour Herald",
                dense=0.7,
            ),
            passage("a2", other, "Coast Wire", dense=0.6),
        ],
    )
    lines = display.notes(got)
    if differs is None:
        assert not got.differences
    else:
        assert lines[0] == f"Sources differ: {differs}"


def test_a_question_about_now_puts_the_newest_source_first_and_says_when() -> None:
    passages = [
        passage(
            "a1",
            "The ferry service still runs twice a day between the two ports.",
            "The Harbour Herald",
            "2019-03-01",
            dense=0.7,
        ),
        passage(
            "a2",
            "The ferry service runs once a day between the two ports since the spring.",
            "Coast Wire",
            "2024-06-01",
            dense=0.6,
        ),
    ]
    got = answer("Does the ferry service still run between the two ports?", passages)
    assert got.text.startswith("The ferry service runs once a day")
    assert got.dating is not None and got.dating.current
    assert "The evidence dates from 2019-03-01 to 2024-06-01" in display.shown(got)
    past = answer("How often did the ferry service run between the two ports?", passages)
    assert past.dating is not None and not past.dating.current
    assert not any("evidence dates" in line for line in display.notes(past))


def test_what_was_said_is_grouped_by_publisher_type_when_several_types_report_it() -> None:
    got = answer(
        "How did the fishermen react to the bridge?",
        [
            passage(
                "a1",
                "The fishermen said the bridge would “ruin the old shipping lane”, their union told us.",
                "The Harbour Herald",
                dense=0.7,
            ),
            passage(
                "a2",
                "The fishermen welcomed the bridge, saying it would “bring buyers closer”, officials said.",
                "State Voice",
                dense=0.65,
            ),
        ],
    )
    shown = display.shown(got)
    assert "Newspapers (Westmoor): The fishermen said" in shown
    assert "\nState-affiliated media (Eastland): The fishermen welcomed" in shown
    assert "Newspapers" not in got.text and "Eastland" not in got.text  # headings are not the answer
    assert display.answer_of(shown) == got.text  # a conversation read back from Discord


def test_evaluation_reads_the_answer_proper_not_what_is_shown_around_it() -> None:
    got = Answer(
        "When will the bridge open?",
        "The harbour authority said the bridge will open in 2031. [1]",
        False,
        (Citation(1, "a1", "t", "The Harbour Herald", None, "2023-01-05", None, "q"),),
        claims=(Claim(0, 61, (1,), ((1,),), corroboration=1),),
        differences=(Difference((("2031", (1,)), ("2029", (2,)))),),
        dating=Dating("2024-02-01", "2023-01-05"),
        headings=((0, "Newspapers (Westmoor)"),),
    )
    shown = display.shown(got)
    assert (
        shown.startswith("Newspapers (Westmoor): The harbour")
        and "2029 [2]" in shown
        and "2024-02-01" in shown
    )
    assert display.answer_of(shown) == got.text
    gold = [GoldQuestion("q1", "When will the bridge open?", "when", (1,), ("2029|2024|Westmoor",))]
    measures = evaluate(gold, lambda q: got, []).measures()
    assert measures["keyword accuracy"] == 0.0 and measures["answer-first"] == 0.0
    assert first_sentence(got.text) == "The harbour authority said the bridge will open in 2031. "


def test_a_chat_models_sentences_are_claims_each_source_on_its_own() -> None:
    text = "The bridge opens in 2031. [1][2] Fishermen object. [2]\n- Westmoor [3]"
    claims = claims_of(text)
    assert [text[c.start : c.end] for c in claims] == [
        "The bridge opens in 2031. [1][2]",
        "Fishermen object. [2]",
        "- Westmoor [3]",
    ]
    assert claims[0].copies == ((1,), (2,))


def test_a_list_shows_a_count_only_where_it_says_more_than_one_publisher() -> None:
    text = "Three ports closed. [1]\n- Westmoor: closed [1]\n- Eastland: closed [2]\n- Norland: closed [1][3]"
    claims = (
        Claim(0, 23, (1,), ((1,),), 1),
        Claim(24, 46, (1,), ((1,),), 1),
        Claim(47, 69, (2,), ((2,),), 1, ("State Voice",), True),
        Claim(70, 95, (1, 3), ((1,), (3,)), 2),
    )
    assert [text[c.start : c.end][-3:] for c in claims] == ["[1]", "[1]", "[2]", "[3]"]
    shown = display.body(Answer("q", text, False, claims=claims))
    assert shown.splitlines() == [
        "Three ports closed. [1] · 1 publisher",
        "- Westmoor: closed [1]",
        "- Eastland: closed [2] · 1 publisher, state-affiliated media only",
        "- Norland: closed [1][3] · 2 publishers",
    ]
