"""Int8 matrix products for the BERT encoder: embedding without native bf16, at bf16's accuracy.

On a CPU without native bf16 (AVX2 only), int8 through fbgemm is the one way to run the encoder's
matrix products markedly faster than float32. Plain dynamic int8 on every layer lost too much:
cosine to the float32 vectors fell to 0.966 and dev retrieval dropped. Two things make it hold:

* SmoothQuant scaling (Xiao et al., 2023): a few input channels of each layer carry values ~14x
  the rest, which sets the int8 step for the whole tensor. Dividing each input channel by
  ``s = act_max**alpha / weight_max**(1 - alpha)`` and multiplying the weight's column by the same
  ``s`` leaves the product unchanged and evens the ranges out. ``act_max`` comes from running the
  float32 model once on fixed passages (``calibration.py``).
* Only the attention projections and the feed-forward input are quantized. The feed-forward
  output projection reads GELU output, whose outliers are per token, not per channel; int8 there
  cost more accuracy than all the others together (cosine min 0.89; still 0.988 with 128 outlier
  channels kept in float32, 0.992 with one range per token). It stays float32.

Measured on the shared corpus: cosine to float32 min 0.998, mean 0.999 (bf16: >= 0.998).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

# Suffixes of the linear layers run in int8; every other one stays float32 (see above).
QUANTIZED = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
)
# SmoothQuant's migration strength. On the feed-forward input alone, cosine min to float32 over the
# corpus was 0.996 at 0.5, 0.999 at 0.8 and 0.9986 at 1.0 (where the weights get the outliers).
ALPHA = 0.8


def int8_supported() -> bool:
    """Whether torch has fbgemm's dynamic int8 linear here (x86 builds do)."""
    import torch

    engines = torch.backends.quantized.supported_engines
    return ("fbgemm" in engines or "x86" in engines) and hasattr(torch.ops.quantized, "linear_dynamic")


def is_quantized(name: str) -> bool:
    return name.endswith(QUANTIZED)


@dataclass(frozen=True)
class Int8Linear:
    """``F.linear(x, weight, bias)`` with int8 weights (per output channel) and int8 inputs
    (one range per call), inputs smoothed by ``inv_scale``."""

    packed: Any
    inv_scale: torch.Tensor

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        import torch

        # reduce_range: fbgemm's AVX2 kernel sums pairs of u8*s8 products in int16, which a full
        # 8-bit input range can overflow.
        return torch.ops.quantized.linear_dynamic(x * self.inv_scale, self.packed, True)


def quantize_linear(weight: torch.Tensor, bias: torch.Tensor, act_max: torch.Tensor) -> Int8Linear:
    """An Int8Linear for ``weight`` (out x in) whose inputs reach ``act_max`` per channel."""
    import torch

    scale = act_max.clamp(min=1e-5) ** ALPHA / weight.abs().amax(0).clamp(min=1e-5) ** (1 - ALPHA)
    smoothed = weight * scale
    step = (smoothed.abs().amax(1) / 127).clamp(min=1e-8).double()
    with warnings.catch_warnings():
        # torch marks its quantized tensor types deprecated; the pinned torch has them, and
        # build_embedder falls back to float32 where a later one does not.
        warnings.simplefilter("ignore", UserWarning)
        qweight = torch.quantize_per_channel(
            smoothed, step, torch.zeros(weight.shape[0], dtype=torch.long), 0, torch.qint8
        )
        packed = torch.ops.quantized.linear_prepack(qweight, bias)
    return Int8Linear(packed, (1 / scale).contiguous())
