"""The extractive answerer on passages written for these tests (no model needed)."""

from __future__ import annotations

import json
import re

import pytest

from bot.answer.candidates import Candidate
from bot.answer.extractive import ExtractiveAnswerer, ExtractiveParams, not_told_again
from bot.answer.lists import list_items
from bot.answer.questions import clean_question
from bot.answer.scoring import kind_match
from bot.answer.support import KIND
from bot.answer.types import Question, Turn
from language.expressions import expressions
from language.questions import analyse
from language.terms import terms
from vectorstore.records import ChunkRecord
from vectorstore.retrieval import Passage

pytestmark = pytest.mark.unit

CITED_SENTENCE = re.compile(r"[^\[\]\n]+?(?:\s\[\d+\])+")


def chunk(article: str, text: str, title: str = "", published: str = "2024-05-02") -> ChunkRecord:
    meta: dict[str, str | int] = {
        "article_id": article,
        "chunk_index": 0,
        "title": title or f"Story {article}",
        "publisher": "Test Wire",
        "published": published,
        "origins": json.dumps([{"path": "notes.csv", "record": int(article[-1])}]),
    }
    return ChunkRecord(f"{article}:0", text, meta)


def passage(
    article: str, text: str, dense: float = 0.6, copies: tuple[ChunkRecord, ...] = (), **meta: str
) -> Passage:
    return Passage(chunk(article, text, **meta), 0.03, dense, copies)


def answerer(**params: int | float) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(lambda: 42, ExtractiveParams(**params))  # type: ignore[arg-type]


def ask(question: str, passages: list[Passage], **params: int | float) -> str:
    answer = answerer(**params).answer(Question(question), passages)
    assert not answer.abstained, answer.text
    return answer.text


def first_sentence(text: str) -> str:
    return text.split("[", 1)[0]


BRIDGE = [
    passage(
        "a1",
        "The harbour authority of Westmoor approved the new bridge in a vote on Monday. "
        "Engineer Dana Whitfield will lead the construction team for the bridge. "
        "The project is expected to cost 40 million pounds and open in 2031.",
        dense=0.7,
    ),
    passage(
        "a2",
        "Local fishermen opposed the bridge because its pillars would block the old shipping lane. "
        "They said the harbour authority ignored their concerns during the consultation.",
        dense=0.5,
    ),
    passage(
        "a3",
        "Neighbouring towns in Norway and Denmark watched the decision closely, as did planners in Canada.",
        dense=0.4,
    ),
]


def test_every_sentence_cites_and_the_answer_fits() -> None:
    answer = answerer(max_chars=300).answer(
        Question("What did the harbour authority decide about the bridge?"), BRIDGE
    )
    assert not answer.abstained and len(answer.text) <= 300
    pieces = [m.group().strip() for m in CITED_SENTENCE.finditer(answer.text)]
    assert pieces and "".join(pieces).replace(" ", "") == answer.text.replace(" ", "")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert cited == {c.n for c in answer.citations} == set(range(1, len(answer.citations) + 1))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who will lead the construction of the Westmoor bridge?", "Dana Whitfield"),
        ("How much is the new bridge expected to cost?", "40 million pounds"),
        ("When should the bridge open?", "2031"),
        ("Why did the fishermen oppose the bridge?", "shipping lane"),
    ],
)
def test_the_answer_comes_first(question: str, expected: str) -> None:
    assert expected in first_sentence(ask(question, BRIDGE))


def test_one_fact_questions_get_a_short_answer() -> None:
    text = ask("Who will lead the construction of the Westmoor bridge?", BRIDGE, fact_sentences=2)
    assert len(re.findall(r"\[\d+\]", text)) <= 2


def test_same_fact_in_two_articles_is_stated_once_citing_both() -> None:
    fact = "The ferry service between the two islands will stop running in March."
    passages = [
        passage("b1", f"{fact} Tickets are refunded."),
        passage("b2", f"Officials confirmed it. {fact}"),
    ]
    answer = answerer().answer(Question("When will the ferry service between the islands stop?"), passages)
    assert answer.text.count("ferry service between the two islands") == 1
    assert "[1][2]" in answer.text


def test_syndicated_copy_merged_at_retrieval_is_cited_too() -> None:
    text = "The island council banned cars from the old town centre in 2022."
    copy = chunk("c2", text)
    answer = answerer().answer(
        Question("When did the island council ban cars from the old town?"),
        [passage("c1", text, copies=(copy,))],
    )
    assert {c.article_id for c in answer.citations} == {"c1", "c2"}


