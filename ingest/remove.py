"""Removing one article from a library: everything ingest wrote for it, and nothing else.

Its chunks leave both indexes and its catalog row (with the signature near-duplicate detection
compares) goes, in the store's own crash-safe order; the manifest rows of the files it came from
go first, so an interrupted removal at worst makes those files be read again. Ingesting the
article again later stores it as new.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ingest.manifest import Manifest

if TYPE_CHECKING:
    from vectorstore.base import ArticleStore
    from vectorstore.records import ArticleRecord

logger = logging.getLogger(__name__)


def find_article(store: ArticleStore, ref: str) -> ArticleRecord | None:
    """The article ``ref`` names in ``store``: its id, else its URL or the URL it was read from."""
    ref = ref.strip()
    found = store.get_article(ref)
    if found is not None or "://" not in ref:
        return found
    return next((a for a in store.list_articles() if a.url == ref or {"url": ref} in a.origins), None)


def remove_article(store: ArticleStore, ref: str) -> ArticleRecord | None:
    """Delete the article ``ref`` names (id or URL) from ``store``; None if it holds none."""
    article = find_article(store, ref)
    if article is None:
        return None
    folder = store.local_folder
    manifest = Manifest.existing(folder) if folder is not None else None
    if manifest is not None:
        try:
            manifest.forget(article.id)
        finally:
            manifest.close()
    store.delete_article(article.id)
    logger.info("removed article %s (%d chunks)", article.id, article.chunk_count)
    return article
