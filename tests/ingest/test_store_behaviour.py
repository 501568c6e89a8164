"""Store-level behaviour of ingest: no-op re-ingest, changed text, new origins, dry run, manifest.

Articles are generated word salad (our own text), a few chunks each, so the real model and
the real store stay quick.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ingest.manifest import FILENAME as MANIFEST
from ingest.pipeline import IngestReport, run_ingest
from ingest.settings import IngestAppSettings, IngestSettings
from tests.conftest import REPO, IngestedCorpus
from tests.ingest.store_snapshot import assert_consistent, snapshot
from vectorstore.keyword import FILENAME
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store

pytestmark = [pytest.mark.integration]

WORDS = [
    "harbour",
    "ministry",
    "tariff",
    "satellite",
    "cable",
    "treaty",
    "vote",
    "senator",
    "export",
    "chip",
    "license",
    "grid",
    "operator",
    "telecom",
    "port",
    "audit",
    "summit",
    "envoy",
    "budget",
    "reactor",
    "pipeline",
    "subsidy",
    "border",
    "court",
    "ruling",
    "merger",
    "network",
    "spectrum",
    "tender",
    "supplier",
    "vendor",
    "security",
    "agency",
    "review",
    "council",
    "parliament",
    "embassy",
    "sanction",
    "rocket",
    "drone",
    "factory",
    "battery",
    "lithium",
    "wafer",
    "foundry",
]


def article_text(seed: int, paragraphs: int) -> str:
    rng = random.Random(seed)
    paras = []
    for _ in range(paragraphs):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 18))).capitalize() + "."
            for _ in range(rng.randint(2, 4))
        ]
        paras.append(" ".join(sentences))
    return "\n\n".join(paras)


def write_article(path: Path, seed: int, paragraphs: int = 6, title: str | None = None) -> None:
    heading = f"# {title or f'Report number {seed} on trade'}\n\n"
    path.write_text(heading + article_text(seed, paragraphs) + "\n", encoding="utf-8")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    write_article(folder / "a.md", 1, paragraphs=12)
    write_article(folder / "b.md", 2, paragraphs=3)
    rows = [{"title": f"Wire story {n}", "text": article_text(10 + n, 2), "source": "Wire"} for n in range(2)]
    (folder / "wire.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> IngestAppSettings:
    return IngestAppSettings(vectorstore=VectorStoreSettings(path=tmp_path / "store"))


def ingest(sources: list[Path], settings: IngestAppSettings, embedder: Any, **kw: Any) -> IngestReport:
    store = build_store(settings.vectorstore)
    try:
        report = run_ingest(sources, settings, store=store, embedder=embedder, **kw)
    finally:
        store.close()
    assert report.ok, report.failed
    return report


def forget_manifest(store_path: Path) -> None:
    with sqlite3.connect(store_path / MANIFEST) as db:
        db.execute("DELETE FROM ingest_manifest")


def test_reingest_embeds_nothing_and_changes_nothing(
    inputs: Path, settings: IngestAppSettings, embedder: Any
) -> None:
    first = ingest([inputs], settings, embedder)
    assert len(first.added) == 4 and first.chunks_embedded > 4
    before = snapshot(settings.vectorstore.path)
    assert_consistent(before)

    skipped = ingest([inputs], settings, embedder)  # the manifest says every file is unchanged
    assert skipped.chunks_embedded == 0 and not skipped.added and not skipped.updated
    assert len(skipped.skipped_files) == 3 and sorted(skipped.unchanged) == sorted(first.added)

    times = ingest_times(settings)
    forget_manifest(settings.vectorstore.path)  # the full path must be a no-op as well
    full = ingest([inputs], settings, embedder)
    assert full.chunks_embedded == 0 and not full.skipped_files
    assert not (full.added or full.updated or full.metadata_updated)
    assert sorted(full.unchanged) == sorted(first.added)
    after = snapshot(settings.vectorstore.path)
    assert after == before
    assert ingest_times(settings) == times  # nothing was rewritten


def test_worker_results_are_stored_as_they_arrive(
    inputs: Path, settings: IngestAppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With worker processes each article is written once its vectors arrive, not after the
    last one: writing overlaps embedding, and a run killed half-way keeps what it embedded."""
    from ingest.workers import ChunkEmbedPool
    from vectorstore.store import Store

    delivered: list[int] = []
    at_each_write: list[int] = []
    real_run, real_write = ChunkEmbedPool.run, Store.write_articles

    def run(self: ChunkEmbedPool, articles: Any) -> Any:
        for result in real_run(self, articles):
            delivered.append(result[0])
            yield result

    def write_articles(self: Store, writes: Any) -> None:
        at_each_write.append(len(delivered))
        real_write(self, writes)

    monkeypatch.setattr(ChunkEmbedPool, "run", run)
    monkeypatch.setattr(Store, "write_articles", write_articles)
    settings.ingest = IngestSettings(processes=2, write_batch_chunks=1)
    report = ingest([inputs], settings, None)  # no embedder given: the worker processes embed
    assert len(report.added) == 4 and sorted(delivered) == [0, 1, 2, 3]
    assert at_each_write == [1, 2, 3, 4]
    stored = snapshot(settings.vectorstore.path)
    assert_consistent(stored)
    assert len(stored["catalog"]) == 4 and len(stored["dense"]) == report.chunks_embedded


