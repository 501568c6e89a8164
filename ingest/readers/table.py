"""CSV files: one article per data row, columns mapped by `[ingest.csv]`."""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from ingest.errors import InputError
from ingest.models import RawArticle
from ingest.readers.file_bytes import read_text_file
from ingest.settings import IngestSettings

logger = logging.getLogger(__name__)

_URL = re.compile(r"^https?://\S+$", re.I)


def _cell(row: dict[str | None, str | list[str] | None], column: str) -> str | None:
    if not column:
        return None
    value = row.get(column)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def read_csv(path: Path, settings: IngestSettings) -> Iterator[RawArticle]:
    text = read_text_file(path, settings)
    columns = settings.csv
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    try:
        header = reader.fieldnames or []
        if columns.text not in header:
            raise InputError(
                str(path),
                f"no '{columns.text}' column (has: {', '.join(h for h in header if h) or 'none'}); "
                "set [ingest.csv] text to the column holding the article body",
            )
        for record, row in enumerate(reader):
            body = _cell(row, columns.text)
            if body is None:
                logger.warning("%s: row %d has no article text; skipped", path, record)
                continue
            title = _cell(row, columns.title)
            url = _cell(row, columns.url)
            if title and _URL.match(title):  # a URL pasted where the headline belongs
                url, title = url or title, None
            yield RawArticle(
                text=body,
                origin={"path": str(path), "record": record},
                title=title,
                publisher=_cell(row, columns.publisher),
                author=_cell(row, columns.author),
                published=_cell(row, columns.published),
                url=url,
            )
    except csv.Error as exc:
        raise InputError(str(path), f"malformed CSV at line {reader.line_num}: {exc}") from exc
