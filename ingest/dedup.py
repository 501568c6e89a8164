"""Exact and near-duplicate articles: within a run and against what the store already holds.

Exact duplicates share the hash of their normalised body. Near duplicates (the same story
re-published with a different header, a trimmed ending, other furniture) are found with MinHash
LSH over word shingles; a candidate only merges when its estimated Jaccard similarity reaches
``[ingest] near_duplicate_threshold``. Policy: the first article seen is kept; it gains the
origins of everything merged into it and any metadata it lacked (see ``merge_articles``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ingest.models import Article, Origin
from ingest.normalize import normalised_text

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 128
SHINGLE_WORDS = 5


@dataclass(frozen=True, slots=True)
class Merge:
    """One article folded into another, for the report."""

    kept_id: str
    kept_origin: Origin
    merged_origin: Origin
    similarity: float  # 1.0 for an exact duplicate
    stored: bool  # the kept article was already in the store


@dataclass(slots=True)
class Candidate:
    """A deduplicated article of this run; ``stored_id`` names the stored article it matches."""

    article: Article
    signature: bytes
    stored_id: str | None = None
    stored_similarity: float = 0.0


def signature(text: str) -> MinHash:
    from datasketch import MinHash

    words = normalised_text(text).split()
    n = min(SHINGLE_WORDS, max(1, len(words)))
    shingles = {" ".join(words[i : i + n]).encode() for i in range(max(1, len(words) - n + 1))}
    sig = MinHash(num_perm=NUM_PERM)
    sig.update_batch(sorted(shingles))
    return sig


def from_bytes(data: bytes) -> MinHash:
    import numpy as np
    from datasketch import MinHash

    return MinHash(
        num_perm=NUM_PERM, hashvalues=np.frombuffer(data, dtype=np.uint64).copy(), scheme="affine32"
    )


def _richer_title(a: Article, b: Article) -> tuple[str, bool]:
    if a.title_is_derived and not b.title_is_derived:
        return b.title, False
    return a.title, a.title_is_derived


def merge_articles(kept: Article, other: Article) -> Article:
    """``kept`` with ``other``'s origins and whatever metadata ``kept`` lacks (a real title over a
    derived one, a date over none, a URL over none)."""
    title, derived = _richer_title(kept, other)
    origins = list(kept.origins)
    origins += [o for o in other.origins if o not in origins]
    dated = kept if kept.published else other
    return replace(
        kept,
        title=title,
        title_is_derived=derived,
        publisher=kept.publisher or other.publisher,
        author=kept.author or other.author,
        published=dated.published,
        published_ts=dated.published_ts,
        url=kept.url or other.url,
        language=kept.language or other.language,
        origins=tuple(origins),
    )


class Deduplicator:
    """Groups one run's articles, knowing the signatures of the stored ones."""

    def __init__(self, threshold: float) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[str, MinHash] = {}
        self._stored_hash: dict[str, str] = {}  # content hash -> stored article id
        self._stored: set[str] = set()

    def add_stored(self, article_id: str, content_hash: str, sig: bytes | None) -> None:
        self._stored.add(article_id)
        self._stored_hash.setdefault(content_hash, article_id)
        if sig:
            key = f"stored\x00{article_id}"
            self._sigs[key] = from_bytes(sig)
            self._lsh.insert(key, self._sigs[key])

    def _near(self, sig: MinHash) -> tuple[str, float] | None:
        """The most similar article at or above the threshold, one of this run's first."""
        best: tuple[bool, float, str] | None = None
        for key in self._lsh.query(sig):
            sim = float(sig.jaccard(self._sigs[key]))
            rank = (key.startswith("run\x00"), sim, key)
            if sim >= self.threshold and (best is None or rank > best):
                best = rank
        return (best[2], best[1]) if best else None

    def run(self, articles: Iterable[Article]) -> tuple[list[Candidate], list[Merge]]:
        """Deduplicated candidates in first-seen order, and every merge made."""
        import numpy as np

        kept: list[Candidate] = []
        by_key: dict[str, Candidate] = {}
        by_hash: dict[str, Candidate] = {}
        folds: list[tuple[Candidate, Article, float]] = []

        def fold(into: Candidate, art: Article, sim: float) -> None:
            folds.append((into, art, sim))
            merged = merge_articles(into.article, art)
            # A URL found on a duplicate becomes the id, unless the kept one is already stored.
            if (
                into.stored_id is None
                and into.article.id.startswith("sha256:")
                and not art.id.startswith("sha256:")
            ):
                merged = replace(merged, id=art.id)
            into.article = merged

        for art in articles:
            if (twin := by_hash.get(art.content_hash)) is not None:
                fold(twin, art, 1.0)
                continue
            sig = signature(art.text)
            near = self._near(sig)
            if near is not None and not near[0].startswith("stored\x00"):
                fold(by_key[near[0]], art, near[1])
                by_hash[art.content_hash] = by_key[near[0]]
                continue
            cand = Candidate(art, sig.hashvalues.astype(np.uint64).tobytes())
            if art.content_hash in self._stored_hash:
                cand.stored_id, cand.stored_similarity = self._stored_hash[art.content_hash], 1.0
            elif near is not None:
                cand.stored_id, cand.stored_similarity = near[0].split("\x00", 1)[1], near[1]
            key = f"run\x00{len(kept)}"
            self._sigs[key] = sig
            self._lsh.insert(key, sig)
            by_key[key] = cand
            by_hash[art.content_hash] = cand
            kept.append(cand)
        merges = [
            Merge(
                c.stored_id or c.article.id, c.article.origins[0], a.origins[0], sim, c.stored_id is not None
            )
            for c, a, sim in folds
        ]
        return kept, merges
