"""Timeline latency beside answer latency, on the shared corpus, in one process and one run.

A timeline retrieves more passages than an answer (``[timeline] passages`` against ``[answer]
top_k``) and dates every sentence about the topic, so an answer on the same topic is the
baseline: each topic is asked as a question ("What happened with <topic>?") and built as a
timeline, one after the other, best of ``--repeat`` each. Reported: p50/p95 of both, in ms, and the
ratio of their medians, with the machine (``bench.machine``). The store is the shared corpus,
ingested into a temporary folder unless ``--store`` names one already ingested.

    python -m bench.timeline [--store PATH] [--repeat 3] [--result bench/results/timeline.json]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench import machine
from bench.common import CORPUS, REPO, median, percentile, write_json

logger = logging.getLogger("bench.timeline")

# General topics of technology policy, not names of any article's story.
TOPICS = (
    "5G network bans",
    "chip export controls",
    "telecom equipment security risks",
    "network rollout costs",
    "trade tensions with China",
    "national security law",
    "government decision reversal",
    "sanctions on technology firms",
)


def best_ms(call: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def measure(store: Path, repeat: int) -> dict[str, Any]:
    from bot.answer.service import build_answer_service
    from bot.answer.timeline import build_timeline_service
    from bot.answer.types import Question
    from bot.settings import Secrets, load_settings
    from vectorstore.embeddings import build_embedder
    from vectorstore.libraries import Libraries

    settings = load_settings(None)
    settings = settings.model_copy(
        update={"vectorstore": settings.vectorstore.model_copy(update={"path": store})}
    )
    view = Libraries(settings.vectorstore).view(None)
    embedder = build_embedder(settings.embedding, serving=True)
    answers = build_answer_service(settings, Secrets(), store=view, embedder=embedder)
    timelines = build_timeline_service(settings, view, embedder)
    answers.ask(Question("warm-up"))  # the keyword index and the model's first run
    timelines.timeline("warm-up")
    rows: list[dict[str, Any]] = []
    asks: list[float] = []
    lines: list[float] = []
    for topic in TOPICS:
        question = Question(f"What happened with {topic}?")
        ask_ms = best_ms(partial(answers.ask, question), repeat)
        timeline_ms = best_ms(partial(timelines.timeline, topic), repeat)
        events = len(timelines.timeline(topic).events)
        asks.append(ask_ms)
        lines.append(timeline_ms)
        rows.append({"topic": topic, "ask_ms": ask_ms, "timeline_ms": timeline_ms, "events": events})
        logger.info("%s: ask %.0f ms, timeline %.0f ms (%d events)", topic, ask_ms, timeline_ms, events)
    return {
        "machine": machine.describe(),
        "settings": {"timeline": settings.timeline.model_dump(), "answer_top_k": settings.answer.top_k},
        "repeat": repeat,
        "topics": rows,
        "ask_ms": {"p50": median(asks), "p95": percentile(asks, 95)},
        "timeline_ms": {"p50": median(lines), "p95": percentile(lines, 95)},
        "ratio_of_medians": median(lines) / median(asks),
    }


def ingest(folder: Path) -> Path:
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings
    from vectorstore.settings import VectorStoreSettings
    from vectorstore.store import build_store

    settings = IngestAppSettings(vectorstore=VectorStoreSettings(path=folder))
    store = build_store(settings.vectorstore)
    try:
        report = run_ingest([CORPUS], settings, store=store)
    finally:
        store.close()
    if not report.ok:
        raise RuntimeError(f"ingest failed: {report.failed}")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store holding the shared corpus (default: ingest one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--result", type=Path, default=REPO / "bench" / "results" / "timeline.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory(prefix="bench-timeline-") as tmp:
        store = args.store or ingest(Path(tmp) / "store")
        result = measure(store, args.repeat)
    write_json(args.result, result)
    logger.info(
        "ask p50 %.0f / p95 %.0f ms; timeline p50 %.0f / p95 %.0f ms; ratio of medians %.2f (%s)",
        result["ask_ms"]["p50"],
        result["ask_ms"]["p95"],
        result["timeline_ms"]["p50"],
        result["timeline_ms"]["p95"],
        result["ratio_of_medians"],
        result["machine"].get("cpu"),
    )


if __name__ == "__main__":
    main()
