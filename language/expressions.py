"""What a sentence states: people, organisations, places, dates, durations, amounts and numbers.

These are surface rules, not a trained recogniser (spaCy's small English model costs ~8 CPU-s
on a corpus that embeds in ~4; see docs/answering.md): dates, durations, amounts and numbers by
regular expression; countries from pycountry and a lexicon of short names and demonyms; other
names are runs of capitalised words, classified by the words inside and around them — a title
before a person ("Home Secretary Ann Lee", "spokesman Li Wei"), a head noun ending an
organisation ("... Committee", "Ministry of ..."), an acronym, a reporting verb after a name.
They decide which sentence holds the kind of answer asked for, never which sentences are found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from language.lexicon import (
    COUNTRY_ALIASES,
    DEMONYMS,
    FUNCTION_WORDS,
    HONORIFICS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    NAME_CONNECTORS,
    NUMBER_WORDS,
    ORGANISATION_HEADS,
    PERSON_TITLES,
    PLACE_HEADS,
    POST_NOMINALS,
    REPORTING_VERBS,
    THING_HEADS,
    TITLE_MODIFIERS,
    WEEKDAYS,
)


class Kind(Enum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    NATIONALITY = "nationality"  # "British", "Chinese": a country named by its adjective
    NAME = "name"  # a proper name of unknown kind
    DATE = "date"
    RELATIVE_DATE = "relative date"  # "last week", "on Monday": a date only with the article's own
    YEAR = "year"
    DURATION = "duration"
    AMOUNT = "amount"  # money, a share, a figure with its magnitude
    NUMBER = "number"


NAMES = frozenset({Kind.PERSON, Kind.ORGANISATION, Kind.PLACE, Kind.NAME})
TIMES = frozenset({Kind.DATE, Kind.RELATIVE_DATE, Kind.YEAR})


@dataclass(frozen=True, slots=True)
class Expression:
    kind: Kind
    start: int
    end: int
    text: str
    key: str  # what two mentions of one thing share: a surname, a country, a year, a lower-cased name


_MONTH_NAMES = "|".join((*MONTHS, *MONTH_ABBREVIATIONS))
_MONTH = rf"(?:{_MONTH_NAMES})\.?"
_CAP_MONTH = rf"(?:{'|'.join(m.capitalize() for m in (*MONTHS, *MONTH_ABBREVIATIONS))})\.?"
_WEEKDAY = "|".join(w.capitalize() for w in WEEKDAYS)
_NUMWORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_NUM = rf"(?:\d[\d,]*(?:\.\d+)?|{_NUMWORD}|an?|several|few|couple of)"
_MAGNITUDE = r"(?:bn|billion|billions|m|mn|million|millions|trillion|tn|k|thousand|crore|lakh)"
_CURRENCY_WORD = (
    r"(?:pounds?|sterling|dollars?|euros?|yuan|renminbi|yen|rupees?|francs?|won|rubles?|roubles?)"
)
_SHARE = re.compile(r"%|\bper ?cent\b|\bpercentage points?\b|\bhalf\b", re.I)
_MONEY = re.compile(rf"[£$€¥]|\b(?:US|USD|GBP|EUR|RMB|CNY|HK)\$?\s?\d|\b{_CURRENCY_WORD}\b", re.I)
_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        Kind.AMOUNT,
        re.compile(
            rf"(?:[£$€¥]|\b(?:US|USD|GBP|EUR|RMB|CNY|HK)\$?\s?)\s?\d[\d,]*(?:\.\d+)?(?:\s?{_MAGNITUDE}\b)?"
            rf"|\b\d[\d,]*(?:\.\d+)?\s?(?:{_MAGNITUDE}\s)?{_CURRENCY_WORD}\b"
            rf"|\b\d[\d,]*(?:\.\d+)?\s?(?:%|per ?cent\b|percentage points?\b)"
            rf"|\b(?:{_NUMWORD}|\d[\d,]*(?:\.\d+)?)\s?(?:{_MAGNITUDE})\b(?:\s(?:{_CURRENCY_WORD}|worth))?",
            re.I,
        ),
    ),
    (
        Kind.DURATION,
        re.compile(
            rf"\b{_NUM}(?:\s?(?:to|and|or|-|–)\s?{_NUM})?[\s-]+(?:years?|months?|weeks?|days?|hours?|decades?|"
            rf"minutes?)\b(?![\s-]+old\b)",
            re.I,
        ),
    ),
    (
        Kind.DATE,
        re.compile(
            rf"\b{_CAP_MONTH}\s\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s(?:19|20)\d{{2}})?\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s(?:of\s)?{_CAP_MONTH}(?:,?\s(?:19|20)\d{{2}})?\b"
            rf"|\b(?:(?:early|mid|late|end of|start of|beginning of|the end of|since|until|by|in|from)\s)?"
            rf"{_CAP_MONTH}\s(?:19|20)\d{{2}}\b"
            rf"|\b(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}\b"
            rf"|\b(?:in|since|until|by|from|early|late|mid|mid-)\s?{_CAP_MONTH}\b",
        ),
    ),
    (
        Kind.RELATIVE_DATE,
        re.compile(
            rf"\b(?:(?:on|last|next|this|since|by|until|from)\s)?(?:{_WEEKDAY})\b"
            r"|\b(?:last|next|this|earlier this|later this)\s"
            r"(?:week|month|year|spring|summer|autumn|fall|winter)\b"
            r"|\b(?:yesterday|today|tomorrow)\b",
            re.I,
        ),
    ),
    (Kind.YEAR, re.compile(r"(?<![\d$£€.,])\b(?:1[89]|20)\d{2}s?\b(?![,.]?\d)")),
    (
        Kind.NUMBER,
        re.compile(
            r"(?<![\w.])\d+(?:\.\d+)?\s?(?:\^|\*\*)\s?\d+\b"  # "10^26": in scientific notation
            r"|(?<![\w.])10[⁰¹²³⁴⁵⁶⁷⁸⁹]+"
            r"|(?<![\w.])\d+(?:\.\d+)?e\d+\b"
            rf"|(?<![\w.])\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?\b|\b(?:{_NUMWORD})\b",
            re.I,
        ),
    ),
)

_TOKEN = r"(?:[A-Z][\w'’.&-]*[\w]|[A-Z])"  # noqa: S105 - a regular expression, not a password
_CAPITALISED_RUN = re.compile(rf"(?<![\w'’.-]){_TOKEN}(?:\s+{_TOKEN})*")
_CONNECTING = re.compile(rf"^\s+(?:(?:{'|'.join(sorted(NAME_CONNECTORS - {'and'}))})\s+)+$")
# A run that ends in one of these goes on across "of"/"for"/"the" ("Bank of ...", "Mayor of ...").
_JOINS_ON = ORGANISATION_HEADS | PERSON_TITLES | PLACE_HEADS | TITLE_MODIFIERS
# "Ministry of Economy, Trade and Industry": a body named with what it is for.
_BODY_OF = re.compile(
    rf"^(?:[A-Z][\w'’-]*\s+)*(?:{'|'.join(sorted(ORGANISATION_HEADS))})\s+(?:of|for)\s+", re.I
)
_ON = re.compile(r"^\s+on\s+$")
_REMIT_GAP = re.compile(r"^(?:,\s*|,?\s+and\s+)$")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\W*$")
_WORD_AFTER = re.compile(r"^\W*([A-Za-z]+)")
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,6}s?$")
# The prefix of "O'Brien", "D'Arcy", "McAllister", "MacLeod": the rest is shaped like a name.
_NAME_PREFIX = re.compile(r"^(?:[OD]['’]|Ma?c)(?=[A-Z])")
_SPACE = re.compile(r"\s+")
_NOT_A_NAME = re.compile(r"^[A-Z][a-z]{3,}(?:ing|ly)$")
# "We've", "It’s", "They're": a function word and its verb, no name.
_CONTRACTION = re.compile(r"^([A-Za-z]+)['’](?:ve|re|ll|d|m|s)$")
_POSSESSOR = re.compile(r"(\S+?)(['’]s)\s+")  # "China's " opening a longer run
_NAME_BEFORE_NUMBER = re.compile(r"\b([A-Z][\w'’-]*) $")
_DATE_LEAD = re.compile(r"^(?:in|on|since|until|by|from)\s+", re.I)


def is_money(text: str) -> bool:
    """Whether an amount is a sum of money ("£2bn", "6,999 yuan"), not a share or a count."""
    return bool(_MONEY.search(text))


def is_share(text: str) -> bool:
    """Whether an amount is a share of a whole ("48%", "13.1 per cent", "half"), not a count."""
    return bool(_SHARE.search(text))


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Lower-cased country name or alias → the name it is known by."""
    import pycountry

    names: dict[str, str] = {}
    for country in pycountry.countries:
        common = getattr(country, "common_name", None) or country.name
        for name in (country.name, common, getattr(country, "official_name", None)):
            if name and "," not in name and "(" not in name:
                names[name.lower()] = common
    for canonical, spellings in COUNTRY_ALIASES.items():
        for spelling in (canonical, *spellings):
            names[spelling.lower()] = canonical
    return names


