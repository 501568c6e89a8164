"""Large stores for the query cost curve, derived from a real ingested store.

The real articles (their chunks and real embeddings) go in first, so the dev questions still
find their answers. Then synthetic articles fill the store up to the target: each chunk
recombines sentences of 2-3 real chunks, under varied titles, publishers and dates; its vector
is the same mix of the real chunks' vectors plus Gaussian noise, renormalised (no model run).
Every write goes through ``Store.write_articles``, as ingest's do, in batches of about ``BATCH``
chunks: each article's chunks, vectors and catalog row together.

Growing is incremental: calling it again with a larger target adds only the missing chunks,
so the 10k store becomes the 100k store becomes the 1M store.

    python -m bench.synth POOL_STORE DEST_STORE --target N [--seed S]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from language.annotations import METADATA_KEY, SentenceNote, annotate, encode
from language.expressions import lower_case_words

if TYPE_CHECKING:
    from vectorstore.base import ArticleStore
    from vectorstore.records import ArticleWrite

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

logger = logging.getLogger(__name__)

BATCH = 5000
SYNTH_PREFIX = "synth-"
PUBLISHERS = (
    "Northern Ledger",
    "Harbour Times",
    "Capital Wire",
    "Eastern Review",
    "Signal Daily",
    "Meridian Post",
    "Frontier Report",
    "Atlas Dispatch",
    "Pacific Monitor",
    "Continental Herald",
    "Bridge News",
    "Summit Journal",
)
ANGLES = (
    "What it means for",
    "Analysis:",
    "Explainer:",
    "Briefing:",
    "Inside the fight over",
    "Why",
    "The week in",
    "Opinion:",
    "Timeline:",
    "Live:",
)
NOISE = 0.35  # norm of the noise relative to the unit-norm mixed vector


@dataclass
class Pool:
    """Real chunks with their real embeddings, split into sentences for recombination."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    vectors: np.ndarray
    sentences: list[list[str]]
    titles: list[str]
    notes: dict[str, list[SentenceNote]]  # each sentence's notes, as ingest makes them


def read_pool(store: Path, collection: str = "articles") -> Pool:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(store), settings=ChromaSettings(anonymized_telemetry=False))
    got = client.get_collection(collection).get(include=["embeddings", "documents", "metadatas"])
    texts = [t or "" for t in got["documents"] or []]
    metas = [dict(m or {}) for m in got["metadatas"] or []]
    splitter = re.compile(r"(?<=[.!?])\s+")
    sentences = [[s for s in splitter.split(t) if len(s) > 20] or [t] for t in texts]
    titles = sorted({str(m.get("title") or "") for m in metas if m.get("title")}) or [
        "Technology and security"
    ]
    vectors = np.asarray(got["embeddings"], dtype=np.float32)
    common = lower_case_words(texts)
    notes = {s: annotate(s, "", common) for s in {s for found in sentences for s in found}}
    return Pool(list(got["ids"]), texts, metas, vectors, sentences, titles, notes)


def copy_real(pool: Pool, store: ArticleStore) -> None:
    """The real articles, as the real store holds them."""
    from vectorstore.metadata import article_from_metadata
    from vectorstore.records import ArticleWrite, ChunkRecord

    per_article: dict[str, list[int]] = {}
    for n, meta in enumerate(pool.metadatas):
        if "article_id" in meta:
            per_article.setdefault(str(meta["article_id"]), []).append(n)
    writes: list[ArticleWrite] = []
    for rows in per_article.values():
        rows.sort(key=lambda n: int(pool.metadatas[n].get("chunk_index", 0)))
        article = article_from_metadata(pool.metadatas[rows[0]], len(rows))
        chunks = [ChunkRecord(pool.ids[n], pool.texts[n], pool.metadatas[n]) for n in rows]
        writes.append(ArticleWrite(article, chunks, pool.vectors[rows]))
    for batch in _batches(writes):
        store.write_articles(batch)


