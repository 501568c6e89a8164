"""Keyword-query latency at 100k chunks: the in-memory bm25s index vs SQLite FTS5 ``bm25()``.

Rows are 180 words drawn from the corpus's own word frequencies (so common words are as common
as in news text); queries are the dev questions (real wording) plus random 4-6-word queries of
common corpus words (the worst case named in MEASUREMENTS.md). Reported: the bm25s index's
build time (first query of a fresh store) and load time (first query of a second process, from
the saved copy), its p50/p95 query latency (top 30) without and with a retrieval-style filter
(publisher $in + published_ts range), and the p50/p95 of an unpruned FTS5 OR-query over the
same rows (an FTS5 index the bench builds itself; the store no longer keeps one), with the
overlap of the two top-30s (their tokenizers differ: FTS5 stems, bm25s does not).

    python -m bench.keyword_latency [--rows 100000] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vectorstore.keyword import FILENAME, KeywordIndex
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


Search = Callable[[str], list[str]]


def timed(call: Search, texts: list[str], repeat: int) -> tuple[list[float], list[list[str]]]:
    """Best of ``repeat`` timings per query, in ms, and the ids the first call found."""
    times: list[float] = []
    results: list[list[str]] = []
    for text in texts:
        best = float("inf")
        for attempt in range(repeat):
            started = time.perf_counter()
            ids = call(text)
            best = min(best, time.perf_counter() - started)
            if attempt == 0:
                results.append(ids)
        times.append(best * 1000)
    return times, results


def fts5_search(folder: Path, k: int) -> Search:
    """An FTS5 index over the bench's chunks (porter stemming, as the store used to keep)."""
    db = sqlite3.connect(folder / FILENAME)
    db.executescript(
        """CREATE VIRTUAL TABLE fts USING fts5(text, content='chunks', content_rowid='rowid',
               tokenize='porter unicode61 remove_diacritics 2');
           INSERT INTO fts(fts) VALUES ('rebuild');"""
    )

    def search(text: str) -> list[str]:
        words = list(dict.fromkeys(w.lower() for w in WORD.findall(text)))
        match = " OR ".join(f'"{w}"' for w in words)
        sql = """SELECT c.id FROM (SELECT rowid, rank FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?) AS f
                 JOIN chunks AS c ON c.rowid = f.rowid ORDER BY f.rank"""
        return [r[0] for r in db.execute(sql, (match, k))] if words else []

    return search


def pct(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(q) - 1], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--random-queries", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="timings per query; the best is kept")
    parser.add_argument("--fts-repeat", type=int, default=1, help="FTS5 timings per query (slow)")
    parser.add_argument("--k", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    rng = random.Random(7)
    counts = corpus_counts()
    texts = queries(counts, rng, args.random_queries)
    where = {
        "$and": [{"publisher": {"$in": ["pub1", "pub2", "pub3"]}}, {"published_ts": {"$gte": 1_500_020_000}}]
    }
    out: dict[str, Any] = {"rows": args.rows, "queries": len(texts), "k": args.k}
    with tempfile.TemporaryDirectory() as tmp:
        index, seconds = build(Path(tmp), args.rows, counts, rng)
        out["insert_s"] = round(seconds, 1)
        started = time.perf_counter()
        index.search("warm up", args.k)
        out["bm25s_build_s"] = round(time.perf_counter() - started, 1)
        index.close()
        index = KeywordIndex(Path(tmp))  # a second process: loads the saved copy
        started = time.perf_counter()
        index.search("warm up", args.k)
        out["bm25s_load_s"] = round(time.perf_counter() - started, 2)
        times, bm25 = timed(lambda t: [h.record.id for h in index.search(t, args.k)], texts, args.repeat)
        out["bm25s"] = {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "max_ms": round(max(times), 2)}
        filtered, _ = timed(
            lambda t: [h.record.id for h in index.search(t, args.k, where)], texts, args.repeat
        )
        out["bm25s_filtered"] = {"p50_ms": pct(filtered, 50), "p95_ms": pct(filtered, 95)}
        print("bm25s", out["bm25s"], out["bm25s_filtered"], flush=True)
        index.close()
        started = time.perf_counter()
        fts = fts5_search(Path(tmp), args.k)
        out["fts5_build_s"] = round(time.perf_counter() - started, 1)
        times, found = timed(fts, texts, args.fts_repeat)
        overlap = [len(set(a) & set(b)) / max(len(b), 1) for a, b in zip(bm25, found, strict=True) if b]
        out["fts5"] = {
            "p50_ms": pct(times, 50),
            "p95_ms": pct(times, 95),
            "max_ms": round(max(times), 2),
            "overlap@k_with_bm25s": round(statistics.mean(overlap), 3),
        }
        print("fts5", out["fts5"], flush=True)
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
