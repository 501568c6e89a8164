"""Publisher profiles: the data file, matching by domain and by name, overrides from config.toml,
owners, and the match ingest records with each article."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ingest.publishers import (
    BUNDLED,
    PUBLISHER_TYPES,
    UNLABELLED,
    ProfileOverride,
    PublisherDirectory,
    PublisherProfile,
    name_candidates,
    normalise_name,
    read_profiles,
)
from ingest.readers.files import expand, read_file
from ingest.settings import IngestSettings
from tests.conftest import CORPUS, IngestedCorpus
from vectorstore.errors import ConfigError
from vectorstore.keyword import FILENAME

ROWS = """
[[publisher]]
id = "harbour-herald"
name = "The Harbour Herald"
names = ["Harbour Herald Online", "港口先驱报"]
domains = ["harbourherald.example"]
type = "newspaper"
type_basis = "A daily newspaper."
country = "Westmoor"
country_basis = "Published in Port Ellis."
owner = "Quayside Media"
owner_basis = "Published by Quayside Media."

[[publisher]]
id = "quayside-media"
name = "Quayside Media"
domains = ["quayside.example"]
type = "newspaper"
type_basis = "A newspaper group."
country = "Westmoor"
country_basis = "Based in Port Ellis."
owner = "Ellis Holdings"
owner_basis = "Owned by Ellis Holdings."

[[publisher]]
id = "evening-lamp"
name = "Evening Lamp"
domains = ["lamp.example"]
type = "tabloid"
type_basis = "A tabloid."
country = "Westmoor"
country_basis = "Published in Port Ellis."
owner = "Ellis Holdings"
owner_basis = "Owned by Ellis Holdings."

[[publisher]]
id = "state-voice"
name = "State Voice"
names = ["国家之声"]
domains = ["statevoice.example"]
type = "state-affiliated media"
type_basis = "Run by the ministry of information."
country = "Eastland"
country_basis = "Published in the capital."
owner = "Ministry of Information of Eastland"
owner_basis = "A unit of the ministry."

