"""The sentences of the retrieved passages that an answer may quote, with what each states.

Each sentence is taken once: overlapping chunks repeat sentences, and a sentence syndicated in
another article is kept once with that article's chunk beside it (both are cited). Sentences
flagged at ingest (captions, bylines, prompts, headlines, fragments) are left out. A chunk
stored before ingest annotated sentences is annotated here, with the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from language.annotations import SentenceNote, notes_for
from language.expressions import Expression, lower_case_words, resolve
from language.terms import terms
from vectorstore.metadata import next_chunk_id
from vectorstore.records import ChunkRecord
from vectorstore.retrieval import Passage, overlap, shingles


@dataclass(slots=True)
class Candidate:
    """One quotable sentence of a retrieved passage."""

    text: str
    passage: int  # rank of its passage in the retrieved list (0 = best)
    order: int  # position among all candidates, in passage order then text order
    chunks: list[ChunkRecord]  # its chunk, then chunks of other articles repeating it
    terms: set[str]
    expressions: list[Expression]
    shingles: frozenset[str]
    lead: bool = False  # the first sentence of its article
    previous: str = ""  # the quotable sentence before it in its chunk, if any
    position: int = 0  # its index among the sentences of its chunk
    following: str = ""  # the text of the chunk after its own, when that was read too
    features: dict[str, float] = field(default_factory=dict)
    context: set[str] = field(default_factory=set)  # its terms and its neighbours' (set when scored)
    # Other articles' sentences stating the same answer (the same date, figure, name): cited too.
    corroboration: list[Candidate] = field(default_factory=list)
    score: float = 0.0
    shown: str = ""  # as the answer quotes it (set when composed; see extractive.quote)

    @property
    def article(self) -> str:
        return article_of(self.chunks[0])


def article_of(chunk: ChunkRecord) -> str:
    return str(chunk.metadata.get("article_id", chunk.id))


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    """The quotable sentences of the passages, each once, in passage order."""
    common = lower_case_words(p.text for p in passages)
    texts = {p.chunk.id: p.chunk.text for p in passages}
    seen: dict[str, Candidate] = {}
    found: list[Candidate] = []
    for rank, passage in enumerate(passages):
        copy_shingles = [(c, shingles(c.text)) for c in passage.copies]
        notes = notes_for(passage.chunk.text, passage.chunk.metadata, common)
        exprs = resolve([n.expressions for n in notes])
        following = texts.get(next_chunk_id(passage.chunk.id) or "", "")
        previous = ""
        for i, (note, found_exprs) in enumerate(zip(notes, exprs, strict=True)):
            if note.flags:
                previous = ""
                continue
            before, previous = previous, note.text
            key = " ".join(note.text.lower().split())
            if key in seen:  # the same sentence in another article: cite that one too
                known = seen[key]
                if all(article_of(c) != passage.article_id for c in known.chunks):
                    known.chunks.append(passage.chunk)
                continue
            sig = shingles(note.text)
            copies = [c for c, c_sig in copy_shingles if overlap(sig, c_sig) >= 0.9]
            cand = Candidate(
                note.text,
                rank,
                len(found),
                [passage.chunk, *copies],
                terms(note.text),
                found_exprs,
                sig,
                lead=_is_lead(passage.chunk, i, notes),
                previous=before,
                position=i,
                following=following,
            )
            seen[key] = cand
            found.append(cand)
    return found


def _is_lead(chunk: ChunkRecord, index: int, notes: Sequence[SentenceNote]) -> bool:
    """The article's first quotable sentence (news puts the main fact there)."""
    if chunk.metadata.get("chunk_index", 0) != 0:
        return False
    return all(n.flags for n in notes[:index])
