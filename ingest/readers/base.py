"""The reader interface: one input in, raw articles out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ingest.models import RawArticle
from ingest.settings import IngestSettings


class Reader(Protocol):
    """Reads one file into articles.

    Raises ``ingest.errors.InputError`` when the whole file cannot be read (binary, wrong
    encoding, malformed); a bad record inside a good file is skipped with a logged warning.
    """

    def __call__(self, path: Path, settings: IngestSettings) -> Iterator[RawArticle]: ...
