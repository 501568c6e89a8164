"""Growth: `ask` latency and serving memory against library size, Chroma embedded and server.

    python -m bench.scale                       # `make bench-scale`: 10k, 100k, 300k and 1M chunks
    python -m bench.scale --sizes 10000,100000  # fewer points
    python -m bench.scale --quick               # a 2k-chunk smoke run (no timing claims)

Stores live in ``$GEOBOT_BENCH_SCALE_DIR`` (default ``data/scale``), one folder per size,
``store_<size>``; a missing one is copied from the next smaller and grown with bench/synth.py
(sentences of ../shared/corpus recombined, never stored in the project), so a re-run reuses
them. ``$GEOBOT_BENCH_BIG_STORE`` names an existing 1M-chunk store to use as is (building one
takes ~50 min). For each size, in this order and each in its own process:

1. ``warm``: the keyword index brought up to date and saved (a rebuild only if the store changed);
2. ``bench/probe.py`` with Chroma embedded: start-up, first ask, p50/p95 and each stage over the
   90 dev questions, RSS and peak RSS;
3. the same against a real ``chroma run --path STORE`` on loopback (the keyword index stays
   local), with the server's own RSS.

Results go to bench/results/scale.json and scale.md, the plot to docs/growth.png. Wrap the
run in ``flock /tmp/geobot-bench.lock`` on a shared machine (`make bench-scale` does).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import machine
from bench.common import CORPUS, GEOBOT, PYTHON, REPO, SHARED, check, run_timed, write_json
from bench.curve import chroma_server, grow, probe, rss_mb

logger = logging.getLogger("bench.scale")

SIZES = (10_000, 100_000, 300_000, 1_000_000)
QUICK_SIZES = (2_000,)
TARGETS = {"embedded": 150.0, "http": 200.0}  # p95 ms at 1M chunks (issue 21)
RSS_TARGET_MB = 2.5 * 1024
QUESTION_FILES = (SHARED / "eval" / "dev_questions.json", SHARED / "eval" / "dev_questions_more.json")


def stores_dir() -> Path:
    return Path(os.environ.get("GEOBOT_BENCH_SCALE_DIR", REPO / "data" / "scale")).resolve()


def questions_file(work: Path) -> Path:
    items = [q for path in QUESTION_FILES for q in json.loads(path.read_text(encoding="utf-8"))]
    out = work / "questions.json"
    write_json(out, [{"id": q["id"], "question": q["question"]} for q in items])
    return out


def pool_store(root: Path) -> Path:
    """The real store of ../shared/corpus the synthetic chunks are made from."""
    pool = root / "pool"
    if not (pool / "chroma.sqlite3").is_file():
        check(run_timed([GEOBOT, "ingest", str(CORPUS)], {"GEOBOT_VECTORSTORE__PATH": str(pool)}), "ingest")
    return pool


def store_for(root: Path, size: int, previous: Path | None, raw: Path) -> tuple[Path, dict[str, Any]]:
    big = os.environ.get("GEOBOT_BENCH_BIG_STORE")
    if big and size == 1_000_000:
        return Path(big).resolve(), {"reused": big}
    store = root / f"store_{size}"
    if not store.exists() and previous is not None:
        staging = root / f"store_{size}.copying"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(previous, staging)
        staging.rename(store)
    built = grow(pool_store(root), store, size, raw / f"synth_{size}.json")
    return store, built


def warm(store: Path, result: Path) -> dict[str, Any]:
    """Bring the store's keyword index up to date in a process of its own (timed, peak RSS)."""
    cmd = [PYTHON, "-m", "bench.scale", "--warm", str(store), "--result", str(result)]
    env = {"GEOBOT_VECTORSTORE__PATH": str(store)}
    timed = check(run_timed(cmd, env, timeout=3600), "bench.scale --warm")
    data: dict[str, Any] = json.loads(result.read_text())
    data["process_s"] = timed.seconds
    return data