@lru_cache(maxsize=1)
def _subdivisions() -> frozenset[str]:
    """Lower-cased names of regions and cities pycountry lists (one word of 6+ letters, or more)."""
    import pycountry

    found = set()
    for sub in pycountry.subdivisions:
        name = re.sub(r"\s*\[.*?\]", "", sub.name).strip()
        if "," not in name and (" " in name or len(name) >= 6):
            found.add(name.lower())
    return frozenset(found)


def country(name: str) -> str | None:
    """The country ``name`` names (a short name, an alias or a demonym), else None."""
    key = _SPACE.sub(" ", name.strip()).lower()
    if key.startswith("the "):
        key = key[4:]
    if _DOTTED.match(key):
        key += "."  # "U.K" as a sentence's last word, its final dot read as the full stop
    return _countries().get(key) or DEMONYMS.get(key)


_DOTTED = re.compile(r"^(?:[a-z]\.)+[a-z]$")


# Runs of capitalised words (with the lower-case words country names contain): where a country
# can be named. Looking names up per run is ~10x faster than one regex of every country name.
_COUNTRY_RUN = re.compile(r"(?<![\w.])[A-Z][\w.'’-]*(?:\s+(?:(?:of|the|and)\s+)*[A-Z][\w.'’-]*)*")
_MAX_COUNTRY_WORDS = 6


