"""Embedding throughput against what the CPU's matmul peak allows, per dtype, in one process.

Texts are the real chunks of a store ingested by geobot; the project's own embedder encodes
them in batches (``build_embedder``, 2 threads) until a time budget is spent. In the same
process and dtype, the torch matmul peak is measured; the model's FLOPs per chunk come from the
chunks' real token counts (bench/peak.py). ``% of peak`` = measured chunks/s x FLOPs per chunk
/ peak FLOP/s.

    python -m bench.embed_bench STORE --result FILE [--seconds S] [--dtypes float32,bfloat16,int8]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vectorstore.embeddings import Embedder

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

THREADS = 2


def chunk_texts(store: Path) -> list[str]:
    from bench.synth import read_pool

    return read_pool(store).texts


def measure(texts: list[str], embedder: Embedder, seconds: float) -> dict[str, Any]:
    from bench.peak import matmul_peak_gflops, mean_model_flops

    dtype = embedder.precision
    tokens = [min(embedder.count_tokens(t), embedder.max_tokens) for t in texts]
    batch = embedder.batch_size
    embedder.encode(texts[:4])
    done = 0
    start = time.perf_counter()
    while done < len(texts):
        embedder.encode(texts[done : done + batch])
        done += len(texts[done : done + batch])
        if time.perf_counter() - start > seconds:
            break
    elapsed = time.perf_counter() - start
    measured = done / elapsed
    flops = mean_model_flops(tokens[:done])
    # int8 runs onnxruntime int8 for most layers and float32 for the rest: its row is read against the
    # float32 peak, so over 100 % is what int8 buys beyond float32's limit.
    peak = matmul_peak_gflops("float32" if dtype == "int8" else dtype, THREADS)
    allowed = peak * 1e9 / flops
    return {
        "dtype": dtype,
        "threads": THREADS,
        "chunks": done,
        "seconds": elapsed,
        "chunks_per_s": measured,
        "mean_tokens": sum(tokens[:done]) / done,
        "gflop_per_chunk": flops / 1e9,
        "matmul_peak_gflops": peak,
        "peak_allowed_chunks_per_s": allowed,
        "percent_of_peak": 100 * measured / allowed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("store", type=Path)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=20.0, help="encoding budget per dtype")
    parser.add_argument("--dtypes", default="float32,bfloat16,int8")
    parser.add_argument("--limit", type=int, default=None, help="only the first N chunks")
    args = parser.parse_args()
    from vectorstore.embeddings import build_embedder
    from vectorstore.settings import EmbeddingSettings

    texts = chunk_texts(args.store)[: args.limit]
    results: list[dict[str, Any]] = []
    for requested in args.dtypes.split(","):
        # The dtype that really runs (bf16 needs native support, int8 onnxruntime) is the embedder's.
        embedder = build_embedder(EmbeddingSettings.model_validate({"dtype": requested, "threads": THREADS}))
        done = next((r for r in results if r["dtype"] == embedder.precision), None)
        if done is not None:  # e.g. bfloat16 asked for on a CPU without it: the same float32 run
            done["also_requested_as"].append(requested)
            continue
        results.append({**measure(texts, embedder, args.seconds), "also_requested_as": []})
    args.result.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
