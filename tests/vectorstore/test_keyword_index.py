"""The BM25 index over SQLite's keyword rows: freshness across processes, the saved copy (loaded
memory-mapped), the rows written since it was built, stores written before it existed, and
filters. Texts are written for these tests."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tests.vectorstore.test_store_contract import article, chunks, keyword_ids, vectors
from vectorstore.bm25 import KEY_FILE, tokenize
from vectorstore.keyword import BM25_FOLDER, FILENAME
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store

pytestmark = pytest.mark.unit


@pytest.fixture
def settings(tmp_path: Path) -> VectorStoreSettings:
    return VectorStoreSettings(path=tmp_path / "store")


def test_tokenize_lowercases_folds_stems_and_drops_stopwords() -> None:
    assert tokenize("The Café in Zürich and 5G masts") == ["cafe", "zurich", "5g", "mast"]
    assert tokenize("banned bans") == ["ban", "ban"]  # stems: one form finds the others


def test_write_by_another_store_is_seen_by_the_next_query(settings: VectorStoreSettings) -> None:
    reader = build_store(settings)
    writer = build_store(settings)  # another process's connection to the same folder
    try:
        reader.write_article(article("a"), chunks("a", ["Kelp farms off the coast."]), vectors(1))
        assert keyword_ids(reader, "kelp") == ["a:0"]  # index built, in memory
        writer.write_article(article("b"), chunks("b", ["Kelp harvest records."]), vectors(1, 1))
        assert set(keyword_ids(reader, "kelp")) == {"a:0", "b:0"}
        assert keyword_ids(reader, "harvest") == ["b:0"]
        writer.delete_article("a")
        assert keyword_ids(reader, "kelp") == ["b:0"]
        writer.update_article_metadata(article("b", publisher="Coastal Post"))
        assert keyword_ids(reader, "kelp", where={"publisher": "Coastal Post"}) == ["b:0"]
    finally:
        writer.close()
        reader.close()


def test_saved_copy_is_used_when_current_and_ignored_when_stale(
    settings: VectorStoreSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vectorstore.keyword")

    def builds() -> int:
        n = sum("building the keyword index" in r.getMessage() for r in caplog.records)
        caplog.clear()
        return n

    first = build_store(settings)
    first.write_article(article("s"), chunks("s", ["Saltmarsh restoration plan."]), vectors(1))
    assert keyword_ids(first, "saltmarsh") == ["s:0"]
    assert builds() == 1
    first.close()
    saved = settings.path / BM25_FOLDER
    generation = json.loads((saved / KEY_FILE).read_text())["generation"]

    second = build_store(settings)  # a new process: the current saved copy is loaded, not rebuilt
    assert keyword_ids(second, "saltmarsh") == ["s:0"]
    assert builds() == 0
    second.write_article(article("t"), chunks("t", ["Saltmarsh birds counted."]), vectors(1, 1))
    second.close()

    third = build_store(settings)  # the saved copy is now stale: rebuilt, never served
    try:
        assert set(keyword_ids(third, "saltmarsh")) == {"s:0", "t:0"}
        assert builds() == 1
        assert json.loads((saved / KEY_FILE).read_text())["generation"] > generation
    finally:
        third.close()


def test_only_a_saved_copy_that_cannot_be_read_is_reported(
    settings: VectorStoreSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vectorstore.bm25")
    first = build_store(settings)  # a new store: no saved copy yet, nothing to report
    first.write_article(article("k"), chunks("k", ["Kelp farms off the coast."]), vectors(1))
    assert keyword_ids(first, "kelp") == ["k:0"]
    first.close()
    assert "not usable" not in caplog.text
    saved = settings.path / BM25_FOLDER
    damaged = [f for f in saved.iterdir() if f.name != KEY_FILE]
    assert damaged
    for file in damaged:
        file.write_bytes(b"\x00 not what bm25s wrote")
    second = build_store(settings)
    try:
        assert keyword_ids(second, "kelp") == ["k:0"]  # rebuilt from the keyword rows
    finally:
        second.close()
    assert "not usable" in caplog.text


def test_rows_written_after_the_main_index_are_searched_without_a_rebuild(
    settings: VectorStoreSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vectorstore.keyword")
    store = build_store(settings)
    try:
        # each filler row longer than the last, so none ties with another for "pruning"
        filler = ["Orchard pruning" + " grafting" * (n + 1) for n in range(200)]
        store.write_article(article("main"), chunks("main", filler), vectors(200))
        old = ["Beekeepers moved hives uphill."]
        store.write_article(article("old"), chunks("old", old), vectors(1, 210))
        assert keyword_ids(store, "beekeepers") == ["old:0"]  # the main index: 201 rows
        caplog.clear()
        new = ["Beekeepers counted swarms by the quarry."]
        store.write_article(article("new"), chunks("new", new), vectors(1, 220))
        assert keyword_ids(store, "quarry") == ["new:0"]
        assert set(keyword_ids(store, "beekeepers")) == {"old:0", "new:0"}
        store.write_article(article("old"), chunks("old", ["Hives wintered in a barn."]), vectors(1, 210))
        assert keyword_ids(store, "beekeepers") == ["new:0"] and keyword_ids(store, "barn") == ["old:0"]
        store.delete_article("new")
        assert keyword_ids(store, "beekeepers") == [] and keyword_ids(store, "quarry") == []
        assert keyword_ids(store, "barn", where={"article_id": "old"}) == ["old:0"]
        assert keyword_ids(store, "barn", where={"chunk_index": 0}) == ["old:0"]  # filtered in SQL
        assert keyword_ids(store, "barn", where={"article_id": "main"}) == []
        assert "building the keyword index" not in caplog.text
        served = store.keyword_query("barn pruning", 3)
    finally:
        store.close()
    shutil.rmtree(settings.path / BM25_FOLDER)
    rebuilt = build_store(settings)  # the same rows indexed from scratch rank alike
    try:
        fresh = rebuilt.keyword_query("barn pruning", 3)
        assert "building the keyword index" in caplog.text
    finally:
        rebuilt.close()
    assert [h.record.id for h in served] == [h.record.id for h in fresh] == ["old:0", "main:0", "main:1"]
    assert [h.score for h in served] == pytest.approx([h.score for h in fresh], rel=0.02)


def test_the_saved_index_is_read_from_disk_not_held(settings: VectorStoreSettings) -> None:
    first = build_store(settings)
    texts = ["Tidal mill restored.", "Mill race cleared by the mill owners.", "Weir repaired."]
    first.write_article(article("m"), chunks("m", texts), vectors(3))
    found = keyword_ids(first, "mill weir")
    assert set(found) == {"m:0", "m:1", "m:2"}
    first.close()
    second = build_store(settings)
    try:
        assert keyword_ids(second, "mill weir") == found
        view = second.keyword._view
        assert view is not None and view.main.retriever is not None and view.main.postings is not None
        assert isinstance(view.main.retriever.scores["data"], np.memmap)  # mapped, not loaded
        assert isinstance(view.main.columns.rowids, np.memmap)
        assert isinstance(view.main.columns.codes["publisher"], np.memmap)
        # the slices read per word score as bm25s scores its whole arrays
        ids = [view.main.retriever.vocab_dict[w] for w in ("mill", "weir")]
        expected = view.main.retriever.get_scores_from_ids(ids)
        assert view.main.scores(["mill", "weir"]) == pytest.approx(expected, rel=1e-6)
    finally:
        second.close()


OLD_SCHEMA = """
CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
    publisher TEXT, published_ts INTEGER, text TEXT NOT NULL, metadata TEXT NOT NULL);
