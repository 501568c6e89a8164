"""Run every benchmark and write bench/results/{report.md, summary.json, *.png}.

    python -m bench.run            # the full run (`make bench`), under 30 minutes on 2 idle cores
    python -m bench.run --quick    # every benchmark tiny (smoke run, no timing claims)
    python -m bench.run --with-1m  # also grow the query curve to 1M chunks (long)
    python -m bench.run --out DIR  # write results elsewhere (raw outputs go to DIR/raw)

Settings come from config.toml plus any GEOBOT_ variables, as for the bot (the store path is
set per benchmark). Every pipeline runs as its own process; see each module's docstring.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench import curve, encoder_backends, ingest_bench, machine, quality, report
from bench.common import CORPUS, DEV_QUESTIONS, PYTHON, REPO, check, run_timed, user_overrides, write_json

logger = logging.getLogger("bench")


@dataclass(frozen=True)
class Plan:
    runs: int  # alternating ingest runs of each pipeline
    questions: int | None  # dev questions asked (None: all)
    sizes: tuple[int, ...]  # query-curve store sizes, in chunks
    asks: int  # timed asks per curve point
    embed_s: float  # embedding time budget per dtype
    embed_chunks: int | None  # chunks offered to the embedding benchmark (None: all)
    per_level: int  # answers per concurrency level


# Five ingest runs a side: on this shared machine the tutorial's time moved by ±3 s between runs,
# and the ratio of medians of three moved with it.
FULL = Plan(
    runs=5, questions=None, sizes=(10_000, 100_000), asks=30, embed_s=20.0, embed_chunks=None, per_level=24
)
QUICK = Plan(runs=1, questions=3, sizes=(1_000,), asks=5, embed_s=2.0, embed_chunks=8, per_level=2)


def embedding(store: Path, raw: Path, seconds: float, limit: int | None) -> list[dict[str, Any]]:
    import json

    result = raw / "embedding.json"
    cmd = [PYTHON, "-m", "bench.embed_bench", str(store), "--result", str(result), "--seconds", str(seconds)]
    if limit:
        cmd += ["--limit", str(limit)]
    check(run_timed(cmd), "bench.embed_bench")
    data: list[dict[str, Any]] = json.loads(result.read_text())
    return data


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny versions of every benchmark")
    parser.add_argument("--with-1m", action="store_true", help="add the 1M-chunk point to the query curve")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--no-server", action="store_true", help="skip the `chroma run` server points")
    parser.add_argument("--runs", type=int, default=None, help="alternating ingest runs of each pipeline")
    parser.add_argument("--asks", type=int, default=None, help="timed asks per query-curve point")
    parser.add_argument("--sizes", default=None, help="query-curve sizes in chunks, e.g. 10000,100000")
    parser.add_argument("--per-level", type=int, default=None, help="answers per concurrency level")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bench: %(message)s", datefmt="%H:%M:%S")

    plan = QUICK if args.quick else FULL
    if args.with_1m:
        plan = replace(plan, sizes=(*plan.sizes, 1_000_000))
    plan = replace(
        plan,
        runs=args.runs or plan.runs,
        asks=args.asks or plan.asks,
        per_level=args.per_level or plan.per_level,
        sizes=tuple(int(x) for x in args.sizes.split(",")) if args.sizes else plan.sizes,
    )
    out: Path = args.out.resolve()
    raw = out / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "plan": asdict(plan),
        "machine": machine.describe(),
        "overrides": user_overrides(),
    }

    corpus = CORPUS
    available: set[str] | None = None
    if args.quick:
        rows = 6
        corpus = ingest_bench.subset_corpus(CORPUS, raw / "corpus", rows=rows, pages=1)
        available = {str(r) for r in range(rows)} | {"seed"}
    logger.info("1/5 ingest: geotech-bot vs tutorial, %d alternating run(s)", plan.runs)
    results["ingest"] = ingest_bench.run(corpus, raw, plan.runs)
    geobot_store = Path(results["ingest"]["geobot_store"])
    tutorial_store = Path(results["ingest"]["tutorial_store"])

    logger.info("2/5 quality on %s", DEV_QUESTIONS.name)
    results["quality"] = quality.run(
        DEV_QUESTIONS, geobot_store, tutorial_store, raw, plan.questions, available
    )
    questions = raw / "questions.json"  # written by quality.run: the questions the probes ask

    logger.info("3/5 embedding throughput vs matmul peak")
    results["embedding"] = embedding(geobot_store, raw, plan.embed_s, plan.embed_chunks)

    logger.info("3b/5 encoder backends side by side (own int8 build, sentence-transformers' backends)")
    results["encoder_backends"] = encoder_backends.run(
        geobot_store,
        raw / "encoder_backends",
        ("own-int8",) if args.quick else tuple(encoder_backends.BACKENDS),
        1 if args.quick else 3,
        encoder_backends.OVERLAYS,
    )

    logger.info("4/5 concurrency 1/2/4/8 askers")
    results["concurrency"] = curve.concurrency(geobot_store, raw, questions, (1, 2, 4, 8), plan.per_level)

    server = not args.no_server and not args.quick
    logger.info("5/5 query cost curve at %s chunks (server: %s)", plan.sizes, server)
    results["curve"] = curve.run(geobot_store, raw, plan.sizes, questions, plan.asks, server)

    results["seconds_total"] = time.perf_counter() - started
    write_json(raw / "results.json", results)
    summary = report.summarize(results)
    images = report.plots(results, out)
    write_json(out / "summary.json", summary)
    (out / "report.md").write_text(report.markdown(results, summary, images), encoding="utf-8")
    logger.info("done in %.0f s: %s", results["seconds_total"], out / "report.md")


if __name__ == "__main__":
    main()
