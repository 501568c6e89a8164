"""Errors of the vectorstore package; each message is one line a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot be opened or written; the message names the setting to fix."""


class StoreUnavailable(StoreError):
    """The Chroma server did not answer; trying again later may work."""


class EmbeddingModelError(Exception):
    """The embedding model cannot be loaded; the message names `embedding.model`."""


class NoMatchingPublisher(LookupError):
    """No stored article has this publisher (a retrieval filter); str() is one line."""

    def __init__(self, publisher: str) -> None:
        super().__init__(f"no stored article is from publisher {publisher!r}")
        self.publisher = publisher
