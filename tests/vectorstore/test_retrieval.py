"""Hybrid retrieval: fusion, duplicate merging, diversity and filters, on plain inputs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest
from langchain_core.documents import Document

from vectorstore.base import Where
from vectorstore.records import ArticleRecord, ChunkRecord, ScoredChunk
from vectorstore.retrieval import (
    Filters,
    HybridRetriever,
    LangChainRetriever,
    NoMatchingPublisher,
    Passage,
    diversify,
    merge_near_duplicates,
    reciprocal_rank_fusion,
    runs_on,
)

pytestmark = pytest.mark.unit


def chunk(chunk_id: str, article: str, text: str = "", **meta: str | int) -> ChunkRecord:
    return ChunkRecord(chunk_id, text or f"text of {chunk_id}", {"article_id": article, **meta})


def passage(chunk_id: str, article: str, score: float, text: str = "") -> Passage:
    return Passage(chunk(chunk_id, article, text), score)


def test_rrf_rewards_agreement_over_a_single_top_rank() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], k=60)
    assert list(fused)[:2] == ["b", "c"]  # found by both beats first in one
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert set(fused) == {"a", "b", "c", "d"}


def test_rrf_weights_and_duplicate_ids_in_one_ranking() -> None:
    fused = reciprocal_rank_fusion([["a", "a", "b"], ["b"]], k=1, weights=[1.0, 3.0])
    assert fused["a"] == pytest.approx(1 / 2)  # the repeat of "a" does not count twice
    assert fused["b"] == pytest.approx(1 / 3 + 3 / 2)
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])


def test_diversify_caps_each_article_while_others_are_relevant() -> None:
    ranked = [passage(f"a{i}", "A", 1 - i / 100) for i in range(4)] + [
        passage("b0", "B", 0.5),
        passage("c0", "C", 0.4),
    ]
    chosen = diversify(ranked, limit=4, max_per_article=2)
    assert [p.chunk.id for p in chosen] == ["a0", "a1", "b0", "c0"]


def test_diversify_fills_from_one_article_when_nothing_else_is_left() -> None:
    ranked = [passage(f"a{i}", "A", 1 - i / 100) for i in range(4)] + [passage("b0", "B", 0.5)]
    chosen = diversify(ranked, limit=4, max_per_article=2)
    assert [p.chunk.id for p in chosen] == ["a0", "a1", "a2", "b0"]  # order of relevance kept


def test_near_identical_passages_of_two_articles_merge_and_keep_both_articles() -> None:
    story = "The regulator said the equipment must be removed from every network by the end of the decade"
    ranked = [
        passage("x:0", "X", 0.9, story + "."),
        passage("other:0", "O", 0.8, "An unrelated passage about chip factories and their supply lines."),
        passage("y:3", "Y", 0.7, "Reuters - " + story + ", officials added."),
    ]
    merged = merge_near_duplicates(ranked, threshold=0.8)
    assert [p.chunk.id for p in merged] == ["x:0", "other:0"]
    assert merged[0].article_ids == ("X", "Y")


def test_two_chunks_of_one_article_are_never_merged() -> None:
    text = "Same words in the same article repeated as overlap between two neighbouring chunks here."
    merged = merge_near_duplicates([passage("x:0", "X", 0.9, text), passage("x:1", "X", 0.8, text)], 0.8)
    assert len(merged) == 2


class FakeIndex:
    """A plain in-memory stand-in for the store's search API that records the filters it gets."""

    def __init__(self, dense: list[ScoredChunk], keyword: list[ScoredChunk], publishers: list[str]) -> None:
        self.dense, self.keyword, self.publishers = dense, keyword, publishers
        self.unranked: list[ScoredChunk] = []  # stored chunks neither index ranks
        self.wheres: list[Where | None] = []

    def query(self, embedding: Sequence[float], k: int, where: Where | None = None) -> list[ScoredChunk]:
        self.wheres.append(where)
        return self.dense[:k]

    def keyword_query(self, text: str, k: int, where: Where | None = None) -> list[ScoredChunk]:
        self.wheres.append(where)
        return self.keyword[:k]

    def list_articles(self, publisher: str | None = None) -> list[ArticleRecord]:
        return [
            ArticleRecord(f"id{i}", "t", p, None, None, None, None, (), "h", "now", 1)
            for i, p in enumerate(self.publishers)
        ]

    def publisher_names(self) -> set[str]:
        return set(self.publishers)

    def get(
        self, ids: Sequence[str] | None = None, where: Where | None = None, limit: int | None = None
    ) -> list[ChunkRecord]:
        stored = {s.record.id: s.record for s in (*self.dense, *self.keyword, *self.unranked)}
        return [stored[i] for i in ids or () if i in stored]


def make_retriever(index: FakeIndex, **kwargs: int) -> HybridRetriever:
    return HybridRetriever(index, lambda text: [0.0, 1.0], **kwargs)


