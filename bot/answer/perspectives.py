"""Answers to "what did X say / how did Y react" grouped by who reports them.

A reaction reads differently in a party paper and in a foreign broadsheet; when the evidence for
such a question comes from publishers of several types, the answer shows it by type ("State-
affiliated media (China): … [2]" / "Newspapers (United Kingdom): … [4]"), and a type the chosen
sentences leave out gets its best sentence too when one scores close to the best.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.answer.candidates import Candidate
from bot.answer.labels import PLURALS, UNLABELLED_GROUP, PublisherLabel
from bot.answer.support import focus_terms
from language.questions import QuestionAnalysis

# At most this many sentences are added to give a type the chosen ones leave out.
OTHER_VOICES = 2
# How much an added sentence must look like a report of what was said: a quotation or a
# reporting verb (scoring.kind_match for a stance question gives 0.5 for either, 1 for both).
SAYS = 0.5

LabelOf = Callable[[Candidate], PublisherLabel]
_SENTENCE_END = re.compile(r"[.!?][\"”’')]*$")


@dataclass(frozen=True, slots=True)
class Section:
    heading: str  # "State-affiliated media (China)"
    sentences: tuple[Candidate, ...]


def other_voices(
    qa: QuestionAnalysis,
    chosen: Sequence[Candidate],
    ranked: Sequence[Candidate],
    margin: float,
    label_of: LabelOf,
) -> list[Candidate]:
    """The best sentence of each publisher type the chosen sentences lack, among those scoring
    within ``margin`` of the best that report what was said (a quotation or a reporting verb)
    and hold the question's most specific words."""
    if not chosen:
        return []
    best = max(c.score for c in ranked)
    focus = focus_terms(qa, ranked)
    present = {label_of(c).type for c in chosen}
    added: list[Candidate] = []
    for cand in ranked:
        if len(added) >= OTHER_VOICES or cand.score < best - margin:
            break
        kind = label_of(cand).type
        if kind in present or cand in chosen or cand.features.get("kind", 0.0) < SAYS:
            continue
        if not _SENTENCE_END.search(cand.text):  # a fragment (a caption, a headline run on)
            continue
        if focus and not focus & cand.context:
            continue
        present.add(kind)
        added.append(cand)
    return added


def sections(sentences: Sequence[Candidate], label_of: LabelOf) -> list[Section]:
    """The sentences grouped by their publishers' type, in the order each type first appears;
    [] when they are all of one type (nothing to group)."""
    groups: dict[str | None, list[Candidate]] = {}
    for cand in sentences:
        groups.setdefault(label_of(cand).type, []).append(cand)
    if len(groups) < 2:
        return []
    return [
        Section(heading(kind, [label_of(c) for c in group]), tuple(group)) for kind, group in groups.items()
    ]


def heading(kind: str | None, labels: Sequence[PublisherLabel]) -> str:
    """ "Newspapers (United Kingdom, United States)"; "Unlabelled sources"."""
    if kind is None:
        return UNLABELLED_GROUP
    countries = sorted({label.country for label in labels if label.country})
    return f"{PLURALS.get(kind, kind)} ({', '.join(countries)})" if countries else PLURALS.get(kind, kind)
