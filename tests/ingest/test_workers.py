"""The ingest worker processes: the same cleaned articles, chunks and vectors as in-process,
clear errors, and no process left behind when ingest dies."""

from __future__ import annotations

import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import psutil
import pytest

from ingest.chunking import annotated, chunker_for
from ingest.models import Article
from ingest.normalize import normalize
from ingest.readers.files import read_file
from ingest.settings import IngestSettings
from ingest.workers import ChunkEmbedPool
from tests.conftest import CORPUS, REPO
from vectorstore.embeddings import Embedder
from vectorstore.errors import EmbeddingModelError
from vectorstore.settings import EmbeddingSettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    settings = IngestSettings()
    raws = read_file(CORPUS / "seed_article.txt", settings)
    raws += read_file(CORPUS / "huawei_uk" / "html" / "globaltimes_01.html", settings)
    raws += read_file(CORPUS / "huawei_uk" / "html" / "globaltimes_02.html", settings)
    found = [a for a in map(normalize, raws) if a is not None]
    assert len(found) == 3
    return found


def test_workers_give_the_chunks_and_vectors_of_the_ingest_process(
    articles: list[Article], embedder: Embedder
) -> None:
    settings = IngestSettings()
    chunker = chunker_for(embedder, settings)
    with ChunkEmbedPool(EmbeddingSettings(), settings, processes=2) as pool:
        results = list(pool.run(articles))
    # Each article once, as it finishes, named by its place in the list given.
    assert sorted(i for i, _ in results) == list(range(len(articles)))
    for i, (chunks, vectors) in results:
        expected = annotated(articles[i], chunker.split(articles[i]))
        assert chunks == expected  # ids, texts, offsets, embedded text, sentence notes
        assert all(c.notes for c in chunks)
        assert vectors.shape == (len(expected), embedder.dim)
        local = embedder.encode([c.embed_text for c in expected])
        assert np.min(np.sum(local * vectors, axis=1)) > 0.9999


def test_workers_clean_articles_as_the_ingest_process_does() -> None:
    settings = IngestSettings()
    raws = read_file(CORPUS / "huawei_uk" / "articles.csv", settings)[:12]
    raws += read_file(CORPUS / "huawei_uk" / "html" / "globaltimes_03.html", settings)
    finished: list[None] = []
    with ChunkEmbedPool(EmbeddingSettings(), settings, processes=2) as pool:
        cleaned = pool.normalize(raws, done=lambda: finished.append(None))
    assert cleaned == [normalize(raw) for raw in raws]  # in the order given, every field
    assert all(article is not None for article in cleaned)
    assert len(finished) == len(raws)


def _serve(detects_languages: bool, *requests: tuple[str, object]) -> tuple[io.BytesIO, list[str]]:
    """Run one worker process on ``requests``: its replies, and the modules it imported."""
    message = pickle.dumps((EmbeddingSettings(threads=1), IngestSettings(), detects_languages))
    message += b"".join(pickle.dumps(request) for request in requests)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ingest.workers"],
        input=message,
        capture_output=True,
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=300,
        check=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.decode().splitlines()]
    return io.BytesIO(done.stdout), imported


def test_a_worker_loads_neither_langchain_nor_the_language_model(articles: list[Article]) -> None:
    """Each ingest pays for what a worker loads, once per worker (LangChain: ~0.6 s of CPU; the
    language identifier ~1 s, loaded by the first worker only)."""
    raw = read_file(CORPUS / "huawei_uk" / "articles.csv", IngestSettings())[0]
    replies, imported = _serve(False, ("normalize", raw), ("embed", articles[0]))
    assert pickle.load(replies) == ("ready", None)
    kind, cleaned = pickle.load(replies)
    assert kind == "ok" and cleaned.language is None and cleaned.text
    kind, (chunks, vectors) = pickle.load(replies)
    assert kind == "ok" and len(chunks) > 0 and vectors.shape == (len(chunks), 384)
    assert "ingest.chunking" in imported  # the import log is really there
    assert not [name for name in imported if name.startswith(("langchain", "py3langid"))]


def test_a_model_that_cannot_load_is_one_clear_error(articles: list[Article], tmp_path: Path) -> None:
    missing = EmbeddingSettings(model=str(tmp_path / "no-such-model"))
    pool = ChunkEmbedPool(missing, IngestSettings(), processes=2)
    with pool, pytest.raises(EmbeddingModelError) as err:
        list(pool.run(articles))
    assert "embedding.model" in str(err.value)
    assert "no-such-model" in str(err.value)


def test_a_worker_that_dies_is_reported_not_waited_for(articles: list[Article]) -> None:
    with ChunkEmbedPool(EmbeddingSettings(), IngestSettings(), processes=1) as pool:
        os.kill(pool.pids[0], signal.SIGKILL)
        with pytest.raises(EmbeddingModelError, match=r"worker process stopped .*processes = 1"):
            list(pool.run(articles))


def test_workers_exit_when_the_ingest_process_is_killed(tmp_path: Path) -> None:
    # A parent that starts a pool, says its workers' pids, and waits to be killed.
    script = textwrap.dedent(
        """
        import sys, time
        from ingest.settings import IngestSettings
        from ingest.workers import ChunkEmbedPool
        from vectorstore.settings import EmbeddingSettings

        pool = ChunkEmbedPool(EmbeddingSettings(), IngestSettings(), processes=2)
        print(*pool.pids, flush=True)
        time.sleep(600)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        workers = [psutil.Process(p) for p in pids]
        assert len(workers) == 2 and all(w.is_running() for w in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        # Each worker is still loading the model or waiting for work; either way it must go.
        _, alive = psutil.wait_procs(workers, timeout=60)
        assert not alive, f"worker processes left behind: {[w.pid for w in alive]}"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_the_language_detecting_worker_loads_the_model_and_detects() -> None:
    texts = [
        "The harbour authority published its annual inspection figures on Tuesday.",
        "Le conseil municipal a vote le budget de la bibliotheque mardi soir.",
        "2031 - 2032 / 44",
    ]
    replies, imported = _serve(True, ("languages", texts))
    assert pickle.load(replies) == ("ready", None)
    assert pickle.load(replies) == ("ok", ["en", "fr", None])
    assert "py3langid" in imported


def test_the_ingest_process_leaves_language_detection_to_a_worker() -> None:
    """The language model's load (~1 s of CPU) stays off the ingest process, whose own work is
    what the first embedding waits for."""
    script = textwrap.dedent(
        """
        import sys
        from ingest.normalize import normalize
        from ingest.readers.files import read_file
        from ingest.settings import IngestSettings
        from ingest.workers import ChunkEmbedPool
        from tests.conftest import CORPUS
        from vectorstore.settings import EmbeddingSettings

        raws = read_file(CORPUS / "huawei_uk" / "articles.csv", IngestSettings())[:4]
        with ChunkEmbedPool(EmbeddingSettings(), IngestSettings(), processes=2) as pool:
            cleaned = pool.normalize(raws)
        loaded = "py3langid" in sys.modules
        assert cleaned == [normalize(raw) for raw in raws], "not as the ingest process cleans"
        print(loaded, [article.language for article in cleaned])
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "False"
    assert "'en'" in done.stdout