def countries(text: str) -> dict[str, str]:
    """The countries a text mentions by name, alias or demonym: canonical name → first spelling."""
    names = _countries()
    found: dict[str, str] = {}
    for run in _COUNTRY_RUN.finditer(text):
        words = run.group().split()
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + _MAX_COUNTRY_WORDS), i, -1):
                phrase = re.sub(r"['’]s$", "", " ".join(words[i:j]).rstrip(",'’"))
                key = phrase.lower()
                name = names.get(key) or names.get(key.rstrip(".")) or DEMONYMS.get(key.rstrip("."))
                # "US" and "UK" only in capitals, so not the pronoun "us"
                if name is None or (len(key) <= 3 and phrase != phrase.upper()):
                    continue
                found.setdefault(name, phrase)
                i = j - 1
                break
            i += 1
    return found


def _is_title(word: str) -> bool:
    return word.lower().rstrip(".") in PERSON_TITLES


def _contracted(token: str) -> bool:
    match = _CONTRACTION.match(token)
    return match is not None and match.group(1).lower() in FUNCTION_WORDS


def _strip_leading(tokens: list[str]) -> list[str]:
    while tokens and tokens[0].lower() in FUNCTION_WORDS:
        tokens = tokens[1:]
    return tokens


# A capitalised word made an adjective: "London-based", "Chinese-owned", "Hong Kong-related".
_DESCRIBING = re.compile(
    r"-(?:based|related|owned|backed|led|funded|made|style|born|linked|controlled|run|listed)$", re.I
)


def _countries_joined(text: str) -> bool:
    parts = text.split("-")
    return len(parts) == 2 and all(country(p) is not None for p in parts)


def _singular_title(word: str) -> str:
    """ "ministers" → "minister", "secretaries" → "secretary"; any other word as it is."""
    for plural, single in (("ies", "y"), ("s", "")):
        if word.endswith(plural) and word[: -len(plural)] + single in PERSON_TITLES:
            return word[: -len(plural)] + single
    return word


