"""The records that cross the store boundary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MetadataValue = str | int | float | bool
Metadata = Mapping[str, MetadataValue]


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    """One stored chunk: its deterministic id, its text and flat metadata (Chroma-compatible)."""

    id: str
    text: str
    metadata: Metadata = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A chunk returned by a search, with the score of the index that found it (higher is better)."""

    record: ChunkRecord
    score: float
