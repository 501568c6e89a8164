"""The embedding model as one ``Embedder`` for ingest (chunks) and for questions (queries),
also usable wherever LangChain wants ``Embeddings``. Which encoder runs it: ``encoders.py``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from vectorstore.encoders import Encoder, build_encoder, encode
from vectorstore.settings import EmbeddingSettings


class Embedder(Embeddings):
    """Sentence embeddings of one model; also a LangChain ``Embeddings``.

    ``max_tokens`` is the model's input limit (special tokens included): longer texts are
    truncated. ``count_tokens(text) <= max_tokens`` means the model sees the whole text.
    """

    def __init__(self, encoder: Encoder, batch_size: int, name: str, precision: str = "float32") -> None:
        self._encoder = encoder
        self.batch_size = batch_size
        self.name = name
        self.precision = precision  # what really runs: bfloat16, int8 or float32

    @property
    def max_tokens(self) -> int:
        return self._encoder.max_tokens

    @property
    def dim(self) -> int:
        return self._encoder.dim

    def count_tokens(self, text: str) -> int:
        """Tokens the model would see for ``text``, [CLS] and [SEP] included, without truncation."""
        return self._encoder.count_tokens(text)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """An (n, dim) float32 array of L2-normalised vectors, in the order of ``texts``."""
        return encode(self._encoder, list(texts), self.batch_size)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def build_embedder(settings: EmbeddingSettings, *, serving: bool = False) -> Embedder:
    """The configured model (see ``encoders.build_encoder``); raises EmbeddingModelError."""
    encoder, precision = build_encoder(settings, serving=serving)
    return Embedder(encoder, settings.batch_size, settings.model, precision)