def warm_here(store: Path, result: Path) -> None:
    import resource

    from vectorstore.settings import VectorStoreSettings
    from vectorstore.store import build_store

    started = time.perf_counter()
    with build_store(VectorStoreSettings(path=store)) as opened:
        opened.warm()
        chunks = opened.keyword.count_chunks()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    write_json(result, {"seconds": time.perf_counter() - started, "peak_rss_mb": peak, "chunks": chunks})


def measure(store: Path, size: int, raw: Path, questions: Path, asks: int, server: bool) -> dict[str, Any]:
    point: dict[str, Any] = {"size": size, "store": str(store)}
    point["warm"] = warm(store, raw / f"warm_{size}.json")
    point["embedded"] = summary(probe(store, questions, asks, raw / f"probe_embedded_{size}.json"))
    if server:
        with chroma_server(store, raw / f"chroma_{size}.log") as (port, pid, startup):
            remote = probe(store, questions, asks, raw / f"probe_http_{size}.json", port=port)
            point["http"] = summary(remote) | {"server_rss_mb": rss_mb(pid), "server_startup_s": startup}
    return point


def summary(result: dict[str, Any]) -> dict[str, Any]:
    lat = result["latency"]
    keys = ("p50_ms", "p95_ms", "mean_ms", "max_ms", "stage_median_ms", "stage_p95_ms", "asks", "abstained")
    return {k: lat[k] for k in keys} | {
        "first_ask_s": lat["first_ask_s"],
        "load_s": result["load_s"],
        "rss_mb": result["rss_after_mb"],
        "peak_rss_mb": result["peak_rss_mb"],
    }


def growth(sizes: Sequence[float], values: Sequence[float]) -> str:
    """Flat, log or linear: which of a + b*log(n) and a + b*n fits better, and flat when the
    largest size costs less than 1.5x the smallest."""
    if len(sizes) < 2 or values[0] <= 0:
        return "n/a"
    if max(values) < 1.5 * values[0]:
        return "flat"

    def residual(xs: Sequence[float]) -> float:
        mx, my = sum(xs) / len(xs), sum(values) / len(values)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, values, strict=True)) / sxx if sxx else 0.0
        return sum((y - my - slope * (x - mx)) ** 2 for x, y in zip(xs, values, strict=True))

    logarithmic = residual([math.log(s) for s in sizes])
    linear = residual(list(sizes))
    return "log" if logarithmic <= linear else "linear"


