"""The publisher-type options of /ask and /search: keep only one type of publisher, or leave it out."""

from __future__ import annotations

from discord import app_commands

from ingest.publishers import PUBLISHER_TYPES, UNLABELLED

# One choice per type of ingest/publishers.toml, and "unlabelled" (sources no profile matches):
# 12 of the 25 choices Discord allows.
CHOICES = [app_commands.Choice(name=kind, value=kind) for kind in (*PUBLISHER_TYPES, UNLABELLED)]
DESCRIPTIONS = {
    "publisher_type": "Only sources of this publisher type (or, with exclude_type, none of them)",
    "exclude_type": "Leave that publisher type out instead, e.g. exclude state-affiliated media",
}


def type_filter(
    choice: app_commands.Choice[str] | None, exclude: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(types to keep only, types to leave out) for the options as given."""
    if choice is None:
        return (), ()
    return ((), (choice.value,)) if exclude else ((choice.value,), ())