def ingest_times(settings: IngestAppSettings) -> dict[str, str]:
    store = build_store(settings.vectorstore)
    try:
        return {a.id: a.ingested_at for a in store.list_articles()}
    finally:
        store.close()


def test_changed_text_replaces_chunks_without_orphans(
    inputs: Path, settings: IngestAppSettings, embedder: Any
) -> None:
    ingest([inputs], settings, embedder)
    before = snapshot(settings.vectorstore.path)
    (article_id,) = [i for i, row in before["catalog"].items() if "a.md" in row["origins"][0][0]]
    old_count = before["catalog"][article_id]["chunk_count"]
    assert old_count >= 3

    write_article(inputs / "a.md", 1, paragraphs=2)  # same file, same title, much shorter text
    report = ingest([inputs], settings, embedder)
    assert report.updated == [article_id] and not report.added
    assert len(report.skipped_files) == 2  # the other files were not read again

    after = snapshot(settings.vectorstore.path)
    assert_consistent(after)  # no old chunk left in Chroma or the keyword index
    new_count = after["catalog"][article_id]["chunk_count"]
    assert 0 < new_count < old_count
    assert report.chunks_embedded == new_count
    assert after["catalog"][article_id]["content_hash"] != before["catalog"][article_id]["content_hash"]
    others = {i: r for i, r in before["catalog"].items() if i != article_id}
    assert {i: after["catalog"][i] for i in others} == others


def test_known_article_from_a_new_origin_only_gains_the_origin(
    inputs: Path, settings: IngestAppSettings, embedder: Any
) -> None:
    ingest([inputs], settings, embedder)
    before = snapshot(settings.vectorstore.path)
    copy = inputs / "copy_of_b.md"
    copy.write_bytes((inputs / "b.md").read_bytes())

    report = ingest([inputs], settings, embedder)
    assert report.chunks_embedded == 0 and not report.added and not report.updated
    assert len(report.metadata_updated) == 1
    (article_id,) = report.metadata_updated
    after = snapshot(settings.vectorstore.path)
    assert_consistent(after)
    paths = [p for p, _ in after["catalog"][article_id]["origins"]]
    assert sorted(Path(p).name for p in paths) == ["b.md", "copy_of_b.md"]
    assert after["dense"].keys() == before["dense"].keys()
    assert {k: v[0] for k, v in after["dense"].items()} == {k: v[0] for k, v in before["dense"].items()}


def test_dry_run_writes_nothing_and_says_what_it_would_do(
    inputs: Path, settings: IngestAppSettings, embedder: Any
) -> None:
    report = ingest([inputs], settings, embedder, dry_run=True)
    assert report.dry_run and len(report.added) == 4 and report.chunks_embedded == 0
    assert sorted(a for a, _, _ in report.planned) == ["added"] * 4
    assert all(n > 0 for _, _, n in report.planned)
    empty = snapshot(settings.vectorstore.path)
    assert not empty["catalog"] and not empty["dense"] and not empty["keyword"]

    real = ingest([inputs], settings, embedder)
    assert sum(n for _, _, n in report.planned) == real.chunks_embedded  # the plan was accurate
    before = snapshot(settings.vectorstore.path)
    write_article(inputs / "a.md", 1, paragraphs=2)
    (inputs / "copy_of_b.md").write_bytes((inputs / "b.md").read_bytes())
    write_article(inputs / "c.md", 3)
    plan = ingest([inputs], settings, embedder, dry_run=True)
    assert (len(plan.added), len(plan.updated), len(plan.metadata_updated)) == (1, 1, 1)
    assert snapshot(settings.vectorstore.path) == before
    with sqlite3.connect(settings.vectorstore.path / MANIFEST) as db:
        recorded = {Path(p).name for (p,) in db.execute("SELECT path FROM ingest_manifest")}
    assert recorded == {"a.md", "b.md", "wire.jsonl"}  # the dry run recorded nothing either


