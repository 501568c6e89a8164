"""Publisher profiles: what kind of outlet published an article, where, and who owns it.

The profiles are data (``ingest/publishers.toml``, extended or corrected by ``[[publishers.profiles]]``
rows in config.toml); every label in them carries the basis it rests on. An article is matched to
a profile by its URL's domain first, then by its publisher's name with case, accents, a leading
"The" and punctuation folded; ingest records the match (``Article.publisher_id`` and
``publisher_type``) so that answering reads it instead of matching again. An article that
matches no profile is "unlabelled": nothing is guessed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.models import Article
from vectorstore.errors import ConfigError

logger = logging.getLogger(__name__)

BUNDLED = Path(__file__).with_name("publishers.toml")

PublisherType = Literal[
    "state-affiliated media",
    "public broadcaster",
    "commercial broadcaster",
    "wire service",
    "newspaper",
    "tabloid",
    "magazine",
    "government",
    "think tank",
    "aggregator",
    "blog",
]
PUBLISHER_TYPES: tuple[str, ...] = get_args(PublisherType)
# Recorded for an article no profile matches, so that a filter leaving a type out keeps it.
UNLABELLED = "unlabelled"
STATE_AFFILIATED = "state-affiliated media"

_ID = r"^[a-z0-9][a-z0-9-]*$"
_REQUIRED = ("name", "type", "type_basis", "country", "country_basis", "owner", "owner_basis")
# Each label and the field holding the basis it rests on: a row may not change one without the other.
_BASIS = {"type": "type_basis", "country": "country_basis", "owner": "owner_basis"}
# "Portal (from Outlet)", "Portal [via Outlet]": a story one outlet carries from another.
_CARRIED_FROM = re.compile(r"[(\[（【]\s*(?:from|via|source:?)\s+([^)\]）】]+?)\s*[)\]）】]", re.I)
_BRACKETED = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]?")


class PublisherProfile(BaseModel):
    """One publisher: its labels (type, country, owner), each with the basis it rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    names: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    type: PublisherType
    type_basis: str = Field(min_length=1)
    country: str = Field(min_length=1)
    country_basis: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    owner_basis: str = Field(min_length=1)


