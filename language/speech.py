"""Who says what: the speaker a sentence reports, and the speaker a question asks about.

"What did the Harbour Board say about the fees?" is answered by a sentence the Harbour Board
speaks in ("the Harbour Board said…"), not by one in which somebody else talks about it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from language.expressions import NAMES, Expression
from language.lexicon import REPORTING_VERBS
from language.terms import stem

# Speech verbs in any form: "said", "say", "says" all stem to one of these.
_REPORTING_STEMS = frozenset(stem(v) for v in REPORTING_VERBS) | REPORTING_VERBS
_WORD = re.compile(r"[A-Za-z]+")
# How far a speaker stands from its verb: "Ann Lee, the port's chief executive, said".
_BEFORE_CHARS = 70
_AFTER_CHARS = 25
# The auxiliary that opens "what did X say", "has X commented", "would X accept".
_AUXILIARY = re.compile(r"\b(?:did|does|do|has|have|had|would|will|could|is|was)\b", re.I)
_ACCORDING_TO = re.compile(r"\baccording to\b", re.I)
_QUESTION_SPAN_WORDS = 10
_SUBJECT_GAP_WORDS = 3
# A speaker named after its verb comes right after it ("said Ann Lee", "according to the Port
# Authority"); a name further on is what is said ("said it plans to drop Huawei"), and the one
# after "told" is who listens.
_SPEAKER_NEXT = re.compile(r"^\s*(?:(?:the|a|an)\s+)?$", re.I)
_TO_LISTENER = frozenset({"told", "tell", "tells", "telling"})
_PARTICIPLES = frozenset({"said", "told", "written", "spoken"})


def _verbs(text: str) -> list[re.Match[str]]:
    return [m for m in _WORD.finditer(text) if stem(m.group().lower()) in _REPORTING_STEMS]


def _ids(expr: Expression) -> set[str]:
    """What identifies a speaker: its key and its last word ("Lee" for "Ann Lee")."""
    return {expr.key, expr.text.split()[-1].lower()}


def _subject_gap(between: str) -> bool:
    """Whether the text between a name and a speech verb leaves the name its subject: nothing,
    a few words ("has repeatedly said"), or an aside closed by a comma ("Ann Lee, the chief
    executive, said") — not a clause with a subject of its own ("Ann Lee failed, the auditors
    said")."""
    if re.search(r"[\"“”.;]", between):
        return False
    if "," in between:
        # an aside opens right after the name and closes before the verb
        return between.lstrip().startswith(",") and not between.rsplit(",", 1)[1].strip()
    return len(_WORD.findall(between)) <= _SUBJECT_GAP_WORDS


def speakers(sentence: str, found: Sequence[Expression]) -> frozenset[str]:
    """The names a sentence reports as speaking: the nearest name before a speech verb
    ("Ann Lee, the chief executive, said"), or the one right after it ("said Ann Lee",
    "according to the Port Authority")."""
    return frozenset(speech(sentence, found))


def speech(sentence: str, found: Sequence[Expression]) -> dict[str, int]:
    """Each name the sentence reports as speaking (see ``speakers``), with where its speech
    verb ends: what follows that is what it says."""
    names = [e for e in found if e.kind in NAMES]
    out: dict[str, int] = {}
    for verb in [*_verbs(sentence), *_ACCORDING_TO.finditer(sentence)]:
        before = [e for e in names if verb.start() - _BEFORE_CHARS <= e.end <= verb.start()]
        if before and _subject_gap(sentence[before[-1].end : verb.start()]):
            out.update(dict.fromkeys(_ids(before[-1]), verb.end()))
        after = [e for e in names if verb.end() <= e.start <= verb.end() + _AFTER_CHARS]
        if after and _SPEAKER_NEXT.match(sentence[verb.end() : after[0].start]) and not _addressed(verb):
            out.update(dict.fromkeys(_ids(after[0]), after[0].end))
    return out


def _addressed(verb: re.Match[str]) -> bool:
    """Whether the verb names who listens after it (\"told the Guardian\")."""
    return verb.group().lower() in _TO_LISTENER


def _fits_auxiliary(auxiliary: str, verb: str) -> bool:
    """Whether the verb has the form the auxiliary wants: "did X say" (not "did X rely on the
    PM's comments", a noun), "has X commented"."""
    if auxiliary in ("has", "have", "had", "is", "was"):
        return verb.endswith("ed") or verb in _PARTICIPLES
    return not verb.endswith(("s", "ed")) or verb in _PARTICIPLES


def asked_speakers(question: str, found: Sequence[Expression]) -> frozenset[str]:
    """The names a question asks to hear from: "what did Ann Lee say", "has the Port Authority
    commented", "according to Ann Lee, why…"."""
    names = [e for e in found if e.kind in NAMES]
    out: set[str] = set()
    for verb in _verbs(question):
        opening = [a for a in _AUXILIARY.finditer(question, 0, verb.start())]
        if not opening or not _fits_auxiliary(opening[-1].group().lower(), verb.group().lower()):
            continue
        span = question[opening[-1].end() : verb.start()]
        if len(_WORD.findall(span)) > _QUESTION_SPAN_WORDS:
            continue
        inside = [e for e in names if opening[-1].end() <= e.start and e.end <= verb.start()]
        if inside:
            out |= _ids(inside[0])
    for match in _ACCORDING_TO.finditer(question):
        after = [e for e in names if match.end() <= e.start <= match.end() + _AFTER_CHARS]
        if after:
            out |= _ids(after[0])
    return frozenset(out)