def _batches(writes: list[ArticleWrite]) -> Iterator[list[ArticleWrite]]:
    """Whole articles, about ``BATCH`` chunks at a time (Chroma's cost is per call)."""
    batch: list[ArticleWrite] = []
    size = 0
    for write in writes:
        batch.append(write)
        size += len(write.chunks)
        if size >= BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def synth_batch(
    pool: Pool, first_article: int, n_chunks: int, rng: np.random.Generator
) -> tuple[list[ArticleWrite], int]:
    """Synthetic articles numbered from ``first_article`` totalling ``n_chunks`` chunks, and the
    number of the next one."""
    from vectorstore.metadata import chunk_id
    from vectorstore.records import ArticleRecord, ArticleWrite, ChunkRecord

    writes: list[ArticleWrite] = []
    chunks_made = 0
    number = first_article
    day0 = date(2015, 1, 1)
    while chunks_made < n_chunks:
        size = min(int(rng.integers(3, 11)), n_chunks - chunks_made)
        article_id = f"{SYNTH_PREFIX}{number:08d}"
        title = f"{ANGLES[number % len(ANGLES)]} {pool.titles[int(rng.integers(len(pool.titles)))]}"
        published = (day0 + timedelta(days=int(rng.integers(0, 3650)))).isoformat()
        article = ArticleRecord(
            id=article_id,
            title=title[:200],
            publisher=PUBLISHERS[int(rng.integers(len(PUBLISHERS)))],
            author=None,
            published=published,
            url=f"https://example.org/synthetic/{number}",
            language="en",
            origins=({"path": "bench-synthetic", "record": number},),
            content_hash=f"synthetic{number}",
            ingested_at="2026-01-01T00:00:00+00:00",
            chunk_count=size,
        )
        sources = rng.integers(0, len(pool.texts), size=(size, 3))
        weights = rng.dirichlet((1.0, 1.0, 0.5), size=size).astype(np.float32)
        mixed = np.einsum("ck,ckd->cd", weights, pool.vectors[sources])
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        noise = rng.standard_normal(mixed.shape).astype(np.float32)
        noise *= NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
        mixed += noise
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        offset = 0
        chunks: list[ChunkRecord] = []
        for index in range(size):
            parts: list[str] = []
            for src in sources[index]:
                sents = pool.sentences[int(src)]
                start = int(rng.integers(len(sents)))
                parts.extend(sents[start : start + 3])
            text = " ".join(parts)[:1200]
            own: dict[str, Any] = {"start_char": offset, "end_char": offset + len(text)}  # + the article's
            own[METADATA_KEY] = encode(_joined_notes(pool, parts, len(text)))
            offset += len(text) + 1
            chunks.append(ChunkRecord(chunk_id(article_id, index), text, own))
        writes.append(ArticleWrite(article, chunks, mixed))
        chunks_made += size
        number += 1
    return writes, number


def _joined_notes(pool: Pool, parts: list[str], length: int) -> list[SentenceNote]:
    """The notes of sentences joined by spaces (and cut at ``length``): each part's, moved along."""
    out: list[SentenceNote] = []
    at = 0
    for part in parts:
        for note in pool.notes[part]:
            if at + note.end <= length:
                out.append(replace(note, start=at + note.start, end=at + note.end))
        at += len(part) + 1
    return out


def grow(pool_store: Path, dest: Path, target: int, seed: int = 7) -> dict[str, Any]:
    """Grow ``dest`` to ``target`` chunks (real ones first); returns counts and timings."""
    from vectorstore.settings import VectorStoreSettings
    from vectorstore.store import build_store

    started = time.perf_counter()
    pool = read_pool(pool_store)
    state_file = dest / "synth_state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {"articles": 0, "batches": 0}
    store = build_store(VectorStoreSettings(path=dest))
    try:
        if store.count() == 0:
            copy_real(pool, store)
        have = store.count()
        while have < target:
            # one generator per batch number, so growing in steps gives the same store as at once
            rng = np.random.default_rng([seed, state["batches"]])
            writes, state["articles"] = synth_batch(pool, state["articles"], min(BATCH, target - have), rng)
            store.write_articles(writes)
            state["batches"] += 1
            have += sum(len(w.chunks) for w in writes)
            state_file.write_text(json.dumps(state))
            logger.info("synthetic store %s: %d / %d chunks", dest, have, target)
        return {
            "chunks": store.count(),
            "real_chunks": len(pool.ids),
            "synthetic_articles": state["articles"],
            "seconds": time.perf_counter() - started,
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pool", type=Path, help="a real store ingested by geobot")
    parser.add_argument("dest", type=Path)
    parser.add_argument("--target", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--result", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    result = grow(args.pool, args.dest, args.target, args.seed)
    if args.result:
        args.result.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
