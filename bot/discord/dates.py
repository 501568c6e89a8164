"""`since` and `until` parameters: an ISO date or plain English ("2024-05-01", "last month", "3 weeks
ago"); a timeline's bounds also a year or a month ("2020", "2020-07")."""

from __future__ import annotations

import re
from datetime import date

import dateparser

from bot.cli_input import parse_day

_PERIOD = re.compile(r"\d{4}(?:-\d{2})?")


def parse_bound(text: str, *, end: bool = False) -> date:
    """A span's bound: a year or a month (2020, 2020-07) means its first day, or its last with
    ``end``; anything else as ``parse_since``."""
    text = text.strip()
    day = parse_day(text, end=end) if _PERIOD.fullmatch(text) else None
    return day if day is not None else parse_since(text)


def parse_since(text: str) -> date:
    """The date `text` names; ValueError with a one-line message when it names none."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parsed = dateparser.parse(
        text, languages=["en"], settings={"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    )
    if parsed is None:
        raise ValueError(f"'{text}' is not a date I understand; try 2024-05-01 or 'last month'")
    return parsed.date()
