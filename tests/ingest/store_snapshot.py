"""What a store holds, in a form two stores can be compared by (ingest times left out)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from vectorstore.keyword import FILENAME
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store

VOLATILE = {"ingested_at"}  # differs between two runs that store the same thing


def snapshot(path: Path) -> dict[str, Any]:
    """Catalog rows, Chroma chunks (id, text, metadata) and keyword-index chunks of the store.

    The keyword rows are read from their SQLite file on purpose: the store answers from both
    indexes, so only reading each one apart shows that they agree."""
    store = build_store(VectorStoreSettings(path=path))
    try:
        catalog = {
            a.id: {
                "title": a.title,
                "publisher": a.publisher,
                "author": a.author,
                "published": a.published,
                "url": a.url,
                "language": a.language,
                "origins": sorted(
                    (str(o.get("path", o.get("url"))), int(o.get("record", 0))) for o in a.origins
                ),
                "content_hash": a.content_hash,
                "chunk_count": a.chunk_count,
            }
            for a in store.list_articles()
        }
        dense = {
            r.id: (r.text, {k: v for k, v in r.metadata.items() if k not in VOLATILE}) for r in store.get()
        }
    finally:
        store.close()
    with sqlite3.connect(path / FILENAME) as db:
        keyword = {i: (a, t) for i, a, t in db.execute("SELECT id, article_id, text FROM chunks")}
    return {"catalog": catalog, "dense": dense, "keyword": keyword}


def assert_consistent(snap: dict[str, Any]) -> None:
    """Both indexes hold exactly the catalog's chunks: no orphans, no gaps."""
    expected = {f"{aid}:{i}" for aid, row in snap["catalog"].items() for i in range(row["chunk_count"])}
    assert set(snap["dense"]) == expected, "Chroma chunks differ from the catalog's"
    assert set(snap["keyword"]) == expected, "keyword-index chunks differ from the catalog's"
    for chunk_id, (text, meta) in snap["dense"].items():
        assert snap["keyword"][chunk_id] == (meta["article_id"], text)
        assert meta["content_hash"] == snap["catalog"][meta["article_id"]]["content_hash"]
