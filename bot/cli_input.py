"""What the `geobot` CLI reads besides its settings: dates and publisher types given as options,
and files of questions to answer in one run."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.evaluation import read_question_list
from ingest.publishers import PUBLISHER_TYPES, UNLABELLED

_TYPES = {kind.replace("-", " "): kind for kind in (*PUBLISHER_TYPES, UNLABELLED)}
_EXCLUDING = ("-", "!", "not ", "no ")


def parse_day(value: str | None, *, end: bool = False) -> date | None:
    """YYYY-MM-DD, YYYY-MM or YYYY; a month or year means its first day (its last with ``end``)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 4:
            year = int(text)
            return date(year, 12, 31) if end else date(year, 1, 1)
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:])
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD (or YYYY-MM, YYYY)") from None


def parse_publisher_types(values: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(types to keep only, types to leave out) from ``--publisher-type`` values: a type of
    ingest/publishers.toml or "unlabelled", in any case, with hyphens or spaces; a leading "-",
    "!", "not " or "no " leaves it out ("not state-affiliated media")."""
    only: list[str] = []
    leave_out: list[str] = []
    for value in values:
        text = " ".join(value.strip().lower().replace("_", " ").split())
        prefix = next((p for p in _EXCLUDING if text.startswith(p)), "")
        kind = _TYPES.get(text[len(prefix) :].strip().replace("-", " "))
        if kind is None:
            known = ", ".join(_TYPES.values())
            raise ValueError(f"--publisher-type {value!r} is not a publisher type: use one of {known}")
        (leave_out if prefix else only).append(kind)
    return tuple(dict.fromkeys(only)), tuple(dict.fromkeys(leave_out))


_SPAN = re.compile(r"^(\d+)\s*([mhdw])$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(value: str, now: datetime | None = None) -> datetime:
    """A span back from now (30m, 12h, 1d, 2w) or a day (YYYY-MM-DD): the UTC moment it names."""
    text = value.strip().lower()
    span = _SPAN.match(text)
    if span:
        return (now or datetime.now(UTC)) - timedelta(**{_UNIT[span[2]]: int(span[1])})
    day = parse_day(value) if re.fullmatch(r"\d{4}(-\d{2}){0,2}", text) else None
    if day is None:
        raise ValueError(f"{value!r} is not a time: use 30m, 12h, 1d, 2w or YYYY-MM-DD")
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BatchItem:
    id: str | int
    question: str


def load_batch(path: Path) -> list[BatchItem]:
    """A JSON list of objects with ``id`` and ``question`` (other fields ignored)."""
    items = []
    for i, item in enumerate(read_question_list(path, "{id, question} objects")):
        raw_id = item.get("id", i)
        items.append(BatchItem(raw_id if isinstance(raw_id, str | int) else str(raw_id), item["question"]))
    return items
