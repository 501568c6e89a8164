"""What questions ask for, on questions written here."""

from __future__ import annotations

import pytest

from language.questions import Asks, analyse, asked_act, excluding_earlier, states_relation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Who runs the Westmoor ferry company?", Asks.PERSON),
        ("Which harbour minister signed the contract?", Asks.PERSON),
        ("Which shipping firm won the island tender?", Asks.ORGANISATION),
        ("Which Chinese state news outlet carried the story?", Asks.ORGANISATION),
        ("When did the new pier open?", Asks.TIME),
        ("what year was the port authority founded?", Asks.TIME),
        ("from when do the new ferry rules apply?", Asks.TIME),
        ("Above what amount of computing power must ferry models be reported?", Asks.NUMBER),
        ("What amount of money did the council pay?", Asks.AMOUNT),
        ("Which boats did the port ban in May: why?", Asks.REASON),
        ("and what was the vote count when the council met?", Asks.NUMBER),
        ("How long will the repairs take?", Asks.DURATION),
        ("How much did the council pay for the ferry?", Asks.AMOUNT),
        ("How many passengers used the ferry in 2023?", Asks.NUMBER),
        ("Where did Westmoor rank in the survey?", Asks.NUMBER),
        ("Where is the ferry built?", Asks.PLACE),
        ("Why did the harbour board delay the vote?", Asks.REASON),
        ("What reason did the council give for the delay?", Asks.REASON),
        ("What did the mayor say about the delay?", Asks.STANCE),
        ("What did the union reckon the strike would cost?", Asks.AMOUNT),
        ("Did the mayor back the plan?", Asks.YES_NO),
        ("did the ferry company say anything about it?", Asks.STANCE),
        ("Has the port authority commented on the fees?", Asks.STANCE),
        ("Did the mayor say the fees would rise?", Asks.YES_NO),
        ("When the ferry sank, who was at the helm?", Asks.PERSON),
    ],
)
def test_what_the_question_asks_for(question: str, asks: Asks) -> None:
    assert analyse(question).asks[0] is asks


def test_two_part_questions_ask_two_things() -> None:
    qa = analyse("Who led the protest, and how many people joined it?")
    assert qa.asks == (Asks.PERSON, Asks.NUMBER)
    assert len(qa.parts) == 2


@pytest.mark.parametrize(
    ("question", "wants_list", "of"),
    [
        ("Which countries banned the ferry line?", True, Asks.PLACE),
        ("Which senators signed the letter?", True, Asks.PERSON),
        ("Name some of the apps the ministry blocked.", True, Asks.ORGANISATION),
        ("Which others did it name?", True, Asks.OTHER),
        ("Which agencies blocked apps?", True, Asks.ORGANISATION),
        ("Which rule took effect first, and on what dates?", False, None),
        ("What do ferry operators have to do with the old boats?", False, None),
        ("Which of the mayor's aides was also at the meeting?", False, None),
        ("Which company won the tender?", False, None),
    ],
)
def test_list_questions(question: str, wants_list: bool, of: Asks | None) -> None:
    qa = analyse(question)
    assert qa.wants_list is wants_list
    assert qa.list_of is of


def test_what_a_question_counts_names_and_relates() -> None:
    qa = analyse("How many island residents voted for the bridge in 2024?")
    assert qa.counted == "resid" and qa.years == {"2024"} and "voting" in qa.relations
    assert analyse("Who took over from Dara Quinn as mayor?").relations == {"succession"}
    assert analyse("Which judge stopped the sale?").role == "judg"
    # the verb ends the phrase: agencies are asked for, not apps
    assert analyse("Which agencies blocked apps?").role == "agenc"
    assert "naming" not in analyse("When did the so-called golden era begin?").relations


def test_given_expressions_are_not_answers() -> None:
    qa = analyse("When did Harbour Minister Ann Lee visit Port Ella in May 2021?")
    assert "lee" in qa.given and "may 2021" in qa.given


@pytest.mark.parametrize(
    ("question", "now"),
    [
        ("Is the harbour bridge still closed to lorries?", True),
        ("Does the ferry still run on Sundays?", True),
        ("What is the latest estimate for the bridge's cost?", True),
        ("Who currently chairs the harbour authority?", True),
        ("Has the council approved the tunnel yet?", True),
        ("Were the lorries still allowed on the bridge after the vote?", False),
        ("Who said that the plans could still change before the vote?", False),
        ("When did the harbour authority approve the bridge?", False),
        ("What did the fishermen say about the bridge?", False),
    ],
)
def test_questions_about_how_things_stand_now(question: str, now: bool) -> None:
    assert analyse(question).current is now


def test_found_that_is_not_a_founding() -> None:
    assert "founding" in analyse("In what year was the ferry company founded?").relations
    assert not states_relation("founding", "A survey of skippers found that most back the new pier.")
    assert states_relation("founding", "The ferry company, founded in 1962, runs four boats.")


