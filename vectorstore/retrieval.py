"""Hybrid retrieval: dense and keyword results fused, deduplicated and spread across articles.

Dense (cosine) and keyword (BM25) rankings disagree in useful ways: the model finds paraphrases,
BM25 finds the rare names and numbers a question hinges on. Their scores are not comparable, so
they are fused by rank (reciprocal rank fusion). Syndicated copies of one story would otherwise
fill the list with the same text, so near-identical passages are merged (keeping every article
they came from), and no article may contribute more than ``max_per_article`` passages while
other articles still have relevant ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from numpy.typing import NDArray
from pydantic import ConfigDict

from language.sentences import is_list_point
from vectorstore.base import Where
from vectorstore.errors import NoMatchingPublisher
from vectorstore.metadata import next_chunk_id
from vectorstore.records import ArticleRecord, ChunkRecord, ScoredChunk

_WORD = re.compile(r"[^\W_]+")

__all__ = [
    "Filters",
    "HybridRetriever",
    "LangChainRetriever",
    "NoMatchingPublisher",
    "Passage",
    "SearchIndex",
]


class SearchIndex(Protocol):
    """What retrieval needs of the store (``vectorstore.store.Store`` provides it)."""

    def query(self, embedding: Sequence[float], k: int, where: Where | None = None) -> list[ScoredChunk]: ...

    def keyword_query(self, text: str, k: int, where: Where | None = None) -> list[ScoredChunk]: ...

    def get(
        self, ids: Sequence[str] | None = None, where: Where | None = None, limit: int | None = None
    ) -> list[ChunkRecord]: ...

    def list_articles(self, publisher: str | None = None) -> list[ArticleRecord]: ...

    def publisher_names(self) -> set[str]: ...


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrict retrieval to articles published in [since, until] and/or by one publisher.

    Articles with no known date are left out whenever a date bound is given: nothing says they
    fall inside it. The publisher matches case-insensitively. Publisher types are the types ingest
    recorded from its publisher profiles ("unlabelled" for an article no profile matched): only
    those of ``publisher_types`` (if any are given), none of ``exclude_publisher_types``.
    """

    since: date | None = None
    until: date | None = None
    publisher: str | None = None
    publisher_types: tuple[str, ...] = ()
    exclude_publisher_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")

    @property
    def active(self) -> bool:
        return bool(
            self.since or self.until or self.publisher or self.publisher_types or self.exclude_publisher_types
        )


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with its fused score; ``copies`` are near-identical chunks of other
    articles merged into it (the same text syndicated elsewhere)."""

    chunk: ChunkRecord
    score: float
    dense: float | None = None  # cosine similarity to the query, when the dense index found it
    copies: tuple[ChunkRecord, ...] = field(default=())

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def article_id(self) -> str:
        return str(self.chunk.metadata.get("article_id", self.chunk.id))

    @property
    def article_ids(self) -> tuple[str, ...]:
        """This passage's article first, then those of its merged copies, each once."""
        ids = [self.article_id, *(str(c.metadata.get("article_id", c.id)) for c in self.copies)]
        return tuple(dict.fromkeys(ids))

    def to_document(self) -> Document:
        metadata: dict[str, Any] = dict(self.chunk.metadata)
        metadata.update(score=self.score, article_ids=list(self.article_ids))
        if self.dense is not None:
            metadata["dense_score"] = self.dense
        return Document(page_content=self.text, id=self.chunk.id, metadata=metadata)


