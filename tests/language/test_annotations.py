"""Sentence notes survive storage, and stale ones are made again."""

from __future__ import annotations

import json

import pytest

from language.annotations import METADATA_KEY, VERSION, annotate, decode, encode, notes_for
from language.sentences import Flag

pytestmark = pytest.mark.unit

TEXT = (
    "WESTMOOR (Island Wire) - Harbour Minister Ann Lee approved the £40m pier on Monday.\n\n"
    "Read more: the pier in pictures\n\nShe said it would open in 2031."
)


def test_notes_round_trip_through_metadata() -> None:
    notes = annotate(TEXT, "Pier approved")
    back = decode(TEXT, encode(notes))
    assert back == notes
    assert notes[0].text.startswith("Harbour Minister Ann Lee")
    assert Flag.PROMPT in notes[1].flags and not notes[0].flags
    assert {e.text for e in notes[0].expressions} >= {"Ann Lee", "£40m", "Monday"}


def test_notes_of_another_version_are_made_again() -> None:
    stale = json.dumps({"v": VERSION + 1, "s": []})
    assert decode(TEXT, stale) is None
    notes = notes_for(TEXT, {METADATA_KEY: stale, "title": "Pier approved"})
    assert len(notes) == 3
    assert notes_for(TEXT, {"title": "Pier approved"}) == notes
