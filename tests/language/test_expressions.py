"""What sentences state: people, organisations, places, dates, amounts (sentences written here)."""

from __future__ import annotations

import pytest

from language.expressions import Kind, countries, expressions, is_money, is_share, lower_case_words, resolve

pytestmark = pytest.mark.unit


def found(sentence: str, common: frozenset[str] = frozenset()) -> set[tuple[str, str]]:
    return {(e.kind.value, e.text) for e in expressions(sentence, common)}


def test_titles_mark_people_and_head_nouns_mark_organisations() -> None:
    got = found(
        "Harbour Secretary Ann Lee told the Westmoor Port Authority that spokesman Li Wei would attend."
    )
    assert ("person", "Ann Lee") in got and ("person", "Li Wei") in got
    assert ("organisation", "Westmoor Port Authority") in got


def test_a_name_after_a_title_of_place_is_the_person() -> None:
    got = found("The Mayor of Westmoor Dara Quinn opened the pier.")
    assert any(kind == "person" and text.endswith("Dara Quinn") for kind, text in got)


def test_a_person_followed_by_of_the_bank_is_not_joined_to_it() -> None:
    got = found("The board met Chief Executive Officer Ann Lee of the Bank of Westmoor at noon.")
    assert ("person", "Ann Lee") in got and ("organisation", "Bank of Westmoor") in got


def test_acronyms_are_organisations_and_laws_are_not_people() -> None:
    got = found("The NFTA said the Coastal Safety Act would pass, and Project Gull would wait.")
    assert ("organisation", "NFTA") in got
    assert ("name", "Coastal Safety Act") in got and ("name", "Project Gull") in got


def test_times_and_amounts() -> None:
    got = found(
        "On 14 July 2020 the council agreed to spend £2.5bn, or 40% of its budget, over three to five "
        "years from 2021, and 1,200 jobs were created last week."
    )
    assert ("date", "14 July 2020") in got
    assert ("amount", "£2.5bn") in got and ("amount", "40%") in got
    assert ("duration", "three to five years") in got
    assert ("year", "2021") in got
    assert ("number", "1,200") in got
    assert ("relative date", "last week") in got


def test_weekdays_and_sentence_openers_are_not_names() -> None:
    common = lower_case_words(["the officials were there"])
    for sentence in (
        "Speaking on Tuesday, the mayor said the pier was safe.",
        "Officials said the pier was safe.",
    ):
        got = found(sentence, common)
        assert not any(kind in ("person", "name", "organisation") for kind, _ in got), got


def test_countries_by_name_alias_and_demonym() -> None:
    text = "British and French envoys met U.S. officials in the Czech Republic, not in Britain; tell us."
    names = countries(text)
    assert set(names) == {"United Kingdom", "France", "United States", "Czechia"}


def test_a_dotted_abbreviation_ending_a_sentence_is_still_a_country() -> None:
    got = found("The envoys flew home to the U.K. The ferry left the U.S. at noon.")
    assert ("place", "U.K") in got and ("place", "U.S") in got


def test_lower_case_us_is_not_a_country() -> None:
    assert "United States" not in countries("They told us the ferry was late.")


def test_a_surname_alone_is_the_person_named_in_full_elsewhere() -> None:
    first = expressions("Harbour Minister Dara Quinn opened the pier.")
    second = expressions("Later Quinn left for the mainland.")
    resolved = resolve([first, second])
    assert any(e.kind is Kind.PERSON and e.text == "Quinn" for e in resolved[1])


def test_a_number_inside_a_name_is_not_a_count() -> None:
    sentence = "The ferry firm launched its Tern 40 Max at the show, and 40 crews signed up."
    numbers = [e.start for e in expressions(sentence) if e.kind is Kind.NUMBER]
    assert numbers == [sentence.rindex("40")]  # the crews, not the model's 40
    assert is_money("6,999 yuan") and is_money("£2.5bn") and not is_money("40%") and not is_money("1,200")
    assert is_share("40%") and is_share("13.1 per cent") and is_share("half") and not is_share("1,200")


def test_a_countrys_possessive_opens_a_place_and_a_name_not_a_person() -> None:
    got = found("Norway's Skyline said the ferry fares would rise.")
    assert ("place", "Norway") in got and ("name", "Skyline") in got
    assert not any(kind == "person" for kind, _ in got)
    # a possessor that is no country stays part of the name
    assert ("organisation", "People's Ferry Board") in found("The People's Ferry Board met on Monday.")


def test_declarations_dynasties_and_treaties_are_things_not_people() -> None:
    for sentence, name in (
        ("The Harbour Declaration was signed by both towns.", "Harbour Declaration"),
        ("Under the Westmoor Dynasty the port grew.", "Westmoor Dynasty"),
        ("The Ferry Charter set the fares.", "Ferry Charter"),
    ):
        assert ("name", name) in found(sentence)