def test_retrieve_fuses_both_indexes_and_keeps_dense_similarity() -> None:
    a, b, c = chunk("a:0", "A"), chunk("b:0", "B"), chunk("c:0", "C")
    dense = [ScoredChunk(a, 0.7), ScoredChunk(b, 0.6)]
    index = FakeIndex(dense, [ScoredChunk(c, 9.0), ScoredChunk(b, 5.0)], [])
    got = make_retriever(index, top_k=3).retrieve("which vendors")
    assert [p.chunk.id for p in got] == ["b:0", "a:0", "c:0"]
    assert got[0].dense == pytest.approx(0.6)
    assert got[2].dense is None  # only the keyword index found it
    assert index.wheres == [None, None]


def test_the_chunk_after_each_of_the_best_passages_is_read_on() -> None:
    a0, a1, a2 = (chunk(f"art:a:{i}", "art:a") for i in range(3))
    b0, b1, c0, c1 = chunk("b:0", "b"), chunk("b:1", "b"), chunk("c:0", "c"), chunk("c:1", "c")
    ranked = [ScoredChunk(c, 1 - n / 10) for n, c in enumerate((a0, a1, b0, c0))]
    index = FakeIndex(ranked, [], [])
    index.unranked = [ScoredChunk(c, 0.0) for c in (a2, b1, c1)]
    found = make_retriever(index, top_k=4, read_on=3).retrieve("q")
    assert [p.chunk.id for p in found] == ["art:a:0", "art:a:1", "b:0", "c:0"]

    read = make_retriever(index, top_k=4, read_on=3).with_following(found)
    # a:1 is found already; a:2 is read after the second passage, b:1 after the third, each
    # where it follows in its article; c:0 is fourth, and only the first three are read on.
    assert [p.chunk.id for p in read] == ["art:a:0", "art:a:1", "art:a:2", "b:0", "b:1", "c:0"]
    assert read[2].score == 0.0 and read[2].dense is None
    assert make_retriever(index, top_k=4).with_following(found) == found  # read_on defaults to 0
    with pytest.raises(ValueError):
        make_retriever(index, read_on=-1)


def test_a_passage_whose_list_runs_past_its_end_is_read_on_too() -> None:
    ends = {
        "a": "The rules cover the following kinds of vessel:",
        "b": "The rules cover these kinds:\n\n- Night ferries\n\n2. Cargo barges",
        "c": "The rules came out on Monday.\n\n- Night ferries are covered, it said.\nMore follows.",
    }
    index = FakeIndex([ScoredChunk(chunk(f"{k}:0", k, text), 0.5) for k, text in ends.items()], [], [])
    index.unranked = [ScoredChunk(chunk(f"{k}:1", k), 0.0) for k in ends]
    read = make_retriever(index, top_k=3, read_on=0).with_following(
        make_retriever(index, top_k=3).retrieve("q")
    )
    assert [p.chunk.id for p in read] == ["a:0", "a:1", "b:0", "b:1", "c:0"]
    assert runs_on("Points:\n- one\n- two") and not runs_on("- one\n- two\nThe end.") and not runs_on("")


def test_filters_become_one_store_filter_for_both_indexes() -> None:
    index = FakeIndex([], [], ["The Guardian", "Reuters", "the guardian"])
    retriever = make_retriever(index)
    filters = Filters(since=date(2020, 1, 1), until=date(2020, 1, 31), publisher="THE  Guardian")
    retriever.retrieve("q", filters)
    where = index.wheres[0]
    assert where == index.wheres[1]
    assert where == {
        "$and": [
            {"published_ts": {"$gte": 1577836800}},  # 2020-01-01T00:00:00Z
            {"published_ts": {"$lte": 1580515199}},  # 2020-01-31T23:59:59Z
            {"publisher": {"$in": ["The Guardian", "the guardian"]}},
        ]
    }


def test_single_filter_and_unknown_publisher() -> None:
    retriever = make_retriever(FakeIndex([], [], ["Reuters"]))
    assert retriever.where(Filters(since=date(2019, 6, 1))) == {"published_ts": {"$gte": 1559347200}}
    assert retriever.where(Filters()) is None
    with pytest.raises(NoMatchingPublisher, match="Nobody"):
        retriever.where(Filters(publisher="Nobody"))
    with pytest.raises(ValueError, match="after"):
        Filters(since=date(2021, 1, 2), until=date(2021, 1, 1))


def test_a_publisher_is_found_without_its_the_or_punctuation() -> None:
    retriever = make_retriever(
        FakeIndex([], [], ["The Harbour Gazette", "Harbour-Gazette", "Gazette Weekly"])
    )
    wanted = {"publisher": {"$in": ["Harbour-Gazette", "The Harbour Gazette"]}}
    assert retriever.where(Filters(publisher="harbour gazette")) == wanted
    assert retriever.where(Filters(publisher="The Harbour Gazette")) == wanted


def test_langchain_adapter_returns_documents_with_their_articles() -> None:
    a = chunk("a:0", "A", "Some words about spectrum auctions.")
    retriever = LangChainRetriever(retriever=make_retriever(FakeIndex([ScoredChunk(a, 0.5)], [], [])))
    docs = retriever.invoke("spectrum")
    assert docs and isinstance(docs[0], Document)
    assert docs[0].page_content == "Some words about spectrum auctions."
    assert docs[0].metadata["article_ids"] == ["A"]
    assert docs[0].metadata["dense_score"] == pytest.approx(0.5)
