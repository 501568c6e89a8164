"""Find the files under the given paths and hand each to the reader for its format."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from ingest.errors import InputError, NothingToIngest
from ingest.models import RawArticle
from ingest.readers.base import Reader
from ingest.settings import IngestSettings

# File suffix -> the module and function of its reader, imported on first use: trafilatura
# (html) alone costs a noticeable share of start-up.
_READERS: dict[str, tuple[str, str]] = {
    **dict.fromkeys((".txt", ".md", ".markdown", ".text"), ("ingest.readers.text", "read_text")),
    **dict.fromkeys((".html", ".htm", ".xhtml"), ("ingest.readers.html", "read_html")),
    **dict.fromkeys((".csv", ".tsv"), ("ingest.readers.table", "read_csv")),
    **dict.fromkeys((".jsonl", ".ndjson", ".json"), ("ingest.readers.jsonl", "read_json")),
    **dict.fromkeys((".rss", ".atom", ".xml"), ("ingest.readers.feed", "read_feed")),
}
SUFFIXES = tuple(_READERS)

# Files that describe a folder rather than being articles; skipped when walking a directory
# (a file named on the command line is always read).
_FOLDER_DOCS = ("readme", "license", "licence", "changelog", "copying", "notice")


def _reader_for(suffix: str) -> Reader | None:
    if suffix not in _READERS:
        return None
    module, function = _READERS[suffix]
    return cast(Reader, getattr(importlib.import_module(module), function))


def supported(path: Path) -> bool:
    return path.suffix.lower() in _READERS


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
    """Files to read, in order; a missing path, an unsupported file or a folder with nothing to
    read is an error, not a stop."""
    for path in paths:
        if path.is_dir():
            files = list(walk(path))
            if not files:
                yield NothingToIngest(str(path), SUFFIXES)
            yield from files
        elif path.is_file():
            if supported(path):
                yield path
            else:
                yield InputError(str(path), f"unsupported file type '{path.suffix or path.name}'")
        elif path.exists():
            yield InputError(str(path), "not a regular file or directory")
        else:
            yield InputError(str(path), "no such file or directory")


def read_file(path: Path, settings: IngestSettings) -> list[RawArticle]:
    """All articles of one file; raises InputError if the file is unusable or holds none."""
    reader = _reader_for(path.suffix.lower())
    if reader is None:
        raise InputError(str(path), f"unsupported file type '{path.suffix}'")
    articles = list(reader(path, settings))
    if not articles:
        raise InputError(str(path), "no article text found")
    return articles
