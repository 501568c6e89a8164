"""`kill -9` a real `geobot ingest` anywhere, run it again: the store equals an uninterrupted run's.

The inputs are a slice of the shared corpus (the seed, the six Global Times pages and the CSV
rows they duplicate plus a few others, copied at run time), so merges across files are part of
what must survive a kill.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import CORPUS, REPO
from tests.ingest.store_snapshot import assert_consistent, snapshot
from vectorstore.keyword import FILENAME

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# CSV rows the HTML pages duplicate, and a duplicate pair.
ROWS = (8, 9, 10, 11, 66, 68, 31, 32)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("resume_corpus")
    shutil.copy(CORPUS / "seed_article.txt", folder / "seed_article.txt")
    (folder / "html").mkdir()
    for page in sorted((CORPUS / "huawei_uk" / "html").glob("*.html")):
        shutil.copy(page, folder / "html" / page.name)
    with (CORPUS / "huawei_uk" / "articles.csv").open(encoding="utf-8", newline="") as src:
        reader = csv.reader(src)
        header = next(reader)
        rows = list(reader)
    with (folder / "articles.csv").open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(header)
        writer.writerows(rows[i] for i in ROWS)
    return folder


def _command(corpus: Path) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "ingest", str(corpus)]


def _env(store: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "GEOBOT_VECTORSTORE__PATH": str(store),
        "GEOBOT_EMBEDDING__THREADS": "1",
        # one article per store write, so that "killed mid-write" exists on this small corpus
        "GEOBOT_INGEST__WRITE_BATCH_CHUNKS": "1",
    }


def _run(corpus: Path, store: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        _command(corpus), env=_env(store), capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _catalog_rows(store: Path) -> int:
    try:
        with sqlite3.connect(f"file:{store / FILENAME}?mode=ro", uri=True, timeout=0.1) as db:
            return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def _kill_after(corpus: Path, store: Path, delay: float | None) -> str:
    """Start ingest and SIGKILL it after ``delay`` seconds, or (None) as soon as the first
    article is committed, i.e. in the middle of writing. Returns what happened, for messages."""
    proc = subprocess.Popen(
        _command(corpus), env=_env(store), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    started = time.monotonic()
    try:
        while proc.poll() is None:
            elapsed = time.monotonic() - started
            if (delay is not None and elapsed >= delay) or (delay is None and _catalog_rows(store) > 0):
                workers = psutil.Process(proc.pid).children(recursive=True)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                # The chunk-and-embed workers see their input close and exit on their own.
                _, alive = psutil.wait_procs(workers, timeout=60)
                assert not alive, f"processes left behind by the killed ingest: {alive}"
                return f"killed after {elapsed:.1f} s with {_catalog_rows(store)} articles committed"
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return f"finished before the kill (exit {proc.returncode})"


def test_killed_ingest_resumes_to_the_same_store(corpus: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    began = time.monotonic()
    _run(corpus, reference)
    duration = time.monotonic() - began
    expected = snapshot(reference)
    assert_consistent(expected)
    assert len(expected["catalog"]) == 1 + len(ROWS) - 1  # the pages and row 32 merge into rows
    seed = int(os.environ.get("GEOBOT_TEST_SEED", time.time_ns() % 10_000))
    rng = random.Random(seed)
    # early (start-up, reading), the middle (embedding), and mid-write
    delays = [rng.uniform(0.1, 0.4) * duration, rng.uniform(0.45, 0.8) * duration, None]
    for trial, delay in enumerate(delays):
        store = tmp_path / f"trial{trial}"
        what = _kill_after(corpus, store, delay)
        assert what.startswith("killed"), f"trial {trial}: {what}; the trial proves nothing"
        if delay is None:
            assert _catalog_rows(store) < len(expected["catalog"]), f"trial {trial}: {what}"
        _run(corpus, store)
        got = snapshot(store)
        context = f"trial {trial} (GEOBOT_TEST_SEED={seed}): {what}"
        assert_consistent(got)
        assert got["catalog"] == expected["catalog"], context
        assert got["dense"].keys() == expected["dense"].keys(), context
        assert got["dense"] == expected["dense"], context
        assert got["keyword"] == expected["keyword"], context
        again = _run(corpus, store)  # and a further run has nothing left to do
        assert "0 added, 0 updated" in again.stdout, context
