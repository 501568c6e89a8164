"""summary.json (headline figures), report.md (tables) and PNG plots from one benchmark run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TARGETS = {
    "ingest_ratio": 2.5,
    "reingest_speedup": 20.0,
    "p50_ms_at_100k": 60.0,
    "p95_ms_at_100k": 150.0,
    "rss_mb_at_100k": 1536.0,
}


def _f(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    ingest = results["ingest"]
    curve = results["curve"]
    summary: dict[str, Any] = {
        "mode": results["mode"],
        "machine": results["machine"],
        "seconds_total": results["seconds_total"],
        "ingest": {
            "ratio_vs_tutorial": ingest["ratio_vs_tutorial"],
            "reingest_speedup": ingest["reingest_speedup"],
            "geobot_median_s": ingest["geobot"]["median_s"],
            "tutorial_median_s": ingest["tutorial"]["median_s"],
            "reingest_median_s": ingest["geobot_reingest"]["median_s"],
            "first_with_model_build_s": ingest.get("geobot_first_with_model_build_s"),
            "geobot_chunks_per_s": ingest["geobot"]["chunks_per_s"],
            "tutorial_chunks_per_s": ingest["tutorial"]["chunks_per_s"],
            "geobot_articles_per_s": ingest["geobot"]["articles_per_s"],
            "tutorial_articles_per_s": ingest["tutorial"]["articles_per_s"],
            "runs": ingest["runs"],
        },
        "quality": {"geobot": results["quality"]["geobot"], "tutorial": results["quality"]["tutorial"]},
        "curve": [
            {
                "chunks": p["chunks"],
                "real_embedding_chunks": p["real_chunks"],
                **{
                    mode: {k: p[mode][k] for k in ("p50_ms", "p95_ms", "rss_mb") if k in p[mode]}
                    | ({"server_rss_mb": p[mode]["server_rss_mb"]} if "server_rss_mb" in p[mode] else {})
                    for mode in ("embedded", "http")
                    if mode in p
                },
            }
            for p in curve
        ],
        "embedding": [
            {
                k: e.get(k, [])
                for k in (
                    "dtype",
                    "chunks_per_s",
                    "peak_allowed_chunks_per_s",
                    "percent_of_peak",
                    "also_requested_as",
                )
            }
            for e in results["embedding"]
        ],
        "concurrency": [
            {k: c[k] for k in ("askers", "answers_per_s", "p50_ms")} for c in results["concurrency"]
        ],
        "targets": TARGETS,
    }
    if "encoder_backends" in results:
        summary["encoder_backends"] = {
            name: {
                k: row[k]
                for k in (
                    "chunks_per_s",
                    "chunks_per_s_best",
                    "speed_vs_own_int8",
                    "cold_start_s",
                    "query_ms_p50",
                    "query_ms_p95",
                    "cosine_chunks",
                    "retrieval_own_queries",
                    "retrieval_fp32_queries",
                    "export_s",
                    "load_s",
                    "error",
                )
                if k in row
            }
            for name, row in results["encoder_backends"]["backends"].items()
        }
    at_100k = next((p for p in curve if p["target"] == 100_000), None)
    checks: dict[str, bool] = {
        "ingest_ratio": ingest["ratio_vs_tutorial"] >= TARGETS["ingest_ratio"],
        "reingest_speedup": ingest["reingest_speedup"] >= TARGETS["reingest_speedup"],
    }
    if at_100k is not None:
        emb = at_100k["embedded"]
        checks["p50_ms_at_100k"] = emb["p50_ms"] <= TARGETS["p50_ms_at_100k"]
        checks["p95_ms_at_100k"] = emb["p95_ms"] <= TARGETS["p95_ms_at_100k"]
        checks["rss_mb_at_100k"] = emb["rss_mb"] <= TARGETS["rss_mb_at_100k"]
    summary["targets_met"] = checks
    return summary


def plots(results: dict[str, Any], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made: list[str] = []
    ingest = results["ingest"]

    fig, ax = plt.subplots(figsize=(5, 3), dpi=80)
    names = ["geotech-bot", "tutorial", "geotech-bot\nre-ingest"]
    values = [
        ingest["geobot"]["median_s"],
        ingest["tutorial"]["median_s"],
        ingest["geobot_reingest"]["median_s"],
    ]
    ax.bar(names, values, color=["tab:blue", "tab:gray", "tab:green"])
    ax.set_ylabel("seconds (median, whole process)")
    ax.set_title(f"Ingest of the corpus: {ingest['ratio_vs_tutorial']:.1f}x faster")
    fig.tight_layout()
    fig.savefig(out / "ingest.png")
    plt.close(fig)
    made.append("ingest.png")

    curve = results["curve"]
    if curve:
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), dpi=80)
        for mode, style in (("embedded", "-o"), ("http", "--s")):
            pts = [p for p in curve if mode in p]
            if not pts:
                continue
            xs = [p["chunks"] for p in pts]
            left.plot(xs, [p[mode]["p50_ms"] for p in pts], style, label=f"{mode} p50")
            left.plot(xs, [p[mode]["p95_ms"] for p in pts], style, alpha=0.5, label=f"{mode} p95")
            right.plot(xs, [p[mode]["rss_mb"] for p in pts], style, label=f"bot ({mode})")
            if mode == "http":
                right.plot(xs, [p[mode]["server_rss_mb"] for p in pts], ":^", label="chroma server")
        for ax, label in ((left, "ask latency, ms"), (right, "resident memory, MB")):
            ax.set_xscale("log")
            ax.set_xlabel("chunks in store")
            ax.set_ylabel(label)
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "query_curve.png")
        plt.close(fig)
        made.append("query_curve.png")

    conc = results["concurrency"]
    if conc:
        fig, ax = plt.subplots(figsize=(5, 3), dpi=80)
        ax.plot([c["askers"] for c in conc], [c["answers_per_s"] for c in conc], "-o")
        ax.set_xlabel("concurrent askers (threads)")
        ax.set_ylabel("answers / s")
        ax.set_xscale("log", base=2)
        fig.tight_layout()
        fig.savefig(out / "concurrency.png")
        plt.close(fig)
        made.append("concurrency.png")
    return made


def markdown(results: dict[str, Any], summary: dict[str, Any], images: list[str]) -> str:
    m = results["machine"]
    ingest = results["ingest"]
    q = results["quality"]
    lines = [
        "# geotech-bot benchmarks",
        "",
        f"Run {m['date']} ({results['mode']} mode, {results['seconds_total'] / 60:.1f} min in all) on "
        f"{m['cpu']}, {m['cores']} cores ({m['cpu_flags']}; torch kernels {m['torch_cpu_capability']}), "
        f"{m['memory_gb']} GB RAM, Python {m['python']}.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        "",
        f"Settings overridden for this run: {results['overrides'] or 'none (config.toml defaults)'}.",
        "",
        "**Noise.** The machine is shared: 1-minute load average "
        f"{_f(m['load_average_at_start'])} at the start, "
        + ", ".join(_f(x) for x in ingest["load_average_during"])
        + " during the ingest runs, on 2 cores. Absolute times are inflated by whatever else ran; the "
        "ingest ratio comes from alternating runs of both sides, so load falls on both alike.",
        "",
        *[f"**Note.** {note}\n" for note in results.get("notes", [])],
        "## Headlines",
        "",
        "| figure | measured | target | met |",
        "| --- | --- | --- | --- |",
        f"| ingest, tutorial time / geotech-bot time | {_f(ingest['ratio_vs_tutorial'])}x | ≥ 2.5x | "
        f"{summary['targets_met']['ingest_ratio']} |",
        f"| re-ingest of the unchanged corpus, first / again | {_f(ingest['reingest_speedup'], 1)}x "
        "| ≥ 20x | "
        f"{summary['targets_met']['reingest_speedup']} |",
    ]
    at_100k = next((p for p in results["curve"] if p["target"] == 100_000), None)
    if at_100k:
        e = at_100k["embedded"]
        lines += [
            f"| ask p50 at 100k chunks (embedded) | {_f(e['p50_ms'], 0)} ms | ≤ 60 ms | "
            f"{summary['targets_met']['p50_ms_at_100k']} |",
            f"| ask p95 at 100k chunks (embedded) | {_f(e['p95_ms'], 0)} ms | ≤ 150 ms | "
            f"{summary['targets_met']['p95_ms_at_100k']} |",
            f"| serving RSS at 100k chunks (embedded) | {_f(e['rss_mb'], 0)} MB | ≤ 1,536 MB | "
            f"{summary['targets_met']['rss_mb_at_100k']} |",
        ]
    g, t, r = ingest["geobot"], ingest["tutorial"], ingest["geobot_reingest"]
    lines += [
        "",
        "## 1. Ingest (whole process, start to exit)",
        "",
        f"{ingest['runs']} alternating run(s) of each over {ingest['input_articles']} input articles "
        "(CSV rows + HTML pages + seed), each into a fresh store.",
        "",
        "| pipeline | runs (s) | median (s) | chunks | chunks/s | input articles/s |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| geotech-bot `geobot ingest` | {', '.join(_f(x, 1) for x in g['seconds'])} "
        f"| {_f(g['median_s'], 1)} | "
        f"{g['chunks']} ({g['stored_articles']} articles after merging) | {_f(g['chunks_per_s'])} | "
        f"{_f(g['articles_per_s'])} |",
        f"| tutorial (splitter 1000/200 + HuggingFaceEmbeddings + Chroma.from_documents) | "
        f"{', '.join(_f(x, 1) for x in t['seconds'])} | {_f(t['median_s'], 1)} | {t['chunks']} | "
        f"{_f(t['chunks_per_s'])} | {_f(t['articles_per_s'])} |",
        f"| geotech-bot re-ingest, unchanged corpus | {', '.join(_f(x, 1) for x in r['seconds'])} | "
        f"{_f(r['median_s'], 1)} | 0 embedded | – | – |",
        "",
    ]
    first = ingest.get("geobot_first_with_model_build_s")
    if first is not None:
        lines += [
            f"The timed geotech-bot runs use the int8 model built once per machine; the run before "
            f"them, with an empty model cache (building it), took {_f(first, 1)} s.",
            "",
        ]
    lines += [
        "## 2. Quality on the dev questions",
        "",
        f"{q['geobot']['questions']} questions; scores as defined in ../shared/eval/README.md, one scorer "
        "for "
        "both. The tutorial pipeline is pure top-4 similarity retrieval: no answer text (its keyword "
        "accuracy is over the top chunk / the top 4 chunks joined) and no abstention.",
        "",
        "| metric | geotech-bot | tutorial |",
        "| --- | --- | --- |",
        f"| hit@4 | {_f(q['geobot']['hit_at_4'])} | {_f(q['tutorial']['hit_at_4'])} |",
        f"| keyword accuracy | {_f(q['geobot']['keyword_accuracy'])} | "
        f"{_f(q['tutorial']['keyword_accuracy_top1'])} (top chunk) / "
        f"{_f(q['tutorial']['keyword_accuracy_top4'])} (top 4) |",
        f"| citation hit | {_f(q['geobot']['citation_hit'])} | – |",
        f"| abstention (unanswerable) | {_f(q['geobot']['abstention'])} "
        f"| {_f(q['tutorial']['abstention'])} |",
        f"| false abstention | {_f(q['geobot']['false_abstention'])} | 0.00 |",
        "",
        "## 3. Query cost curve",
        "",
        "Each row: a fresh serving process (`build_answer_service` from config.toml, model loaded) "
        "answering the dev questions in turn after 3 warm-up asks; RSS is that process's resident "
        "memory after the asks. The stores hold the real ingested chunks (real embeddings) plus "
        "synthetic articles recombined from their sentences, whose vectors are mixes of the real "
        "vectors plus noise (no model run): only the real-chunk share used real embeddings. Writes "
        "went through `Store.write_articles`, as ingest's do (chunks, vectors and catalog rows together).",
        "",
        "| chunks (real) | mode | p50 ms | p95 ms | retrieve / answer median ms | bot RSS MB "
        "| server RSS MB | "
        "build s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in results["curve"]:
        if "http_error" in p:
            lines.append(f"| {p['chunks']:,} | http | failed: {p['http_error']} | | | | | |")
        for mode in ("embedded", "http"):
            if mode not in p:
                continue
            d = p[mode]
            stages = d["stage_median_ms"]
            lines.append(
                f"| {p['chunks']:,} ({p['real_chunks']}) | {mode} | {_f(d['p50_ms'], 0)} "
                f"| {_f(d['p95_ms'], 0)} | "
                f"{_f(stages.get('retrieve'), 0)} / {_f(stages.get('answer'), 0)} | {_f(d['rss_mb'], 0)} | "
                f"{_f(d.get('server_rss_mb'), 0)} | {_f(p['build_s'], 0) if mode == 'embedded' else ''} |"
            )
    lines += [
        "",
        "## 4. Embedding throughput against the CPU's limit",
        "",
        "The project's embedder (2 threads) over the real chunks of the ingested corpus, beside the "
        "best torch matmul GFLOP/s (square `torch.mm` / `F.linear`, and `F.linear` on the encoder's own "
        "shapes) measured in the same process and dtype. "
        "FLOPs per chunk: 6 layers x (8·L·h² + 4·L²·h + 4·L·h·f), h = 384, f = 1536, L = each chunk's "
        "real token count (softmax, norms, GELU left out, so % of peak is a slight underestimate). "
        "The int8 row (the matrix products in int8 but the feed-forward output's first-token row; "
        "`vectorstore/onnx_int8.py`) is read against the float32 peak.",
        "",
        "| dtype | chunks/s | mean tokens | GFLOP/chunk | matmul peak GFLOP/s | peak-allowed chunks/s | "
        "% of peak |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for e in results["embedding"]:
        lines.append(
            f"| {e['dtype']} | {_f(e['chunks_per_s'])} | {_f(e['mean_tokens'], 0)} "
            f"| {_f(e['gflop_per_chunk'])} | "
            f"{_f(e['matmul_peak_gflops'], 1)} | {_f(e['peak_allowed_chunks_per_s'])} | "
            f"{_f(e['percent_of_peak'], 0)} % |"
        )
    for e in results["embedding"]:
        for requested in e.get("also_requested_as", []):
            lines += [
                "",
                f"{requested} was asked for too, but this CPU cannot run it (bf16 needs native "
                f"support: emulated bf16 measured 5-8x slower; int8 needs onnxruntime), so the embedder "
                f"runs {e['dtype']} instead and there is no {requested} row.",
            ]
    if "encoder_backends" in results:
        from bench.encoder_backends import table

        lines += [
            "",
            "### Encoder backends",
            "",
            "The bundled model run each way in its own process, 2 threads, over the stored chunks "
            "(batches of 32) and each dev question alone; cosine to sentence-transformers' float32 "
            "torch vectors; dense retrieval of the 75 answerable dev questions (both files) over the "
            "chunks, questions embedded by the backend / by the float32 reference "
            "(`bench/encoder_backends.py`).",
            "",
            table(results["encoder_backends"]),
        ]
    lines += [
        "",
        "## 5. Concurrency",
        "",
        "Threads calling `AnswerService.ask` on one service over the ingested corpus.",
        "",
        "| askers | answers | answers/s | p50 ms | p95 ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in results["concurrency"]:
        lines.append(
            f"| {c['askers']} | {c['answers']} | {_f(c['answers_per_s'])} | {_f(c['p50_ms'], 0)} | "
            f"{_f(c['p95_ms'], 0)} |"
        )
    lines += ["", "## Plots", ""] + [f"![{name}]({name})" for name in images]
    return "\n".join(lines) + "\n"
