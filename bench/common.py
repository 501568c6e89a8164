"""Helpers shared by the benchmarks: paths, subprocess timing, percentiles."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.json"
PYTHON = sys.executable
GEOBOT = str(Path(sys.executable).with_name("geobot"))

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child process: the user's GEOBOT_ settings apply (e.g. a dtype),
    except where the store lives, which each benchmark sets itself."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOBOT_VECTORSTORE__")}
    env.update(OFFLINE_ENV)
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Timed:
    seconds: float
    returncode: int
    stdout: str
    stderr: str


def run_timed(
    cmd: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path = REPO, timeout: float = 1800
) -> Timed:
    """Run a whole process and time it from start to exit."""
    start = time.perf_counter()
    proc = subprocess.run(
        list(cmd), env=child_env(env), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    return Timed(time.perf_counter() - start, proc.returncode, proc.stdout, proc.stderr)


def check(result: Timed, what: str) -> Timed:
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{what} failed with exit status {result.returncode}:\n{tail}")
    return result


def user_overrides() -> dict[str, str]:
    """GEOBOT_ variables in force for this run (reported: they change what is measured)."""
    return {k: v for k, v in os.environ.items() if k.startswith("GEOBOT_") and "VECTORSTORE__" not in k}


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
