"""Sentences and terms of retrieved passages, cheaply enough to run on every question.

pysbd splits well but costs tens of milliseconds per passage, too much at question time; a
regular expression that knows the common abbreviations of news English does the job here.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

_ABBREVIATIONS = str.split(
    "mr mrs ms dr prof gen col lt sgt st sen rep gov pres jr sr inc ltd co corp no vs etc jan feb mar "
    "apr jun jul aug sep sept oct nov dec u.s u.k e.u u.n a.m p.m i.e e.g"
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9£$€])|\n+")
_LAST_WORD = re.compile(r"([\w.]+)[.!?][\"”’)\]]*$")
# "LONDON (Reuters) -" and "BEIJING, Jan 28 (Reuters) -" datelines open wire copy.
_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{2,40}(?:,\s+\w+\.? \d{1,2})?\s*(?:\([\w .]+\))?\s*[-–—]+\s+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

STOPWORDS = frozenset(
    str.split(
        "a about above after again against all also am an and any are as at be because been before being "
        "below between both but by can could did do does doing down during each few for from further had "
        "has have having he her here hers herself him himself his how i if in into is it its itself just "
        "me more most my myself no nor not now of off on once only or other our ours out over own same "
        "she should so some such than that the their theirs them themselves then there these they this "
        "those through to too under until up very was we were what when where which while who whom why "
        "will with would you your yours yourself 's s t don didn doesn isn wasn weren won wouldn "
        "did does exactly really reportedly just so-called said say says tell told much many one two back "
        "ever still even get got make made put take took way well since year years"
    )
)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order; a boundary after a known abbreviation is not one."""
    pieces = [p for p in _BOUNDARY.split(text) if p and p.strip()]
    out: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if out:
            last = _LAST_WORD.search(out[-1])
            # "Mr. Lee", "U.S. officials", "John F. Kennedy": not the end of a sentence
            word = last.group(1) if last else ""
            if word.lower().rstrip(".") in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                out[-1] = f"{out[-1]} {piece}"
                continue
        out.append(piece)
    return out


def tidy(sentence: str) -> str:
    """A sentence fit to quote: one line, no leading wire dateline."""
    return _DATELINE.sub("", " ".join(sentence.split()))


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def stem(word: str) -> str:
    """A crude stem that lets 'betrayal'/'betray' and 'banned'/'bans' meet (prefix of 5+ letters)."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:6] if len(word) > 6 else word


def terms(text: str) -> set[str]:
    """Content-word stems of a text (stop words left out)."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1}


def idf(documents: Sequence[set[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of every term over ``documents``."""
    df: Counter[str] = Counter(t for doc in documents for t in doc)
    n = len(documents)
    return {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}


def coverage(query: Iterable[str], text: set[str], weights: dict[str, float], default: float) -> float:
    """The idf-weighted share of the query's terms that the text contains, in [0, 1]."""
    total = found = 0.0
    for term in query:
        weight = weights.get(term, default)
        total += weight
        if term in text:
            found += weight
    return found / total if total else 0.0
