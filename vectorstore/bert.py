"""Mean-pooled BERT sentence encoders (all-MiniLM-L6-v2 and kin) run directly on torch.

Importing sentence-transformers costs ~10 s of CPU on this machine (it pulls in transformers and
scikit-learn); torch alone costs ~4 s. For the common case, a sentence-transformers folder holding
a plain BERT with mean pooling, this module loads the same safetensors weights and the same
``tokenizer.json`` and runs the same computation, so ingest and ``ask`` start several seconds
sooner. Anything else goes through sentence-transformers (see ``encoders.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer


def is_plain_bert(folder: Path) -> bool:
    """True when ``folder`` is a sentence-transformers BERT with mean pooling this module can run."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pooling = json.loads((folder / pooling_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"
    )
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and kinds in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"])
        and bool(mean_only)
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


def max_tokens(folder: Path) -> int:
    """The input limit sentence-transformers applies to the model in ``folder``."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    st_config = _read_json(folder / "sentence_bert_config.json")
    return int(st_config.get("max_seq_length") or config["max_position_embeddings"])


def tokenizers(folder: Path, limit: int) -> tuple[Tokenizer, Tokenizer]:
    """The model's tokenizer truncating at ``limit`` (to encode), and one that does not (to count)."""
    from tokenizers import Tokenizer

    encoder = Tokenizer.from_file(str(folder / "tokenizer.json"))
    encoder.no_padding()
    encoder.enable_truncation(max_length=limit)
    counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
    counter.no_padding()
    counter.no_truncation()
    return encoder, counter


class BertEncoder:
    """Tokenize, run the BERT encoder, mean-pool over real tokens, L2-normalise."""

    def __init__(self, folder: Path, dtype: torch.dtype, device: str) -> None:
        import torch
        from safetensors.torch import load_file

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.max_tokens: int = max_tokens(folder)
        self.dim: int = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._pad_id = int(config.get("pad_token_id") or 0)
        self._device = torch.device(device)
        weights = load_file(str(folder / "model.safetensors"), device=device)
        self._w = {k.removeprefix("bert."): v.to(dtype) for k, v in weights.items() if v.is_floating_point()}
        self._tokenizer, self._counter = tokenizers(folder, self.max_tokens)

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text).ids)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        import torch

        encodings = self._tokenizer.encode_batch(texts)
        # Longest first, so each batch pads to lengths close to its own and the first batch
        # shows the peak memory straight away (what sentence-transformers does too).
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                width = max(len(encodings[i].ids) for i in idx)
                ids = torch.full((len(idx), width), self._pad_id, dtype=torch.long)
                mask = torch.zeros((len(idx), width), dtype=torch.bool)
                for row, i in enumerate(idx):
                    n = len(encodings[i].ids)
                    ids[row, :n] = torch.tensor(encodings[i].ids, dtype=torch.long)
                    mask[row, :n] = True
                pooled = self._forward(ids.to(self._device), mask.to(self._device))
                out[idx] = pooled.float().cpu().numpy()
        return out

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch
        from torch.nn import functional as F

        w = self._w
        width = ids.shape[1]
        h = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width].unsqueeze(0)
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        h = self._norm(h, "embeddings.LayerNorm")
        batch, heads = ids.shape[0], self._heads
        head_dim = h.shape[-1] // heads
        attend = mask[:, None, None, :]
        for n in range(self._layers):
            p = f"encoder.layer.{n}."

            def split(x: torch.Tensor) -> torch.Tensor:
                return x.view(batch, width, heads, head_dim).transpose(1, 2)

            q = split(self._linear(h, p + "attention.self.query"))
            k = split(self._linear(h, p + "attention.self.key"))
            v = split(self._linear(h, p + "attention.self.value"))
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
            ctx = ctx.transpose(1, 2).reshape(batch, width, heads * head_dim)
            h = self._norm(
                h + self._linear(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm"
            )
            inner = F.gelu(self._linear(h, p + "intermediate.dense"))
            h = self._norm(h + self._linear(inner, p + "output.dense"), p + "output.LayerNorm")
        weights = mask.unsqueeze(-1).to(torch.float32)
        pooled = (h.to(torch.float32) * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return F.normalize(pooled, p=2, dim=1)

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        from torch.nn import functional as F

        return F.linear(x, self._w[name + ".weight"], self._w[name + ".bias"])

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        from torch.nn import functional as F

        return F.layer_norm(x, x.shape[-1:], self._w[name + ".weight"], self._w[name + ".bias"], self._eps)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        return {}
    return data if isinstance(data, dict) else {}