class ProfileOverride(BaseModel):
    """A ``[[publishers.profiles]]`` row of config.toml: a new publisher (every field given) or the
    fields to change of a bundled one (by its ``id``)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    id: str = Field(pattern=_ID, description="the profile to add, or the bundled profile to change")
    name: str | None = None
    names: list[str] | None = None
    domains: list[str] | None = None
    type: PublisherType | None = None
    type_basis: str | None = None
    country: str | None = None
    country_basis: str | None = None
    owner: str | None = None
    owner_basis: str | None = None


def normalise_name(name: str) -> str:
    """What two spellings of one outlet's name share: "The Guardian ", "guardian" → "guardian"."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = re.sub(r"['’`]", "", text).replace("&", " and ")
    text = " ".join(re.sub(r"[^\w]+", " ", text).split())
    return text.removeprefix("the ")


def name_candidates(publisher: str) -> list[str]:
    """The names a publisher field may be matched by, most telling first: the outlet a story is
    carried from ("Portal (from Outlet)": Outlet speaks), the whole field, the field without its
    brackets, then each comma-separated part ("Cabinet Office, UK Government")."""
    found = [m.group(1) for m in _CARRIED_FROM.finditer(publisher)]
    bare = _BRACKETED.sub(" ", publisher)
    found += [publisher, bare, *bare.split(",")]
    keys = [normalise_name(n) for n in found]
    return [k for k in dict.fromkeys(keys) if k]


def normalise_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".").removeprefix("www.")


def url_host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return normalise_domain(host) if host else None


class PublisherDirectory:
    """The profiles, indexed by id, domain and normalised name; built once and passed in."""

    def __init__(self, profiles: Sequence[PublisherProfile], source: str = "publisher profiles") -> None:
        self._by_id: dict[str, PublisherProfile] = {}
        self._by_domain: dict[str, PublisherProfile] = {}
        self._by_name: dict[str, PublisherProfile] = {}
        for profile in profiles:
            if profile.id in self._by_id:
                raise ConfigError(f"{source}: two publisher profiles have the id {profile.id!r}")
            self._by_id[profile.id] = profile
            for domain in profile.domains:
                key = normalise_domain(domain)
                if not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", key):
                    raise ConfigError(f"{source}: publisher {profile.id!r}: {domain!r} is not a domain")
                _claim(self._by_domain, key, profile, "domain", source)
            for name in dict.fromkeys(normalise_name(n) for n in (profile.name, *profile.names)):
                if name:
                    _claim(self._by_name, name, profile, "name", source)

    @classmethod
    def load(cls, overrides: Sequence[ProfileOverride] = (), path: Path = BUNDLED) -> PublisherDirectory:
        """The profiles of the data file with config.toml's rows applied; ConfigError naming the
        row for a malformed one."""
        profiles: dict[str, PublisherProfile] = {}
        for profile in read_profiles(path):
            if profile.id in profiles:
                raise ConfigError(f"{path.name}: two publisher profiles have the id {profile.id!r}")
            profiles[profile.id] = profile
        for row, override in enumerate(overrides, start=1):
            where = f"config.toml [[publishers.profiles]] row {row} (id {override.id!r})"
            profiles[override.id] = _overridden(profiles.get(override.id), override, where)
        return cls(list(profiles.values()), source=f"{path.name} with config.toml")

    def get(self, profile_id: str | None) -> PublisherProfile | None:
        return self._by_id.get(profile_id) if profile_id else None

    def match(self, publisher: str | None, url: str | None = None) -> PublisherProfile | None:
        """The profile of the outlet at ``url``'s domain (or a parent domain), else the one named
        ``publisher``; None when neither is known."""
        host = url_host(url)
        if host:
            labels = host.split(".")
            for i in range(len(labels) - 1):
                found = self._by_domain.get(".".join(labels[i:]))
                if found is not None:
                    return found
        for key in name_candidates(publisher or ""):
            found = self._by_name.get(key)
            if found is not None:
                return found
        return None

    def owner_key(self, profile_id: str) -> str:
        """Who ultimately owns the publisher: the owner's own owner while the owner is itself a
        profile (Huanqiu → Global Times → People's Daily → its owner), so outlets of one owner
        share a key."""
        profile = self._by_id.get(profile_id)
        if profile is None:
            return f"id:{profile_id}"
        seen = {profile.id}
        while True:
            owner = self._by_name.get(normalise_name(profile.owner))
            if owner is None:
                return f"owner:{normalise_name(profile.owner)}"
            if owner.id in seen:  # owns itself (or the chain comes back)
                return f"profile:{owner.id}"
            seen.add(owner.id)
            profile = owner

    def fingerprint(self) -> str:
        """Changes when what ingest records would (a profile's names, domains or type)."""
        rows = sorted(
            (p.id, p.type, sorted(p.names), sorted(p.domains), p.name) for p in self._by_id.values()
        )
        return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:16]


def _claim(
    index: dict[str, PublisherProfile], key: str, profile: PublisherProfile, what: str, source: str
) -> None:
    other = index.get(key)
    if other is not None and other.id != profile.id:
        raise ConfigError(
            f"{source}: publishers {other.id!r} and {profile.id!r} share the {what} {key!r}; "
            "a match must not depend on which is read first"
        )
    index[key] = profile


def read_profiles(path: Path = BUNDLED) -> list[PublisherProfile]:
    """The ``[[publisher]]`` rows of a profile file; ConfigError naming the row for a bad one."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: publisher profiles cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    rows = data.get("publisher", [])
    if not isinstance(rows, list):
        raise ConfigError(f"{path}: expected [[publisher]] tables")
    out = []
    for i, row in enumerate(rows, start=1):
        where = f"{path.name} [[publisher]] row {i}"
        if isinstance(row, Mapping) and isinstance(row.get("id"), str):
            where += f" (id {row['id']!r})"
        out.append(_validated(row, where))
    return out


def _validated(row: Any, where: str) -> PublisherProfile:
    try:
        return PublisherProfile.model_validate(row)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "row"
        if err["type"] == "missing":
            raise ConfigError(f"{where}: '{field}' is required") from exc
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"{where}: unknown field '{field}'") from exc
        raise ConfigError(f"{where}: '{field}': {err['msg']}") from exc


def _overridden(base: PublisherProfile | None, override: ProfileOverride, where: str) -> PublisherProfile:
    given = override.model_dump(exclude_none=True)
    if base is None:
        missing = [f for f in _REQUIRED if f not in given]
        if missing:
            raise ConfigError(
                f"{where}: no bundled publisher has this id, so it needs {', '.join(_REQUIRED)} "
                f"(missing: {', '.join(missing)})"
            )
        return _validated(given, where)
    for label, basis in _BASIS.items():
        if label in given and basis not in given:
            raise ConfigError(f"{where}: a new '{label}' needs its '{basis}' (the fact it rests on)")
    return _validated({**base.model_dump(), **given}, where)


def recorded(article: Article, directory: PublisherDirectory) -> Article:
    """The article with its publisher's match recorded (``publisher_type`` "unlabelled" if none)."""
    profile = directory.match(article.publisher, article.url)
    if profile is None:
        return replace(article, publisher_id=None, publisher_type=UNLABELLED)
    return replace(article, publisher_id=profile.id, publisher_type=profile.type)
