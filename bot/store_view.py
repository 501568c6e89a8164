"""How the store's figures are shown on a terminal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

LABELS = {
    "articles": "articles",
    "chunks": "chunks",
    "publishers": "publishers",
    "earliest": "earliest published",
    "latest": "latest published",
    "last_ingest": "last ingest",
}


def stats_table(stats: Mapping[str, Any]) -> Table:
    """A two-column table of ``Store.stats()``; unknown values show as '-'."""
    table = Table(title="geotech-bot store", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")
    for key, label in LABELS.items():
        value = stats.get(key)
        table.add_row(label, "-" if value is None else str(value))
    return table