def test_a_question_for_others_counts_what_the_conversation_named_as_given() -> None:
    earlier = ("Who asked Westmoor to close the port?", "Harbour Secretary Ann Lee asked in May. [1]")
    others = excluding_earlier(analyse("Who else asked?"), earlier)
    assert {"westmoor", "lee"} <= others.given
    # a question that does not ask for others is left as it is
    same = analyse("Who asked?")
    assert excluding_earlier(same, earlier) is same


def test_what_was_the_revenue_asks_for_an_amount_of_that_measure() -> None:
    read = analyse("What was the ferry line's total revenue last year?")
    assert read.asks[0] is Asks.AMOUNT and read.role == "revenu"
    # a noun of another kind heads the phrase: the companies are asked for, not the fines
    assert analyse("Which companies paid fines?").asks[0] is Asks.ORGANISATION


def test_which_ones_are_the_plural_noun_asked_about_before() -> None:
    read = analyse("Did the minister warn harbour companies? Which ones were named?")
    assert read.wants_list and read.list_of is Asks.ORGANISATION
    assert analyse("Which others did it name?").list_of is Asks.OTHER
    others = analyse("The mayor said the ferry firms were one of many targets. Which others did she name?")
    assert others.list_of is Asks.ORGANISATION


def test_a_clause_that_says_which_thing_is_meant_asks_no_relation() -> None:
    asked = analyse("Which MP chairs the harbour committee that called the ferry plan a bad deal?")
    assert "naming" not in asked.relations
    # ... unless the question asks who is the one it describes
    assert analyse("Who is the man who replaced Ann Lee?").relations == {"succession"}
    assert "leaving" in analyse("Who said that the ferry chief resigned?").relations


def test_a_question_that_sets_the_scene_first_asks_only_its_question() -> None:
    # the opening statement's "chosen" is what the asker believes, not the relation asked about
    scene = analyse("Some said the dates were chosen to buy time. What were they waiting for?")
    assert "selection" not in scene.relations
    assert "selection" in analyse("Who chose the dates for the vote?").relations
    # an abbreviation is no sentence end: the relation of a one-sentence question stays
    assert analyse("Who took over from Dara Quinn at Ferry U.S. Holdings?").relations == {"succession"}


def test_what_a_thing_is_called_asks_for_its_title() -> None:
    assert analyse("whats the report called?").asks[0] is Asks.TITLE
    assert analyse("What was the name of the bill?").asks[0] is Asks.TITLE
    # a person's name is a person
    assert analyse("What is the new harbour minister called?").asks[0] is Asks.PERSON
    assert analyse("Who called the meeting?").asks[0] is Asks.PERSON


def test_when_did_x_do_it_names_the_act() -> None:
    assert asked_act("When did Ann Lee sign the ferry bill?") == "sign"
    assert asked_act("When did the Harbour Board ban night ferries?") == "ban"
    assert asked_act("When was the ferry levy supposed to come into force?") == "effect"
    assert asked_act("When was the ferry bill signed?") == ""
    assert asked_act("How did Ann Lee sign it?") == ""


def test_a_relation_whose_actor_the_question_names_needs_that_actor() -> None:
    question = "How did the Westmoor court rule on the ferry appeal?"
    assert states_relation("ruling", "The Westmoor court ruled that the ferry could sail.", question)
    # a ministry's "rule" is no court's ruling
    assert not states_relation("ruling", "The ministry's decision on ferries came in May.", question)
    # without an actor in the question, the relation's words are enough
    assert states_relation("ruling", "The ministry's decision on ferries came in May.", "How was it decided?")


def test_the_words_of_the_questions_form_are_not_what_it_is_about() -> None:
    qa = analyse("How large can the fines get? What's the new levy called?")
    assert not {"larg", "what", "what'"} & qa.terms and {"fine", "levi"} <= qa.terms
    assert analyse("how much do those ferry passes cost?").terms == {"ferri", "pass"}


def test_a_closing_clause_that_dates_the_question_is_its_context() -> None:
    qa = analyse(
        "How much was the ferry firm spending on repairs in the year before the mayor closed the pier?"
    )
    assert {"repair", "spend"} <= qa.terms and not {"mayor", "close", "pier"} & qa.terms
    assert {"mayor", "pier"} <= qa.context


def test_the_name_of_a_person_or_body_asks_for_one_not_for_a_naming() -> None:
    qa = analyse("whats the name of the harbour lawyer who wrote the report?")
    assert qa.asks[0] is Asks.PERSON and "naming" not in qa.relations
    assert qa.text == "whats the name of the harbour lawyer who wrote the report?"
    # the name of a thing is still its title
    assert analyse("What is the name of the new ferry?").asks[0] is Asks.TITLE
