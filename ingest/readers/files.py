"""Find the files under the given paths and hand each to the reader for its format."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from ingest.errors import InputError
from ingest.models import RawArticle
from ingest.readers.base import Reader
from ingest.settings import IngestSettings

logger = logging.getLogger(__name__)

# Files that describe a folder rather than being articles; skipped when walking a directory
# (a file named on the command line is always read).
_FOLDER_DOCS = ("readme", "license", "licence", "changelog", "copying", "notice")
_SNIFF_BYTES = 8192


def _reader_for(suffix: str) -> Reader | None:
    # Imported on demand: trafilatura (html) costs a noticeable share of start-up.
    if suffix in (".txt", ".md", ".markdown", ".text"):
        from ingest.readers.text import read_text

        return read_text
    if suffix in (".html", ".htm", ".xhtml"):
        from ingest.readers.html import read_html

        return read_html
    if suffix in (".csv", ".tsv"):
        from ingest.readers.table import read_csv

        return read_csv
    if suffix in (".jsonl", ".ndjson", ".json"):
        from ingest.readers.jsonl import read_json

        return read_json
    if suffix in (".rss", ".atom", ".xml"):
        from ingest.readers.feed import read_feed

        return read_feed
    return None


def supported(path: Path) -> bool:
    return _reader_for(path.suffix.lower()) is not None


def _is_folder_doc(path: Path) -> bool:
    return path.stem.lower() in _FOLDER_DOCS or path.name.lower() in _FOLDER_DOCS


def walk(root: Path) -> Iterator[Path]:
    """Supported files under ``root`` in a stable order; hidden entries and symlink loops skipped."""
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        st = os.stat(dirpath)
        key = (st.st_dev, st.st_ino)
        if key in seen:  # a symlink back into a folder already walked
            dirnames[:] = []
            continue
        seen.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or _is_folder_doc(path) or not supported(path):
                continue
            yield path


def expand(paths: list[Path]) -> Iterator[Path | InputError]:
    """Files to read, in order; a missing path or unsupported file is an error, not a stop."""
    for path in paths:
        if path.is_dir():
            yield from walk(path)
        elif path.is_file():
            if supported(path):
                yield path
            else:
                yield InputError(str(path), f"unsupported file type '{path.suffix or path.name}'")
        elif path.exists():
            yield InputError(str(path), "not a regular file or directory")
        else:
            yield InputError(str(path), "no such file or directory")


def read_bytes(path: Path, settings: IngestSettings) -> bytes:
    """The file's bytes, refusing what is too large, unreadable or binary."""
    try:
        st = path.stat()
        # A named pipe or device found while walking a folder would block read_bytes() forever.
        if not stat.S_ISREG(st.st_mode):
            raise InputError(str(path), "not a regular file")
        size = st.st_size
        if size > settings.max_file_mb * 1024 * 1024:
            raise InputError(
                str(path), f"file is {size / 1024 / 1024:.1f} MB, over max_file_mb = {settings.max_file_mb:g}"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise InputError(str(path), "file is empty")
    if b"\x00" in data[:_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(str(path), "binary file, not text")
    return data


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is refused, not guessed."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            source,
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
        ) from exc


def read_text_file(path: Path, settings: IngestSettings) -> str:
    return decode(read_bytes(path, settings), str(path))


def read_file(path: Path, settings: IngestSettings) -> list[RawArticle]:
    """All articles of one file; raises InputError if the file is unusable or holds none."""
    reader = _reader_for(path.suffix.lower())
    if reader is None:
        raise InputError(str(path), f"unsupported file type '{path.suffix}'")
    articles = list(reader(path, settings))
    if not articles:
        raise InputError(str(path), "no article text found")
    return articles


FileReader = Callable[[Path, IngestSettings], list[RawArticle]]
