"""Content words as stems, and how much each says: what question and sentence are matched on.

Snowball's English stemmer (PyStemmer) lets "banned" meet "ban" and "betrayal" meet "betray";
function and question words are left out, so "how much did they say" matches nothing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from language.lexicon import FUNCTION_WORDS, QUESTION_WORDS

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of a lower-cased word (a possessive 's dropped)."""
    word = word.replace("’", "'").removesuffix("'s")
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``, apostrophes kept inside a word."""
    return [w.lower() for w in _WORD.findall(text)]


def is_content(word: str) -> bool:
    return len(word) > 1 and word not in FUNCTION_WORDS and word not in QUESTION_WORDS


def terms(text: str) -> set[str]:
    """The stems of the content words of ``text``."""
    return {stem(w) for w in words(text) if is_content(w)}


def idf(documents: Sequence[set[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of every term over ``documents``."""
    df: Counter[str] = Counter(t for doc in documents for t in doc)
    n = len(documents)
    return {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}


def coverage(query: Iterable[str], text: set[str], weights: dict[str, float], default: float) -> float:
    """The weighted share of the query's terms that the text contains, in [0, 1]."""
    total = found = 0.0
    for term in query:
        weight = weights.get(term, default)
        total += weight
        if term in text:
            found += weight
    return found / total if total else 0.0
