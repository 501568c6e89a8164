"""Sentence-aware chunks that fit the embedding model whole.

all-MiniLM-L6-v2 silently truncates at 256 tokens, so every chunk's *embedded* text, the article
title followed by the chunk, is measured with the model's own tokenizer and kept within the
limit. Chunks aim at ``[ingest] chunk_tokens`` and repeat the last
``chunk_overlap_sentences`` sentences of the previous chunk. Sentences come from pysbd, within
paragraphs (only those a chunk boundary falls in); a sentence too long for any chunk is split at
word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from ingest.models import Article
from language.annotations import METADATA_KEY, encoded_notes
from vectorstore.metadata import ARTICLE_KEYS

if TYPE_CHECKING:
    from langchain_core.documents import Document

    from ingest.settings import IngestSettings


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chunk of an article: ``text`` is ``article.text[start:end]``."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int
    embed_text: str  # what the model sees: title + text
    notes: str = ""  # its sentences' flags and expressions (language.annotations), as stored

    def to_document(self, article: Article) -> Document:
        """As a LangChain Document, for code that speaks LangChain."""
        from langchain_core.documents import Document

        return Document(page_content=self.text, id=self.id, metadata=chunk_metadata(article, self))


def embed_text(title: str, text: str) -> str:
    return f"{title}\n\n{text}"


# The article's fields each chunk carries: the store's article keys, less those set below or
# only known to the store.
_ARTICLE_FIELDS = tuple(
    k for k in ARTICLE_KEYS if k not in ("article_id", "title", "origins", "content_hash", "ingested_at")
)


def chunk_metadata(article: Article, chunk: Chunk) -> dict[str, str | int]:
    """Flat metadata for the store (absent values left out: Chroma has no null)."""
    meta: dict[str, str | int] = {
        "article_id": article.id,
        "chunk_index": chunk.index,
        "start_char": chunk.start,
        "end_char": chunk.end,
        "title": article.title,
    }
    for key in _ARTICLE_FIELDS:
        value = getattr(article, key)
        if value is not None:
            meta[key] = value
    if chunk.notes:
        meta[METADATA_KEY] = chunk.notes
    return meta


def annotated(article: Article, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks with their sentence notes, decided once here so that answering only reads them."""
    notes = encoded_notes([c.text for c in chunks], article.title, article.text)
    return [replace(c, notes=n) for c, n in zip(chunks, notes, strict=True)]


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    tokens: int
    paragraph: bool = False  # a whole paragraph, not yet split into sentences


_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")


