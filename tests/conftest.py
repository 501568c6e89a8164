"""Shared fixtures. Every test runs with its data paths under tmp_path and offline."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.json"
DEV_QUESTIONS_MORE = SHARED / "eval" / "dev_questions_more.json"
# The project's own evaluation data: a second corpus with its questions, and conversations.
OWN_EVAL = REPO / "data" / "eval"
APPS_CORPUS = REPO / "data" / "corpus_apps"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the user's store, feedback database or config."""
    for name in list(os.environ):
        if name.startswith("GEOBOT_"):
            monkeypatch.delenv(name)
    for secret in ("DISCORD_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(secret, raising=False)
    monkeypatch.setenv("GEOBOT_VECTORSTORE__PATH", str(tmp_path / "store"))
    monkeypatch.setenv("GEOBOT_RECORDS__DB", str(tmp_path / "records.sqlite3"))
    monkeypatch.chdir(tmp_path)
    yield


@dataclass(frozen=True)
class IngestedCorpus:
    """The whole shared corpus ingested once: build the store or embedder from ``settings``."""

    settings: Any  # ingest.settings.IngestAppSettings
    store_path: Path
    report: Any  # ingest.pipeline.IngestReport


@pytest.fixture(scope="session")
def ingested_corpus(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> IngestedCorpus:
    """``geobot ingest ../shared/corpus`` into a session-wide tmp store (read-only for tests).

    Uses the session's ``embedder``, so the model is loaded once for both.
    """
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings
    from vectorstore.settings import VectorStoreSettings
    from vectorstore.store import build_store

    store_path = tmp_path_factory.mktemp("corpus_store")
    settings = IngestAppSettings(vectorstore=VectorStoreSettings(path=store_path))
    store = build_store(settings.vectorstore)
    try:
        report = run_ingest([CORPUS], settings, store=store, embedder=embedder)
    finally:
        store.close()
    assert report.ok, report.failed
    return IngestedCorpus(settings, store_path, report)


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    command: list[str], folder: Path, ready_url: str, name: str, wait: float
) -> Iterator[None]:
    """Run a server process (output in ``folder/server.log``) until ``ready_url`` answers 200;
    stop it afterwards. The test fails, pointing at the log, if it exits or never answers."""
    import subprocess
    import time

    import httpx

    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + wait
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}: see {folder / 'server.log'}")
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not answer within {wait:.0f} s: see {folder / 'server.log'}")
            time.sleep(0.25)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def running_chroma_server(folder: Path) -> Iterator[tuple[str, int]]:
    """Run `chroma run` on a free loopback port with its data in ``folder``; yields (host, port)."""
    import sys

    host, port = "127.0.0.1", _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    command = [str(chroma), "run", "--path", str(folder / "data"), "--host", host, "--port", str(port)]
    with running_server(command, folder, f"http://{host}:{port}/api/v2/heartbeat", "chroma server", 90):
        yield host, port


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on a free loopback port for the session; yields (host, port)."""
    with running_chroma_server(tmp_path_factory.mktemp("chroma_server")) as address:
        yield address


@pytest.fixture(scope="session")
def embedder() -> Any:
    """The bundled all-MiniLM-L6-v2 with default settings (bf16), loaded once per session."""
    from vectorstore.embeddings import build_embedder
    from vectorstore.settings import EmbeddingSettings

    return build_embedder(EmbeddingSettings())
