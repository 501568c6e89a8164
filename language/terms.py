"""Content words as stems, and how much each says: what question and sentence are matched on.

Snowball's English stemmer (PyStemmer) lets "banned" meet "ban" and "betrayal" meet "betray";
function and question words are left out, so "how much did they say" matches nothing.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from language.lexicon import FUNCTION_WORDS, QUESTION_WORDS, SAME_MEANING

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
    # "what's", "it's", "we've": a function word with its verb
    base = _CONTRACTED.sub("", word) if "'" in word or "’" in word else word
    return len(base) > 1 and base not in FUNCTION_WORDS and base not in QUESTION_WORDS


_CONTRACTED = re.compile(r"['’](?:s|ve|re|ll|d|m)$")


_SAME = {variant: word for word, variants in SAME_MEANING.items() for variant in variants}
# One-word variants are looked up by word; only phrases need a pattern (a long alternation of
# every variant cost ~3 ms a question over ~150 sentences).
_SAME_WORD = {v: w for v, w in _SAME.items() if _WORD.fullmatch(v)}
# Phrases, and words written with a sign ("r&d"), which the word pattern splits.
_SAME_PHRASE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(v) for v in sorted(_SAME, key=len, reverse=True) if not _WORD.fullmatch(v))
    + r")\b",
    re.I,
)
_PHRASE_WORDS = frozenset(_WORD.findall(v)[-1] for v in _SAME if not _WORD.fullmatch(v))


def term(word: str) -> str:
    """The stem a lower-case word stands as: its own, or that of the word it means the same as
    (lexicon.SAME_MEANING: "ambassador" stands as "envoy")."""
    return stem(_SAME_WORD.get(word, word))


def terms(text: str) -> set[str]:
    """The stems of the content words of ``text``, a word or phrase of the same meaning as
    another (lexicon.SAME_MEANING) standing as that one."""
    found = words(text)
    if _PHRASE_WORDS.intersection(found):
        found = words(_SAME_PHRASE.sub(lambda m: _SAME[m.group().lower()], text))
    return {term(w) for w in found if is_content(w)}


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


_POSSESSIVE = re.compile(r"['’]s\b")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*[a-z]\b")


def truecased(question: str, texts: Iterable[str]) -> str:
    """The question with each word it writes in lower case that ``texts`` mostly capitalise
    written as they write it: "why did the irish regulator fine tiktok" reads "Irish", "TikTok",
    so that a question typed without capitals still names what it names."""
    wanted = {m.group() for m in _LOWER_WORD.finditer(question)} - FUNCTION_WORDS - QUESTION_WORDS
    if not wanted:
        return question
    forms: dict[str, Counter[str]] = {w: Counter() for w in wanted}
    for text in texts:
        # "Avel's" is written as "Avel"
        for word in _WORD.findall(_POSSESSIVE.sub("", text)):
            if (counter := forms.get(word.lower())) is not None:
                counter[word] += 1
    written = {}
    for word, counter in forms.items():
        lower = counter.pop(word, 0)
        if counter:
            form, n = counter.most_common(1)[0]
            if n > 2 * lower:
                written[word] = form
    if not written:
        return question
    return _LOWER_WORD.sub(lambda m: written.get(m.group(), m.group()), question)


# A word this long that no passage holds may be a typo of one that does ("goverment").
_TYPO_MIN = 6
_TYPO_CUTOFF = 0.8


def corrected(question: str, texts: Iterable[str]) -> str:
    """The question with each long word that is no English word and none of ``texts`` holds, but
    one they hold closely resembles, written as they write it: "goverment" reads "government"
    when the passages say so, "wouldnt" "wouldn't"."""
    texts = list(texts)
    joined = " ".join(texts).lower()
    # most questions have no word the passages lack: only then is their vocabulary needed
    unseen = {w for w in words(question) if w not in joined and (len(w) >= _TYPO_MIN or w.endswith("nt"))}
    if not unseen:
        return question
    vocabulary: Counter[str] = Counter(w.lower() for text in texts for w in _WORD.findall(text))
    stems = {stem(v) for v in vocabulary}
    fixes = {}
    for word in unseen:
        # an English word, or another form of one they hold ("banning" beside "banned"), is no typo
        if word.endswith("nt") and _is_english(contraction := f"{word[:-2]}n't"):
            fixes[word] = contraction  # "wouldnt": a negation typed without its apostrophe
            continue
        if len(word) < _TYPO_MIN or word in vocabulary or stem(word) in stems or _is_english(word):
            continue
        close = difflib.get_close_matches(
            word, [v for v in vocabulary if v[0] == word[0]], n=3, cutoff=_TYPO_CUTOFF
        )
        if close:
            fixes[word] = max(close, key=lambda v: vocabulary[v])
    if not fixes:
        return question
    return _WORD.sub(
        lambda m: (
            _matching_case(m.group(), fixes[m.group().lower()]) if m.group().lower() in fixes else m.group()
        ),
        question,
    )


@lru_cache(maxsize=1)
def _english_words() -> str:
    """pyspellchecker's English word list, as its text: one '"word": count' line per word.
    Searched as text (~3 MB) rather than loaded as its dictionary (~40 MB at peak), since a
    question looks up a word or two."""
    import gzip
    from importlib.resources import files

    return gzip.decompress((files("spellchecker") / "resources" / "en.json.gz").read_bytes()).decode()


def _is_english(word: str) -> bool:
    return f'\n"{word}":' in _english_words()


def as_written(question: str, texts: Sequence[str]) -> str:
    """The question with its typos and its lower-case names written as ``texts`` write them."""
    return truecased(corrected(question, texts), texts)


def _matching_case(original: str, word: str) -> str:
    return word.capitalize() if original[:1].isupper() else word
