"""What the CPU allows: torch matmul peak and all-MiniLM-L6-v2's FLOPs per chunk.

The embedding benchmark divides measured chunks/s by ``peak_flops / flops_per_chunk`` (same
dtype, same thread count, same run) to say how close to the machine's limit embedding runs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

# all-MiniLM-L6-v2 (BERT encoder)
LAYERS = 6
HIDDEN = 384
FFN = 1536


def layer_flops(seq_len: int, hidden: int = HIDDEN, ffn: int = FFN) -> float:
    """Multiply-adds x 2 of one encoder layer over ``seq_len`` tokens.

    Q, K, V and output projections 4*(2*L*h*h); scores Q.K^T and weights.V 2*(2*L*L*h);
    the feed-forward up and down projections 2*(2*L*h*f). Softmax, layer norm, GELU and
    embeddings are a few per cent and left out, so the percentage of peak is a slight underestimate.
    """
    return 8 * seq_len * hidden * hidden + 4 * seq_len * seq_len * hidden + 4 * seq_len * hidden * ffn


def model_flops(seq_len: int, layers: int = LAYERS) -> float:
    return layers * layer_flops(seq_len)


def mean_model_flops(token_counts: Sequence[int]) -> float:
    """Mean FLOPs per chunk over the chunks' real token counts (no padding counted)."""
    return sum(model_flops(n) for n in token_counts) / max(len(token_counts), 1)


def matmul_peak_gflops(dtype_name: str, threads: int = 2, seconds: float = 3.0) -> float:
    """Best GFLOP/s of torch matmuls: square ``torch.mm``/``F.linear`` and the encoder's own shapes.

    Both ops are tried because they take different kernels: on a CPU without native bf16
    ``F.linear`` (what the encoder's layers run) is several times faster than ``torch.mm``; the
    higher of the two is the peak, so the percentage of peak is never flattered. Sizes grow from
    256 to 2048 while one product stays short: an emulated bf16 ``torch.mm`` of size 2048 alone
    would take minutes.
    """
    import torch
    import torch.nn.functional as F

    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype_name]
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    best = 0.0
    per_size = seconds / 4
    try:
        with torch.inference_mode():
            for size in (256, 512, 1024, 2048):
                a = torch.randn(size, size).to(dtype)
                b = torch.randn(size, size).to(dtype)
                slowest = 0.0
                for op in (torch.mm, F.linear):
                    op(a, b)
                    deadline = time.perf_counter() + per_size / 2
                    while True:
                        start = time.perf_counter()
                        op(a, b)
                        elapsed = time.perf_counter() - start
                        best = max(best, 2 * size**3 / elapsed / 1e9)
                        if time.perf_counter() > deadline:
                            break
                    slowest = max(slowest, elapsed)
                if slowest > per_size / 4:
                    break
            # the encoder's own shapes: 32 chunks x 160 tokens through the FFN, bias included
            # (a different kernel from square products, and the one embedding really runs)
            x = torch.randn(5120, HIDDEN).to(dtype)
            for w in (torch.randn(FFN, HIDDEN).to(dtype), torch.randn(HIDDEN, HIDDEN).to(dtype)):
                bias = torch.zeros(w.shape[0]).to(dtype)
                F.linear(x, w, bias)
                for _ in range(3):
                    start = time.perf_counter()
                    F.linear(x, w, bias)
                    best = max(
                        best, 2 * x.shape[0] * w.shape[0] * w.shape[1] / (time.perf_counter() - start) / 1e9
                    )
        return best
    finally:
        torch.set_num_threads(previous)