class SentenceChunker:
    """Splits articles into chunks of whole sentences within a token budget.

    ``count_tokens`` is the embedding model's count of what it sees for a text, special tokens
    included (``Embedder.count_tokens``); ``max_tokens`` the model's input limit.

    Sentence splitting (pysbd) is the costly part of chunking, so paragraphs are packed whole
    while they fit and only a paragraph at a chunk boundary is split into sentences (to fill
    the chunk and to find the overlap sentences). WordPiece counts of whitespace-joined pieces
    add up, so the chunks are the same as packing every sentence one by one.
    """

    def __init__(
        self, count_tokens: Callable[[str], int], max_tokens: int, target_tokens: int, overlap_sentences: int
    ) -> None:
        if not 0 < target_tokens <= max_tokens:
            raise ValueError(f"chunk_tokens must be between 1 and the model's {max_tokens} tokens")
        if overlap_sentences < 0:
            raise ValueError("chunk_overlap_sentences must be >= 0")
        import pysbd

        self._segmenter = pysbd.Segmenter(language="en", clean=False)
        self._count = count_tokens
        self._special = count_tokens("")  # [CLS] and [SEP], counted once per embedded text
        self.limit = max_tokens - self._special
        self.target = min(target_tokens, self.limit)
        self.overlap = overlap_sentences

    def _sentences(self, text: str, para_start: int, para_end: int) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        pos = para_start
        # pysbd's segment() finds each sentence again in the text with a regex compiled for
        # it, to keep the spacing; the spans below do that with str.find. Same sentences on
        # every corpus paragraph, 40 % less of pysbd's time.
        for sent in self._segmenter.processor(text[para_start:para_end]).process():
            stripped = sent.strip()
            if not stripped:
                continue
            start = text.find(stripped, pos, para_end)
            if start < 0:  # pysbd altered the text; fall back to the rest of the paragraph
                spans.append((pos, para_end))
                break
            spans.append((start, start + len(stripped)))
            pos = start + len(stripped)
        return spans

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` itself, without the special tokens."""
        return self._count(text) - self._special

    def _fit(self, text: str, start: int, end: int, budget: int, tokens: int | None = None) -> list[_Span]:
        """The sentence as spans that each fit ``budget`` (split at words if it is too long)."""
        if tokens is None:
            tokens = self.count_tokens(text[start:end])
        if tokens <= budget:
            return [_Span(start, end, tokens)]
        words = [m.span() for m in re.finditer(r"\S+", text[start:end])]
        if len(words) <= 1:  # one enormous "word": cut by characters
            mid = (start + end) // 2
            return self._fit(text, start, mid, budget) + self._fit(text, mid, end, budget)
        half = len(words) // 2
        cut = start + words[half][0]
        return self._fit(text, start, cut, budget) + self._fit(text, cut, end, budget)

    def _split_paragraph(self, text: str, para: _Span, budget: int) -> list[_Span]:
        sentences = self._sentences(text, para.start, para.end)
        if len(sentences) == 1 and sentences[0] == (para.start, para.end):
            return self._fit(text, para.start, para.end, budget, para.tokens)
        return [span for start, end in sentences for span in self._fit(text, start, end, budget)]

    def _tail(self, text: str, group: list[_Span], budget: int) -> list[_Span]:
        """The last ``overlap`` sentences of a chunk (splitting its last paragraphs as needed)."""
        tail: list[_Span] = []
        for unit in reversed(group):
            if len(tail) >= self.overlap:
                break
            tail[:0] = self._split_paragraph(text, unit, budget) if unit.paragraph else [unit]
        return tail[-self.overlap :] if self.overlap else []

    def split(self, article: Article) -> list[Chunk]:
        text = article.text
        title_tokens = self.count_tokens(embed_text(article.title, "")) if article.title else 0
        # A title so long it leaves little room is cut for embedding purposes only.
        title = article.title
        if title_tokens > self.limit // 3:
            title = title[: len(title) * (self.limit // 3) // max(title_tokens, 1)]
            title_tokens = self.count_tokens(embed_text(title, ""))
        budget = self.limit - title_tokens
        target = max(self.target - title_tokens, budget // 2)
        pending = [
            _Span(m.start(), m.end(), self.count_tokens(m.group()), paragraph=True)
            for m in reversed(list(_PARAGRAPH.finditer(text)))
        ]

        groups: list[list[_Span]] = []
        current: list[_Span] = []
        used = 0
        fresh = 0  # sentences in `current` not carried over from the previous chunk
        while pending:
            span = pending.pop()
            if span.paragraph and (used + span.tokens > target or span.tokens > budget):
                pending.extend(reversed(self._split_paragraph(text, span, budget)))
                continue
            if current and fresh and used + span.tokens > target:
                groups.append(current)
                carried = self._tail(text, current, budget)
                current = []
                used = 0
                for kept in carried:  # keep the overlap only where the new sentence still fits
                    if used + kept.tokens + span.tokens <= target:
                        current.append(kept)
                        used += kept.tokens
                fresh = 0
            current.append(span)
            used += span.tokens
            fresh += 1
        if current and fresh:
            groups.append(current)

        chunks: list[Chunk] = []
        todo = list(reversed(groups))
        while todo:
            group = todo.pop()
            start, end = group[0].start, group[-1].end
            embedded = embed_text(title, text[start:end])
            # Per-piece counts add up to the joined count for WordPiece; if they ever do not,
            # the group is halved rather than truncated, so no text is lost.
            if self.count_tokens(embedded) > self.limit:
                if len(group) == 1 and group[0].paragraph:
                    todo.append(self._split_paragraph(text, group[0], budget))
                    continue
                if len(group) > 1:
                    half = len(group) // 2
                    todo += [group[half:], group[:half]]
                    continue
            index = len(chunks)
            chunks.append(
                Chunk(f"{article.id}:{index}", article.id, index, text[start:end], start, end, embedded)
            )
        return chunks


class TokenCounter(Protocol):
    """The model's tokenizer as the chunker needs it (an ``Embedder`` or an encoder)."""

    @property
    def max_tokens(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...


def chunker_for(model: TokenCounter, settings: IngestSettings) -> SentenceChunker:
    """The chunker ingest uses: the model's own token counts, the ``[ingest]`` chunk settings."""
    return SentenceChunker(
        model.count_tokens, model.max_tokens, settings.chunk_tokens, settings.chunk_overlap_sentences
    )
