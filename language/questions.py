"""What a question asks for, and what it is about.

"Who ...?" wants a person, "which companies ...?" a list of organisations, "when ...?" a date,
"how much ...?" an amount, "why ...?" a reason, "what did X say ...?" a stance. A question may
ask two things ("who led it, and how many signed?"). What it is about is its content words and
the names, years and numbers it gives: an answer must state something the question does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from language.agents import asked_agent
from language.expressions import NAMES, Expression, Kind, expressions, is_money
from language.lexicon import (
    AMOUNT_NOUNS,
    AUXILIARY_VERBS,
    FUNCTION_WORDS,
    ORGANISATION_NOUNS,
    PERSON_NOUNS,
    PLACE_NOUNS,
    QUESTION_WORDS,
    RELATION_ACTORS,
    RELATION_IDIOMS,
    RELATION_TRIGGERS,
    RELATIONS,
    REPORTING_VERBS,
)
from language.sentences import split_sentences
from language.speech import asked_speakers
from language.terms import is_content, stem, term, terms, words
from language.values import asks_what_happened, asks_whole_period


class Asks(Enum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    TIME = "time"
    DURATION = "duration"
    AMOUNT = "amount"
    NUMBER = "number"
    REASON = "reason"
    STANCE = "stance"  # what someone said, claimed, how they reacted
    TITLE = "title"  # what a thing is called: a book, a law, a plan
    YES_NO = "yes/no"
    OTHER = "other"


# How well each kind of expression answers each kind of question (1: fully; less: loosely).
ANSWERED_BY: dict[Asks, dict[Kind, float]] = {
    Asks.PERSON: {Kind.PERSON: 1.0, Kind.NAME: 0.5},
    Asks.ORGANISATION: {Kind.ORGANISATION: 1.0, Kind.NAME: 0.7},
    Asks.PLACE: {Kind.PLACE: 1.0, Kind.NATIONALITY: 0.5},
    Asks.TIME: {Kind.DATE: 1.0, Kind.YEAR: 1.0, Kind.RELATIVE_DATE: 0.3},
    Asks.DURATION: {Kind.DURATION: 1.0, Kind.DATE: 0.5, Kind.YEAR: 0.5},
    Asks.AMOUNT: {Kind.AMOUNT: 1.0, Kind.NUMBER: 0.5},
    Asks.NUMBER: {Kind.NUMBER: 1.0, Kind.AMOUNT: 1.0, Kind.DURATION: 0.5},
    # a title after "called" reads like a name: "is called Low Tide Rising"
    Asks.TITLE: {Kind.NAME: 1.0, Kind.PERSON: 0.7, Kind.ORGANISATION: 0.5},
}
# Kinds a list's items may be of, by what the question asks.
LIST_ITEMS: dict[Asks, frozenset[Kind]] = {
    Asks.PERSON: frozenset({Kind.PERSON}),
    Asks.ORGANISATION: frozenset({Kind.ORGANISATION, Kind.NAME}),
    Asks.PLACE: frozenset({Kind.PLACE, Kind.NATIONALITY}),
    Asks.OTHER: frozenset({Kind.ORGANISATION, Kind.NAME, Kind.PERSON, Kind.PLACE}),
}

_WH = r"(?:which|what)"
_WH_WORD = re.compile(
    rf"\b(?:{_WH}|(?:name|list)(?= (?:some|all|a few|several|the|any|each|every)\b))\b", re.I
)
# "which (two) (European) countries", "what was the target year": the noun within a few words.
# "which others / which ones" stand for a noun said before them.
_PRONOUN_NOUNS = frozenset({"others", "ones"})
_NOUN_REACH = 8
# Nouns that name people or countries alike ("members of the alliance").
_SINGULAR_VERBS = frozenset({"was", "is", "has", "does"})
_AMBIGUOUS_NOUNS = frozenset(
    {"member", "members", "partner", "partners", "side", "sides", "party", "parties"}
)
_RULES: tuple[tuple[Asks, re.Pattern[str]], ...] = tuple(
    (asks, re.compile(pattern, re.I))
    for asks, pattern in (
        (
            Asks.STANCE,
            r"\b(?:what|how)\b(?:\s+\S+){0,6}?\s+(?:did|does|do|has|have|had)\b.*\b(?:say|said|claim|"
            r"tell|told|argue|warn|describe|call|respond|react|reply|think|feel|reckon|view|see|regard|ask|"
            r"accuse|admit|insist)\b",
        ),
        (
            Asks.STANCE,
            r"\baccording to\b|\bwhat (?:was|were|is|are)\b.*\b(?:reaction|response|view|position|"
            r"stance|verdict)\b|\bhow did\b.*\bdescribe\b|"
            # "did X say anything about it?", "has X commented on it?" ask what X said, not whether
            r"\b(?:did|does|has|have|had)\b.*\b(?:say|said|comment|commented|respond|responded)\s+"
            r"(?:anything|something|much|on|to)\b",
        ),
        (
            Asks.REASON,
            r"^\W*why\b|\bwhy (?:did|does|do|is|was|were|has|have|had|would|should|didn|wasn|"
            r"weren|isn|doesn)\b|\bfor what reasons?\b|\bwhat reasons?\b|"
            r"\bwhat (?:was|were|is) the (?:reason|cause|motive)\b|"
            r"\bwhat (?:prompted|caused|led to|drove)\b",
        ),
        (
            Asks.TIME,
            r"^\W*when\b|\b(?:and|but) when\b|\bwhat (?:year|date|month|day|time)\b|"
            r"\b(?:which|since|by|until|in) (?:what )?(?:year|date|month)\b|"
            r"\b(?:since|by|from|until|till|as of|starting) when\b|"
            r"\bhow long ago\b",
        ),
        (
            Asks.DURATION,
            r"\bhow long\b(?! ago)|\bhow soon\b|\bhow many (?:years|months|weeks|days)\b|"
            r"\bwithin what (?:time|period)\b",
        ),
        (
            Asks.AMOUNT,
            r"\bhow much\b|\bwhat (?:percentage|share|proportion|amount|sum|price|fee|figure|"
            r"cost|value)\b|\bhow (?:big|large|high|low|expensive)\b|\bwhat did .* cost\b|"
            r"\bwhat .* (?:cost|worth)\b",
        ),
        (
            Asks.NUMBER,
            r"\bhow many\b|\bwhat (?:number|rank|position|place)\b|\bwhere did .* rank\b|\brank(?:ed)?\b|"
            r"\bwhat (?:was|is|were|are)\s+the\s+(?:\w+\s+)?(?:count|tally|total|turnout|headcount)\b",
        ),
        (Asks.PLACE, r"^\W*where\b|\b(?:and|but) where\b|\bin which (?:country|city|town|place)\b"),
        (
            Asks.TITLE,
            r"\bwhat(?:['’]?s| is| was| are| were)\b.*\b(?:called|named|titled|known as)\W*$|"
            r"\bwhat(?:['’]?s| is| was)? the (?:name|title) of\b",
        ),
        (
            Asks.PERSON,
            r"^\W*who\b|\b(?:and|but|,) who\b|\bwho (?:is|was|were|did|had|has|led|said|took|came|"
            r"made|wrote|broke|caught|signed|ran|runs|heads|headed|replaced|succeeded)\b|\bwhose\b",
        ),
        (
            Asks.YES_NO,
            r"^\W*(?:did|does|do|is|was|were|has|have|had|will|would|can|could|should|are|isn't|"
            r"wasn't|didn't|doesn't)\b",
        ),
    )
)
# "which others", "name some of the apps", "list the countries": a list, whatever the noun.
_LIST_WORDS = re.compile(
    r"\b(?:name|list|which|what) (?:all |the )?(?:\w+ )?(?:others|ones)\b|"
    r"\b(?:name|list) (?:some|all|a few|several|the|any|each|every)\b",
    re.I,
)
_HOW_MANY = re.compile(r"\bhow many\b", re.I)
# A relative clause after a noun: "(the committee) that called…", "(the firm) which had…".
_RELATIVE_CLAUSE = re.compile(
    r"(?<=[a-z])(?<!\bsaid)(?<!\bsays)(?<!\bso)\s+(?:that|which|who)\s+"
    r"(?=(?:\w+ly\s+)?(?:has|have|had|was|were|is|are|\w+ed)\b)[^,?;]*",
    re.I,
)
_COPULA_QUESTION = re.compile(r"^\W*(?:who|what|which\s+\w+)\s+(?:is|was|are|were)\b", re.I)
# "how much do the cases cost?": "cost" says an amount is asked, not what it is the cost of
_HOW_MUCH_COST = re.compile(r"\bhow much\b.*\b(cost|costs|worth)\W*$", re.I)
_HOW_ADJECTIVE = re.compile(r"\bhow (big|large|high|low|expensive|costly|severe|far|steep|heavy)\b", re.I)
# "what amount of compute": a quantity, unless what is measured is money
# "… in the year before Johnson gave it a role?", "… the week after the vote?": a clause dating
# what is asked, at the question's end.
_CLOSING_SCENE = re.compile(
    r"\b(?:in|during)\s+the\s+(?:year|month|week|days?|months|weeks)\s+(?:before|after)\b[^?]*\??\s*$", re.I
)
_ASKING_WORDS = 2
_NAME_OF = re.compile(
    r"\b(?:what(?:['’]?s| is| was| are| were)?|tell me|give me)\s+the\s+names?\s+of\s+(?:the\s+|a\s+|an\s+)?",
    re.I,
)
_MONEY_NOUNS = frozenset({"money", "cash", "capital", "aid", "support", "damages"})
_AMOUNT_OF = re.compile(r"\b(?:what|which) amount of (\w+)", re.I)
# Auxiliaries that make "what"/"which" the object ("what did the report say"); not the copula
# ("what was the target year", "which is the biggest firm" still name what is asked).
_DO_SUPPORT = AUXILIARY_VERBS - {"was", "were", "is", "are", "has", "have", "had"}
_TRAILING_WH = re.compile(r":\s*(why|when|where|who|how)\W*$", re.I)
_SENTENCE = re.compile(r"(?<=[.?!])\s+")
_SCENE = re.compile(
    r"^\W*(?:when|while|after|before|once|as)\b[^,?]*,\s*(?=(?:who|what|when|where|which|why|how|did|does|do|"
    r"is|was|were|has|have)\b)",
    re.I,
)
_CONCRETE = frozenset(
    {Asks.AMOUNT, Asks.NUMBER, Asks.DURATION, Asks.TIME, Asks.PERSON, Asks.ORGANISATION, Asks.TITLE}
)
_PARTS = re.compile(
    r",?\s+\b(?:and|but)\s+(?=(?:who|what|when|where|which|why|how|did|does|do|is|was|were)\b)", re.I
)


@dataclass(frozen=True, slots=True)
class QuestionAnalysis:
    """What a question asks (``asks``: the first is the main part) and what it is about."""

    text: str
    asks: tuple[Asks, ...]
    wants_list: bool
    list_of: Asks | None  # what the items of a list are
    terms: frozenset[str]  # content-word stems
    names: frozenset[str]  # stems of the words of the names, places, years the question gives
    given: frozenset[str]  # keys of the expressions the question states (an answer must add to them)
    expressions: tuple[Expression, ...] = field(default=())
    parts: tuple[str, ...] = ()  # a two-part question's parts
    relations: frozenset[str] = frozenset()  # relations asked about (lexicon.RELATIONS keys)
    counted: str = ""  # the stem of what "how many" counts ("users")
    role: str = ""  # the stem of the noun a "which ..." question names its answer by ("judge")
    years: frozenset[str] = frozenset()  # the years the question names
    context: frozenset[str] = frozenset()  # stems of the earlier turns' topic (a follow-up's)
    current: bool = False  # asks how things stand now (see asks_about_now)
    speakers: frozenset[str] = frozenset()  # whom it asks to hear from ("what did Ann Lee say")
    whole_year: bool = False  # asks for a figure over a whole year (see values.asks_whole_period)
    happened: bool = False  # asks what did happen, not what would (see values.asks_what_happened)
    agent: tuple[str, str] | None = None  # a passive question's verb and agent ("paid by Y")
    act: str = ""  # the act "when did X do…" asks the date of (see asked_act)

    @property
    def main(self) -> Asks:
        return self.asks[0]

    @property
    def relation(self) -> frozenset[str]:
        """The content stems that are not names: what the question says happened."""
        return self.terms - self.names


def _noun_asks(noun: str) -> Asks | None:
    noun = noun.lower()
    if noun in PERSON_NOUNS:
        return Asks.PERSON
    if noun in PLACE_NOUNS:
        return Asks.PLACE
    if noun in ORGANISATION_NOUNS:
        return Asks.ORGANISATION
    if noun in ("year", "years", "date", "dates", "month", "day"):
        return Asks.TIME
    return None


def _plural(noun: str) -> bool:
    noun = noun.lower()
    irregular = ("people", "men", "women")
    return (noun.endswith("s") and not noun.endswith(("ss", "us", "is"))) or noun in irregular


def _wh_noun(text: str) -> tuple[Asks | None, bool, str]:
    """The kind a "which/what ... NOUN" phrase asks for, whether the noun is plural (a list), the noun.

    The phrase runs from the first content word after "which"/"what" to the next function
    word (or the verb after a noun: "which agencies blocked apps"); its last noun of a known
    kind is its head ("which state news outlet": an outlet).
    """
    for match in _WH_WORD.finditer(text):
        phrase: list[str] = []
        following = ""
        after = words(text[match.end() :])[:_NOUN_REACH]
        if after and after[0] in _DO_SUPPORT:
            continue  # "what do providers have to do": "what" is the object, no noun follows it
        for word in after:
            if word in FUNCTION_WORDS and word not in _PRONOUN_NOUNS:
                if phrase:
                    following = word
                    break
                continue
            if phrase and _noun_asks(phrase[-1]) and (word.endswith("ed") or word in REPORTING_VERBS):
                break  # "which agencies blocked apps": the verb ends the phrase
            phrase.append(word)
        for word in reversed(phrase):
            if word in _PRONOUN_NOUNS:
                # "british companies? which ones came up?": the ones are the plural noun before
                earlier = [w for w in words(text[: match.start()]) if _plural(w) and _noun_asks(w)]
                if earlier:
                    return _noun_asks(earlier[-1]), True, earlier[-1]
                return Asks.OTHER, True, ""
            if word in _AMBIGUOUS_NOUNS:
                return Asks.OTHER, _plural(word), word
            asks = _noun_asks(word)
            if asks is not None:
                # "which of the aides was ...": a singular verb asks for one of them
                return asks, _plural(word) and following not in _SINGULAR_VERBS, word
        # "what was the firm's revenue": an amount, unless a noun of another kind heads the
        # phrase ("which companies paid fines": companies)
        measured = [word for word in phrase if word in AMOUNT_NOUNS]
        if measured:
            return Asks.AMOUNT, False, measured[-1]
    return None, False, ""


def _kinds(text: str) -> list[Asks]:
    found: list[Asks] = []
    for sentence in _SENTENCE.split(text):
        # "When X did Y, who ...?": the opening "when" sets the scene, the question comes after it
        sentence = _SCENE.sub("", sentence)
        # "Which metals did X restrict: why?" (a bare follow-up read onto its question) asks why
        trailing = _TRAILING_WH.search(sentence)
        if trailing:
            sentence = f"{trailing.group(1)} {sentence[: trailing.start()]}"
        for asks, pattern in _RULES:
            if pattern.search(sentence) and asks not in found:
                found.append(asks)
    noun_asks, _, _ = _wh_noun(text)
    if noun_asks is not None and Asks.TITLE in found:
        found.remove(Asks.TITLE)  # "what is the new minister called": a person
    if noun_asks is not None and noun_asks not in found and Asks.STANCE not in found:
        found.insert(0 if not found or found == [Asks.YES_NO] else len(found), noun_asks)
    if len(found) > 1 and Asks.YES_NO in found:
        found.remove(Asks.YES_NO)
    measured = _AMOUNT_OF.search(text)
    if measured and Asks.AMOUNT in found and not _money_word(measured.group(1)):
        found[found.index(Asks.AMOUNT)] = Asks.NUMBER
    # "What did X reckon it would cost?" asks for the amount more than for the opinion.
    if found and found[0] is Asks.STANCE and len(found) > 1 and found[1] in _CONCRETE:
        found[0], found[1] = found[1], found[0]
    return found or [Asks.OTHER]


def _asking(question: str) -> str:
    """The sentences that ask: "Some said the dates were picked to buy time. What for?" asks
    only its last sentence, the first sets the scene."""
    sentences = split_sentences(question)
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return " ".join(asking) if asking and len(asking) < len(sentences) else question


def _relations(text: str) -> frozenset[str]:
    """The relations the question asks about, not those of a clause that only says which thing
    it means ("the committee that called the sum modest": no naming is asked about)."""
    if not _COPULA_QUESTION.match(text):  # "who is the man who replaced her" asks the clause
        text = _RELATIVE_CLAUSE.sub(" ", text)
    return frozenset(
        name
        for name, pattern in _TRIGGERS.items()
        if pattern.search(_IDIOMS[name].sub(" ", text) if name in _IDIOMS else text)
    )


def _named_kind(question: str) -> str:
    """ "What's the name of the lawyer who…" reads "Which lawyer…": a person is asked for, and
    "name" is the question's form, no naming asked about; "the name of the ferry" stays a title."""
    match = _NAME_OF.search(question)
    if match is None:
        return question
    which = f"{question[: match.start()]}Which {question[match.end() :]}"
    noun_asks, _, _ = _wh_noun(which)
    return which if noun_asks not in (None, Asks.OTHER) else question