[[publisher]]
id = "mega-portal"
name = "MegaPortal"
domains = ["megaportal.example"]
type = "aggregator"
type_basis = "Republishes other outlets' reports."
country = "Eastland"
country_basis = "Based in the capital."
owner = "MegaPortal Inc."
owner_basis = "Run by MegaPortal Inc."
"""


def new_profile(pid: str, name: str) -> ProfileOverride:
    """A config row adding a blog (every field given, as a new profile needs)."""
    return ProfileOverride(
        id=pid,
        name=name,
        type="blog",
        type_basis="A one-person blog about the harbour.",
        country="Westmoor",
        country_basis="Written in Port Ellis.",
        owner="Its author",
        owner_basis="Self-published.",
    )


@pytest.fixture
def profiles_file(tmp_path: Path) -> Path:
    path = tmp_path / "profiles.toml"
    path.write_text(ROWS, encoding="utf-8")
    return path


@pytest.fixture
def directory(profiles_file: Path) -> PublisherDirectory:
    return PublisherDirectory.load(path=profiles_file)


def matched(directory: PublisherDirectory, publisher: str | None, url: str | None = None) -> str | None:
    profile = directory.match(publisher, url)
    return profile.id if profile else None


@pytest.mark.unit
def test_domain_matches_first_including_subdomains(directory: PublisherDirectory) -> None:
    assert matched(directory, None, "https://www.harbourherald.example/2021/05/story") == "harbour-herald"
    assert matched(directory, None, "http://radio.lamp.example/x") == "evening-lamp"
    # the domain wins over what the publisher field says
    assert matched(directory, "State Voice", "https://harbourherald.example/a") == "harbour-herald"
    # a URL shortener's domain is unknown: the name decides
    assert matched(directory, "Harbour Herald Online", "http://sho.rt/abc") == "harbour-herald"
    # a domain that merely ends with the same letters is another site
    assert matched(directory, None, "https://notharbourherald.example/a") is None


@pytest.mark.unit
@pytest.mark.parametrize(
    "spelling",
    [
        *("The Harbour Herald", "harbour herald", "Harbour Herald ", "THE HARBOUR-HERALD"),
        *("Harbour Herald Online", "港口先驱报", "Harbour Herald (page 4)"),
    ],
)
def test_names_match_after_folding_case_the_and_punctuation(
    directory: PublisherDirectory, spelling: str
) -> None:
    assert matched(directory, spelling) == "harbour-herald"


@pytest.mark.unit
def test_a_story_carried_from_another_outlet_takes_that_outlets_profile(
    directory: PublisherDirectory,
) -> None:
    assert matched(directory, "MegaPortal (from 国家之声）") == "state-voice"
    assert matched(directory, "MegaPortal [via State Voice]") == "state-voice"
    # the portal itself when the outlet it names is unknown
    assert matched(directory, "MegaPortal (from Somewhere Weekly)") == "mega-portal"
    assert matched(directory, "Desk of the Editor, Harbour Herald") == "harbour-herald"
    assert name_candidates("A (from B), C")[:2] == ["b", "a from b c"]


@pytest.mark.unit
def test_unknown_publishers_are_never_guessed(directory: PublisherDirectory) -> None:
    for publisher in ("Harbour", "Herald", "The Harbour Herald Weekly Review", "", None):
        assert matched(directory, publisher) is None
    assert normalise_name("The Café’s Review & Co.") == "cafes review and co"


@pytest.mark.unit
def test_outlets_of_one_owner_share_an_owner_key(directory: PublisherDirectory) -> None:
    # Harbour Herald -> Quayside Media (a profile) -> Ellis Holdings; Evening Lamp -> Ellis Holdings
    assert directory.owner_key("harbour-herald") == directory.owner_key("evening-lamp")
    assert directory.owner_key("quayside-media") == directory.owner_key("evening-lamp")
    assert directory.owner_key("state-voice") != directory.owner_key("mega-portal")


@pytest.mark.unit
def test_config_rows_change_a_profile_or_add_one(profiles_file: Path) -> None:
    overrides = [
        ProfileOverride(
            id="evening-lamp", type="newspaper", type_basis="Moved to broadsheet format in 2024."
        ),
        new_profile("tide-times", "Tide Times").model_copy(update={"domains": ["tidetimes.example"]}),
    ]
    directory = PublisherDirectory.load(overrides, path=profiles_file)
    lamp = directory.get("evening-lamp")
    assert lamp is not None and lamp.type == "newspaper" and lamp.country == "Westmoor"
    assert matched(directory, None, "https://tidetimes.example/p/1") == "tide-times"
    assert directory.fingerprint() != PublisherDirectory.load(path=profiles_file).fingerprint()


COPYCAT = new_profile("copycat", "Evening Lamp")
BAD_OVERRIDES = [
    (ProfileOverride(id="evening-lamp", type="blog"), "row 1 (id 'evening-lamp'): a new 'type' needs its"),
    (ProfileOverride(id="new-one", name="New One"), "row 1 (id 'new-one'): no bundled publisher has this"),
    (COPYCAT, "share the name 'evening lamp'"),
]


@pytest.mark.unit
@pytest.mark.parametrize(("override", "message"), BAD_OVERRIDES)
def test_a_malformed_config_row_is_one_line_naming_it(
    profiles_file: Path, override: ProfileOverride, message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        PublisherDirectory.load([override], path=profiles_file)


BAD_ROWS = [
    (('type = "tabloid"', 'type = "television"'), "row 3 (id 'evening-lamp'): 'type': Input should be"),
    (('type_basis = "A tabloid."\n', ""), "row 3 (id 'evening-lamp'): 'type_basis' is required"),
    (('domains = ["lamp.example"]', 'domains = ["https://lamp.example/"]'), "is not a domain"),
    (('id = "evening-lamp"', 'id = "harbour-herald"'), "two publisher profiles have the id"),
    (('owner = "MegaPortal Inc."', 'owner = "MegaPortal Inc."\nrating = "good"'), "unknown field 'rating'"),
]


@pytest.mark.unit
@pytest.mark.parametrize(("edit", "message"), BAD_ROWS)
def test_a_malformed_data_row_is_one_line_naming_it(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    path = tmp_path / "bad.toml"
    assert edit[0] in ROWS
    path.write_text(ROWS.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        PublisherDirectory.load(path=path)
    assert "\n" not in str(caught.value)


# The field's major outlets: wires, state media of the US, UK, EU, China and Russia, broadsheets.
MAJOR_OUTLETS = (
    *("Reuters", "AP", "AFP", "Bloomberg", "Xinhua", "CGTN", "China Daily", "TASS", "RT", "Sputnik"),
    *("BBC", "Voice of America", "Deutsche Welle", "France 24", "Financial Times", "WSJ", "Le Monde"),
)


@pytest.mark.unit
def test_the_bundled_profiles_are_facts_with_their_basis() -> None:
    profiles = read_profiles(BUNDLED)
    directory = PublisherDirectory(profiles)
    assert len(profiles) >= 60
    assert {p.type for p in profiles} <= set(PUBLISHER_TYPES)
    for profile in profiles:
        for basis in (profile.type_basis, profile.country_basis, profile.owner_basis):
            assert len(basis.split()) >= 2, (profile.id, basis)
    for name in MAJOR_OUTLETS:
        assert directory.match(name) is not None, name
    assert isinstance(directory.get("global-times"), PublisherProfile)


@pytest.mark.unit
def test_every_publisher_of_the_shared_corpus_has_a_profile() -> None:
    directory = PublisherDirectory.load()
    settings = IngestSettings()
    seen: dict[str, str] = {}
    for path in expand([CORPUS]):
        assert isinstance(path, Path), path
        for raw in read_file(path, settings):
            if raw.publisher or raw.url:
                profile = directory.match(raw.publisher, raw.url)
                assert profile is not None, (raw.publisher, raw.url)
                seen[raw.publisher or raw.url or ""] = profile.type
    assert len(seen) >= 10
    assert seen["Global Times"] == "state-affiliated media" and seen["Reuters"] == "wire service"


@pytest.mark.integration
def test_ingest_records_the_match_in_the_catalog_and_every_chunk(ingested_corpus: IngestedCorpus) -> None:
    db = sqlite3.connect(ingested_corpus.store_path / FILENAME)
    try:
        rows = db.execute("SELECT publisher, publisher_id, publisher_type FROM articles").fetchall()
        chunks = [json.loads(m) for (m,) in db.execute("SELECT metadata FROM chunks")]
    finally:
        db.close()
    assert rows and all(t in (*PUBLISHER_TYPES, UNLABELLED) for _, _, t in rows)
    assert all(pid for publisher, pid, _ in rows if publisher), rows
    by_publisher = {publisher: (pid, kind) for publisher, pid, kind in rows}
    assert by_publisher["Daily Mail"] == ("daily-mail", "tabloid")
    assert all(c.get("publisher_type") and c.get("publisher_id") for c in chunks)


@pytest.mark.integration
def test_a_new_profile_is_recorded_by_the_next_ingest_without_embedding_again(
    tmp_path: Path, embedder: Any
) -> None:
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings, PublishersSettings
    from vectorstore.settings import VectorStoreSettings
    from vectorstore.store import build_store

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ferry.md").write_text(
        "Title: Ferry timetable cut\nPublisher: Tide Times\nDate: 2024-03-01\n\n"
        "The harbour ferry will run once a day from April, the operator said on Friday.\n",
        encoding="utf-8",
    )
    (folder / "bridge.md").write_text(
        "Title: Bridge vote passes\nPublisher: The Guardian\n\n"
        "Councillors approved the harbour bridge after a long debate about the shipping lane.\n",
        encoding="utf-8",
    )
    settings = IngestAppSettings(vectorstore=VectorStoreSettings(path=tmp_path / "store"))
    tide = new_profile("tide-times", "Tide Times")
    with_tide = settings.model_copy(update={"publishers": PublishersSettings(profiles=[tide])})
    store = build_store(settings.vectorstore)
    try:
        first = run_ingest([folder], settings, store=store, embedder=embedder)
        kinds = {a.publisher: (a.publisher_id, a.publisher_type) for a in store.list_articles()}
        assert kinds == {"Tide Times": (None, UNLABELLED), "The Guardian": ("the-guardian", "newspaper")}
        second = run_ingest([folder], with_tide, store=store, embedder=embedder)
        kinds = {a.publisher: (a.publisher_id, a.publisher_type) for a in store.list_articles()}
        chunk_types = {str(c.metadata.get("publisher_type")) for c in store.get()}
    finally:
        store.close()
    assert len(first.added) == 2
    assert len(second.metadata_updated) == 1 and second.chunks_embedded == 0 and not second.added
    assert kinds["Tide Times"] == ("tide-times", "blog") and chunk_types == {"blog", "newspaper"}
