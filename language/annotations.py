"""Sentence notes of a chunk: where each sentence is, its flags and what it states.

Ingest writes them into each chunk's metadata (``sentences``, a compact JSON string), so that
answering a question reads them instead of running the rules again. A chunk stored by an
earlier version, or with notes of another version of the rules, is annotated when read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from language.expressions import Expression, Kind, expressions, lower_case_words
from language.sentences import Flag, sentence_spans, tidy

logger = logging.getLogger(__name__)

# Bump when a rule of sentences.py or expressions.py changes what is stored.
VERSION = 21
METADATA_KEY = "sentences"
_KINDS = list(Kind)


@dataclass(frozen=True, slots=True)
class SentenceNote:
    """One sentence of a chunk: ``text`` as quoted (tidied), its place in the chunk, flags, expressions."""

    text: str
    start: int
    end: int
    flags: Flag
    expressions: list[Expression]


def annotate(text: str, title: str = "", common: Iterable[str] = ()) -> list[SentenceNote]:
    """The notes of every sentence of ``text`` (``common``: words the article writes in lower case)."""
    common_words = common if isinstance(common, frozenset | set) else frozenset(common)
    notes = []
    for span in sentence_spans(text, title):
        sentence = tidy(text[span.start : span.end])
        notes.append(
            SentenceNote(sentence, span.start, span.end, span.flags, expressions(sentence, common_words))
        )
    return notes


def encode(notes: Iterable[SentenceNote]) -> str:
    """The notes as the compact JSON string stored in a chunk's metadata."""
    rows = [
        [n.start, n.end, int(n.flags), [[_KINDS.index(e.kind), e.start, e.end, e.key] for e in n.expressions]]
        for n in notes
    ]
    return json.dumps({"v": VERSION, "s": rows}, separators=(",", ":"), ensure_ascii=False)


def encoded_notes(chunk_texts: Sequence[str], title: str, article_text: str) -> list[str]:
    """The stored notes of each chunk of one article. A capitalised first word counts as a name
    only if the article never writes it lower-case, so the article's text is the reference."""
    common = lower_case_words([article_text])
    return [encode(annotate(text, title, common)) for text in chunk_texts]


def decode(text: str, stored: str) -> list[SentenceNote] | None:
    """The notes stored for ``text``; None when they are of another version or unreadable."""
    try:
        data = json.loads(stored)
        if data.get("v") != VERSION:
            return None
        notes = []
        for start, end, flags, exprs in data["s"]:
            sentence = tidy(text[start:end])
            found = [Expression(_KINDS[k], s, e, sentence[s:e], key) for k, s, e, key in exprs]
            notes.append(SentenceNote(sentence, start, end, Flag(flags), found))
        return notes
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        logger.debug("stored sentence notes not usable (%s); annotating again", exc)
        return None


def is_current(metadata: Mapping[str, object]) -> bool:
    """Whether a chunk's stored notes are of this version of the rules."""
    stored = metadata.get(METADATA_KEY)
    try:
        return isinstance(stored, str) and json.loads(stored).get("v") == VERSION
    except (ValueError, AttributeError):
        return False


def notes_for(text: str, metadata: Mapping[str, object], common: Iterable[str] = ()) -> list[SentenceNote]:
    """The chunk's stored notes if current, else notes made now with the same rules."""
    stored = metadata.get(METADATA_KEY)
    if isinstance(stored, str):
        notes = decode(text, stored)
        if notes is not None:
            return notes
    return annotate(text, str(metadata.get("title") or ""), common)
