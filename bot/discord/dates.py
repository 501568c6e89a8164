"""`since` parameters: an ISO date or plain English ("2024-05-01", "last month", "3 weeks ago")."""

from __future__ import annotations

from datetime import date

import dateparser


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