@pytest.mark.parametrize(
    "question",
    [
        # a name no passage mentions
        "When did the bridge receive Royal Assent from the Crown?",
        # the relation asked about is stated nowhere
        "Who took over from Dana Whitfield as head of the construction team?",
        # no amount of what is asked
        "How much did the fishermen pay the harbour authority?",
        # no date for what is asked, only other facts about it
        "When did the fishermen first complain?",
    ],
)
def test_abstains_when_the_passages_do_not_say(question: str) -> None:
    answer = answerer().answer(Question(question), BRIDGE)
    assert answer.abstained and not answer.citations
    assert answer.text.startswith("I couldn't find that in the 42 articles I have.")
    assert "Story a1" in answer.text  # the closest articles are listed


def test_no_passages_is_an_abstention() -> None:
    answer = answerer().answer(Question("Who built the pier?"), [])
    assert answer.abstained and "42 articles" in answer.text


def test_a_list_question_gets_one_line_per_item_with_its_qualifier_and_citation() -> None:
    passages = [
        passage(
            "d1",
            "Norway banned the telescope maker's sensors outright in 2021, while Chile is considering a ban. "
            "The maker said it regretted the decisions.",
            dense=0.7,
        ),
        passage("d2", "Peru restricted the telescope maker's sensors at two observatories.", dense=0.55),
    ]
    text = ask("Which countries restricted the telescope maker's sensors?", passages)
    lines = text.splitlines()
    items = {line.split(":")[0].split(" [")[0].removeprefix("- "): line for line in lines[1:]}
    assert set(items) == {"Norway", "Chile", "Peru"}
    assert "banned" in items["Norway"] and "considering a ban" in items["Chile"]
    assert "restricted" in items["Peru"]
    assert all(re.search(r"\[\d+\]$", line) for line in lines)
    assert items["Peru"].endswith("[2]") and items["Norway"].endswith("[1]")


def test_captions_and_prompts_are_never_quoted() -> None:
    passages = [
        passage(
            "e1",
            "Harbour Minister Ann Lee arriving at the Westmoor ferry terminal with aides\n\n"
            "Read more: Ann Lee on the ferry deal\n\n"
            "Harbour Minister Ann Lee signed the ferry contract with Gull Lines on Friday.",
        )
    ]
    text = ask("What did Harbour Minister Ann Lee do at the ferry terminal?", passages)
    assert "arriving" not in text and "Read more" not in text
    assert "signed the ferry contract" in text


def test_a_sentence_that_points_back_is_quoted_with_the_one_before() -> None:
    passages = [
        passage(
            "f1",
            "The council found that the old pier could collapse in a storm. "
            "For that reason, the pier will close to the public from June.",
        )
    ]
    text = ask("Why will the pier close to the public?", passages)
    assert text.index("could collapse") < text.index("For that reason")


def test_a_date_without_its_year_is_given_the_articles_date() -> None:
    passages = [
        passage(
            "g1", "The island's first wind farm began producing power on June 29.", published="2023-07-02"
        )
    ]
    assert "(reported 2023-07-02)" in first_sentence(
        ask("When did the island's wind farm start producing power?", passages)
    )


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty"),
        ("   \t\n ", "empty"),
        ("🙂🙂🔥", "in words"),
        ("x" * 10_000, "too long"),
        ("\x00\x07\x1b", "empty"),
    ],
)
def test_bad_questions_get_a_short_reason(raw: str, problem: str) -> None:
    text, reason = clean_question(raw)
    assert text == "" and reason is not None and problem in reason and len(reason) < 120


def test_mentions_markdown_and_control_characters_are_removed() -> None:
    text, reason = clean_question("@everyone **Who** leads <@123> the `bridge`?\x07 <@&55>")
    assert reason is None
    assert text == "everyone Who leads the bridge ?"


def test_an_answer_other_articles_give_too_cites_them_with_their_own_sentences() -> None:
    passages = [
        passage(
            "h1", "The island's ferry company was founded in 1987 by two fishermen from Port Ella.", dense=0.7
        ),
        passage(
            "h2", "Founded in 1987, the ferry company now runs six boats between the islands.", dense=0.6
        ),
        passage("h3", "The ferry company's second boat arrived in 1994.", dense=0.5),
    ]
    answer = answerer().answer(Question("What year was the island's ferry company founded?"), passages)
    marks = re.match(r"^[^\[]*((?:\[\d+\])+)", answer.text)
    assert marks is not None and "1987" in first_sentence(answer.text)
    by_number = {c.n: c for c in answer.citations}
    first_cited = {by_number[int(n)].article_id for n in re.findall(r"\d+", marks.group(1))}
    assert first_cited == {"h1", "h2"}
    assert "now runs six boats" in next(c.quote for c in answer.citations if c.article_id == "h2")


