"""Encoder backends side by side: the project's own runners against sentence-transformers' own.

One run measures, for the bundled all-MiniLM-L6-v2, each way of running it:

* ``st-torch-fp32``: sentence-transformers on torch, float32 — the reference vectors;
* ``own-bert-fp32``: the project's torch runner (``vectorstore/bert.py``), what questions use;
* ``own-int8``: the project's int8 onnxruntime build (``vectorstore/onnx_int8.py``), what ingest uses;
* ``st-onnx-fp32``: ``backend="onnx"`` (a float32 ONNX export made by optimum);
* ``st-onnx-qint8``: that export through ``export_dynamic_quantized_onnx_model`` (the avx512_vnni
  config where the CPU has VNNI, else avx2);
* ``st-openvino-fp32``: ``backend="openvino"`` (optimum-intel's export);
* ``st-openvino-qint8``: optimum-intel's static int8 (OVQuantizer, the quantizer behind
  ``export_static_quantized_openvino_model``) calibrated on 300 corpus chunks — that function
  itself calibrates on glue/sst2, a hub download, so it is not called.

Each backend runs in its own process with 2 threads: its export (into an empty cache folder, from
the packaged model, HF_HUB_OFFLINE=1) and a load from that cache are timed, one backend at a
time. Then, in each of ``--rounds`` rounds, every backend in turn (the order rotated per round,
as the ingest benchmark alternates its pipelines) encodes the store's chunks in batches of 32 as
ingest does, and each dev question alone as ``ask`` does: chunks/s from the median pass, the speed
against own-int8 as the median of the per-round ratios, question latency p50/p95 over all
rounds. Accuracy is
computed here from the vectors: cosine of each backend's chunk vectors to the reference (mean,
min), and dense retrieval over the chunks for the 75 answerable dev questions (both files): hit@4
(a gold article among the first 4 distinct articles) and MRR of the first gold article, with
questions embedded by the backend itself and by the float32 reference (as serving does: questions
are always embedded unquantized).

optimum-onnx and optimum-intel cannot be installed beside this project's packages: optimum-onnx
0.1.0 wants transformers < 4.58 (sentence-transformers 6 wants >= 5) and optimum-intel 2.2.0
wants transformers < 5.6 and pulls a CUDA torch. So each runs from an overlay folder
(``bench/backends/*.txt``, pinned, installed with ``pip --no-deps --target`` into the user cache)
put in front of the project's venv on PYTHONPATH; the ONNX one with sentence-transformers 5.7.

    python -m bench.encoder_backends --store STORE --result FILE [--quick] [--backends a,b]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from bench.common import CORPUS, PYTHON, REPO, SHARED, check, child_env, percentile, run_timed, write_json
from bench.machine import describe, load_average

logger = logging.getLogger(__name__)

THREADS = 2
BATCH = 32
REFERENCE = "st-torch-fp32"
# Which overlay (bench/backends/NAME.txt) each backend needs; None: the project's venv as it is.
BACKENDS: dict[str, str | None] = {
    "st-torch-fp32": None,
    "own-bert-fp32": None,
    "own-int8": None,
    "st-onnx-fp32": "onnx",
    "st-onnx-qint8": "onnx",
    "st-openvino-fp32": "openvino",
    "st-openvino-qint8": "openvino",
}
QUESTION_FILES = ("dev_questions.json", "dev_questions_more.json")
OVERLAYS = Path.home() / ".cache" / "geotech-bot" / "bench-overlays"
CALIBRATION = 300
Encode = Callable[[list[str], int], np.ndarray]


def overlay(name: str, root: Path) -> Path:
    """The overlay folder for ``name``, installed once from its pinned list (no dependencies:
    everything else comes from the project's venv)."""
    folder = root / name
    pins = REPO / "bench" / "backends" / f"{name}.txt"
    stamp = folder / ".pins"
    if stamp.exists() and stamp.read_text() == pins.read_text():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    cmd = [PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(folder), "-r", str(pins)]
    logger.info("installing the %s overlay into %s", name, folder)
    subprocess.run(cmd, check=True, timeout=1800)
    stamp.write_text(pins.read_text())
    return folder


def gold_of(metadata: dict[str, Any]) -> set[str]:
    """The eval ids (CSV row as a string, or 'seed') of a chunk's article."""
    found: set[str] = set()
    for origin in json.loads(str(metadata.get("origins") or "[]")):
        path = str(origin.get("path") or "")
        if path.endswith("articles.csv") and origin.get("record") is not None:
            found.add(str(origin["record"]))
        elif path.endswith("seed_article.txt"):
            found.add("seed")
    return found


def read_chunks(store: Path) -> tuple[list[str], list[str], list[set[str]]]:
    """The store's chunks (ids, texts, gold ids), ordered by id so every process sees one order."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(store), settings=ChromaSettings(anonymized_telemetry=False))
    got = client.get_collection("articles").get(include=["documents", "metadatas"])
    rows = sorted(zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True))
    return [r[0] for r in rows], [r[1] or "" for r in rows], [gold_of(dict(r[2] or {})) for r in rows]


def read_questions() -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    for name in QUESTION_FILES:
        questions += json.loads((SHARED / "eval" / name).read_text(encoding="utf-8"))
    return questions


# --- the worker: one backend in its own process -------------------------------------------------


def _vnni() -> bool:
    from bench.machine import cpu_flags

    return "avx512_vnni" in cpu_flags().split()


def _st_loader(
    backend: str, folder: Path, cache: Path, calibration: list[str], export: bool
) -> tuple[Encode, float, float]:
    """Export (timed; unless ``export`` is false: already in ``cache``) and load from the cache
    (timed) a sentence-transformers backend."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(THREADS)
    kinds: dict[str, Literal["torch", "onnx", "openvino"]] = {
        "torch": "torch",
        "onnx": "onnx",
        "openvino": "openvino",
    }
    kind = kinds[backend.split("-")[1]]
    saved = folder if kind == "torch" else cache / kind
    config = "avx512_vnni" if _vnni() else "avx2"
    kwargs: dict[str, Any] = {
        "st-onnx-qint8": {"file_name": f"onnx/model_qint8_{config}.onnx"},
        "st-openvino-qint8": {"file_name": "openvino/openvino_model_qint8.xml"},
    }.get(backend, {})
    started = time.perf_counter()
    if kind != "torch" and export:
        model = SentenceTransformer(str(folder), device="cpu", backend=kind)
        model.save_pretrained(str(saved))
        if backend == "st-onnx-qint8":
            from sentence_transformers import export_dynamic_quantized_onnx_model

            export_dynamic_quantized_onnx_model(model, config, str(saved))
        elif backend == "st-openvino-qint8":
            _openvino_static_int8(model, saved, calibration)
    export_s = time.perf_counter() - started if kind != "torch" else 0.0
    started = time.perf_counter()
    if kind == "onnx":
        kwargs["provider"] = "CPUExecutionProvider"
    if kind == "openvino":
        kwargs["ov_config"] = {"INFERENCE_NUM_THREADS": str(THREADS)}
    loaded = SentenceTransformer(str(saved), device="cpu", backend=kind, model_kwargs=kwargs or None)
    load_s = time.perf_counter() - started

    def encode(texts: list[str], batch: int) -> np.ndarray:
        vectors = loaded.encode(texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    return encode, export_s, load_s


def _openvino_static_int8(model: Any, saved: Path, calibration: list[str]) -> None:
    """optimum-intel's static int8 of the OpenVINO model, calibrated on corpus chunks, saved
    where ``_st_loader`` loads it from."""
    from optimum.intel.openvino import OVConfig, OVQuantizationConfig, OVQuantizer

    tokenizer = model.tokenizer
    samples = [dict(tokenizer(text, truncation=True, max_length=256)) for text in calibration]
    quantizer = OVQuantizer.from_pretrained(model.transformers_model)
    config = OVConfig(quantization_config=OVQuantizationConfig(num_samples=len(samples)))
    with tempfile.TemporaryDirectory() as out:
        quantizer.quantize(calibration_dataset=samples, save_directory=out, ov_config=config)
        for suffix in (".xml", ".bin"):
            made = next(Path(out).rglob(f"openvino_model{suffix}"))
            shutil.copy(made, saved / "openvino" / f"openvino_model_qint8{suffix}")


def _own_loader(backend: str, cache: Path, cold: bool) -> tuple[Encode, float, float]:
    from vectorstore.encoders import build_encoder
    from vectorstore.settings import EmbeddingSettings

    dtype = "int8" if backend == "own-int8" else "float32"
    settings = EmbeddingSettings.model_validate({"dtype": dtype, "threads": THREADS, "cache_dir": str(cache)})
    started = time.perf_counter()
    encoder, precision = build_encoder(settings)
    export_s = time.perf_counter() - started
    if precision != dtype:
        raise RuntimeError(f"{backend}: asked for {dtype}, got {precision}")
    if cold:
        return encoder.encode, 0.0, export_s
    started = time.perf_counter()
    encoder, _ = build_encoder(settings)
    load_s = time.perf_counter() - started
    if dtype == "float32":  # nothing is exported: the first build is a load too
        export_s = 0.0
    return encoder.encode, export_s, load_s


def worker(backend: str, texts_file: Path, out: Path, cache: Path, cold: bool) -> None:
    """Load one backend (export into ``cache`` and load timed, written to out.json), then serve
    the parent's requests on stdin, one line each: ``chunks`` encodes every chunk in batches,
    ``questions`` each question alone; each answers one line of JSON (seconds, or per-question
    ms) and writes the vectors to out.<request>.npy. The replies go to a private copy of stdout,
    so nothing a library prints can corrupt them.

    ``cold``: load what an earlier worker exported into ``cache``, embed one question and exit —
    the parent times the whole process, as a user's first ``ask`` would be."""
    from vectorstore.encoders import resolve_model

    reply = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    data = json.loads(texts_file.read_text(encoding="utf-8"))
    texts: dict[str, list[str]] = {"chunks": data["chunks"], "questions": data["questions"]}
    folder = Path(resolve_model("bundled"))
    if backend.startswith("own-"):
        encode, export_s, load_s = _own_loader(backend, cache, cold)
    else:
        encode, export_s, load_s = _st_loader(backend, folder, cache, texts["chunks"][:CALIBRATION], not cold)
    if cold:
        encode(texts["questions"][:1], 1)
        return
    hub = Path.home() / ".cache" / "huggingface" / "hub"
    encode(texts["chunks"][:BATCH], BATCH)
    encode(texts["questions"][:3], 1)
    downloaded = sorted(p.name for p in hub.glob("models--*"))
    write_json(out, {"backend": backend, "export_s": export_s, "load_s": load_s, "hub_models": downloaded})
    reply.write("ready\n")
    reply.flush()
    for line in sys.stdin:
        request = line.strip()
        if request == "chunks":
            started = time.perf_counter()
            vectors = encode(texts["chunks"], BATCH)
            answer: Any = time.perf_counter() - started
        elif request == "questions":
            answer, rows = [], []
            for question in texts["questions"]:
                started = time.perf_counter()
                rows.append(encode([question], 1)[0])
                answer.append(1000 * (time.perf_counter() - started))
            vectors = np.asarray(rows)
        else:
            break
        np.save(out.with_suffix(f".{request}.npy"), vectors)
        reply.write(json.dumps(answer) + "\n")
        reply.flush()


class _Backend:
    """A worker process holding one loaded backend."""

    def __init__(self, backend: str, texts_file: Path, work: Path, overlays: Path) -> None:
        self.name = backend
        self.out = work / f"encoder_{backend}.json"
        path = str(REPO)
        if BACKENDS[backend] is not None:
            path = f"{overlay(str(BACKENDS[backend]), overlays)}{os.pathsep}{REPO}"
        cmd = [PYTHON, "-m", "bench.encoder_backends", "--worker", backend, "--texts", str(texts_file)]
        self.cache = work / f"cache_{backend}"
        shutil.rmtree(self.cache, ignore_errors=True)
        cmd += ["--result", str(self.out), "--cache", str(self.cache)]
        self.cmd, self.env = cmd, {"PYTHONPATH": path}
        self.log = (work / f"encoder_{backend}.log").open("w")
        self.proc = subprocess.Popen(
            cmd,
            env=child_env({"PYTHONPATH": path}),
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def ask(self, request: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if request:
            self.proc.stdin.write(request + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.close()
            tail = " | ".join(self.out.with_suffix(".log").read_text().strip().splitlines()[-3:])
            raise RuntimeError(f"{self.name} failed: {tail[-600:]}")
        return line if request == "" else json.loads(line)

    def cold(self) -> float:
        """A whole process that loads from the cache and embeds one question, timed."""
        return check(run_timed([*self.cmd, "--cold"], self.env), f"{self.name} cold start").seconds

    def vectors(self, request: str) -> np.ndarray:
        return np.load(self.out.with_suffix(f".{request}.npy"))

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.log.close()


# --- the parent: run each backend, compare the vectors ------------------------------------------


def retrieval(
    query_vectors: np.ndarray,
    chunk_vectors: np.ndarray,
    golds: Sequence[set[str]],
    chunk_gold: Sequence[set[str]],
) -> dict[str, float]:
    """hit@4 and MRR over distinct articles, for answerable questions (``golds`` non-empty)."""
    hits = 0
    reciprocal = 0.0
    answerable = 0
    scores = query_vectors @ chunk_vectors.T
    for row, gold in zip(scores, golds, strict=True):
        if not gold:
            continue
        answerable += 1
        seen: list[frozenset[str]] = []
        for index in np.argsort(-row):
            article = frozenset(chunk_gold[index]) or frozenset({f"chunk{index}"})
            if article in seen:
                continue
            seen.append(article)
            if article & gold:
                rank = len(seen)
                hits += rank <= 4
                reciprocal += 1 / rank
                break
    return {"hit@4": hits / answerable, "mrr": reciprocal / answerable, "questions": answerable}


def cosine(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    sims = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"mean": float(sims.mean()), "min": float(sims.min())}


def run(store: Path, work: Path, backends: Sequence[str], rounds: int, overlays: Path) -> dict[str, Any]:
    """Every backend loaded in its own process (one after another, so export and load times do
    not overlap), then ``rounds`` rounds in which each encodes the chunks and the questions in
    turn, the order rotated each round, so that load from other processes on the shared machine
    falls on all alike; then the comparisons."""
    work.mkdir(parents=True, exist_ok=True)
    _, chunks, chunk_gold = read_chunks(store)
    questions = read_questions()
    texts_file = work / "encoder_texts.json"
    texts_file.write_text(json.dumps({"chunks": chunks, "questions": [q["question"] for q in questions]}))
    golds = [{str(g) for g in q["gold_docs"]} for q in questions]
    figures: dict[str, dict[str, Any]] = {}
    loaded: list[_Backend] = []
    try:
        for name in (REFERENCE, *[b for b in backends if b != REFERENCE]):
            logger.info("loading encoder backend %s (load average %.1f)", name, load_average())
            backend = _Backend(name, texts_file, work, overlays)
            try:
                backend.ask("")
            except RuntimeError as exc:
                figures[name] = {"backend": name, "error": str(exc)}
                logger.warning("%s", exc)
                continue
            loaded.append(backend)
            figures[name] = {**json.loads(backend.out.read_text()), "passes_s": [], "query_ms": []}
        loads = []
        for turn in range(rounds):
            loads.append(load_average())
            logger.info("encoder round %d of %d (load average %.1f)", turn + 1, rounds, loads[-1])
            for backend in loaded[turn % len(loaded) :] + loaded[: turn % len(loaded)]:
                figures[backend.name]["passes_s"].append(backend.ask("chunks"))
                figures[backend.name]["query_ms"] += backend.ask("questions")
        vectors = {b.name: {r: b.vectors(r) for r in ("chunks", "questions")} for b in loaded}
        for turn in range(rounds):
            for backend in loaded[turn % len(loaded) :] + loaded[: turn % len(loaded)]:
                figures[backend.name].setdefault("cold_s", []).append(backend.cold())
    finally:
        for backend in loaded:
            backend.close()
    reference = vectors[REFERENCE]
    for name, got in vectors.items():
        row = figures[name]
        passes, query_ms = row["passes_s"], row.pop("query_ms")
        row["chunks_per_s"] = len(chunks) / float(np.median(passes))
        row["chunks_per_s_best"] = len(chunks) / min(passes)
        row["cold_start_s"] = float(np.median(row["cold_s"]))
        row["query_ms_p50"] = percentile(query_ms, 50)
        row["query_ms_p95"] = percentile(query_ms, 95)
        row["cosine_chunks"] = cosine(got["chunks"], reference["chunks"])
        row["cosine_questions"] = cosine(got["questions"], reference["questions"])
        row["retrieval_own_queries"] = retrieval(got["questions"], got["chunks"], golds, chunk_gold)
        row["retrieval_fp32_queries"] = retrieval(reference["questions"], got["chunks"], golds, chunk_gold)
    base = figures.get("own-int8", {}).get("passes_s")
    for row in figures.values():
        if base and row.get("passes_s"):
            # Each round's pass against own-int8's in the same round: the median of those ratios.
            paired = [b / p for p, b in zip(row["passes_s"], base, strict=True)]
            row["speed_vs_own_int8"] = float(np.median(paired))
    return {
        "machine": describe(),
        "chunks": len(chunks),
        "questions": len(questions),
        "threads": THREADS,
        "batch": BATCH,
        "rounds": rounds,
        "load_average_during": loads,
        "overlays": {
            name: [
                x for x in (REPO / "bench" / "backends" / f"{name}.txt").read_text().splitlines() if "==" in x
            ]
            for name in sorted({str(BACKENDS[b]) for b in backends if BACKENDS[b] is not None})
        },
        "backends": figures,
    }


def table(result: dict[str, Any]) -> str:
    """The figures as a markdown table."""
    lines = [
        "| backend | chunks/s median (best) | vs own-int8 | question p50 / p95 ms | cold start s "
        "| cosine mean / min | hit@4 (own q / fp32 q) | MRR (own q / fp32 q) | export s | load s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in result["backends"].items():
        if "error" in row:
            lines.append(f"| {name} | failed: {row['error'][:120]} | | | | | | | | |")
            continue
        own, ref = row["retrieval_own_queries"], row["retrieval_fp32_queries"]
        lines.append(
            f"| {name} | {row['chunks_per_s']:.1f} ({row['chunks_per_s_best']:.1f}) "
            f"| {row.get('speed_vs_own_int8', 0):.2f}x "
            f"| {row['query_ms_p50']:.1f} / {row['query_ms_p95']:.1f} | {row['cold_start_s']:.1f} "
            f"| {row['cosine_chunks']['mean']:.4f} / {row['cosine_chunks']['min']:.4f} "
            f"| {own['hit@4']:.3f} / {ref['hit@4']:.3f} | {own['mrr']:.3f} / {ref['mrr']:.3f} "
            f"| {row['export_s']:.1f} | {row['load_s']:.2f} |"
        )
    return "\n".join(lines)


def ingest_store(work: Path, corpus: Path) -> Path:
    """A geobot store of ``corpus`` to take the chunks from (when none is given)."""
    from bench.common import GEOBOT

    store = work / "encoder_store"
    shutil.rmtree(store, ignore_errors=True)
    check(
        run_timed([GEOBOT, "ingest", str(corpus)], {"GEOBOT_VECTORSTORE__PATH": str(store)}), "geobot ingest"
    )
    return store


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, help="a geobot store (default: ingest the shared corpus)")
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--quick", action="store_true", help="one round, own-int8 and the reference only")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--overlays", type=Path, default=OVERLAYS)
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.worker:
        worker(args.worker, args.texts, args.result, args.cache, args.cold)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    work = args.result.parent
    store = args.store or ingest_store(work, CORPUS)
    backends = ("own-int8",) if args.quick else tuple(args.backends.split(","))
    result = run(store, work, backends, 1 if args.quick else args.rounds, args.overlays)
    write_json(args.result, result)
    args.result.with_suffix(".md").write_text(table(result) + "\n", encoding="utf-8")
    sys.stdout.write(table(result) + "\n")


if __name__ == "__main__":
    main()