def _without_scene(question: str) -> tuple[str, str]:
    """The question without a closing clause that says when ("… in the year before Y did Z"),
    and that clause; the question whole when it asks little else."""
    match = _CLOSING_SCENE.search(question)
    if match is None or len([w for w in words(question[: match.start()]) if is_content(w)]) < _ASKING_WORDS:
        return question, ""
    return question[: match.start()], question[match.start() :]


def _money_word(word: str) -> bool:
    return is_money(word) or word.lower() in AMOUNT_NOUNS or word.lower() in _MONEY_NOUNS


def _form_words(question: str) -> frozenset[str]:
    """The stems of the words that make "how large / big / high / far", "how much … cost" a
    question for a size."""
    found = [m.group(1) for m in (*_HOW_ADJECTIVE.finditer(question), *_HOW_MUCH_COST.finditer(question))]
    return frozenset(stem(w.lower()) for w in found)


def analyse(question: str, context: str = "") -> QuestionAnalysis:
    """The kinds the question asks for, whether it wants a list, and what it is about.

    ``context``: words of the earlier turns a follow-up leans on; they add to what the question is
    about (``QuestionAnalysis.context``), never to what it asks or the names it gives.
    """
    original = question
    question = _named_kind(question)
    parts = tuple(p.strip() for p in _PARTS.split(question) if p.strip())
    # "How much did X spend in the year before Y happened?": the clause that dates the question
    # is context, like an earlier turn's words
    asked, scene = _without_scene(question)
    asks: list[Asks] = []
    for part in parts or (question,):
        for kind in _kinds(part):
            if kind not in asks:
                asks.append(kind)
    noun_asks, plural, noun = _wh_noun(question)
    # "on what dates?": several values, not a list of names
    listable = noun_asks is None or noun_asks in LIST_ITEMS
    wants_list = bool(plural or _LIST_WORDS.search(question)) and Asks.STANCE not in asks[:1] and listable
    found = expressions(question)
    given = frozenset(e.key for e in found) | frozenset(w.lower() for e in found for w in e.text.split())
    names = frozenset(
        stem(w)
        for e in found
        if e.kind in NAMES or e.kind in (Kind.YEAR, Kind.NATIONALITY)
        for w in words(e.text)
    )
    return QuestionAnalysis(
        text=original,
        asks=tuple(asks),
        wants_list=wants_list,
        list_of=(noun_asks or Asks.OTHER) if wants_list else None,
        terms=frozenset(terms(asked)) - _form_words(question),
        context=frozenset(terms(f"{context} {scene}")) - frozenset(terms(asked)),
        names=names,
        given=given,
        expressions=tuple(found),
        parts=parts if len(parts) > 1 else (),
        relations=_relations(_asking(question)),
        counted=_counted(question),
        role=term(noun.lower()) if noun else "",
        years=frozenset(re.findall(r"\b(?:19|20)\d{2}\b", question)),
        current=asks_about_now(question),
        speakers=asked_speakers(question, found),
        whole_year=asks_whole_period(question),
        happened=asks_what_happened(question),
        agent=asked_agent(question),
        act=asked_act(question),
    )


