"""The library's publishers: each with its label and how many stored articles it has.

Articles are counted per publisher profile (the match ingest recorded), so "Guardian", "The
Guardian" and theguardian.com are one publisher; unlabelled articles are counted per publisher
name as they give it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.answer.labels import Labeller, PublisherLabel
from ingest.publishers import normalise_name
from vectorstore.records import ArticleRecord


@dataclass(frozen=True, slots=True)
class PublisherCount:
    label: PublisherLabel
    articles: int


def library_publishers(articles: Iterable[ArticleRecord], labeller: Labeller) -> list[PublisherCount]:
    """Every publisher of the stored articles, most articles first (then by name)."""
    counts: dict[str, tuple[PublisherLabel, int]] = {}
    for article in articles:
        label = labeller.of_article(article)
        if label.profile is not None:
            key = f"profile:{label.profile.id}"
            label = PublisherLabel(label.profile.name, label.profile)  # its own name, not a variant's
        else:
            key = f"name:{normalise_name(article.publisher or '')}"
        known, n = counts.get(key, (label, 0))
        counts[key] = (known, n + 1)
    rows = [PublisherCount(label, n) for label, n in counts.values()]
    return sorted(rows, key=lambda r: (-r.articles, (r.label.name or "").casefold()))