def test_a_fact_reworded_in_the_same_article_is_stated_once() -> None:
    passages = [
        passage(
            "k1",
            "Gull Lines, founded by harbour councillor Ann Lee in 2013, has been lobbying ferry unions. "
            "Gull Lines, founded by Westmoor harbour councillor Ann Lee in 2013, has lobbied the unions.",
        )
    ]
    text = ask("Who founded Gull Lines, the ferry company lobbying the unions?", passages, fact_sentences=2)
    assert text.count("founded by") == 1


def test_the_sentence_before_one_that_points_back_is_not_quoted_twice() -> None:
    passages = [
        passage(
            "p1",
            "The ferry board ended the night crossing to Westmoor because too few passengers used it. "
            "However, the board kept one late crossing on Fridays for hospital staff.",
        )
    ]
    text = ask("Why did the ferry board end the night crossing to Westmoor?", passages)
    assert text.count("too few passengers") == 1 and "Fridays" in text


def _scored(text: str, score: float, article: str = "s1") -> Candidate:
    return Candidate(text, 0, 0, [chunk(article, text)], set(), [], frozenset(), score=score)


def test_a_follow_up_leads_with_what_the_previous_answer_did_not_say() -> None:
    told = "The ferry board ended the night crossing. [1] It kept one crossing on Fridays. [1]"
    ranked = [
        _scored("The ferry board ended the night crossing.", 0.0),
        _scored("Captain Ines Moreau said the crew would move to day shifts.", -1.5),
        _scored("It kept one crossing on Fridays.", -1.8),
        _scored("The harbour cafe closes at six.", -4.0),
    ]
    order = [c.text for c in not_told_again(ranked, told, margin=2.0)]
    assert order[0].startswith("Captain Ines Moreau")
    assert order[1:3] == [ranked[0].text, ranked[2].text] and order[3] == ranked[3].text
    # nothing new close enough to the best: the ranking stands ("who said that?" may need it again)
    assert [c.text for c in not_told_again(ranked, told, margin=1.0)] == [c.text for c in ranked]


def test_a_follow_up_looks_first_in_the_articles_the_previous_answer_quoted() -> None:
    told = "The ferry board ended the night crossing. [1]"
    ranked = [
        _scored("The ferry board ended the night crossing.", 0.0, "s1"),
        _scored("A rival line will end its crossing by 2031.", -1.0, "s2"),
        _scored("The board wants the last boat gone by 2027.", -1.6, "s1"),
        _scored("The harbour cafe closes at six.", -4.0, "s3"),
    ]
    order = [c.text for c in not_told_again(ranked, told, margin=2.0, from_quoted=True)]
    assert order == [ranked[2].text, ranked[1].text, ranked[0].text, ranked[3].text]
    # a follow-up with words of its own is decided by them, wherever they are
    order = [c.text for c in not_told_again(ranked, told, margin=2.0)]
    assert order == [ranked[1].text, ranked[2].text, ranked[0].text, ranked[3].text]


def test_only_a_bare_follow_up_prefers_the_articles_just_quoted() -> None:
    passages = [
        passage(
            "f1",
            "The harbour board plans to shut the night ferry. The board wants it gone by 2031.",
            dense=0.6,
        ),
        passage("f2", "The harbour board said the night ferry pilots plan a strike in 2029.", dense=0.7),
    ]
    told = Turn(
        "What does the harbour board plan for the night ferry?",
        "The harbour board plans to shut the night ferry. [1]",
    )
    bare = answerer().answer(
        Question("By what year?", history=(told,), context="harbour board plans night ferry"), passages
    )
    assert "2031" in first_sentence(bare.text)


def test_what_year_is_answered_by_a_date_that_says_its_year() -> None:
    passages = [
        passage(
            "y1",
            "The council has run the harbour testing lab for ferry engines, "
            "and inspectors last checked it in May.",
            dense=0.7,
        ),
        passage("y2", "Built in 2010, the lab tests ferry engines for the harbour.", dense=0.5),
    ]
    text = ask("Since what year has the council run the harbour testing lab for ferry engines?", passages)
    assert "2010" in first_sentence(text)


