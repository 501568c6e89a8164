"""Errors of the ingest package."""

from __future__ import annotations


class IngestError(Exception):
    """Base of every ingest error."""


class InputError(IngestError):
    """One input (file, record or URL) cannot be ingested; the run goes on with the others.

    ``str()`` is the one line shown to the user: the input, then the reason.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