# Words that ask how things stand now, whatever the tense around them.
_NOW = re.compile(
    r"\b(?:now|nowadays|currently|current|latest|today|at present|presently|at the moment|"
    r"these days|as things stand|as of now)\b",
    re.I,
)
# A question opening in the present tense asks about the present ("Is X banned?", "Does X still...").
_PRESENT_OPENING = re.compile(
    r"^\W*(?:is|are|am|isn't|aren't|does|do|doesn't|don't|has|have|hasn't|haven't|can|can't)\b", re.I
)
# "still", "yet", "anymore" ask about now in a present-tense clause: "is X still allowed",
# "has it banned Y yet" (not "were networks still allowed", "could still change").
_STILL_NOW = re.compile(
    r"\b(?:is|are|am|isn't|aren't|does|do|doesn't|don't|has|have|hasn't|haven't)\b(?:\s+[\w'’-]+){0,4}?"
    r"\s+(?:still|yet|anymore|any more)\b",
    re.I,
)


# "Which other countries…", "who else…", "apart from Ann Lee…": the answer is something the
# conversation has not already named.
_OTHER_THAN = re.compile(
    r"\b(?:other|others|else|another|apart from|aside from|besides|except|in addition to)\b", re.I
)


def excluding_earlier(qa: QuestionAnalysis, earlier: Sequence[str]) -> QuestionAnalysis:
    """For a question that asks for others ("which other countries", "who else"), the question
    with the names of the ``earlier`` texts (the turns before it) counted as given, so that
    none of them answers it again; any other question unchanged."""
    if not _OTHER_THAN.search(qa.text):
        return qa
    named = [
        e for text in earlier for e in expressions(text) if e.kind in NAMES or e.kind is Kind.NATIONALITY
    ]
    if not named:
        return qa
    return replace(qa, given=qa.given | {e.key for e in named})


