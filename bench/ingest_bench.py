"""Ingest: `geobot ingest` vs the tutorial pipeline, each timed as a whole process.

Runs alternate (geobot, tutorial, geobot, tutorial, ...) so that load from other processes on
the shared machine falls on both sides alike; the ratio of medians is the headline. After each
geobot run the unchanged corpus is ingested again into the same store (the re-ingest time).

Before them, one geobot run with an empty model cache is timed on its own: on a new machine the
first ingest also builds the int8 model (``vectorstore/onnx_int8.py``), once; the timed runs then
use that cache, as every later ingest does.

    python -m bench.ingest_bench --result FILE [--runs N] [--corpus DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.common import CORPUS, GEOBOT, PYTHON, check, median, run_timed, write_json
from bench.machine import describe, load_average


def subset_corpus(corpus: Path, dest: Path, rows: int, pages: int) -> Path:
    """A small copy of the corpus layout (first CSV rows, first HTML pages, the seed) for quick runs."""
    csv.field_size_limit(sys.maxsize)
    (dest / "huawei_uk" / "html").mkdir(parents=True, exist_ok=True)
    with (corpus / "huawei_uk" / "articles.csv").open(encoding="utf-8", newline="") as src:
        reader = csv.reader(src)
        with (dest / "huawei_uk" / "articles.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(next(reader))
            for _, row in zip(range(rows), reader, strict=False):
                writer.writerow(row)
    for page in sorted((corpus / "huawei_uk" / "html").glob("*.html"))[:pages]:
        shutil.copy(page, dest / "huawei_uk" / "html" / page.name)
    shutil.copy(corpus / "seed_article.txt", dest / "seed_article.txt")
    return dest


def input_articles(corpus: Path) -> int:
    """Articles in the input as a reader sees them: CSV rows + HTML pages + the seed."""
    csv.field_size_limit(sys.maxsize)
    with (corpus / "huawei_uk" / "articles.csv").open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    return rows + len(list((corpus / "huawei_uk" / "html").glob("*.html"))) + 1


def store_counts(store: Path) -> dict[str, int]:
    from vectorstore.settings import VectorStoreSettings
    from vectorstore.store import build_store

    opened = build_store(VectorStoreSettings(path=store))
    try:
        stats = opened.stats()
        return {"articles": int(stats["articles"]), "chunks": int(stats["chunks"])}
    finally:
        opened.close()


def geobot_ingest(corpus: Path, store: Path, cache: Path) -> float:
    env = {"GEOBOT_VECTORSTORE__PATH": str(store), "GEOBOT_EMBEDDING__CACHE_DIR": str(cache)}
    return check(run_timed([GEOBOT, "ingest", str(corpus)], env), "geobot ingest").seconds


def tutorial_ingest(corpus: Path, persist: Path, result: Path) -> float:
    cmd = [PYTHON, "-m", "bench.tutorial_pipeline", str(corpus), str(persist), "--result", str(result)]
    return check(run_timed(cmd), "tutorial pipeline").seconds


def run(corpus: Path, work: Path, runs: int) -> dict[str, Any]:
    """Alternating runs; keeps the last stores at work/geobot_store and work/tutorial_store."""
    geobot_s: list[float] = []
    reingest_s: list[float] = []
    tutorial_s: list[float] = []
    loads: list[float] = []
    tutorial_counts: dict[str, Any] = {}
    geobot_store = work / "geobot_store"
    tutorial_store = work / "tutorial_store"
    cache = work / "model_cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(geobot_store, ignore_errors=True)
    first_s = geobot_ingest(corpus, geobot_store, cache)
    for _ in range(runs):
        loads.append(load_average())
        shutil.rmtree(geobot_store, ignore_errors=True)
        geobot_s.append(geobot_ingest(corpus, geobot_store, cache))
        reingest_s.append(geobot_ingest(corpus, geobot_store, cache))
        shutil.rmtree(tutorial_store, ignore_errors=True)
        tutorial_s.append(tutorial_ingest(corpus, tutorial_store, work / "tutorial_result.json"))
        tutorial_counts = json.loads((work / "tutorial_result.json").read_text())
    loads.append(load_average())
    counts = store_counts(geobot_store)
    articles_in = input_articles(corpus)
    g, t, r = median(geobot_s), median(tutorial_s), median(reingest_s)
    return {
        "runs": runs,
        "input_articles": articles_in,
        "load_average_during": loads,
        "geobot": {
            "seconds": geobot_s,
            "median_s": g,
            "chunks": counts["chunks"],
            "stored_articles": counts["articles"],
            "chunks_per_s": counts["chunks"] / g,
            "articles_per_s": articles_in / g,
        },
        "geobot_reingest": {"seconds": reingest_s, "median_s": r},
        "geobot_first_with_model_build_s": first_s,
        "tutorial": {
            "seconds": tutorial_s,
            "median_s": t,
            "inside_s_last": tutorial_counts.get("inside_s"),
            "chunks": tutorial_counts.get("chunks"),
            "documents": tutorial_counts.get("documents"),
            "chunks_per_s": tutorial_counts.get("chunks", 0) / t,
            "articles_per_s": articles_in / t,
        },
        "ratio_vs_tutorial": t / g,
        "reingest_speedup": g / r,
        "geobot_store": str(geobot_store),
        "tutorial_store": str(tutorial_store),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5, help="alternating runs of each pipeline")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--work", type=Path, default=None, help="where the stores go (default: beside --result)"
    )
    args = parser.parse_args()
    work = args.work or args.result.parent / "ingest_work"
    work.mkdir(parents=True, exist_ok=True)
    write_json(args.result, {"machine": describe(), **run(args.corpus, work, args.runs)})


if __name__ == "__main__":
    main()