def test_how_many_is_answered_by_a_count_not_a_price() -> None:
    passages = [
        passage(
            "p1",
            "The island bakery began selling its new harbour loaf for 4 pounds on Monday, "
            "and the loaf sold out by noon in its first week.",
            dense=0.7,
        ),
        passage("p2", "In its first week the bakery sold 1,300 harbour loaves, its owner said.", dense=0.5),
    ]
    text = ask("How many harbour loaves did the island bakery sell in the first week?", passages)
    assert "1,300" in first_sentence(text)
    # a bare figure after a word for money is a sum too
    passages[0] = passage(
        "p1", "In its first week the island bakery posted revenue of 5,200 from harbour loaves.", dense=0.7
    )
    text = ask("How many harbour loaves did the island bakery sell in the first week?", passages)
    assert "1,300" in first_sentence(text)
    # and a share of a whole is no count: without the count, no answer
    passages[0] = passage(
        "p1",
        "Loaf sales at the island bakery rose 18 percent in the first week, half of them online.",
        dense=0.7,
    )
    text = ask("How many harbour loaves did the island bakery sell in the first week?", passages)
    assert "1,300" in first_sentence(text)
    answer = answerer().answer(
        Question("How many harbour loaves did the island bakery sell in the first week?"), passages[:1]
    )
    assert answer.abstained, answer.text


def test_which_town_is_not_answered_by_a_country() -> None:
    passages = [
        passage(
            "t1",
            "The ferry engine lab opened in Norway and Denmark under the harbour board's watch.",
            dense=0.7,
        ),
        passage(
            "t2",
            "The lab sits in Skelby Bay, a small town on the harbour road, for ferry engines.",
            dense=0.5,
        ),
    ]
    assert "Skelby Bay" in first_sentence(ask("Which town is the ferry engine lab in?", passages))
    only_countries = answerer().answer(Question("Which town is the ferry engine lab in?"), passages[:1])
    assert only_countries.abstained


def test_the_word_year_in_what_year_is_not_what_the_answer_is_about() -> None:
    passages = [
        passage("w1", "Every year the harbour board meets in the hall.", dense=0.6),
        passage("w2", "The harbour board meets in the hall.", dense=0.6),
    ]
    qa = analyse("By what year must the harbour board meet in the hall?")
    by_text = {c.text: c.features["words"] for c in answerer().rank(qa, passages)}
    assert by_text["Every year the harbour board meets in the hall."] == pytest.approx(
        by_text["The harbour board meets in the hall."]
    )


def test_a_word_every_sentence_holds_does_not_tie_an_amount_to_the_question() -> None:
    passages = [
        passage("h1", "Dana Whitfield advised the harbour board on the new bridge last year.", dense=0.7),
        passage("h2", "The harbour board said its new cranes cost 2 million pounds.", dense=0.6),
        passage("h3", "The harbour board meets on Mondays in the old customs hall.", dense=0.5),
        passage(
            "h5", "The harbour board runs the ferry port. The harbour board owns the slipway.", dense=0.5
        ),
        passage(
            "h6", "The harbour board hired divers in spring. The harbour board repaired the pier.", dense=0.5
        ),
        passage(
            "h7", "The harbour board set new fees for yachts. The harbour board opened a cafe.", dense=0.5
        ),
    ]
    answer = answerer().answer(Question("How much did the harbour board pay Dana Whitfield?"), passages)
    assert answer.abstained, answer.text
    # the same amount, stated of what was asked, answers it
    paid = passage("h4", "The harbour board paid Dana Whitfield 90,000 pounds for her advice.", dense=0.6)
    assert "90,000" in ask("How much did the harbour board pay Dana Whitfield?", [*passages, paid])


def test_a_paraphrased_relation_is_matched() -> None:
    passages = [
        passage("e1", "The harbour levy was announced on 4 March 2024 by the island council.", dense=0.7),
        passage("e2", "The harbour levy took effect on 1 June 2024, the council said.", dense=0.5),
    ]
    assert "1 June 2024" in first_sentence(ask("When did the harbour levy come into force?", passages))


def test_which_other_countries_lists_those_the_conversation_has_not_named() -> None:
    passages = [
        passage(
            "g1",
            "Norway banned the telescope maker's sensors outright in March. "
            "Norway's ministers said the sensors leaked data.",
            dense=0.7,
        ),
        passage(
            "g2",
            "Norway has joined Chile, Peru and Ghana in banning the telescope maker's sensors.",
            dense=0.6,
        ),
    ]
    told = Turn(
        "When did Norway ban the telescope maker's sensors?",
        "Norway banned the telescope maker's sensors outright in March. [1]",
    )
    answer = answerer().answer(
        Question(
            "Which other countries had done the same?",
            history=(told,),
            context="norway ban telescope maker sensors",
        ),
        passages,
    )
    items = [line.removeprefix("- ").split(" [")[0].split(":")[0] for line in answer.text.splitlines()[1:]]
    assert {"Chile", "Peru", "Ghana"} <= set(items)
    assert "Norway" not in items


