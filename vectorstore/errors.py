"""Errors of the vectorstore package; each message is one line a user can act on."""

from __future__ import annotations

from pathlib import Path


class VectorStoreError(Exception):
    """Base of every vectorstore error; str() is one line for the user."""


class ConfigError(VectorStoreError):
    """A setting is wrong; the message is one line naming the key and what is expected."""


class StoreError(VectorStoreError):
    """The store cannot be opened or written; the message names the setting to fix."""


class StoreUnavailable(StoreError):
    """The Chroma server did not answer; trying again later may work."""


class EmbeddingModelError(VectorStoreError):
    """The embedding model cannot be loaded; the message names `embedding.model`."""


class NoMatchingPublisher(VectorStoreError, LookupError):
    """No stored article has this publisher (a retrieval filter); str() is one line."""

    def __init__(self, publisher: str) -> None:
        super().__init__(f"no stored article is from publisher {publisher!r}")
        self.publisher = publisher


def disk_full(exc: BaseException, folder: Path | None = None) -> StoreError | None:
    """A StoreError naming the full disk if ``exc`` (or its cause) is one, else None.

    SQLite says "database or disk is full", plain file writes raise OSError ENOSPC/EFBIG, but
    Chroma's compactor may only say it failed: with ``folder``, a failed write on a disk with
    (almost) no room left is taken as the disk being full.
    """
    import errno
    import shutil

    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen).lower()
        full_os = isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EFBIG)
        if full_os or "disk is full" in text or "no space left" in text:
            return StoreError(
                "store write failed: the disk holding vectorstore.path is full; free some space and run "
                "again (what was written completely is kept)"
            )
        seen = seen.__cause__ or seen.__context__
    if folder is not None:
        try:
            nearly_full = shutil.disk_usage(folder).free < _NEARLY_FULL_BYTES
        except OSError:
            nearly_full = False
        if nearly_full:
            return disk_full(OSError(errno.ENOSPC, "no space left"))
    return None


_NEARLY_FULL_BYTES = 4 * 1024 * 1024
