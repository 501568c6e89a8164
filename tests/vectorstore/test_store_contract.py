"""One contract for the store, run against embedded Chroma and a real `chroma run` server.

Vectors are built by hand (unit vectors with known cosines) so ordering is exact and the
tests need no model; texts are written for these tests.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from language.annotations import METADATA_KEY, is_current, notes_for
from vectorstore.base import ArticleStore, LibraryReader
from vectorstore.catalog import holds_vectors, local_folder, open_catalog
from vectorstore.libraries import Libraries, LibraryView
from vectorstore.metadata import chunk_id, published_ts
from vectorstore.records import ArticleRecord, ArticleWrite, ChunkRecord
from vectorstore.retrieval import Filters, HybridRetriever
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import STATS_KEYS, Store, build_store

DIM = 384
_collections = itertools.count()

# What ingest and the bot are typed against: mypy checks that Store implements all of it, and
# that a server's view of its libraries and a single library can both be read alike.
STORE_CLASS: type[ArticleStore] = Store
READERS: tuple[type[LibraryReader], ...] = (Store, LibraryView)
SERVER_A, SERVER_B = 111111111111111111, 222222222222222222


def _hnsw(collection: Any) -> dict[str, Any]:
    """A collection's HNSW configuration (Chroma types it optional; these collections have one)."""
    hnsw = collection.configuration.get("hnsw")
    assert hnsw is not None
    return dict(hnsw)


def unit(*weights: float) -> np.ndarray:
    """A unit vector whose first components are ``weights`` (normalised)."""
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(weights)] = weights
    return v / np.linalg.norm(v)


