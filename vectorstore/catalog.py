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
# Each server's library keeps its keyword index, catalog and manifest in
# <vectorstore.path>/servers/<server id>/; its vectors are in the Chroma store of <vectorstore.path>.
SERVERS_FOLDER = "servers"


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


def server_folder(settings: VectorStoreSettings, server: int) -> Path:
    """Where the library of one server keeps what is not in Chroma."""
    return settings.path / SERVERS_FOLDER / str(server)


def holds_vectors(folder: Path) -> bool:
    """Whether the embedded store in ``folder`` has its vectors: the catalog can outlive them
    (a deleted Chroma database), and then it no longer says what is stored. A server's library
    folder has its vectors in the Chroma store two levels up."""
    if folder.parent.name == SERVERS_FOLDER:
        folder = folder.parent.parent
    return (folder / _CHROMA_FILE).is_file()


def open_catalog(settings: VectorStoreSettings, folder: Path | None = None) -> KeywordIndex:
    """The keyword index and article catalog alone (an ``ArticleCatalog``) of the base library,
    or of the library whose folder is ``folder``.

    Raises StoreError (naming `vectorstore.path`) when the folder cannot be created or written.
    """
    return KeywordIndex(ensure_dir(folder or settings.path))