def _classify(tokens: list[str], before: str, after: str) -> tuple[Kind, list[str]]:
    """The kind of a run of capitalised words and the words that name it."""
    honoured = _without_honours(tokens)
    if honoured != tokens and 2 <= len(honoured) <= 3 and all(_name_shaped(t) for t in honoured):
        return Kind.PERSON, honoured  # "Rt Hon Greg Clark MP"
    lowered = [t.lower().rstrip(".") for t in tokens]
    if _DESCRIBING.search(tokens[-1]) or (len(tokens) == 1 and _countries_joined(tokens[0])):
        return Kind.NAME, []  # "London-based", "Hong Kong-related", "China-UK ties": describing words
    if (
        lowered[0] in DEMONYMS
        and len(lowered) > 1
        and all(_singular_title(w) in PERSON_TITLES or w in TITLE_MODIFIERS for w in lowered[1:])
    ):
        return Kind.NAME, []  # "Chinese Ambassador", "British Foreign Secretary": a role
    joined = re.sub(r"['’]s$", "", " ".join(tokens))
    if country(joined):
        # "New Zealand" is a country's name as well as its adjective: a place
        demonym = joined.lower() in DEMONYMS and joined.lower() not in _countries()
        return (Kind.NATIONALITY if demonym else Kind.PLACE), tokens
    singular = [_singular_title(w) for w in lowered]
    if any(w in PERSON_TITLES for w in singular) and all(
        w in PERSON_TITLES or w in TITLE_MODIFIERS for w in singular
    ):
        return Kind.NAME, []  # "the Prime Minister(s)", "Foreign Secretary": a role, not a name
    titles = [i for i, w in enumerate(lowered) if w in PERSON_TITLES or w in NAME_CONNECTORS]
    if (
        titles
        and lowered[titles[-1]] in PERSON_TITLES | NAME_CONNECTORS
        and any(w in PERSON_TITLES for w in lowered[: titles[-1] + 1])
    ):
        # "Mayor of Westmoor Ann Lee": the name is what follows the last title or connector,
        # less a place that opens it
        rest = tokens[titles[-1] + 1 :]
        # "Mayor of Westmoor Ann Lee", "Secretary of State Mike Pompeo": the office's domain,
        # then the name
        if len(rest) >= 3 and (
            country(rest[0]) or rest[0].lower() in _subdivisions() or lowered[titles[-1]] in ("of", "for")
        ):
            rest = rest[1:]
        # "Chair of the Board": after "the" comes a body, not a person; "Chief of Staff",
        # "Secretary of State": one word after "of" is the office's domain
        body = lowered[titles[-1]] == "the" or (lowered[titles[-1]] in NAME_CONNECTORS and len(rest) == 1)
        if rest and len(rest) <= 3 and not body and not any(w.lower() in ORGANISATION_HEADS for w in rest):
            return Kind.PERSON, rest
    if before in PERSON_TITLES and len(tokens) <= 4 and not any(w in ORGANISATION_HEADS for w in lowered):
        return Kind.PERSON, tokens
    if lowered[-1] in THING_HEADS or lowered[0] in THING_HEADS:
        return Kind.NAME, tokens
    if any(w in ORGANISATION_HEADS for w in lowered):
        return Kind.ORGANISATION, tokens
    if len(tokens) == 1 and _ACRONYM.match(tokens[0]) and lowered[0] not in PERSON_TITLES:
        return Kind.ORGANISATION, tokens
    if lowered[-1] in PLACE_HEADS or joined.lower() in _subdivisions():
        return Kind.PLACE, tokens
    if before in ("in", "at", "near", "outside") and len(tokens) <= 3 and all(t.isalpha() for t in tokens):
        return Kind.PLACE, tokens
    shaped = all(_name_shaped(t) for t in tokens if len(t) > 1)
    # "Chinese Communist": an adjective, not a first name; "the Westminster Chinese spy row": a
    # name made an adjective (though "Irvine Welsh said" is a person)
    national = lowered[0] in DEMONYMS or (lowered[-1] in DEMONYMS and after not in REPORTING_VERBS)
    # "Protecting America (Act)", "National Security": a verb or a describing word opens no name
    described = lowered[0] in TITLE_MODIFIERS or (len(lowered[0]) > 5 and lowered[0].endswith("ing"))
    if (
        2 <= len(tokens) <= 3
        and shaped
        and not national
        and not described
        and not any(w in FUNCTION_WORDS for w in lowered)
    ):
        return Kind.PERSON, tokens
    if len(tokens) == 1 and (after in REPORTING_VERBS or before == "said"):
        return Kind.NAME, tokens
    return Kind.NAME, tokens


def _without_honours(tokens: list[str]) -> list[str]:
    """The name inside its honours: "Rt Hon Ann Lee MP" → "Ann Lee"."""
    start = 0
    while start < len(tokens) and tokens[start].lower() in HONORIFICS:
        start += 1
    end = len(tokens)
    while (
        end > start and tokens[end - 1].lower().rstrip(",") in POST_NOMINALS and tokens[end - 1][:1].isupper()
    ):
        end -= 1
    return tokens[start:end]


def _name_shaped(word: str) -> bool:
    """ "Lee", "O'Brien", "McAllister", "Smith-Jones": capitalised, the rest lower-case."""
    parts = _NAME_PREFIX.sub("", word).split("-")
    return all(p[:1].isupper() and p[1:].islower() for p in parts)


