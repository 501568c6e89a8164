"""The store's folder and its article catalog, opened without Chroma or numpy.

Ingest decides what to write from the catalog alone (Chroma's import takes ~1.5 s of CPU, and
a re-ingest of unchanged files needs neither it nor numpy); the catalog lives in the keyword
index's SQLite file (``vectorstore.keyword``), so opening it is opening that file.
"""

from __future__ import annotations

from pathlib import Path

from vectorstore.errors import StoreError
from vectorstore.keyword import KeywordIndex
from vectorstore.settings import VectorStoreSettings

# The database a Chroma PersistentClient keeps in its folder.
_CHROMA_FILE = "chroma.sqlite3"


def ensure_dir(path: Path) -> Path:
    """Create the store folder; StoreError naming `vectorstore.path` if that is impossible."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreError(
            f"vectorstore.path {path}: cannot create or write this folder ({exc.strerror or exc}); "
            "set vectorstore.path in config.toml (or GEOBOT_VECTORSTORE__PATH) to a writable folder"
        ) from exc
    return path


def local_folder(settings: VectorStoreSettings) -> Path | None:
    """``ArticleStore.local_folder`` of the store these settings describe, without opening it."""
    return settings.path if settings.mode == "embedded" else None


def holds_vectors(folder: Path) -> bool:
    """Whether the embedded store in ``folder`` has its vectors: the catalog can outlive them
    (a deleted Chroma database), and then it no longer says what is stored."""
    return (folder / _CHROMA_FILE).is_file()


def open_catalog(settings: VectorStoreSettings) -> KeywordIndex:
    """The store's keyword index and article catalog alone (an ``ArticleCatalog``).

    Raises StoreError (naming `vectorstore.path`) when the folder cannot be created or written.
    """
    return KeywordIndex(ensure_dir(settings.path))
