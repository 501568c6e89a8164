"""Keyword-query latency of the SQLite FTS5 index at 100k chunks, with and without term pruning.

Rows are 180 words drawn from the corpus's own word frequencies (so common words are as common
as in news text); queries are the dev questions (real wording) plus random 4-6-word queries of
common corpus words (the worst case named in MEASUREMENTS.md). For each TermPolicy budget it
reports p50/p95 latency of ``KeywordIndex.search`` (top 30) and how much of the unpruned top 30
it still returns (overlap@30), so speed is never bought with silent quality loss.

    python -m bench.keyword_latency [--rows 100000] [--budgets 0,50000,20000,10000] [--json FILE]
(budget 0 = no pruning: every query term goes to FTS5.)
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from vectorstore.keyword import KeywordIndex, TermPolicy
from vectorstore.records import ChunkRecord

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def corpus_counts() -> Counter[str]:
    csv.field_size_limit(sys.maxsize)
    counts: Counter[str] = Counter()
    with (SHARED / "corpus" / "huawei_uk" / "articles.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            counts.update(WORD.findall(row["Article"]))
    return counts


def build(folder: Path, rows: int, counts: Counter[str], rng: random.Random) -> tuple[KeywordIndex, float]:
    words = list(counts)
    cumulative = list(itertools.accumulate(counts[w] for w in words))
    index = KeywordIndex(folder)
    started = time.perf_counter()
    batch = 5000
    for start in range(0, rows, batch):
        records = [
            ChunkRecord(
                f"a{n // 20}:{n % 20}",
                " ".join(rng.choices(words, cum_weights=cumulative, k=180)),
                {"article_id": f"a{n // 20}", "publisher": f"pub{n % 13}", "published_ts": 1_500_000_000 + n},
            )
            for n in range(start, min(start + batch, rows))
        ]
        with index.transaction() as db:
            index.upsert_chunks(db, records)
    return index, time.perf_counter() - started


def queries(counts: Counter[str], rng: random.Random, n_random: int) -> list[str]:
    dev = [q["question"] for q in json.loads((SHARED / "eval" / "dev_questions.json").read_text())]
    common = [w for w, _ in counts.most_common(300)]
    return dev + [" ".join(rng.sample(common, rng.randint(4, 6))) for _ in range(n_random)]


def measure(
    index: KeywordIndex, texts: list[str], k: int, repeat: int
) -> tuple[list[float], list[float], list[list[str]]]:
    """Per query: the first call (document-frequency cache filling up as in a fresh process) and
    the best of ``repeat`` later calls (cache warm), in ms; and the ids found."""
    first: list[float] = []
    warm: list[float] = []
    results: list[list[str]] = []
    for text in texts:
        started = time.perf_counter()
        hits = index.search(text, k)
        first.append((time.perf_counter() - started) * 1000)
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            index.search(text, k)
            best = min(best, time.perf_counter() - started)
        warm.append(best * 1000)
        results.append([h.record.id for h in hits])
    return first, warm, results


def pct(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(q) - 1], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--budgets", default="0,50000,20000,10000")
    parser.add_argument("--random-queries", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="timings per query; the best is kept")
    parser.add_argument("--k", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    rng = random.Random(7)
    counts = corpus_counts()
    texts = queries(counts, rng, args.random_queries)
    out: dict[str, Any] = {"rows": args.rows, "queries": len(texts), "k": args.k}
    with tempfile.TemporaryDirectory() as tmp:
        index, seconds = build(Path(tmp), args.rows, counts, rng)
        out["insert_s"] = round(seconds, 1)
        baseline: list[list[str]] | None = None
        for budget in (int(b) for b in args.budgets.split(",")):
            policy = TermPolicy(postings_budget=budget or 10**12, max_terms=64 if budget == 0 else 16)
            index.close()
            index = KeywordIndex(Path(tmp), policy)  # a fresh connection: empty caches
            first, times, results = measure(index, texts, args.k, args.repeat)
            if baseline is None:
                baseline = results
            overlap = [
                len(set(r) & set(b)) / max(len(b), 1) for r, b in zip(results, baseline, strict=True) if b
            ]
            out[f"budget={budget or 'none'}"] = {
                "first_call_p50_ms": pct(first, 50),
                "first_call_p95_ms": pct(first, 95),
                "p50_ms": pct(times, 50),
                "p95_ms": pct(times, 95),
                "max_ms": round(max(times), 2),
                "overlap@k_mean": round(statistics.mean(overlap), 3),
                "terms_mean": round(statistics.mean(len(index.select_terms(t)) for t in texts), 1),
            }
            print(budget, out[f"budget={budget or 'none'}"], flush=True)
        index.close()
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
