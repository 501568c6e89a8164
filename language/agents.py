"""Who did it: the agent a passive question names and the one a sentence names.

"How much was the firm paid by the Harbour Board?" is not answered by "the club was paid
£2m by the council": the same verb, done by someone else.
"""

from __future__ import annotations

import re

from language.lexicon import IRREGULAR_PAST
from language.terms import stem

# "paid by the Harbour Board", "fined by Westmoor Council": a past participle, then its agent.
_PASSIVE = re.compile(r"\b([a-z]+)\s+by\s+(?:the\s+)?([A-Z][\w&.'’-]*(?:\s+(?:of\s+)?[A-Z][\w&.'’-]*)*)")
_WORD = re.compile(r"[A-Za-z][\w&'’-]*")
# How far after the verb a sentence's "by …" may stand ("paid £1.4m last year by …").
_VERB_TO_BY = 8
_AGENT_WORDS = 4
# "paid by its owner": who that is, the sentence alone does not say.
_PRONOUNS = frozenset(
    {"it", "its", "he", "his", "she", "her", "they", "their", "them", "him", "this", "that"}
)


def _participle(word: str) -> bool:
    return word.endswith(("ed", "en")) or word in IRREGULAR_PAST


def asked_agent(question: str) -> tuple[str, str] | None:
    """The verb (a stem) and the agent's last word (lower case) of a passive question: ("paid",
    "board") for "how much was the firm paid by the Harbour Board?"; None for any other."""
    for match in _PASSIVE.finditer(question):
        verb, agent = match.group(1), match.group(2)
        if _participle(verb):
            return stem(verb), agent.split()[-1].lower().rstrip("'’s")
    return None


def other_agent(sentence: str, verb: str, agent: str) -> bool:
    """Whether the sentence says the verb was done by someone other than ``agent``."""
    tokens = list(_WORD.finditer(sentence))
    for i, token in enumerate(tokens):
        if stem(token.group().lower()) != verb:
            continue
        after = [t.group().lower() for t in tokens[i + 1 : i + 1 + _VERB_TO_BY]]
        if "by" not in after:
            continue
        named = after[after.index("by") + 1 :][:_AGENT_WORDS]
        if named and named[0] not in _PRONOUNS and agent not in [w.rstrip("'’s") for w in named]:
            return True
    return False
