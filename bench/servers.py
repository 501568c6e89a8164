"""A library per server: a Chroma collection per server, or one collection with a server field.

    python -m bench.servers [--quick] [--result bench/results/servers.json]

Two layouts of the same chunks, measured on the same machine with the same vectors:

* ``collections`` — the base library in one collection, each server's library in its own; a
  server's question queries the base collection and its own, and the two lists are merged by
  cosine (the same model made every vector, so the scores compare).
* ``field`` — every chunk in one collection with a ``library`` field; a server's question is one
  query filtered with ``{"library": {"$in": ["base", "<server>"]}}``.

Two scenarios: ``many`` (a base of 1k chunks and 100 servers of 1k) and ``large`` (a base of 1k,
one server of 100k and one of 1k). For each: the time to write everything, the latency of a
server's question (the first one per server in a fresh process, where the collection is read
from disk, and then warm), recall@10 against an exact search of what the server may see, the
serving process's memory after every server asked once, and the folder's size on disk. The
keyword side is measured too: after a write, the in-memory BM25 index of what changed is rebuilt
(one server's rows, or every server's when all share one index).

Vectors are synthetic but clustered like text embeddings (a point near one of 2,000 topic
centres, renormalised), questions are perturbed copies of chunks the server may see; Chroma is
configured as the product configures it (cosine, ef_search 400). Each phase runs in its own
process, so memory and cold reads are those of a process that just started.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import PYTHON, REPO, child_env, median, percentile, write_json

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

DIM = 384
TOPICS = 2000
K = 10  # recall@K
CANDIDATES = 40  # what retrieval asks of the dense index per question ([answer] candidates)
EF_SEARCH = 400  # vectorstore.chroma._EF_SEARCH
BASE = "base"


@dataclass(frozen=True)
class Scenario:
    name: str
    libraries: dict[str, int]  # library name -> chunks
    asked: tuple[str, ...]  # servers whose questions are timed

    @property
    def servers(self) -> list[str]:
        return [name for name in self.libraries if name != BASE]


def scenarios(quick: bool) -> list[Scenario]:
    small, count, big = (200, 10, 5000) if quick else (1000, 100, 100_000)
    many = {BASE: small, **{f"s{i:03d}": small for i in range(count)}}
    large = {BASE: small, "big": big, "small": small}
    return [
        Scenario("many", many, tuple(n for n in many if n != BASE)),
        Scenario("large", large, ("big", "small")),
    ]


def centres(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((TOPICS, DIM)).astype(np.float32)
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def library_vectors(name: str, n: int, topics: np.ndarray) -> np.ndarray:
    """The chunks of one library: deterministic from its name, so every process makes the same."""
    rng = np.random.default_rng(abs(hash_name(name)))
    picks = rng.integers(0, TOPICS, n)
    noise = rng.standard_normal((n, DIM)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    v = topics[picks] + 0.8 * noise
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def hash_name(name: str) -> int:
    # Python's hash() of str is salted per process; this one is not.
    return int.from_bytes(name.encode().ljust(8, b"\0")[:8], "little") % (2**31)


def questions(scenario: Scenario, topics: np.ndarray, per_server: int) -> Iterator[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(7)
    for server in scenario.asked:
        seen = np.concatenate(
            [
                library_vectors(BASE, scenario.libraries[BASE], topics),
                library_vectors(server, scenario.libraries[server], topics),
            ]
        )
        for _ in range(per_server):
            v = seen[rng.integers(0, len(seen))] + 0.5 * rng.standard_normal(DIM).astype(np.float32) / 20
            yield server, (v / np.linalg.norm(v)).astype(np.float32)


def ids(name: str, n: int) -> list[str]:
    return [f"{name}-{i}" for i in range(n)]


def client(folder: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(folder), settings=ChromaSettings(anonymized_telemetry=False))


def collection(db: Any, name: str) -> Any:
    return db.get_or_create_collection(
        name, configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}, embedding_function=None
    )


# ---------------------------------------------------------------- phases (each its own process)


def build(folder: Path, layout: str, scenario: Scenario) -> dict[str, Any]:
    topics = centres(1)
    db = client(folder)
    batch = int(db.get_max_batch_size())
    started = time.perf_counter()
    shared = collection(db, "articles") if layout == "field" else None
    for name, n in scenario.libraries.items():
        target = shared or collection(db, "articles" if name == BASE else f"articles-{name}")
        vectors = library_vectors(name, n, topics)
        names = ids(name, n)
        for start in range(0, n, batch):
            meta = [{"library": name}] * len(names[start : start + batch]) if shared else None
            target.add(
                ids=names[start : start + batch], embeddings=vectors[start : start + batch], metadatas=meta
            )
    return {"write_s": time.perf_counter() - started}


def query(folder: Path, layout: str, scenario: Scenario, per_server: int) -> dict[str, Any]:
    topics = centres(1)
    db = client(folder)
    opened: dict[str, Any] = {}

    def coll(name: str) -> Any:
        if name not in opened:
            opened[name] = db.get_collection(name)
        return opened[name]

    def search(server: str, vector: np.ndarray, k: int) -> list[str]:
        if layout == "field":
            got = coll("articles").query(
                query_embeddings=[vector],
                n_results=k,
                where={"library": {"$in": [BASE, server]}},
                include=["distances"],
            )
            return list(got["ids"][0])
        hits: list[tuple[float, str]] = []
        for name in ("articles", f"articles-{server}"):
            got = coll(name).query(query_embeddings=[vector], n_results=k, include=["distances"])
            hits += zip(got["distances"][0], got["ids"][0], strict=True)
        return [i for _, i in sorted(hits)[:k]]

    asked = list(questions(scenario, topics, per_server))
    cold: list[float] = []
    warm: list[float] = []
    recall: list[float] = []
    first: set[str] = set()
    exact_cache: dict[str, tuple[list[str], np.ndarray]] = {}
    for server, vector in asked:
        started = time.perf_counter()
        found = search(server, vector, CANDIDATES)
        elapsed = (time.perf_counter() - started) * 1000
        (warm if server in first else cold).append(elapsed)
        first.add(server)
        if server not in exact_cache:
            names = ids(BASE, scenario.libraries[BASE]) + ids(server, scenario.libraries[server])
            vectors = np.concatenate(
                [
                    library_vectors(BASE, scenario.libraries[BASE], topics),
                    library_vectors(server, scenario.libraries[server], topics),
                ]
            )
            exact_cache = {server: (names, vectors)}  # one server's at a time: memory stays ours
        names, vectors = exact_cache[server]
        best = np.argsort(-(vectors @ vector))[:K]
        recall.append(len({names[i] for i in best} & set(found[:K])) / K)
    rss = _rss_mb()
    return {
        "cold_ms": {"p50": median(cold), "p95": percentile(cold, 95), "n": len(cold)},
        "warm_ms": {"p50": median(warm), "p95": percentile(warm, 95), "n": len(warm)},
        "recall_at_10": float(np.mean(recall)),
        "worst_recall_at_10": float(np.min(recall)),
        "rss_mb": rss,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def keyword_rebuild(rows: int) -> float:
    """Seconds to rebuild the in-memory BM25 index over ``rows`` chunk texts (vectorstore.bm25)."""
    from vectorstore.bm25 import Bm25Snapshot, Generation

    rng = np.random.default_rng(3)
    words = np.array([f"word{i}" for i in range(20_000)])
    texts = [" ".join(words[rng.integers(0, len(words), 120)]) for _ in range(rows)]
    Bm25Snapshot.build(Generation("bench", 0), [((0, "a", None, None), texts[0])])  # imports, once
    started = time.perf_counter()
    Bm25Snapshot.build(Generation("bench", 1), (((i, "a", None, None), t) for i, t in enumerate(texts)))
    return time.perf_counter() - started


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


# ---------------------------------------------------------------- driver


def _phase(args: Sequence[str], result: Path) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, "-m", "bench.servers", *args, "--result", str(result)],
        env=child_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.servers {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(result.read_text())
    return data


def run(quick: bool, work: Path) -> dict[str, Any]:
    per_server = 3 if quick else 5
    out: dict[str, Any] = {"mode": "quick" if quick else "full", "scenarios": {}}
    for scenario in scenarios(quick):
        figures: dict[str, Any] = {
            "libraries": len(scenario.libraries),
            "chunks": sum(scenario.libraries.values()),
        }
        asked = per_server if scenario.name == "many" else per_server * 40
        for layout in ("collections", "field"):
            folder = work / f"{scenario.name}-{layout}"
            common = ["--folder", str(folder), "--layout", layout, "--scenario", scenario.name]
            common += ["--quick"] if quick else []
            built = _phase(["build", *common], work / "build.json")
            queried = _phase(["query", *common, "--per-server", str(asked)], work / "query.json")
            figures[layout] = {**built, **queried, "disk_mb": _size_mb(folder)}
            shutil.rmtree(folder, ignore_errors=True)
        out["scenarios"][scenario.name] = figures
    small, total = (200, 2200) if quick else (1000, 101_000)
    out["keyword_rebuild_s"] = {
        f"one library ({small:,} chunks)": keyword_rebuild(small),
        f"one shared index ({total:,} chunks)": keyword_rebuild(total),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", nargs="?", choices=("build", "query"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--layout", choices=("collections", "field"))
    parser.add_argument("--scenario")
    parser.add_argument("--per-server", type=int, default=5)
    parser.add_argument("--result", type=Path, default=REPO / "bench" / "results" / "servers.json")
    args = parser.parse_args()
    if args.phase is None:
        with tempfile.TemporaryDirectory(prefix="bench-servers-") as tmp:
            write_json(args.result, run(args.quick, Path(tmp)))
        print(args.result.read_text())
        return
    scenario = next(s for s in scenarios(args.quick) if s.name == args.scenario)
    if args.phase == "build":
        data = build(args.folder, args.layout, scenario)
    else:
        data = query(args.folder, args.layout, scenario, args.per_server)
    write_json(args.result, data)


if __name__ == "__main__":
    main()