def article(article_id: str, **changes: object) -> ArticleRecord:
    base = ArticleRecord(
        id=article_id,
        title=f"Headline of {article_id}",
        publisher="Example Wire",
        author="A. Writer",
        published="2020-07-14",
        url=f"https://news.example/{article_id}",
        language="en",
        origins=({"path": "sample.csv", "record": 1},),
        content_hash=f"hash-{article_id}",
        ingested_at="2026-01-02T03:04:05+00:00",
        chunk_count=0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def chunks(article_id: str, texts: list[str]) -> list[ChunkRecord]:
    out, start = [], 0
    for i, text in enumerate(texts):
        out.append(
            ChunkRecord(chunk_id(article_id, i), text, {"start_char": start, "end_char": start + len(text)})
        )
        start += len(text) + 1
    return out


def vectors(n: int, offset: int = 0) -> np.ndarray:
    return np.stack([unit(*([0.0] * (offset + i)), 1.0) for i in range(n)])


def keyword_ids(store: Store, text: str, k: int = 10, **kw: object) -> list[str]:
    return [hit.record.id for hit in store.keyword_query(text, k, **kw)]  # type: ignore[arg-type]


class StoreContract:
    """What every store configuration must do; subclasses provide the ``store`` fixture."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    @pytest.fixture
    def libraries(self) -> Iterator[Libraries]:
        raise NotImplementedError

    def test_add_get_count(self, store: Store) -> None:
        records = [
            ChunkRecord("x:0", "Lighthouse keepers count seabirds.", {"article_id": "x", "chunk_index": 0}),
            ChunkRecord("x:1", "Ferries were delayed by fog.", {"article_id": "x", "chunk_index": 1}),
        ]
        store.add(records, vectors(2))
        assert store.count() == 2
        got = store.get(ids=["x:1", "x:0"])
        assert [r.id for r in got] == ["x:1", "x:0"]
        assert got[0].text == "Ferries were delayed by fog."
        assert got[0].metadata["chunk_index"] == 1
        assert [r.id for r in store.get(where={"chunk_index": 0})] == ["x:0"]
        assert len(store.get(limit=1)) == 1

    def test_upsert_replaces_in_both_indexes(self, store: Store) -> None:
        store.add([ChunkRecord("u:0", "Old wording about marmalade.", {"article_id": "u"})], vectors(1))
        store.add([ChunkRecord("u:0", "New wording about porcelain.", {"article_id": "u"})], vectors(1, 1))
        assert store.count() == 1
        assert store.get(ids=["u:0"])[0].text == "New wording about porcelain."
        assert keyword_ids(store, "marmalade") == []
        assert keyword_ids(store, "porcelain") == ["u:0"]
        assert store.query(unit(0, 1).tolist(), 1)[0].score == pytest.approx(1.0, abs=1e-4)

    def test_delete_by_ids_and_where(self, store: Store) -> None:
        records = [
            ChunkRecord(f"d{i}:0", f"Chunk {i} mentions walrus colonies.", {"article_id": f"d{i}", "n": i})
            for i in range(4)
        ]
        store.add(records, vectors(4))
        assert store.delete(ids=["d0:0", "missing:0"]) == 1
        assert store.delete(where={"n": {"$gte": 2}}) == 2
        assert [r.id for r in store.get()] == ["d1:0"]
        assert keyword_ids(store, "walrus") == ["d1:0"]
        with pytest.raises(ValueError, match="ids or where"):
            store.delete()

    def test_query_orders_by_cosine(self, store: Store) -> None:
        records = [
            ChunkRecord(f"q{i}:0", f"text {i}", {"article_id": f"q{i}", "group": i % 2}) for i in range(3)
        ]
        # cosines to the query (1, 0): 1.0, 0.8, 0.0
        store.add(records, np.stack([unit(1, 0), unit(0.8, 0.6), unit(0, 1)]))
        hits = store.query(unit(1, 0).tolist(), 3)
        assert [h.record.id for h in hits] == ["q0:0", "q1:0", "q2:0"]
        assert [h.score for h in hits] == pytest.approx([1.0, 0.8, 0.0], abs=1e-3)
        assert hits[1].record.metadata["article_id"] == "q1"
        filtered = store.query(unit(1, 0).tolist(), 3, where={"group": 0})
        assert [h.record.id for h in filtered] == ["q0:0", "q2:0"]
        # texts come from the SQLite rows; a chunk whose row is missing is read from Chroma
        with store.keyword.transaction() as db:
            store.keyword.delete_chunks(db, ["q1:0"])
        again = store.query(unit(1, 0).tolist(), 3)
        assert [(h.record.id, h.record.text) for h in again] == [(r.id, r.text) for r in records]
        assert again[1].record.metadata == hits[1].record.metadata

    def test_keyword_query_ranks_and_filters(self, store: Store) -> None:
        store.write_article(
            article("k1", publisher="Harbour Gazette", published="2019-05-01"),
            chunks("k1", ["The quarry reopened.", "Granite granite granite from the quarry."]),
            vectors(2),
        )
        store.write_article(
            article("k2", publisher="Valley Times", published="2021-09-30"),
            chunks("k2", ["A granite statue was unveiled in the square."]),
            vectors(1, 2),
        )
        assert keyword_ids(store, "granite")[0] == "k1:1"
        assert set(keyword_ids(store, "Granite statues?")) == {"k1:1", "k2:0"}
        assert keyword_ids(store, "statue", where={"publisher": "Harbour Gazette"}) == []
        assert keyword_ids(store, "granite", where={"publisher": {"$in": ["Valley Times"]}}) == ["k2:0"]
        since_2020 = {"published_ts": {"$gte": published_ts("2020-01-01")}}
        assert keyword_ids(store, "granite quarry", where=since_2020) == ["k2:0"]
        hit = store.keyword_query("quarry", 1)[0]
        assert hit.record.metadata["title"] == "Headline of k1"
        assert keyword_ids(store, "?!") == []

    def test_write_article_replaces_chunks_without_orphans(self, store: Store) -> None:
        first = [
            "Orchards in spring.",
            "Beekeepers moved hives.",
            "Cider presses ran late.",
            "Frost hit pears.",
        ]
        store.write_article(article("w"), chunks("w", first), vectors(4), signature=b"sig-1")
        store.write_article(
            article("w", content_hash="hash-w2"),
            chunks("w", ["Orchards in autumn.", "Apples stored."]),
            vectors(2),
        )
        assert sorted(r.id for r in store.get(where={"article_id": "w"})) == ["w:0", "w:1"]
        assert store.count() == 2
        assert keyword_ids(store, "cider frost beekeepers") == []
        assert keyword_ids(store, "apples") == ["w:1"]
        stored = store.get_article("w")
        assert stored is not None and stored.chunk_count == 2 and stored.content_hash == "hash-w2"
        assert store.article_signatures() == {"w": b"sig-1"}  # None keeps the stored signature
        meta = store.get(ids=["w:1"])[0].metadata
        assert meta["publisher"] == "Example Wire" and meta["published_ts"] == published_ts("2020-07-14")
        assert meta["origins"] == '[{"path": "sample.csv", "record": 1}]'
        assert (meta["chunk_index"], meta["start_char"]) == (1, len("Orchards in autumn.") + 1)
        with pytest.raises(ValueError, match="expected 'w:0'"):
            store.write_article(article("w"), [ChunkRecord("other", "x")], vectors(1))

    def test_write_articles_in_one_batch_matches_one_by_one(self, store: Store) -> None:
        store.write_article(
            article("b1"), chunks("b1", ["Ferries idle.", "Harbour dredged.", "Gulls."]), vectors(3)
        )
        store.write_articles(
            [
                ArticleWrite(
                    article("b1", content_hash="hash-b1v2"), chunks("b1", ["Ferries run."]), vectors(1)
                ),
                ArticleWrite(
                    article("b2"), chunks("b2", ["Lighthouse keepers.", "Fog horns."]), vectors(2, 1)
                ),
                ArticleWrite(article("b3"), [], np.zeros((0, DIM), dtype=np.float32)),
            ]
        )
        assert sorted(r.id for r in store.get()) == ["b1:0", "b2:0", "b2:1"]
        assert keyword_ids(store, "harbour gulls dredged") == []
        assert keyword_ids(store, "fog") == ["b2:1"]
        assert {a.id: a.chunk_count for a in store.list_articles()} == {"b1": 1, "b2": 2, "b3": 0}
        stored = store.get_article("b1")
        assert stored is not None and stored.content_hash == "hash-b1v2"
        with pytest.raises(ValueError, match="2 chunks but 1 embeddings"):
            store.write_articles([ArticleWrite(article("b4"), chunks("b4", ["A.", "B."]), vectors(1))])
        assert store.get_article("b4") is None and store.count() == 3

    def test_interrupted_rewrite_is_repaired_by_a_rerun(self, store: Store) -> None:
        store.write_article(article("r"), chunks("r", ["One.", "Two.", "Three."]), vectors(3))
        new = article("r", content_hash="hash-r2")
        new_chunks = chunks("r", ["Uno tortoise."])
        # The process died after the Chroma upsert, before the SQLite commit:
        store.dense.upsert(new_chunks, vectors(1, 5))
        assert store.get_article("r").content_hash == "hash-r"  # type: ignore[union-attr]
        store.write_article(new, new_chunks, vectors(1, 5))  # the rerun
        assert [r.id for r in store.get(where={"article_id": "r"})] == ["r:0"]
        assert keyword_ids(store, "tortoise three") == ["r:0"]
        assert store.stats()["chunks"] == 1

    def test_update_metadata_keeps_vectors(self, store: Store) -> None:
        store.write_article(
            article("m", title="Draft title"), chunks("m", ["Tidal energy trial."]), vectors(1, 3)
        )
        richer = article(
            "m",
            title="Tidal energy trial starts",
            author=None,
            origins=({"path": "sample.csv", "record": 1}, {"url": "https://mirror.example/m"}),
        )
        store.update_article_metadata(richer)
        hit = store.query(unit(0, 0, 0, 1).tolist(), 1)[0]
        assert hit.record.id == "m:0" and hit.score == pytest.approx(1.0, abs=1e-4)
        assert hit.record.metadata["title"] == "Tidal energy trial starts"
        assert "author" not in hit.record.metadata
        assert store.keyword_query("tidal", 1)[0].record.metadata["title"] == "Tidal energy trial starts"
        stored = store.get_article("m")
        assert stored is not None and len(stored.origins) == 2 and stored.author is None
        assert stored.chunk_count == 1
        with pytest.raises(KeyError):
            store.update_article_metadata(article("absent"))

    def test_reindex_rebuilds_keyword_index_and_catalog(self, store: Store) -> None:
        store.write_article(article("a", published=None), chunks("a", ["Canal locks."]), vectors(1), b"s-a")
        store.write_article(
            article("b", publisher=None), chunks("b", ["Canal barges.", "Tow paths."]), vectors(2, 1)
        )
        before = (store.list_articles(), keyword_ids(store, "canal paths"), store.stats())
        assert store.reindex() == {"articles": 2, "chunks": 3}
        assert (store.list_articles(), keyword_ids(store, "canal paths"), store.stats()) == before
        assert store.article_signatures() == {"a": b"s-a"}  # kept across a rebuild
        with store.keyword.transaction() as db:
            store.keyword.wipe(db)
        assert store.list_articles() == [] and keyword_ids(store, "canal") == []
        assert store.reindex() == {"articles": 2, "chunks": 3}
        assert (store.list_articles(), keyword_ids(store, "canal paths"), store.stats()) == before

    def test_reindex_makes_sentence_notes_of_earlier_rules_again(self, store: Store) -> None:
        old = chunks("n", ["Canal locks opened in May. Barges queued for hours."])
        old = [dataclasses.replace(c, metadata={**c.metadata, METADATA_KEY: '{"v":0,"s":[]}'}) for c in old]
        store.write_article(article("n"), old, vectors(1))
        assert not is_current(store.query(unit(1, 0, 0, 0).tolist(), 1)[0].record.metadata)
        store.reindex()
        meta = store.query(unit(1, 0, 0, 0).tolist(), 1)[0].record.metadata
        assert is_current(meta)
        text = "Canal locks opened in May. Barges queued for hours."
        assert [n.text for n in notes_for(text, meta)] == [
            "Canal locks opened in May.",
            "Barges queued for hours.",
        ]

    def test_publisher_types_filter_both_indexes_and_survive_a_rebuild(self, store: Store) -> None:
        kinds = {
            "w": ("wire-a", "wire service"),
            "s": ("state-b", "state-affiliated media"),
            "u": (None, "unlabelled"),
        }
        for i, (name, (profile, kind)) in enumerate(kinds.items()):
            store.write_article(
                article(name, publisher_id=profile, publisher_type=kind),
                chunks(name, [f"Ferry timetable {name}."]),
                vectors(1, i),
            )
        retriever = HybridRetriever(store, lambda text: unit(1.0).tolist())

        def found(filters: Filters) -> tuple[set[str], set[str]]:
            where = retriever.where(filters)
            dense = {h.record.id[0] for h in store.query(unit(1.0).tolist(), 10, where)}
            return dense, {i[0] for i in keyword_ids(store, "ferry timetable", where=where)}

        assert found(Filters(publisher_types=("wire service",))) == ({"w"}, {"w"})
        left = found(Filters(exclude_publisher_types=("state-affiliated media",)))
        assert left == ({"w", "u"}, {"w", "u"})  # the unlabelled article stays
        stored = store.get_article("s")
        assert stored is not None and (stored.publisher_id, stored.publisher_type) == kinds["s"]
        before = store.list_articles()
        store.reindex()
        assert store.list_articles() == before

    def test_articles_catalog_and_stats(self, store: Store) -> None:
        assert store.stats() == dict.fromkeys(STATS_KEYS) | {"articles": 0, "chunks": 0, "publishers": 0}
        store.write_article(article("s1", published="2019-01-02"), chunks("s1", ["a b"]), vectors(1))
        store.write_article(
            article(
                "s2", publisher="Other Post", published="2023-04-05", ingested_at="2026-02-01T00:00:00+00:00"
            ),
            chunks("s2", ["c d", "e f"]),
            vectors(2, 1),
        )
        store.write_article(article("s3", published=None), chunks("s3", ["g h"]), vectors(1, 3))
        stats = store.stats()
        assert store.article_count() == 3
        store.write_article(article("s3", published=None), chunks("s3", ["g h i"]), vectors(1, 3))
        assert store.article_count() == 3  # rewritten, not added
        assert list(stats) == list(STATS_KEYS)
        assert stats == {
            "articles": 3,
            "chunks": 4,
            "publishers": 2,
            "earliest": "2019-01-02",
            "latest": "2023-04-05",
            "last_ingest": "2026-02-01T00:00:00+00:00",
        }
        assert [a.id for a in store.list_articles()] == ["s2", "s1", "s3"]
        assert [a.id for a in store.list_articles(publisher="other post")] == ["s2"]
        assert store.publisher_names() == {"Example Wire", "Other Post"}
        assert [a.id for a in store.list_articles(since="2020-01-01")] == ["s2"]
        assert [a.id for a in store.list_articles(limit=1, offset=1)] == ["s1"]
        assert store.find_article_by_hash("hash-s3").id == "s3"  # type: ignore[union-attr]
        assert store.delete_article("s2") is True
        assert store.delete_article("s2") is False
        assert store.get_article("s2") is None and store.count() == 2
        assert store.delete(ids=["s1:0"]) == 1
        assert store.get_article("s1") is None  # its last chunk went, so did its catalog row
        assert store.article_count() == 1 == store.stats()["articles"]
        store.reindex()
        assert store.article_count() == 1

    def test_collection_made_with_chromas_default_search_depth_is_raised(self, store: Store) -> None:
        from vectorstore.chroma import ChromaIndex, open_client

        settings = store.dense.settings.model_copy(update={"collection": f"legacy{next(_collections)}"})
        client = open_client(settings)
        client.create_collection(
            settings.collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        assert _hnsw(client.get_collection(settings.collection))["ef_search"] == 100
        ChromaIndex(client, settings)
        again = open_client(settings).get_collection(settings.collection)
        assert _hnsw(again)["ef_search"] == 400

    # -- a library per server -----------------------------------------------------------------

    @staticmethod
    def _three_libraries(libraries: Libraries) -> None:
        """Base, server A and server B each hold one article about lighthouses."""
        libraries.own(None).write_article(
            article("base1", publisher="Base Wire", published="2019-01-01"),
            chunks("base1", ["Lighthouse keepers in the base library."]),
            np.stack([unit(0.9, 0.4359)]),
        )
        libraries.own(SERVER_A).write_article(
            article("a1", publisher="Alpha Post", published="2024-02-02"),
            chunks("a1", ["Lighthouse lenses that server A ingested."]),
            np.stack([unit(1, 0)]),
        )
        libraries.own(SERVER_B).write_article(
            article("b1", publisher="Bravo Times", published="2024-03-03"),
            chunks("b1", ["Lighthouse fog signals only server B knows."]),
            np.stack([unit(0.95, 0.3122)]),
        )

    def test_a_server_reads_the_base_library_and_its_own_never_anothers(self, libraries: Libraries) -> None:
        self._three_libraries(libraries)
        a, b, dm = libraries.view(SERVER_A), libraries.view(SERVER_B), libraries.view(None)
        query = unit(1, 0).tolist()
        assert [h.record.id for h in a.query(query, 10)] == ["a1:0", "base1:0"]  # merged by cosine
        assert [h.score for h in a.query(query, 10)] == pytest.approx([1.0, 0.9], abs=1e-3)
        assert [h.record.id for h in b.query(query, 10)] == ["b1:0", "base1:0"]
        assert [h.record.id for h in dm.query(query, 10)] == ["base1:0"]
        assert [h.record.id for h in a.query(query, 1)] == ["a1:0"]
        assert {h.record.id for h in a.keyword_query("lighthouse", 10)} == {"a1:0", "base1:0"}
        assert [h.record.id for h in b.keyword_query("fog signals", 10)] == ["b1:0"]
        assert a.keyword_query("fog signals", 10) == [] and dm.keyword_query("lenses", 10) == []
        assert a.get_article("b1") is None and b.get_article("a1") is None and dm.get_article("a1") is None
        assert a.get_article("base1") is not None and a.get_article("a1") is not None
        assert [x.id for x in a.list_articles()] == ["a1", "base1"]
        assert [x.id for x in b.list_articles(publisher="bravo times")] == ["b1"]
        assert [x.id for x in a.list_articles(limit=1, offset=1)] == ["base1"]
        assert {r.id for r in a.get(where={"article_id": {"$in": ["a1", "b1", "base1"]}})} == {
            "a1:0",
            "base1:0",
        }
        assert a.count() == 2 and dm.count() == 1
        assert a.find_article_by_hash("hash-b1") is None and b.find_article_by_hash("hash-b1") is not None
        assert a.stats() == {
            "articles": 2,
            "chunks": 2,
            "publishers": 2,
            "earliest": "2019-01-01",
            "latest": "2024-02-02",
            "last_ingest": "2026-01-02T03:04:05+00:00",
        }
        assert dm.stats()["articles"] == 1
        assert (a.article_count(), b.article_count(), dm.article_count()) == (2, 2, 1)
        assert a.publisher_names() == {"Base Wire", "Alpha Post"} and dm.publisher_names() == {"Base Wire"}
        since = {"published_ts": {"$gte": published_ts("2020-01-01")}}
        assert [h.record.id for h in a.query(query, 10, where=since)] == ["a1:0"]
        assert libraries.servers() == [SERVER_A, SERVER_B]

    def test_a_server_without_a_library_reads_the_base_and_makes_nothing(self, libraries: Libraries) -> None:
        self._three_libraries(libraries)
        quiet = 333333333333333333
        view = libraries.view(quiet)
        assert [h.record.id for h in view.query(unit(1, 0).tolist(), 10)] == ["base1:0"]
        assert view.stats()["articles"] == 1
        assert libraries.existing(quiet) is None and quiet not in libraries.servers()

    def test_an_article_in_both_libraries_is_read_once(self, libraries: Libraries) -> None:
        self._three_libraries(libraries)
        libraries.own(SERVER_A).write_article(
            article("base1", publisher="Base Wire", published="2019-01-01"),
            chunks("base1", ["Lighthouse keepers in the base library."]),
            np.stack([unit(0.9, 0.4359)]),
        )
        view = libraries.view(SERVER_A)
        assert [h.record.id for h in view.query(unit(1, 0).tolist(), 10)] == ["a1:0", "base1:0"]
        assert [h.record.id for h in view.keyword_query("keepers", 10)] == ["base1:0"]
        assert view.stats()["articles"] == 2 and len(view.list_articles()) == 2
        assert view.article_count() == 2

    def test_removing_from_a_server_library_leaves_the_others(self, libraries: Libraries) -> None:
        self._three_libraries(libraries)
        assert libraries.own(SERVER_A).delete_article("a1") is True
        assert libraries.view(SERVER_A).get_article("a1") is None
        assert [h.record.id for h in libraries.view(SERVER_A).query(unit(1, 0).tolist(), 10)] == ["base1:0"]
        assert libraries.view(SERVER_B).get_article("b1") is not None
        assert libraries.own(None).get_article("base1") is not None
        assert libraries.own(SERVER_A).delete_article("base1") is False  # not its article
        assert libraries.own(None).count() == 1

    def test_libraries_survive_reopen_and_reindex(self, libraries: Libraries) -> None:
        self._three_libraries(libraries)
        settings = libraries.settings
        libraries.close()
        again = Libraries(settings)
        try:
            assert again.servers() == [SERVER_A, SERVER_B]
            view = again.view(SERVER_B)
            assert {h.record.id for h in view.keyword_query("lighthouse", 10)} == {"b1:0", "base1:0"}
            own = again.own(SERVER_B)
            assert own.reindex() == {"articles": 1, "chunks": 1}  # from its own collection alone
            assert [x.id for x in own.list_articles()] == ["b1"]
        finally:
            again.close()


class TestEmbeddedStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = build_store(VectorStoreSettings(path=tmp_path / "store"))
        yield store
        store.close()

    @pytest.fixture
    def libraries(self, tmp_path: Path) -> Iterator[Libraries]:
        libraries = Libraries(VectorStoreSettings(path=tmp_path / "store"))
        yield libraries
        libraries.close()

    def test_a_server_library_lives_in_its_own_folder_and_collection(self, libraries: Libraries) -> None:
        self._three_libraries(libraries)
        root = libraries.settings.path
        own = libraries.own(SERVER_A)
        assert own.local_folder == root / "servers" / str(SERVER_A)
        assert (root / "servers" / str(SERVER_A) / "keyword.sqlite3").is_file()
        assert holds_vectors(root / "servers" / str(SERVER_A)) and holds_vectors(root)
        assert libraries.own(None).local_folder == root
        from vectorstore.chroma import open_client

        names = {c.name for c in open_client(libraries.settings).list_collections()}
        assert names == {"articles", f"articles-s{SERVER_A}", f"articles-s{SERVER_B}"}

    def test_local_folder_holds_the_whole_store(self, store: Store, tmp_path: Path) -> None:
        folder = tmp_path / "store"
        assert store.local_folder == folder == local_folder(store.dense.settings)
        store.write_article(article("f"), chunks("f", ["Lock keepers log every barge."]), vectors(1))
        assert holds_vectors(folder)
        catalog = open_catalog(VectorStoreSettings(path=folder))  # the catalog alone, no Chroma
        try:
            assert catalog.get_article("f") == store.get_article("f")
            assert catalog.list_articles() == store.list_articles()
        finally:
            catalog.close()
        assert not holds_vectors(tmp_path / "elsewhere")

    def test_a_catalog_written_before_publisher_types_gains_the_columns(self, tmp_path: Path) -> None:
        import sqlite3

        settings = VectorStoreSettings(path=tmp_path / "store")
        first = build_store(settings)
        first.write_article(article("o"), chunks("o", ["Old lighthouse records."]), vectors(1))
        first.close()
        db = sqlite3.connect(tmp_path / "store" / "keyword.sqlite3")
        db.execute("ALTER TABLE articles DROP COLUMN publisher_id")
        db.execute("ALTER TABLE articles DROP COLUMN publisher_type")
        db.commit()
        db.close()
        again = build_store(settings)
        try:
            old = again.get_article("o")
            assert old is not None and old.publisher_id is None and old.publisher_type is None
            again.update_article_metadata(dataclasses.replace(old, publisher_id="x", publisher_type="blog"))
            assert again.get_article("o").publisher_type == "blog"  # type: ignore[union-attr]
        finally:
            again.close()

    def test_store_survives_reopen(self, tmp_path: Path) -> None:
        settings = VectorStoreSettings(path=tmp_path / "store")
        first = build_store(settings)
        first.write_article(article("p"), chunks("p", ["Persistent harbour notes."]), vectors(1))
        first.close()
        again = build_store(settings)
        assert again.get_article("p") is not None and keyword_ids(again, "harbour") == ["p:0"]
        assert again.count() == 1


@pytest.mark.integration
class TestServerStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path, chroma_server: tuple[str, int]) -> Iterator[Store]:
        host, port = chroma_server
        settings = VectorStoreSettings(
            mode="http",
            host=host,
            port=port,
            path=tmp_path / "store",
            collection=f"contract{next(_collections)}",
        )
        store = build_store(settings)
        yield store
        store.close()

    @pytest.fixture
    def libraries(self, tmp_path: Path, chroma_server: tuple[str, int]) -> Iterator[Libraries]:
        host, port = chroma_server
        settings = VectorStoreSettings(
            mode="http", host=host, port=port, path=tmp_path / "store", collection=f"libs{next(_collections)}"
        )
        libraries = Libraries(settings)
        yield libraries
        libraries.close()

    def test_a_server_store_has_no_local_folder(self, store: Store) -> None:
        # The server can be emptied behind this process's back: nothing beside it is trusted.
        assert store.local_folder is None and local_folder(store.dense.settings) is None