@pytest.mark.parametrize("change", ["file", "config", "store"])
def test_manifest_is_only_trusted_when_nothing_changed(
    change: str, inputs: Path, settings: IngestAppSettings, embedder: Any
) -> None:
    ingest([inputs], settings, embedder)
    target = inputs / "b.md"
    if change == "file":  # same size and mtime, other bytes: the hash must notice
        st = target.stat()
        data = bytearray(target.read_bytes())
        data[-3] = ord("X") if data[-3] != ord("X") else ord("Y")
        target.write_bytes(bytes(data))
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif change == "config":
        settings = settings.model_copy(update={"ingest": IngestSettings(chunk_overlap_sentences=2)})
    else:  # the dense store is gone while the catalog and the manifest remain
        for item in settings.vectorstore.path.iterdir():
            if not item.name.startswith((FILENAME, MANIFEST)):
                if item.is_dir():
                    import shutil

                    shutil.rmtree(item)
                else:
                    item.unlink()
    report = ingest([inputs], settings, embedder)
    if change == "file":
        assert report.skipped_files and str(target.resolve()) not in report.skipped_files
        assert len(report.updated) == 1
    elif change == "config":
        assert not report.skipped_files and report.chunks_embedded == 0
    else:
        assert not report.skipped_files
    assert_consistent(snapshot(settings.vectorstore.path))


@pytest.mark.slow
def test_corpus_store_holds_68_articles_in_both_indexes(ingested_corpus: IngestedCorpus) -> None:
    report = ingested_corpus.report
    assert len(report.added) == 68
    html = [m for m in report.merges if str(m.merged_origin["path"]).endswith(".html")]
    assert sorted(m.kept_origin["record"] for m in html) == [8, 9, 10, 11, 66, 68]
    snap = snapshot(ingested_corpus.store_path)
    assert len(snap["catalog"]) == 68
    assert_consistent(snap)


def test_origins_keep_the_path_as_given(inputs: Path, settings: IngestAppSettings, embedder: Any) -> None:
    # The autouse fixture runs every test in tmp_path, where `inputs` is the folder "in".
    ingest([Path("in")], settings, embedder)
    store = build_store(settings.vectorstore)
    try:
        origins = {(o["path"], o["record"]) for a in store.list_articles() for o in a.origins}
    finally:
        store.close()
    assert origins == {("in/a.md", 0), ("in/b.md", 0), ("in/wire.jsonl", 0), ("in/wire.jsonl", 1)}


_RUN_AND_REPORT_IMPORTS = """
import json, sys
from bot.cli import app
status = app(["ingest", *sys.argv[1:]], standalone_mode=False) or 0
print(json.dumps({"status": status, "chromadb": "chromadb" in sys.modules, "numpy": "numpy" in sys.modules}))
"""


def _ingest_process(inputs: Path, store: Path, *flags: str) -> dict[str, Any]:
    """`geobot ingest` in a new process: its exit status, and whether it imported chromadb and
    numpy (the command's own, without the fast exit that would end the process first)."""
    env = os.environ | {"GEOBOT_VECTORSTORE__PATH": str(store)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_REPORT_IMPORTS, str(inputs), *flags],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_chroma_is_opened_only_for_writing(inputs: Path, tmp_path: Path) -> None:
    """Deciding what to write needs the catalog alone: a dry run, or a run that finds every
    article stored already, never imports chromadb (~1.5 s of CPU); a real run does write."""
    store = tmp_path / "store"
    assert _ingest_process(inputs, store, "--dry-run")["chromadb"] is False
    assert _ingest_process(inputs, store)["chromadb"] is True
    written = snapshot(store)
    assert_consistent(written)
    assert len(written["catalog"]) == 4 and written["dense"]
    forget_manifest(store)  # every file is read again, and every article found stored
    again = _ingest_process(inputs, store)
    assert (again["status"], again["chromadb"]) == (0, False)
    assert snapshot(store) == written


def test_an_unchanged_reingest_reads_only_the_manifest(inputs: Path, tmp_path: Path) -> None:
    """Re-ingesting unchanged files opens the manifest and the catalog and nothing else: not
    even numpy, whose import was a sixth of that whole ~0.3 s run."""
    store = tmp_path / "store"
    assert _ingest_process(inputs, store)["status"] == 0
    written = snapshot(store)
    assert _ingest_process(inputs, store) == {"status": 0, "chromadb": False, "numpy": False}
    assert snapshot(store) == written
