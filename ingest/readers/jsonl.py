"""JSON Lines files (one object per line) and JSON files (an object or a list of objects)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.errors import InputError
from ingest.models import RawArticle
from ingest.readers.file_bytes import read_text_file
from ingest.settings import IngestSettings

logger = logging.getLogger(__name__)

_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "article"),
    "url": ("url", "link"),
    "publisher": ("source", "publisher", "site"),
    "author": ("author", "authors", "byline"),
    "published": ("published", "date", "published_at", "pubdate"),
}


def _field(obj: dict[str, Any], name: str) -> str | None:
    for key in _FIELDS[name]:
        value = obj.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if isinstance(value, dict):  # e.g. {"name": "Reuters"}
            value = value.get("name")
        if value not in (None, ""):
            return str(value).strip() or None
    return None


def _article(obj: object, path: Path, record: int) -> RawArticle | None:
    if not isinstance(obj, dict):
        logger.warning("%s: record %d is not an object; skipped", path, record)
        return None
    text = _field(obj, "text")
    if not text:
        logger.warning("%s: record %d has no text/body/content; skipped", path, record)
        return None
    return RawArticle(
        text=text,
        origin={"path": str(path), "record": record},
        title=_field(obj, "title"),
        publisher=_field(obj, "publisher"),
        author=_field(obj, "author"),
        published=_field(obj, "published"),
        url=_field(obj, "url"),
    )


def read_json(path: Path, settings: IngestSettings) -> Iterator[RawArticle]:
    text = read_text_file(path, settings)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"malformed JSON at line {exc.lineno}: {exc.msg}") from exc
        except RecursionError as exc:  # e.g. "[[[[..." thousands deep: hostile, not an article list
            raise InputError(str(path), "malformed JSON: nested too deeply") from exc
        items = data if isinstance(data, list) else [data]
    else:
        items = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"malformed JSON Lines at line {lineno}: {exc.msg}") from exc
            except RecursionError as exc:
                reason = f"malformed JSON Lines at line {lineno}: nested too deeply"
                raise InputError(str(path), reason) from exc
    for record, obj in enumerate(items):
        article = _article(obj, path, record)
        if article is not None:
            yield article
