"""Publisher labels as readers see them: "Global Times — state-affiliated media (China)".

Ingest recorded each article's publisher profile (``publisher_id``) and its type; the label adds
the profile's country, and the name shown is the profile's ("NYT" reads "The New York Times")
unless the article's own publisher field says more ("Portal (from Outlet)"). An article no
profile matched is "unlabelled": nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.publishers import UNLABELLED, PublisherDirectory, PublisherProfile
from vectorstore.records import ArticleRecord

# What a type's group is called in an answer that groups its evidence ("Newspapers (UK): …").
PLURALS = {
    "state-affiliated media": "State-affiliated media",
    "public broadcaster": "Public broadcasters",
    "commercial broadcaster": "Commercial broadcasters",
    "wire service": "Wire services",
    "newspaper": "Newspapers",
    "tabloid": "Tabloids",
    "magazine": "Magazines",
    "government": "Governments",
    "think tank": "Think tanks",
    "aggregator": "Aggregators",
    "blog": "Blogs",
}
UNLABELLED_GROUP = "Unlabelled sources"
UNDATED = "undated"
_QUALIFIED = re.compile(r"[(\[（【]")


@dataclass(frozen=True, slots=True)
class PublisherLabel:
    """Who published a source, as shown beside it."""

    name: str | None  # the name shown (None: the source names no publisher)
    profile: PublisherProfile | None = None  # None: unlabelled

    @property
    def type(self) -> str | None:
        return self.profile.type if self.profile else None

    @property
    def country(self) -> str | None:
        return self.profile.country if self.profile else None

    @property
    def text(self) -> str:
        """ "state-affiliated media (China)", or "unlabelled"."""
        if self.profile is None:
            return UNLABELLED
        return f"{self.profile.type} ({self.profile.country})"

    @property
    def shown(self) -> str:
        """ "Global Times — state-affiliated media (China)"; "unlabelled" alone when unnamed."""
        return named(self.name, self.text)

    @property
    def basis(self) -> str:
        """The facts the label rests on, for a reader who asks why."""
        if self.profile is None:
            return "No publisher profile matches this source; nothing is guessed."
        p = self.profile
        return f"{p.type_basis} {p.owner_basis} {p.country_basis}"


class Labeller:
    """Labels from the profiles ingest matched; built once (with the directory) and passed in."""

    def __init__(self, directory: PublisherDirectory) -> None:
        self.directory = directory

    def label(
        self, publisher: str | None, publisher_id: str | None, publisher_type: str | None
    ) -> PublisherLabel:
        """The label of a source whose publisher field, recorded profile and type are these.

        The type shown is the one ingest recorded, so a label always agrees with the type filters
        (which read the recorded type); a profile changed since is shown after a re-ingest.
        """
        named = " ".join(publisher.split()) if publisher else None
        profile = self.directory.get(publisher_id)
        if profile is None or publisher_type in (None, UNLABELLED):
            return PublisherLabel(named)
        if publisher_type != profile.type:
            profile = profile.model_copy(update={"type": publisher_type})
        shown = named if named and _QUALIFIED.search(named) else profile.name
        return PublisherLabel(shown, profile)

    def of_metadata(self, meta: Mapping[str, object]) -> PublisherLabel:
        return self.label(
            _text(meta, "publisher"), _text(meta, "publisher_id"), _text(meta, "publisher_type")
        )

    def of_article(self, article: ArticleRecord) -> PublisherLabel:
        return self.label(article.publisher, article.publisher_id, article.publisher_type)

    def owner(self, publisher_id: str | None) -> str | None:
        """Who ultimately owns the profile's publisher (shared by outlets of one owner)."""
        profile = self.directory.get(publisher_id)
        return self.directory.owner_key(profile.id) if profile else None


def _text(meta: Mapping[str, object], key: str) -> str | None:
    value = meta.get(key)
    return str(value) if value not in (None, "") else None


def dated(published: str | None) -> str:
    """The date as shown: the ISO date, or "undated" (never a guess, never today's date)."""
    return published or UNDATED


def named(publisher: str | None, label: str) -> str:
    """A publisher with its label: "Global Times — state-affiliated media (China)"."""
    return f"{publisher} — {label}" if publisher else label
