"""How the suite drives the real product: the ``geobot`` CLI in guarded subprocesses, and the store.

Everything goes through the product's own entry points, so a case sees exactly what a user
would: exit status, the lines printed, and the store left behind.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reliability.harness import NotLanded

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


def require_module(name: str) -> None:
    """NotLanded unless the product module ``name`` exists in the tree."""
    if importlib.util.find_spec(name) is None:
        raise NotLanded(f"{name} has not landed")


@functools.cache
def cli_commands() -> frozenset[str]:
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        timeout=120,
        check=False,
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.strip("│ ").split()
        if parts:
            names.add(parts[0])
    return frozenset(names)


def require_command(name: str) -> None:
    if name not in cli_commands():
        raise NotLanded(f"`geobot {name}` has not landed")


@dataclass(slots=True)
class Run:
    args: list[str]
    code: int | None  # None: killed after the timeout
    stdout: str
    stderr: str
    seconds: float
    netlog: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr


@dataclass(slots=True)
class Workspace:
    """A scratch folder with its own store and the environment every product run gets."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    cleanups: list[Callable[[], object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        base = {k: v for k, v in os.environ.items() if not k.startswith("GEOBOT_")}
        for secret in ("DISCORD_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
            base.pop(secret, None)
        base.update(
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            ANONYMIZED_TELEMETRY="False",
            PYTHONPATH=str(REPO),
            NO_COLOR="1",
            COLUMNS="160",
            TERM="dumb",
            GEOBOT_VECTORSTORE__PATH=str(self.store),
            GEOBOT_RECORDS__DB=str(self.root / "records.sqlite3"),
            RELIABILITY_NETLOG=str(self.netlog_path),
        )
        self.env = {**base, **self.env}

    def close(self) -> None:
        for cleanup in reversed(self.cleanups):
            cleanup()
        self.cleanups.clear()

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def netlog_path(self) -> Path:
        return self.root / "netlog.txt"

    def netlog(self) -> list[str]:
        if not self.netlog_path.exists():
            return []
        return [line for line in self.netlog_path.read_text().splitlines() if line]

    def geobot(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300, stdin: str | None = None
    ) -> Run:
        """Run ``geobot ARGS`` (guarded: no connection leaves loopback) and wait for it."""
        before = len(self.netlog())
        cmd = [sys.executable, "-m", "reliability.guarded", *args]
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                errors="replace",
                cwd=self.root,
                env={**self.env, **(env or {})},
                timeout=timeout,
                input=stdin,
                check=False,
            )
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            code = None
            out = _text(exc.stdout)
            err = _text(exc.stderr) + f"\n[killed after {timeout:.0f}s]"
        return Run(list(args), code, out, err, time.perf_counter() - start, self.netlog()[before:])

    def popen_geobot(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "reliability.guarded", *args],
            cwd=self.root,
            text=True,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def snapshot(self, env: dict[str, str] | None = None) -> Snapshot:
        """The store the product sees with these variables (an overridden store path included)."""
        merged = {**self.env, **(env or {})}
        return snapshot(Path(merged["GEOBOT_VECTORSTORE__PATH"]), merged)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode(errors="replace")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a store holds, as the suite compares it: ids and counts in both indexes."""

    articles: dict[str, dict[str, Any]]  # article id -> {content_hash, chunk_count, origins}
    chunks: dict[str, str]  # chunk id -> sha1 of its text
    dense_count: int
    keyword_count: int
    error: str = ""

    @property
    def article_ids(self) -> set[str]:
        return set(self.articles)

    def identity(self) -> tuple[Any, ...]:
        """What must be equal for two stores to be 'identical' (ingest times excluded)."""
        arts = sorted((k, v.get("content_hash"), v.get("chunk_count")) for k, v in self.articles.items())
        return (tuple(arts), tuple(sorted(self.chunks.items())), self.dense_count, self.keyword_count)

    def consistent(self) -> list[str]:
        """Problems a reader could see: an article whose chunks are missing, indexes out of step."""
        problems = []
        if self.dense_count != self.keyword_count:
            problems.append(f"dense index has {self.dense_count} chunks, keyword index {self.keyword_count}")
        if self.dense_count != len(self.chunks):
            problems.append(f"count() says {self.dense_count}, get() returned {len(self.chunks)}")
        by_article: dict[str, int] = {}
        for chunk_id in self.chunks:
            by_article[chunk_id.rsplit(":", 1)[0]] = by_article.get(chunk_id.rsplit(":", 1)[0], 0) + 1
        for aid, meta in self.articles.items():
            expected = meta.get("chunk_count")
            if isinstance(expected, int) and expected != meta.get("chunks_seen", expected):
                problems.append(f"article {aid} lists {expected} chunks, {meta.get('chunks_seen')} stored")
        return problems


def snapshot(store: Path, env: dict[str, str]) -> Snapshot:
    """Read the store in a fresh process (no client cache can hide what is on disk)."""
    if not Path(store).exists() and env.get("GEOBOT_VECTORSTORE__MODE", "embedded") == "embedded":
        return Snapshot({}, {}, 0, 0)
    proc = subprocess.run(
        [sys.executable, "-m", "reliability.snapshot"],
        capture_output=True,
        text=True,
        env={**env, "GEOBOT_VECTORSTORE__PATH": str(store)},
        cwd=REPO,
        timeout=300,
        check=False,
    )
    if proc.returncode == 3:
        raise NotLanded(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "store not landed")
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return Snapshot({}, {}, -1, -1, error=f"snapshot failed: {tail}")
    data = json.loads(proc.stdout)
    return Snapshot(data["articles"], data["chunks"], data["dense_count"], data["keyword_count"])