def _key(kind: Kind, words: Sequence[str]) -> str:
    text = " ".join(words)
    if kind in (Kind.PLACE, Kind.NATIONALITY):
        return (country(text) or text).lower()
    if kind is Kind.PERSON:
        return re.sub(r"['’]s$", "", words[-1]).lower()
    return re.sub(r"['’]s$", "", text).lower()


def _runs(sentence: str, common: frozenset[str] | set[str] = frozenset()) -> list[tuple[int, int]]:
    """Spans of capitalised words, joined across connectors when the left part ends in a head
    noun or a title ("Bank of Westmoor", but not "Ann Lee of the Bank"), and across the list of
    a body's remit ("Ministry of Economy, Trade and Industry")."""
    runs: list[tuple[int, int]] = []
    for match in _CAPITALISED_RUN.finditer(sentence):
        if runs and _CONNECTING.match(sentence[runs[-1][1] : match.start()]):
            last_word = sentence[runs[-1][0] : runs[-1][1]].split()[-1].lower().rstrip(".")
            if last_word in _JOINS_ON:
                runs[-1] = (runs[-1][0], match.end())
                continue
        if runs and _on_subject(sentence, runs[-1], match):
            runs[-1] = (runs[-1][0], match.end())
            continue
        if runs and _in_remit(sentence, runs[-1], match, common):
            runs[-1] = (runs[-1][0], match.end())
            continue
        runs.append(match.span())
    return [part for run in runs for part in _split_possessor(sentence, run)]


def _on_subject(sentence: str, run: tuple[int, int], match: re.Match[str]) -> bool:
    """Whether "on" joins a body to its subject ("Committee on Foreign Investment", "Commission
    on Human Rights"), not to a day ("the Council on Monday")."""
    if not _ON.match(sentence[run[1] : match.start()]):
        return False
    head = sentence[run[0] : run[1]].split()[-1].lower()
    first = match.group().split()[0].lower().rstrip(".")
    dated = first in WEEKDAYS or first in MONTHS or first in MONTH_ABBREVIATIONS
    return head in ORGANISATION_HEADS and not dated


def _in_remit(
    sentence: str, run: tuple[int, int], match: re.Match[str], common: frozenset[str] | set[str]
) -> bool:
    """Whether the capitalised words go on a body's name ("Department for Science, Innovation and
    Technology"): the run names a body of something, only a comma or "and" stands between, and
    the words are ones written in lower case too (not "Ministry of Defence and Huawei")."""
    if not _REMIT_GAP.match(sentence[run[1] : match.start()]) or not _BODY_OF.match(
        sentence[run[0] : run[1]]
    ):
        return False
    return all(w.lower() in common or w.lower() in TITLE_MODIFIERS for w in match.group().split())


def _split_possessor(sentence: str, run: tuple[int, int]) -> list[tuple[int, int]]:
    """A run that opens with a country's possessive is two: "China's Huawei" is a place and a
    firm, not a person called Huawei ("People's Daily", whose possessor is no country, stays)."""
    start, end = run
    owner = _POSSESSOR.match(sentence, start, end)
    if owner is None or country(owner.group(1)) is None:
        return [run]
    return [(start, owner.end(2)), (owner.end(), end)]


def _names(sentence: str, common: frozenset[str] | set[str]) -> list[Expression]:
    found: list[Expression] = []
    for run_start, run_end in _runs(sentence, common):
        tokens = sentence[run_start:run_end].split()
        start = run_start
        # A capitalised first word of a sentence is a name only if the text never writes it
        # lower-case and it does not look like a participle or an adverb ("Speaking", "Reportedly").
        if start == 0 or not sentence[:start].strip(" \"“‘'([").strip():
            while tokens and (
                tokens[0].lower() in FUNCTION_WORDS
                or tokens[0].lower() in common
                or _NOT_A_NAME.match(tokens[0])
                or _contracted(tokens[0])
            ):
                start = sentence.index(tokens[1], start) if len(tokens) > 1 else run_end
                tokens = tokens[1:]
        stripped = _strip_leading(tokens)
        if stripped != tokens and stripped:
            start = sentence.index(stripped[0], start)
        tokens = stripped
        while tokens and tokens[-1].lower() in NAME_CONNECTORS:
            tokens = tokens[:-1]
        if not tokens or all(t.lower().rstrip(".") in FUNCTION_WORDS for t in tokens):
            continue
        before_match = _WORD_BEFORE.search(sentence[:start])
        after_match = _WORD_AFTER.match(sentence[run_end:])
        before = before_match.group(1).lower().rstrip(".") if before_match else ""
        after = after_match.group(1).lower() if after_match else ""
        kind, words = _classify(tokens, before, after)
        if kind is Kind.PERSON and all(w.lower() in common or w.lower() in TITLE_MODIFIERS for w in words):
            kind = Kind.NAME  # "Foreign Trade", "Development Cooperation": words, not a name
        if not words or len(" ".join(words).strip(".,'’()")) < 2:
            continue  # a role, or a lone letter ("BN(O)": no "O")
        first = sentence.index(words[0], start)
        last = sentence.index(words[-1], first) + len(words[-1])
        text = sentence[first:last].rstrip(".,'’")
        text = re.sub(r"['’]s$", "", text)
        found.append(Expression(kind, first, first + len(text), text, _key(kind, text.split())))
    return found