CREATE VIRTUAL TABLE chunks_fts USING fts5(text, content='chunks', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, author TEXT,
    published TEXT, url TEXT, language TEXT, origins TEXT NOT NULL, content_hash TEXT NOT NULL,
    ingested_at TEXT NOT NULL, chunk_count INTEGER NOT NULL, signature BLOB);
"""


def test_store_written_before_the_bm25_index_opens_and_works(settings: VectorStoreSettings) -> None:
    settings.path.mkdir(parents=True)
    with sqlite3.connect(settings.path / FILENAME) as db:
        db.executescript(OLD_SCHEMA)
        db.execute(
            "INSERT INTO chunks (id, article_id, publisher, published_ts, text, metadata) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ("o:0", "o", "Old Wire", 1600000000, "Lantern festival moved indoors.", '{"article_id": "o"}'),
        )
        db.execute(
            "INSERT INTO articles (id, title, origins, content_hash, ingested_at, chunk_count) "
            "VALUES ('o', 'Lanterns', '[]', 'hash-o', '2020-01-01T00:00:00+00:00', 1)"
        )
    store = build_store(settings)
    try:
        assert store.article_count() == 1  # the count starts from the rows already there
        assert keyword_ids(store, "lantern") == ["o:0"]
        assert keyword_ids(store, "lantern", where={"publisher": "Old Wire"}) == ["o:0"]
        store.write_article(article("n"), chunks("n", ["Lantern makers interviewed."]), vectors(1))
        assert set(keyword_ids(store, "lantern")) == {"o:0", "n:0"}
        assert store.article_count() == 2
    finally:
        store.close()
    with sqlite3.connect(settings.path / FILENAME) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert not names & {"chunks_fts", "chunks_vocab", "chunks_ai", "chunks_ad"}


def test_filters_on_columns_held_in_memory_and_in_sql(settings: VectorStoreSettings) -> None:
    store = build_store(settings)
    try:
        store.write_article(
            article("f1", publisher="Ridge News", published=None),
            chunks("f1", ["Glacier retreat measured.", "Glacier cave mapped."]),
            vectors(2),
        )
        store.write_article(
            article("f2", publisher=None, published="2022-03-04"),
            chunks("f2", ["Glacier tourism slows."]),
            vectors(1, 2),
        )
        assert set(keyword_ids(store, "glacier", where={"article_id": "f1"})) == {"f1:0", "f1:1"}
        # NULL never matches a comparison, as in SQL and Chroma
        assert keyword_ids(store, "glacier", where={"publisher": {"$ne": "Ridge News"}}) == []
        assert keyword_ids(store, "glacier", where={"published_ts": {"$gt": 0}}) == ["f2:0"]
        assert keyword_ids(store, "glacier", where={"publisher": {"$nin": ["Other"]}})[0].startswith("f1")
        or_filter = {"$or": [{"article_id": "f2"}, {"publisher": "Ridge News"}]}
        assert len(keyword_ids(store, "glacier", where=or_filter)) == 3
        # keys not held in memory are filtered in SQL
        assert keyword_ids(store, "glacier", where={"chunk_index": 1}) == ["f1:1"]
        assert keyword_ids(store, "glacier", where={"publisher": "Nobody"}) == []
    finally:
        store.close()