def test_list_items_come_from_every_sentence_within_the_margin_in_any_order() -> None:
    def listed(text: str, score: float) -> Candidate:
        cand = _scored(text, score)
        cand.expressions = expressions(text)
        return cand

    # a follow-up's ranking puts sentences told already behind new ones, whatever their score
    ranked = [
        listed("Chile and Peru banned the sensors in May.", 5.0),
        listed("Norway banned the sensors first.", 1.0),  # told already, far below the best
        listed("Ghana and Togo banned the sensors in June.", 4.0),
    ]
    qa = analyse("Which countries banned the sensors?")
    names = {item.name for item in list_items(qa, ranked, limit=10, margin=2.0)}
    assert names == {"Chile", "Peru", "Ghana", "Togo"}


def test_list_items_are_what_the_sentence_says_did_it_not_every_name_in_it() -> None:
    def items(sentence: str, question: str = "Which countries banned the sensors?") -> dict[str, str]:
        cand = _scored(sentence, 1.0)
        cand.expressions = expressions(sentence)
        return {
            item.name: item.qualifier for item in list_items(analyse(question), [cand], limit=10, margin=2.0)
        }

    # a qualifier ends before the next verb: what follows is said of the ban, not the country
    assert items("Peru's decision to ban the sensors has led it into a long dispute.") == {
        "Peru": "ban the sensors"
    }
    # one list shares what the sentence says of it
    got = items("Today Chile, Peru, New Zealand and Ghana maintain blanket bans on the sensors.")
    assert set(got) == {"Chile", "Peru", "New Zealand", "Ghana"}
    assert all(q.startswith("blanket bans") for q in got.values())
    # the ban is Peru's, not Chile's; a nationality describing a company is no country
    assert set(items("Chile watched Peru's ban on the Danish company's sensors.")) == {"Peru"}
    assert set(items("Peru bans Chile's Lumo from its observatories.", "Which countries banned Lumo?")) == {
        "Peru"
    }
    assert set(items("The Danish government banned the sensors.")) == {"Denmark"}
    # a country in another clause, doing something else, is not an item
    assert set(items("Peru's ban on the sensors, which left Chile short of parts, began in May.")) == {"Peru"}
    # a short aside after each item does not break the list; the count asked for is no relation
    senators = "Which two senators proposed the Harbour Act?"
    assert set(items("Ann Lee, R-Wash., and Tom Reed, D-Ore., proposed the Harbour Act.", senators)) == {
        "Ann Lee",
        "Tom Reed",
    }
    assert not items("Ann Lee praised the two senators for the Harbour Act.", senators)


def test_a_list_of_companies_or_apps_names_no_ministry_or_law() -> None:
    def listed(text: str) -> Candidate:
        cand = _scored(text, 5.0)
        cand.expressions = expressions(text)
        return cand

    ranked = [
        listed("The Ministry of Shipping blocked Ferrygo, Tidely and Portly under the Harbour Act."),
        listed("The Westmoor Safety Centre blocked the apps after the Ministry sent its order."),
    ]
    names = {
        item.name for item in list_items(analyse("Which apps were blocked?"), ranked, limit=10, margin=2.0)
    }
    assert names == {"Ferrygo", "Tidely", "Portly"}
    # asked for bodies, the bodies are the items
    bodies = {
        i.name for i in list_items(analyse("Which agencies blocked apps?"), ranked, limit=10, margin=2.0)
    }
    assert "Westmoor Safety Centre" in bodies


def test_a_name_taken_for_a_person_in_a_list_of_companies_is_one_of_them() -> None:
    text = "Officials discussed sanctions on firms such as Gullco, Tidely Ltd and Marsh Harbour Rover."
    cand = _scored(text, 5.0)
    cand.expressions = expressions(text)
    names = {i.name for i in list_items(analyse("Which companies were named?"), [cand], limit=10, margin=2.0)}
    assert {"Gullco", "Tidely Ltd", "Marsh Harbour Rover"} <= names


def test_list_items_come_from_passages_about_what_the_question_names() -> None:
    def listed(text: str, score: float, article: str) -> Candidate:
        cand = _scored(text, score, article)
        cand.expressions = expressions(text)
        return cand

    ranked = [
        listed("Ann Lee and Tom Reed proposed the Harbour Act in May.", 5.0, "s1"),
        # near the best, but about another act
        listed("Senators Kim Ode, Joe Park and Lou Tan proposed the Ferry Act.", 4.0, "s2"),
    ]
    qa = analyse("Which senators proposed the Harbour Act?")
    assert {item.name for item in list_items(qa, ranked, limit=10, margin=2.0)} == {"Ann Lee", "Tom Reed"}


