"""A full disk while writing is one StoreError naming it, not a Chroma or SQLite traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from vectorstore.errors import StoreError
from vectorstore.metadata import chunk_id
from vectorstore.records import ArticleRecord, ChunkRecord
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (the suite runs as root; skipped where mounting is not allowed)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=False).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "--lazy", str(mnt)], check=False)


def _article(i: int, n: int) -> ArticleRecord:
    return ArticleRecord(
        id=f"a{i}",
        title=f"Article {i}",
        publisher="Test Desk",
        author=None,
        published="2024-01-02",
        url=None,
        language="en",
        origins=({"path": f"a{i}.txt", "record": 0},),
        content_hash=f"h{i}",
        ingested_at="2024-01-02T00:00:00+00:00",
        chunk_count=n,
    )


@pytest.mark.integration
def test_disk_full_while_writing_is_one_store_error(tiny_disk: Path) -> None:
    store = build_store(VectorStoreSettings(path=tiny_disk / "store"))
    rng = np.random.default_rng(0)
    with pytest.raises(StoreError, match=r"disk holding vectorstore\.path is full") as info:
        for i in range(500):  # far more than 1 MB: the disk fills long before the loop ends
            text = f"Sentence {i} about ports, cables and inspections. " * 20
            chunks = [
                ChunkRecord(chunk_id(f"a{i}", j), text, {"start_char": 0, "end_char": len(text)})
                for j in range(8)
            ]
            store.write_article(_article(i, 8), chunks, rng.random((8, 384), dtype=np.float32))
    assert len(str(info.value)) < 200
