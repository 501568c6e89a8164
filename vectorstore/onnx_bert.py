"""Mean-pooled BERT sentence encoders run by onnxruntime from an int8 build (``onnx_int8.py``).

No torch in the process: the ingest workers that use this start in ~0.6 s.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vectorstore.bert import max_tokens, tokenizers
from vectorstore.onnx_int8 import INPUTS, session


class OnnxBertEncoder:
    """Tokenize, run the int8 encoder, mean-pool, L2-normalise: ``BertEncoder``'s vectors to
    within cosine ~0.995 (mean 0.998)."""

    def __init__(self, model: Path, folder: Path, threads: int) -> None:
        self.max_tokens: int = max_tokens(folder)
        self.dim: int = int(json.loads((folder / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        self._tokenizer, self._counter = tokenizers(folder, self.max_tokens)
        self._session = session(model, threads)

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text).ids)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        # One text per run, whatever batch_size says: int8 inputs get one range per run, so a
        # text's vector must not depend on which texts share its batch (nor on padding).
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, encoding in enumerate(self._tokenizer.encode_batch(texts)):
            ids = np.asarray([encoding.ids], dtype=np.int64)
            (hidden,) = self._session.run(None, {INPUTS[0]: ids, INPUTS[1]: np.ones_like(ids)})
            pooled = hidden[0].mean(0)
            out[i] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return out