def test_irish_scottish_and_double_barrelled_surnames_are_people() -> None:
    got = found("The panel heard Rory O’Neill, Iona MacKay, Dev McGrath and Priya Shah-Lowe.")
    assert {("person", "Rory O’Neill"), ("person", "Iona MacKay"), ("person", "Dev McGrath")} <= got
    assert ("person", "Priya Shah-Lowe") in got


def test_plural_titles_are_roles_not_people() -> None:
    got = found("The envoy met Prime Ministers and Foreign Secretaries before Senior Minister Ann Lee.")
    assert not any(text in ("Prime Ministers", "Foreign Secretaries") for _, text in got)
    assert ("person", "Ann Lee") in got


def test_describing_words_and_roles_by_nationality_are_not_names() -> None:
    got = found(
        "Ann Lee, Danish Ambassador to Peru, praised a Lima-based firm, Peru-Chile ties and BN(O) holders."
    )
    texts = {text for _, text in got}
    assert "Ann Lee" in texts and "Peru" in texts
    assert not {"Danish Ambassador", "Lima-based", "Peru-Chile", "O"} & texts


def test_a_name_ending_in_a_nationality_is_no_person_unless_it_speaks() -> None:
    # "the Westmoor Danish row": a place made an adjective, then a nationality
    assert ("person", "Westmoor Danish") not in found(
        "The Westmoor Danish trade row may grow, experts warned."
    )
    assert ("person", "Ann Lee") in found("The Westmoor Danish trade row grew, Ann Lee said.")
    # a surname that is also a nationality, speaking: a person
    assert ("person", "Tom English") in found("Tom English said the row would grow.")


def test_a_verb_or_describing_word_opens_no_persons_name() -> None:
    got = found("The Protecting Harbours Act passed, National Shipping objected and Ann Lee voted for it.")
    assert ("person", "Protecting Harbours") not in got and ("person", "National Shipping") not in got
    assert ("person", "Ann Lee") in got


def test_a_body_named_with_its_remit_is_one_name() -> None:
    remit = frozenset({"shipping", "ports", "fisheries"})  # the article writes them in lower case too
    got = expressions(
        "The Ministry of Shipping, Ports and Fisheries and Ann Lee met the Harbour Board.", remit
    )
    assert ("organisation", "Ministry of Shipping, Ports and Fisheries") in [
        (e.kind.value, e.text) for e in got
    ]
    # a name the article never writes in lower case is another party, not part of the remit
    other = expressions("The Ministry of Shipping and Westmoor Ferries signed it.", remit)
    assert {e.text for e in other} >= {"Ministry of Shipping", "Westmoor Ferries"}


def test_a_body_on_a_subject_is_one_name_but_not_a_body_on_a_day() -> None:
    assert "Commission on Harbour Safety" in {
        e.text for e in expressions("The Commission on Harbour Safety met.")
    }
    dated = {e.text for e in expressions("The Council on Monday and the Senate on Sept. 3 voted.")}
    assert {"Council", "Senate"} <= dated


def test_honours_around_a_name_and_a_body_after_the_are_not_the_person() -> None:
    got = found("The Chair of the Harbour Committee, Rt Hon Ann Lee MP, replied.")
    assert ("person", "Ann Lee") in got
    assert not any(kind == "person" and "Harbour" in text for kind, text in got)


def test_the_number_of_a_point_in_a_list_is_no_count() -> None:
    assert not any(kind == "number" for kind, _ in found("1. halt the ferry licences for Westmoor Lines;"))
    assert [text for _, text in found("The board must (1) halt and (2) review 12 licences.")] == ["12"]


def test_a_contracted_pronoun_is_no_name() -> None:
    assert found("“We’ve never trusted the ferry firm,” Ann Lee said.") == {("person", "Ann Lee")}
    assert ("name", "It") not in found("It’s a mistake, the Harbour Board said.")


def test_an_offices_domain_is_not_part_of_the_name_after_it() -> None:
    assert ("person", "Ann Lee") in found("Mayor of Westmoor Ann Lee opened the pier.")
    assert ("person", "Tom Reed") in found("Secretary of State Tom Reed said so.")
    # "Chief of Staff" names an office, nobody called Staff
    assert not any(kind == "person" for kind, _ in found("The mayor's Chief of Staff could nudge it."))


def test_words_the_article_writes_in_lower_case_make_no_persons_name() -> None:
    common = frozenset({"development", "cooperation"})
    got = found("The Minister for Shipping and Development Cooperation, Ann Lee, replied.", common)
    assert ("person", "Ann Lee") in got and not any(
        t == "Development Cooperation" for k, t in got if k == "person"
    )


def test_numbers_in_scientific_notation_are_one_number() -> None:
    got = found("Models trained with more than 10^26 operations, or 10²⁶, or 1e26, must be reported.")
    assert {("number", "10^26"), ("number", "10²⁶"), ("number", "1e26")} <= got