# Passages, per passage returned, that are checked for near-copies of one another.
MERGE_WINDOW = 4


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> dict[str, float]:
    """Fused score of each id: the sum over rankings of weight / (k + rank), rank from 1.

    Returned in descending score order (ties keep the order ids were first seen).
    """
    weights = weights if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(dict.fromkeys(ranking), start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return dict(sorted(scores.items(), key=lambda kv: kv[1], reverse=True))


def shingles(text: str, n: int = 3) -> frozenset[str]:
    """Word n-grams of the lower-cased text (the whole text when it has fewer than n words).

    Each n-gram is one joined string: strings cache their hash, so intersecting two sets is
    several times faster than with tuples, which rehash on every lookup.
    """
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(map(" ".join, zip(*(words[i:] for i in range(n)), strict=False)))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller text's shingles found in the other (1.0 = one contains the other)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def merge_near_duplicates(passages: Sequence[Passage], threshold: float) -> list[Passage]:
    """Fold each passage into an earlier (better) one it nearly repeats, keeping its article.

    Two chunks of the same article are never merged: they are different parts of one text.
    """
    sigs = [shingles(p.text) for p in passages]
    shared = _shared_shingles(sigs)
    sizes = np.array([max(len(s), 1) for s in sigs], dtype=np.float32)
    kept: list[Passage] = []
    kept_rows: list[int] = []
    for row, passage in enumerate(passages):
        if kept_rows:
            ratios = shared[kept_rows, row] / np.minimum(sizes[kept_rows], sizes[row])
            match = next(
                (
                    i
                    for i in np.flatnonzero(ratios >= threshold).tolist()
                    if kept[i].article_id != passage.article_id
                ),
                None,
            )
            if match is not None:
                other = kept[match]
                copies = (*other.copies, passage.chunk, *passage.copies)
                dense = max((d for d in (other.dense, passage.dense) if d is not None), default=None)
                kept[match] = replace(other, copies=copies, dense=dense)
                continue
        kept.append(passage)
        kept_rows.append(row)
    return kept


def _shared_shingles(sigs: Sequence[frozenset[str]]) -> NDArray[np.float32]:
    """Shingles shared by every pair of signatures, as one matrix product: comparing each pair
    of sets in Python was most of a query's time at 100k chunks."""
    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(s, len(vocab)) for s in sig] for sig in sigs]
    marks = np.zeros((len(sigs), len(vocab)), dtype=np.float32)
    for row, columns in enumerate(rows):
        marks[row, columns] = 1.0
    return marks @ marks.T


def diversify(passages: Sequence[Passage], limit: int, max_per_article: int) -> list[Passage]:
    """The best ``limit`` passages with at most ``max_per_article`` from any one article.

    Passages over the cap only fill the list when no other article has anything left, so a
    narrow filter (one article) still yields its passages. Order is kept.
    """
    chosen: list[Passage] = []
    overflow: list[Passage] = []
    per_article: dict[str, int] = {}
    for passage in passages:
        if len(chosen) >= limit:
            break
        count = per_article.get(passage.article_id, 0)
        if count < max_per_article:
            chosen.append(passage)
            per_article[passage.article_id] = count + 1
        else:
            overflow.append(passage)
    if len(chosen) < limit:
        order = {id(p): i for i, p in enumerate(passages)}
        chosen = sorted([*chosen, *overflow[: limit - len(chosen)]], key=lambda p: order[id(p)])
    return chosen


def _epoch(day: date, end_of_day: bool = False) -> int:
    moment = datetime.combine(day, time.min, tzinfo=UTC)
    if end_of_day:
        moment += timedelta(days=1) - timedelta(seconds=1)
    return int(moment.timestamp())