def test_a_sum_of_another_measure_or_part_of_the_year_does_not_answer_for_the_year() -> None:
    passages = [
        passage(
            "h1",
            "The ferry line's half-year report was published in August. "
            "The ferry line's revenue was 40 million pounds, up 8 per cent.",
            dense=0.7,
        ),
        passage("h2", "Repairs to the ferry line's pier cost 3 million pounds in 2023.", dense=0.6),
    ]
    question = "What was the ferry line's total revenue for the full year 2023?"
    assert answerer().answer(Question(question), passages).abstained
    # the same figures answer a question about the half-year
    text = ask("What was the ferry line's revenue in the half-year report?", passages)
    assert "40 million" in first_sentence(text)


def _fit(question: str, sentence: str) -> float:
    """How well the sentence holds what the question asks (scoring.kind_match)."""
    qa = analyse(question)
    cand = _scored(sentence, 0.0)
    cand.expressions, cand.terms = expressions(sentence), set(terms(sentence))
    return kind_match(qa.asks[0], cand, qa)[0]


def test_a_sum_that_does_not_name_the_measure_asked_fits_it_less() -> None:
    def fit(sentence: str) -> float:
        return _fit("What was the ferry line's revenue?", sentence)

    assert fit("The ferry line's revenue was 40 million pounds.") == 1.0
    assert fit("The ferry line's new pier cost 12 million pounds.") < KIND


def test_how_many_did_is_not_answered_by_a_guess() -> None:
    passages = [
        passage(
            "k1",
            "Before the vote, a councillor predicted that as many as 12 members could oppose the plan. "
            "If 12 members would vote against it, the plan would fall.",
            dense=0.7,
        ),
    ]
    assert (
        answerer()
        .answer(Question("How many members actually voted against the pier plan?"), passages)
        .abstained
    )
    passages.append(passage("k2", "In the end 9 members voted against the pier plan on Tuesday.", dense=0.6))
    text = ask("How many members actually voted against the pier plan?", passages)
    assert "9 members" in first_sentence(text)


def test_a_follow_up_that_names_something_is_answered_about_it() -> None:
    passages = [
        passage(
            "m1",
            "Westmoor's ferry operators must remove the old radar sets by 2027, the harbour board said. "
            "The board said the sets had failed twice.",
            dense=0.8,
        ),
        passage("m2", "Avel's harbour board is still weighing its own rules for the radar sets.", dense=0.5),
    ]
    told = Turn(
        "When must Westmoor's ferry operators remove the radar sets?",
        "Westmoor's ferry operators must remove the old radar sets by 2027, the harbour board said. [1]",
    )
    question = Question(
        "And what about Avel?",
        history=(told,),
        context="westmoor ferry operators remove radar sets 2027 harbour board",
        typed="and what about avel?",
    )
    text = answerer().answer(question, passages).text
    assert first_sentence(text).startswith("Avel's harbour board")
    assert "failed twice" not in text


def test_what_a_thing_is_called_is_answered_by_a_name_or_not_at_all() -> None:
    untitled = [passage("t1", "Journalist Ann Lee wrote a book about the ferry ban, published in May.")]
    assert (
        answerer().answer(Question("What is Ann Lee's book about the ferry ban called?"), untitled).abstained
    )
    titled = [
        *untitled,
        passage("t2", "Ann Lee's book about the ferry ban is called Low Tide Rising.", dense=0.5),
    ]
    text = ask("What is Ann Lee's book about the ferry ban called?", titled)
    assert "Low Tide Rising" in first_sentence(text)


def test_paid_by_one_body_is_not_answered_by_a_payment_from_another() -> None:
    passages = [
        passage(
            "q1",
            "The Harbour Board hired the ferry club to lobby for the pier. "
            "The ferry club was paid 2 million pounds for its lobbying by the council.",
        )
    ]
    question = "How much was the ferry club paid by the Harbour Board for its lobbying?"
    assert answerer().answer(Question(question), passages).abstained
    passages.append(passage("q2", "The ferry club was paid 40,000 pounds by the Harbour Board for lobbying."))
    assert "40,000" in first_sentence(ask(question, passages))


def test_an_outlet_is_the_source_a_sentence_cites() -> None:
    passages = [
        passage(
            "r1",
            '"The pier will reopen in spring," Mayor Ann Lee said on Monday, according to Tidenet. '
            "The pier closed after a storm.",
        )
    ]
    text = ask("Which news outlet did the pier article rely on for the mayor's comments?", passages)
    assert "Tidenet" in first_sentence(text)


def test_a_country_before_a_title_says_whose_official_not_where() -> None:
    passages = [
        passage(
            "w1", "UK Prime Minister Ann Lee said the harbour minister would travel for the talks.", dense=0.8
        ),
        passage("w2", "The talks were held in Peru in May.", dense=0.4),
    ]
    text = ask("Where did the harbour minister travel for the talks?", passages)
    assert "Peru" in first_sentence(text)