def plot(points: list[dict[str, Any]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=90)
    for mode, colour in (("embedded", "tab:blue"), ("http", "tab:orange")):
        pts = [p for p in points if mode in p]
        if not pts:
            continue
        xs = [p["size"] for p in pts]
        label = "embedded" if mode == "embedded" else "chroma run"
        left.plot(xs, [p[mode]["p50_ms"] for p in pts], "-o", color=colour, label=f"{label} p50")
        left.plot(xs, [p[mode]["p95_ms"] for p in pts], "--o", color=colour, label=f"{label} p95")
        right.plot(xs, [p[mode]["peak_rss_mb"] for p in pts], "-o", color=colour, label=f"{label}: bot peak")
        if mode == "http":
            right.plot(xs, [p[mode]["server_rss_mb"] for p in pts], ":s", color=colour, label="chroma run")
    left.axhline(TARGETS["embedded"], color="grey", lw=0.8, label="embedded p95 target at 1M")
    left.set_ylabel("ask ms")
    left.set_title("ask latency (90 dev questions)")
    right.axhline(RSS_TARGET_MB, color="grey", lw=0.8, label="peak RSS target at 1M")
    right.set_ylabel("MB")
    right.set_title("resident memory")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("library size (chunks)")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# Growth: ask latency and memory against library size",
        "",
        f"{m['date']}, {m['cpu']} x{m['cores']} ({m['cpu_flags']}), {m['memory_gb']} GB, "
        f"load {m['load_average_at_start']} at start; {results['asks']} asks per point.",
        "",
        "| chunks | mode | p50 ms | p95 ms | p95 target | first ask s | start s | RSS MB | peak RSS MB "
        "| server RSS MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in results["points"]:
        for mode in ("embedded", "http"):
            if mode not in p:
                continue
            f = p[mode]
            target = TARGETS[mode] if p["size"] >= 1_000_000 else None
            ratio = f" ({f['p95_ms'] / target:.2f}×)" if target else ""
            server = f"{f['server_rss_mb']:.0f}" if "server_rss_mb" in f else "-"
            lines.append(
                f"| {p['size']:,} | {mode} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f}{ratio} | "
                f"{target or '-'} | {f['first_ask_s']:.2f} | {f['load_s']:.1f} | {f['rss_mb']:.0f} | "
                f"{f['peak_rss_mb']:.0f} | {server} |"
            )
    lines += ["", "Stages (p50 / p95 ms):", ""]
    for p in results["points"]:
        for mode in ("embedded", "http"):
            if mode in p:
                f = p[mode]
                stages = ", ".join(
                    f"{k} {f['stage_median_ms'][k]:.1f} / {f['stage_p95_ms'][k]:.1f}"
                    for k in ("embed", "dense", "keyword", "fuse", "answer")
                    if k in f["stage_median_ms"]
                )
                lines.append(f"- {p['size']:,} {mode}: {stages}")
    lines += ["", "Growth from the smallest to the largest size:", ""]
    for key, what in results["growth"].items():
        lines.append(f"- {key}: {what}")
    lines += ["", "Keyword index brought up to date before each point (`warm`):", ""]
    for p in results["points"]:
        w = p["warm"]
        lines.append(f"- {p['size']:,}: {w['seconds']:.1f} s, peak RSS {w['peak_rss_mb']:.0f} MB")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=None, help="library sizes in chunks, e.g. 10000,100000")
    parser.add_argument("--asks", type=int, default=90, help="timed asks per point")
    parser.add_argument("--quick", action="store_true", help="one small point, few asks")
    parser.add_argument("--no-server", action="store_true", help="skip the `chroma run` points")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--plot", type=Path, default=REPO / "docs" / "growth.png")
    parser.add_argument("--warm", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bench.scale: %(message)s", datefmt="%H:%M:%S")
    if args.warm is not None:
        warm_here(args.warm, args.result)
        return
    sizes: tuple[int, ...] = QUICK_SIZES if args.quick else SIZES
    if args.sizes:
        sizes = tuple(int(x) for x in args.sizes.split(","))
    asks = 5 if args.quick else args.asks
    out: Path = args.out.resolve()
    raw = out / "raw" / "scale"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    root = stores_dir()
    root.mkdir(parents=True, exist_ok=True)
    questions = questions_file(raw)
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine.describe(), "asks": asks, "points": []}
    previous: Path | None = None
    for size in sorted(sizes):
        store, built = store_for(root, size, previous, raw)
        logger.info("%d chunks: %s", size, store)
        point = measure(store, size, raw, questions, asks, server=not args.no_server)
        point["built"] = built
        results["points"].append(point)
        previous = store
        write_json(raw / "results.json", results)
    points = results["points"]
    xs = [p["size"] for p in points]
    results["growth"] = {
        f"{mode} {figure}": growth(xs, [p[mode][figure] for p in points])
        for mode in ("embedded", "http")
        if all(mode in p for p in points)
        for figure in ("p50_ms", "p95_ms", "peak_rss_mb", "server_rss_mb")
        if all(figure in p[mode] for p in points)
    }
    results["seconds_total"] = time.perf_counter() - started
    name = "scale_quick" if args.quick else "scale"
    write_json(out / f"{name}.json", results)
    (out / f"{name}.md").write_text(markdown(results), encoding="utf-8")
    # the quick run's plot stays beside its results: docs/growth.png is the measured one
    plot(points, out / "growth_quick.png" if args.quick else args.plot)
    logger.info("done in %.0f s: %s", results["seconds_total"], out / f"{name}.md")


if __name__ == "__main__":
    main()
