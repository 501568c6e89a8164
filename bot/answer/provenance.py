"""Who says so, and when: the step every answer goes through before it is shown.

Whatever composed the answer (the extractive answerer or a chat model), its sources are labelled
with their publishers' profiles, each sentence gets the number of independent publishers behind
it, and the answer gets the dates its evidence spans (for a question about how things stand now,
said in the answer). See ``bot.answer.display`` for how this is shown.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.answer.corroboration import corroborate
from bot.answer.labels import Labeller
from bot.answer.types import Answer, Citation, Claim, Dating

_MARKS = re.compile(r"(?:[ \t]*\[\d+\])+")
_NUMBER = re.compile(r"\d+")


class Provenance:
    """Labels, corroboration and dating for answers; built once with the publisher labels."""

    def __init__(self, labeller: Labeller) -> None:
        self.labeller = labeller

    def annotate(self, answer: Answer, *, current: bool = False) -> Answer:
        """The answer with labelled sources, counted publishers per sentence and its dating;
        an answer citing nothing (an abstention) is returned as it is."""
        if not answer.citations:
            return answer
        citations = tuple(self.labelled(c) for c in answer.citations)
        by_number = {c.n: c for c in citations}
        claims = answer.claims or claims_of(answer.text)
        counted = tuple(corroborate(c, by_number, self.labeller.owner) for c in claims)
        return replace(answer, citations=citations, claims=counted, dating=dating(citations, current))

    def labelled(self, citation: Citation) -> Citation:
        label = self.labeller.label(citation.publisher, citation.publisher_id, citation.publisher_type)
        return replace(
            citation,
            publisher=label.name,
            publisher_type=label.type,
            publisher_country=label.country,
            publisher_label=label.text,
        )


def claims_of(text: str) -> tuple[Claim, ...]:
    """The sentences of an answer written with citation marks after each (a chat model's): each
    runs to the end of its marks; each source counts on its own."""
    claims = []
    start = 0
    for match in _MARKS.finditer(text):
        begin = match.start() - len(text[start : match.start()].lstrip())
        numbers = tuple(int(n) for n in _NUMBER.findall(match.group()))
        claims.append(Claim(begin, match.end(), numbers, tuple((n,) for n in numbers)))
        start = match.end()
    return tuple(claims)


def dating(citations: tuple[Citation, ...], current: bool) -> Dating:
    dates = sorted(c.published for c in citations if c.published)
    return Dating(
        newest=dates[-1] if dates else None,
        oldest=dates[0] if dates else None,
        undated=sum(c.undated for c in citations),
        current=current,
    )