def test_a_role_named_another_way_is_the_role_asked() -> None:
    passages = [
        passage("v1", "Tom Reed, a harbour official, praised the ferry ban.", dense=0.6),
        passage("v2", "Ambassador Ann Lee also praised the ferry ban.", dense=0.6),
    ]
    text = ask("Which diplomat praised the ferry ban?", passages)
    assert "Ann Lee" in first_sentence(text)


def test_who_said_that_attributes_the_claim_just_told() -> None:
    passages = [
        passage(
            "x1",
            "Harbour chief Ann Lee told reporters on Monday what lies ahead. "
            "The ferry fees will double by May, and the night ferry will stop. "
            "Tom Reed, a councillor, said the fees were fair.",
            dense=0.7,
        ),
        passage("x2", '"The fees will ruin us," said Dev Shah, who runs the island bakery.', dense=0.6),
    ]
    told = Turn(
        "What will happen to the ferry fees?",
        "The ferry fees will double by May, and the night ferry will stop. [1]",
    )
    question = Question(
        "Who said that?", history=(told,), context="ferry fees double may", typed="Who said that?"
    )
    text = answerer().answer(question, passages).text
    assert "Ann Lee told reporters" in first_sentence(text)  # the sentence naming who speaks
    assert "fees will double" in text and "Dev Shah" not in text


def test_when_did_x_do_it_is_answered_by_the_date_of_that_act() -> None:
    def fit(sentence: str) -> float:
        return _fit("When did Ann Lee sign the ferry bill?", sentence)

    assert fit("The ferry bill was signed by Ann Lee on 9 March 2024.") == 1.0
    assert fit("On 4 February 2024 Ann Lee presented the ferry bill to the council.") < 1.0


LAB = [
    passage(
        "b1",
        "In 2021 the Corvel company pledged 12 million euros to build a research lab in Westmoor. "
        "Corvel said the Westmoor lab would employ 200 researchers. "
        "The Westmoor lab was meant to open in 2024, Corvel said. "
        "Corvel has other labs in Ostrava and Tampere.",
        dense=0.7,
    ),
    passage(
        "b2",
        "After the ban, mayor Ilse Baran said the pledged money would be spent on the harbour instead. "
        "Corvel's shares fell after the ban.",
        dense=0.5,
    ),
]


def test_each_part_of_a_two_part_question_is_answered() -> None:
    question = (
        "How much did Corvel pledge for the Westmoor lab, "
        "and who said the money would go elsewhere after the ban?"
    )
    text = ask(question, LAB)
    assert "12 million euros" in first_sentence(text)
    assert "Ilse Baran" in text


def test_a_because_about_something_else_does_not_outrank_the_reason_asked_for() -> None:
    # "because" is weak evidence of the reason asked: the sentence about what the question
    # asks leads, though it gives its reason without the word
    passages = [
        passage(
            "c1",
            "Ferry council members said the vote drew crowds because the night route is popular.",
            dense=0.7,
        ),
        passage(
            "c2",
            "The ferry council delayed its vote on the night route until the safety inspectors report.",
            dense=0.6,
        ),
    ]
    assert "safety inspectors" in first_sentence(ask("Why did the ferry council delay the vote?", passages))


def test_a_speaker_who_only_reports_what_is_asked_is_not_its_answer() -> None:
    question = "Who is in charge of the ferry company's new subsidiary?"
    # Ann Lee says who is in charge; she is not said to be
    assert (
        _fit(question, "Ann Lee told reporters that investors would be in charge of the subsidiary.") < KIND
    )
    assert _fit(question, "Ann Lee is in charge of the ferry company's new subsidiary.") >= KIND
    # a speaker whose act the question names answers it ("who criticised the ban")
    assert (
        _fit("Who criticised the ferry ban?", "After the ferry ban, Ann Lee told reporters it was a mistake.")
        >= KIND
    )


def test_a_sentence_that_introduces_a_list_answers_with_its_points() -> None:
    passages = [
        passage(
            "p1",
            "The harbour board published the new ferry rules on Monday.\n\n"
            "The rules cover the following four kinds of vessel:\n\n"
            "- Night ferries\n\n- Cargo barges (2 classes)\n\n- Water taxis\n\n- Tour boats\n\n"
            "The board will review the rules in 2026.",
            dense=0.7,
        ),
        passage(
            "p2", "Ferry crews said the rules on kinds of vessel came too late for the summer.", dense=0.6
        ),
    ]
    text = ask("What kinds of vessel do the harbour board's new ferry rules cover?", passages)
    lines = text.splitlines()
    assert lines[0].startswith("The rules cover the following four kinds of vessel:")
    assert [line.split(" [")[0] for line in lines[1:]] == [
        "- Night ferries",
        "- Cargo barges (2 classes)",
        "- Water taxis",
        "- Tour boats",
    ]