# "When did Ann Lee sign…": the verb after a named subject.
# The term "take effect", "come into force", "enter into force" all read as.
_TAKING_EFFECT = "effect"
_WHEN_DID = re.compile(
    r"^\W*[Ww]hen (?:did|does|do|will|would) (?:the )?(?:[A-Z][\w.'’-]*\s+){1,4}([a-z]{3,})\b"
)


def asked_act(question: str) -> str:
    """The act a "when did X do…" question asks the date of, as a term ("sign" in "When did
    Ann Lee sign the bill?"); "" for any other question."""
    if _TAKING_EFFECT in terms(question):
        return _TAKING_EFFECT  # "when was the ban to come into force?": the date it takes effect
    match = _WHEN_DID.match(question)
    if match is None or match.group(1).lower() in FUNCTION_WORDS:
        return ""
    return term(match.group(1).lower())


def asks_about_now(question: str) -> bool:
    """Whether the question asks how things stand now ("is", "now", "latest", "still"): its
    answer should rest on the newest sources and say when its evidence dates from."""
    return bool(_NOW.search(question) or _PRESENT_OPENING.match(question) or _STILL_NOW.search(question))


def _counted(question: str) -> str:
    """The head noun of "how many US users": what the number counts."""
    match = _HOW_MANY.search(question)
    if match is None:
        return ""
    phrase: list[str] = []
    for word in words(question[match.end() :])[:3]:
        # stop at the verb: an auxiliary, or a past tense after the noun ("residents voted")
        past = phrase and len(word) > 4 and word.endswith("ed")
        if word in AUXILIARY_VERBS or word in QUESTION_WORDS or (word in FUNCTION_WORDS and phrase) or past:
            break
        if word not in FUNCTION_WORDS:
            phrase.append(word)
    return stem(phrase[-1]) if phrase else ""


def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # not after a hyphen: "so-called" does not ask what something is called
    return re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + r")\b",
        re.I,
    )


_TRIGGERS = {name: _phrases(words) for name, words in RELATION_TRIGGERS.items()}
_IDIOMS = {name: _phrases(words) for name, words in RELATION_IDIOMS.items()}
RELATION_PATTERNS = {name: _phrases(words) for name, words in RELATIONS.items()}
_ACTORS = {name: _phrases(words) for name, words in RELATION_ACTORS.items()}


def states_relation(relation: str, sentence: str, question: str = "") -> bool:
    """Whether the sentence uses one of the relation's words (not in an idiom) — and, where the
    ``question`` names who performs it ("how did the court rule"), names that kind of actor."""
    if relation in _IDIOMS:
        sentence = _IDIOMS[relation].sub(" ", sentence)
    if not RELATION_PATTERNS[relation].search(sentence):
        return False
    actors = _ACTORS.get(relation)
    return actors is None or not actors.search(question) or bool(actors.search(sentence))
