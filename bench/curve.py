"""Query cost curve: `ask` latency and serving-process memory per store size, embedded and server.

For each size the synthetic store is grown (bench/synth.py, in its own process), then a fresh
serving process (bench/probe.py) answers the dev questions against it: once with Chroma
embedded, once against a real `chroma run --path STORE` server on loopback, whose own memory
is reported beside the bot's.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import PYTHON, check, child_env, run_timed

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def chroma_server(store: Path, log: Path) -> Iterator[tuple[int, int, float]]:
    """`chroma run` serving the store's folder; yields (port, pid, start-up seconds)."""
    import httpx

    port = free_port()
    chroma = str(Path(PYTHON).with_name("chroma"))
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [chroma, "run", "--path", str(store), "--host", HOST, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=child_env(),
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"chroma run exited with {proc.returncode}: see {log}")
                try:
                    if httpx.get(f"http://{HOST}:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not answer within 120 s: see {log}")
                time.sleep(0.25)
            yield port, proc.pid, time.perf_counter() - started
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def rss_mb(pid: int) -> float:
    import psutil

    return float(psutil.Process(pid).memory_info().rss / 2**20)


def probe(
    store: Path,
    questions: Path,
    asks: int,
    result: Path,
    port: int | None = None,
    concurrency: Sequence[int] = (),
    per_level: int = 24,
) -> dict[str, Any]:
    env = {"GEOBOT_VECTORSTORE__PATH": str(store)}
    if port is not None:
        env |= {"GEOBOT_VECTORSTORE__MODE": "http", "GEOBOT_VECTORSTORE__HOST": HOST}
        env["GEOBOT_VECTORSTORE__PORT"] = str(port)
    cmd = [PYTHON, "-m", "bench.probe", "--questions", str(questions), "--asks", str(asks)]
    cmd += ["--result", str(result), "--per-level", str(per_level)]
    if concurrency:
        cmd += ["--concurrency", ",".join(str(c) for c in concurrency)]
    check(run_timed(cmd, env), "bench.probe")
    data: dict[str, Any] = json.loads(result.read_text())
    return data


def grow(pool: Path, store: Path, target: int, result: Path) -> dict[str, Any]:
    cmd = [
        PYTHON,
        "-m",
        "bench.synth",
        str(pool),
        str(store),
        "--target",
        str(target),
        "--result",
        str(result),
    ]
    timed = check(run_timed(cmd, timeout=4 * 3600), "bench.synth")
    data: dict[str, Any] = json.loads(result.read_text())
    data["process_s"] = timed.seconds
    return data


def run(
    pool: Path, work: Path, sizes: Sequence[int], questions: Path, asks: int, server: bool
) -> list[dict[str, Any]]:
    store = work / "curve_store"
    points: list[dict[str, Any]] = []
    for size in sizes:
        built = grow(pool, store, size, work / f"synth_{size}.json")
        point: dict[str, Any] = {
            "target": size,
            "chunks": built["chunks"],
            "real_chunks": built["real_chunks"],
            "build_s": built["process_s"],
        }
        embedded = probe(store, questions, asks, work / f"probe_embedded_{size}.json")
        point["embedded"] = _summary(embedded)
        if server:
            try:
                with chroma_server(store, work / f"chroma_{size}.log") as (port, pid, startup):
                    remote = probe(store, questions, asks, work / f"probe_http_{size}.json", port=port)
                    server_figures = {"server_rss_mb": rss_mb(pid), "server_startup_s": startup}
                    point["http"] = _summary(remote) | server_figures
            except RuntimeError as exc:
                # the embedded figures of this size still stand; the report names what failed
                point["http_error"] = str(exc).splitlines()[0]
        points.append(point)
    return points


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    lat = result["latency"]
    return {
        "p50_ms": lat["p50_ms"],
        "p95_ms": lat["p95_ms"],
        "mean_ms": lat["mean_ms"],
        "stage_median_ms": lat["stage_median_ms"],
        "asks": lat["asks"],
        "rss_mb": result["rss_mb"],
        "peak_rss_mb": result["peak_rss_mb"],
        "load_s": result["load_s"],
    }


def concurrency(
    store: Path, work: Path, questions: Path, levels: Sequence[int], per_level: int
) -> list[dict[str, Any]]:
    result = probe(
        store, questions, 3, work / "probe_concurrency.json", concurrency=levels, per_level=per_level
    )
    levels_out: list[dict[str, Any]] = result["concurrency"]
    return levels_out