@pytest.mark.parametrize("overlap", ["", "intro", "point"])
def test_a_list_cut_by_the_end_of_its_chunk_goes_on_in_the_next(overlap: str) -> None:
    intro = "The rules cover the following four kinds of vessel:"
    first = f"The harbour board published the new ferry rules on Monday.\n\n{intro}\n\n- Night ferries"
    repeated = {"": "", "intro": f"{intro}\n\n- Night ferries\n\n", "point": "- Night ferries\n\n"}[overlap]
    rest = f"{repeated}- Cargo barges (2 classes)\n\n- Water taxis\n\n- Tour boats\n\nThe board meets in May."
    cut = Passage(ChunkRecord("p1:0", first, {**chunk("p1", "").metadata, "chunk_index": 0}), 0.03, 0.7)
    following = Passage(ChunkRecord("p1:1", rest, {**chunk("p1", "").metadata, "chunk_index": 1}), 0.0)
    question = "What kinds of vessel do the harbour board's new ferry rules cover?"
    points = ["- Night ferries", "- Cargo barges (2 classes)", "- Water taxis", "- Tour boats"]

    lines = ask(question, [cut, following]).splitlines()
    assert lines[0].startswith(intro)
    assert [line.split(" [")[0] for line in lines[1:]] == points
    # without the next chunk, the list has one point, and is no list
    assert "- Cargo barges" not in ask(question, [cut])


def test_a_sentence_giving_the_reason_in_so_many_words_states_one() -> None:
    question = "Why did the council close the pier?"
    assert _fit(question, "The official reason was that the pier was unsafe.") > 0
    assert _fit(question, "The council closed the pier on Monday.") == 0


def test_a_name_in_the_articles_title_is_no_missing_name() -> None:
    passages = [
        passage(
            "t1",
            "The Rt Hon Ann Lee MP, Chair of the Committee, said the ferry rules were overdue.",
            title="Harbour Committee report on ferry safety",
        )
    ]
    text = ask("Which MP chairs the Harbour Committee that wrote the ferry safety report?", passages)
    assert "Ann Lee" in first_sentence(text)


def test_how_large_can_the_fines_get_is_about_the_fines() -> None:
    # "large" and "get" are the question's form: a sentence holding them is no more about it
    passages = [
        passage("f1", "Operators that break the rules could face penalties of up to £18 million.", dense=0.6),
        passage("f2", "The large new ferry will get a second deck, the harbour board said.", dense=0.7),
    ]
    assert "£18 million" in first_sentence(ask("How large can the fines get?", passages))


def test_a_list_question_takes_a_list_of_points_naming_its_items_from_further_down() -> None:
    passages = [
        passage(
            "b1",
            "The Harbour Authority of Westmoor, acting with four other bodies, issued the Ferry Safety "
            "Rules for the Management of Night Crossings on Monday. The other issuing bodies are:\n\n"
            "- the Ministry of Shipping;\n\n- the Ministry of Fisheries;\n\n- the Coast Guard Agency;\n\n"
            "- the Port Police Service.",
            dense=0.7,
        ),
    ]
    text = ask("Besides the Harbour Authority, which bodies issued the ferry safety rules?", passages)
    assert text.startswith("The other issuing bodies are:")
    assert "- the Ministry of Fisheries" in text and "- the Port Police Service" in text


def test_a_questions_focus_is_its_specific_words_not_its_years_or_light_verbs() -> None:
    from bot.answer.support import focus_terms

    qa = analyse("Which harbour chief welcomed the 2021 pier rules and in 2022 wanted them looked into?")
    texts = ("The harbour chief Ann Lee welcomed the pier rules.", "In 2022 many want to look at the sea.")
    ranked = [_scored(text, 1.0) for text in texts]
    for cand in ranked:
        cand.terms = set(terms(cand.text))
    assert not {"2022", "want", "look"} & focus_terms(qa, ranked)


def test_a_sentence_that_only_leads_into_a_quote_names_no_answer() -> None:
    passages = [
        passage(
            "p1",
            "The harbour board of Westmoor will partner with the ferry museum on its new archive.\n\n"
            "Mara Quill, chair of the harbour board of Westmoor, said:\n\n"
            "“Working together keeps the island's records in one place for everyone.”",
            dense=0.8,
        ),
        passage(
            "p2",
            "Archivist Tomas Brand will run the joint archive for the harbour board from May.",
            dense=0.5,
        ),
    ]
    text = ask("Who will run the harbour board's new archive?", passages)
    assert "Tomas Brand" in first_sentence(text)