def expressions(sentence: str, common: frozenset[str] | set[str] = frozenset()) -> list[Expression]:
    """Everything ``sentence`` states of the kinds above, in text order, without overlaps.

    ``common``: lower-cased words the surrounding text writes in lower case (so a capitalised
    first word that is one, "Officials", "Critics", is not taken for a name).
    """
    found: list[Expression] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            text = match.group().strip()
            if not text or not free(match.start(), match.end()):
                continue
            if kind is Kind.NUMBER and (
                text.lower() in ("a", "an")
                or _in_name(sentence, match.start())
                or _enumerator(sentence, match.start(), match.end())
            ):
                continue
            start = match.start() + len(match.group()) - len(match.group().lstrip())
            if kind in (Kind.DATE, Kind.RELATIVE_DATE):  # "in March 2021" is the date "March 2021"
                bare = _DATE_LEAD.sub("", text)
                start += len(text) - len(bare)
                text = bare
            found.append(Expression(kind, start, start + len(text), text, _number_key(kind, text)))
            taken.append((match.start(), match.end()))
    for named in _names(sentence, common):
        if free(named.start, named.end):
            found.append(named)
            taken.append((named.start, named.end))
    for country_name, spelling in countries(sentence).items():
        at = sentence.find(spelling)
        if at >= 0 and free(at, at + len(spelling)):
            kind = Kind.NATIONALITY if spelling.lower() in DEMONYMS else Kind.PLACE
            found.append(Expression(kind, at, at + len(spelling), spelling, country_name.lower()))
            taken.append((at, at + len(spelling)))
    return sorted(found, key=lambda e: e.start)


def _enumerator(sentence: str, start: int, end: int) -> bool:
    """Whether a number opens a point of a list ("1. halt the approvals", "- 2) review…") or
    marks one inside a sentence ("must (1) halt and (2) review"): no count."""
    text = sentence[start:end].strip()
    if not text.isdigit() or len(text) > 2:
        return False
    opening = not sentence[:start].strip(" -•*\t")
    after = sentence[end : end + 2]
    return (opening and after[:1] in (".", ")") and after[1:2] in (" ", "")) or (
        sentence[start - 1 : start] == "(" and after[:1] == ")"
    )


def _in_name(sentence: str, start: int) -> bool:
    """Whether a number at ``start`` follows a capitalised word inside the sentence, as a model or
    section number does ("Mate 60 Pro", "Article 5"): part of a name, not a count."""
    before = _NAME_BEFORE_NUMBER.search(sentence[:start])
    return before is not None and before.start() > 0 and before.group(1).lower() not in FUNCTION_WORDS


def _number_key(kind: Kind, text: str) -> str:
    if kind is Kind.YEAR:
        return text[:4]
    return " ".join(text.lower().split())


def resolve(sentences: Sequence[list[Expression]]) -> list[list[Expression]]:
    """Single-word names that are the surname of a person named elsewhere in the text become that person."""
    surnames = {e.key for found in sentences for e in found if e.kind is Kind.PERSON}
    out = []
    for found in sentences:
        out.append(
            [
                Expression(Kind.PERSON, e.start, e.end, e.text, e.key)
                if e.kind is Kind.NAME and " " not in e.text and e.key in surnames
                else e
                for e in found
            ]
        )
    return out


def lower_case_words(texts: Iterable[str]) -> frozenset[str]:
    """The words ``texts`` write in lower case somewhere (for ``expressions``' ``common``)."""
    return frozenset(w for text in texts for w in re.findall(r"\b[a-z][a-z'’-]+\b", text))