class HybridRetriever:
    """Dense + keyword retrieval over a store, fused, merged and diversified."""

    def __init__(
        self,
        index: SearchIndex,
        embed_query: Callable[[str], Sequence[float]],
        *,
        top_k: int = 8,
        candidates: int = 40,
        max_per_article: int = 2,
        rrf_k: int = 60,
        duplicate_overlap: float = 0.8,
        read_on: int = 0,
    ) -> None:
        if top_k < 1 or candidates < 1 or max_per_article < 1:
            raise ValueError("top_k, candidates and max_per_article must be at least 1")
        if read_on < 0:
            raise ValueError("read_on must not be negative")
        self.index = index
        self.embed_query = embed_query
        self.top_k = top_k
        self.candidates = candidates
        self.max_per_article = max_per_article
        self.rrf_k = rrf_k
        self.duplicate_overlap = duplicate_overlap
        self.read_on = read_on

    def where(self, filters: Filters) -> Where | None:
        """The store filter for ``filters``; raises NoMatchingPublisher for an unknown publisher."""
        conditions: list[Mapping[str, Any]] = []
        if filters.since:
            conditions.append({"published_ts": {"$gte": _epoch(filters.since)}})
        if filters.until:
            conditions.append({"published_ts": {"$lte": _epoch(filters.until, end_of_day=True)}})
        if filters.publisher:
            spellings = self.publisher_spellings(filters.publisher)
            if not spellings:
                raise NoMatchingPublisher(filters.publisher)
            conditions.append({"publisher": {"$in": spellings}})
        if filters.publisher_types:
            conditions.append({"publisher_type": {"$in": list(filters.publisher_types)}})
        if filters.exclude_publisher_types:
            conditions.append({"publisher_type": {"$nin": list(filters.exclude_publisher_types)}})
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else {"$and": conditions}

    def publisher_spellings(self, name: str) -> list[str]:
        """Stored publisher names equal to ``name`` ignoring case, spacing, punctuation and a
        leading "The" ("guardian" finds "The Guardian")."""
        wanted = _plain_name(name)
        return sorted(p for p in self.index.publisher_names() if _plain_name(p) == wanted)

    def retrieve(
        self,
        query: str,
        filters: Filters | None = None,
        *,
        k: int | None = None,
        embedding: Sequence[float] | None = None,
    ) -> list[Passage]:
        """The best passages for ``query`` (at most ``k``, default ``top_k``), best first."""
        if not query.strip():
            return []
        where = self.where(filters) if filters and filters.active else None
        vector = embedding if embedding is not None else self.embed_query(query)
        dense = self.index.query(vector, self.candidates, where)
        keyword = self.index.keyword_query(query, self.candidates, where)
        return self.fuse(dense, keyword, k or self.top_k)

    def fuse(self, dense: Sequence[ScoredChunk], keyword: Sequence[ScoredChunk], k: int) -> list[Passage]:
        """Fuse two rankings into at most ``k`` merged, diversified passages."""
        records = {s.record.id: s.record for s in (*dense, *keyword)}
        cosine = {s.record.id: s.score for s in dense}
        fused = reciprocal_rank_fusion(
            [[s.record.id for s in dense], [s.record.id for s in keyword]], k=self.rrf_k
        )
        passages = [Passage(records[i], score, cosine.get(i)) for i, score in fused.items()]
        # A near-copy of a passage scores alike in both rankings, so it sits close to it in the
        # fused order: the head of the list holds what the answer can use, at a fraction of
        # the pairwise cost.
        merged = merge_near_duplicates(passages[: MERGE_WINDOW * k], self.duplicate_overlap)
        return diversify(merged, k, self.max_per_article)

    def with_following(self, passages: Sequence[Passage]) -> list[Passage]:
        """``passages``, each of the first ``read_on``, and any whose list runs on past its end,
        followed by the next chunk of its article.

        What a passage announces often runs on past its chunk's end ("He added: …", the items after
        "the following:"), in words the question does not share, so neither index ranks the next
        chunk; it is read instead, in its place after the passage it continues. The chunks added
        have no fusion score of their own (0).
        """
        have = {p.chunk.id for p in passages}
        wanted = {
            p.chunk.id: following
            for n, p in enumerate(passages)
            if (n < self.read_on or runs_on(p.chunk.text))
            and (following := next_chunk_id(p.chunk.id)) is not None
            and following not in have
        }
        if not wanted:
            return list(passages)
        records = {r.id: r for r in self.index.get(ids=list(wanted.values()))}
        out: list[Passage] = []
        for p in passages:
            out.append(p)
            if (following := wanted.get(p.chunk.id)) in records:
                out.append(Passage(records[following], 0.0))
        return out


class LangChainRetriever(BaseRetriever):
    """``HybridRetriever`` as a LangChain retriever: ``invoke(query)`` returns ``Document``s."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    filters: Filters = Filters()
    k: int | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [p.to_document() for p in self.retriever.retrieve(query, self.filters, k=self.k)]


def runs_on(text: str) -> bool:
    """Whether a chunk ends inside a list: on a line introducing one ("… the following:") or on
    one of its points ("- Cleaning equipment", "2. halt the approvals;")."""
    lines = text.rstrip().splitlines()
    return bool(lines) and (is_list_point(lines[-1]) or lines[-1].rstrip().endswith(":"))


def _plain_name(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split()).removeprefix("the ")
