"""A serving process for the query benchmarks: load the answer service once, then time `ask`.

Run in its own process per store size, so its resident memory is that of a bot serving that
store (the model, Chroma's index, the keyword index), not of the benchmark driver. The store
and mode come from GEOBOT_VECTORSTORE__* in the environment, as for the bot itself.

    python -m bench.probe --questions FILE --asks N [--concurrency 1,2,4,8] --result FILE
    python -m bench.probe --questions FILE --answers FILE   # answers as `geobot ask --json` lines
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

WARMUP = 3


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss / 2**20)


def rss_parts_mb() -> dict[str, float]:
    """Resident memory by kind (Linux): anonymous (the heap, HNSW) and file-backed (pages of
    memory-mapped files, which the kernel can drop and read back)."""
    parts: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile", "RssShmem"):
                parts[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return parts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_service() -> Any:
    """The answer service exactly as the bot builds it from config.toml + GEOBOT_ variables."""
    from bot.answer.service import build_answer_service
    from bot.settings import Secrets, load_settings

    return build_answer_service(load_settings(), Secrets.from_env())


def percentile(values: Sequence[float], q: float) -> float:
    from bench.common import percentile as pct

    return pct(values, q)


class StageClock:
    """Times the retrieval stages of each ask by wrapping the retriever's parts (embed the
    question, dense search with its rows, keyword search with its rows, fusion)."""

    def __init__(self, service: Any) -> None:
        self.current: dict[str, float] = {}
        retriever = service.retriever
        retriever.embed_query = self._timed("embed", retriever.embed_query)
        retriever.fuse = self._timed("fuse", retriever.fuse)
        index = retriever.index
        retriever.index = _Timed(index, self)

    def _timed(self, name: str, call: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.current[name] = self.current.get(name, 0.0) + (time.perf_counter() - start) * 1000

        return timed

    def take(self) -> dict[str, float]:
        taken, self.current = self.current, {}
        return taken


class _Timed:
    def __init__(self, index: Any, clock: StageClock) -> None:
        self._index = index
        self.query = clock._timed("dense", index.query)
        self.keyword_query = clock._timed("keyword", index.keyword_query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


def latency(service: Any, questions: Sequence[str], asks: int) -> dict[str, Any]:
    from bot.answer.types import Question

    clock = StageClock(service)
    start = time.perf_counter()
    service.ask(Question(questions[0]))
    first_ask_s = time.perf_counter() - start
    rss_first = rss_mb()
    for text in questions[1:WARMUP]:
        service.ask(Question(text))
    clock.take()
    times: list[float] = []
    stages: dict[str, list[float]] = {}
    abstained = 0
    for i in range(asks):
        start = time.perf_counter()
        answer = service.ask(Question(questions[i % len(questions)]))
        times.append((time.perf_counter() - start) * 1000)
        abstained += answer.abstained
        for key, value in (answer.timings_ms | clock.take()).items():
            stages.setdefault(key, []).append(float(value))
    return {
        "asks": asks,
        "first_ask_s": first_ask_s,
        "rss_after_first_ask_mb": rss_first,
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "mean_ms": statistics.fmean(times),
        "max_ms": max(times),
        "stage_median_ms": {k: statistics.median(v) for k, v in stages.items()},
        "stage_p95_ms": {k: percentile(v, 95) for k, v in stages.items()},
        "abstained": abstained,
        "times_ms": times,
    }


def one_level(service: Any, questions: Sequence[str], workers: int, total: int) -> dict[str, Any]:
    """``total`` asks shared by ``workers`` threads; answers/s over the wall time of all of them."""
    from bot.answer.types import Question

    counter = iter(range(total))
    lock = threading.Lock()
    done: list[float] = []

    def asker() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            start = time.perf_counter()
            service.ask(Question(questions[i % len(questions)]))
            with lock:
                done.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(asker) for _ in range(workers)]:
            future.result()
    elapsed = time.perf_counter() - start
    return {
        "askers": workers,
        "answers": total,
        "seconds": elapsed,
        "answers_per_s": total / elapsed,
        "p50_ms": percentile(done, 50),
        "p95_ms": percentile(done, 95),
    }


def concurrency(
    service: Any, questions: Sequence[str], levels: Sequence[int], per_level: int
) -> list[dict[str, Any]]:
    return [one_level(service, questions, workers, max(per_level, workers)) for workers in levels]


def dump_answers(service: Any, questions: Sequence[dict[str, Any]], out: Path) -> None:
    """One JSON object per question, in the shape of `geobot ask --json` (what quality scores)."""
    from bot.answer.types import Question

    with out.open("w", encoding="utf-8") as fh:
        for q in questions:
            answer = service.ask(Question(q["question"]))
            citations = [
                {"n": c.n, "article_id": c.article_id, "origin": [o.as_dict() for o in c.origin]}
                for c in answer.citations
            ]
            row = {
                "id": q["id"],
                "answer": answer.text,
                "abstained": answer.abstained,
                "citations": citations,
            }
            fh.write(json.dumps(row) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--asks", type=int, default=60)
    parser.add_argument("--concurrency", default="", help="comma-separated asker counts, e.g. 1,2,4,8")
    parser.add_argument("--per-level", type=int, default=24, help="answers per concurrency level")
    parser.add_argument("--result", type=Path, default=None)
    parser.add_argument("--answers", type=Path, default=None, help="write answers here instead of timing")
    args = parser.parse_args()
    items = json.loads(args.questions.read_text(encoding="utf-8"))
    if args.answers:
        dump_answers(build_service(), items, args.answers)
        return
    questions = [q["question"] for q in items]
    rss_start = rss_mb()
    started = time.perf_counter()
    service = build_service()
    result: dict[str, Any] = {"load_s": time.perf_counter() - started, "rss_python_mb": rss_start}
    result["latency"] = latency(service, questions, args.asks)
    result["rss_mb"] = rss_mb()
    if args.concurrency:
        levels = [int(x) for x in args.concurrency.split(",")]
        result["concurrency"] = concurrency(service, questions, levels, args.per_level)
    result["rss_after_mb"] = rss_mb()
    result["rss_parts_mb"] = rss_parts_mb()
    result["peak_rss_mb"] = peak_rss_mb()
    if args.result:
        args.result.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
