"""Polling a followed feed against a loopback feed host, with the real model and store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.errors import BadStatus, FetchTimeout, NotAFeed, RefusedURL
from ingest.feed_poll import Poll, Validators, check_feed, entry_key, poll_feed
from ingest.pipeline import ingest_articles
from ingest.readers.feed import articles_from_feed
from ingest.settings import IngestAppSettings, IngestSettings
from tests.feed_server import GRANARY, GRANARY_COPY, LANTERN, VELDORIA, FeedServer
from tests.ingest.conftest import Net
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import Store, build_store

pytestmark = pytest.mark.integration


def _settings(tmp_path: Path, **ingest: Any) -> IngestAppSettings:
    return IngestAppSettings(
        vectorstore=VectorStoreSettings(path=tmp_path / "store"),
        ingest=IngestSettings.model_validate(
            {"allow_private_urls": True, "fetch_timeout": 1.0, "fetch_deadline": 3.0, "processes": 1} | ingest
        ),
    )


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    with FeedServer([VELDORIA, GRANARY, GRANARY_COPY]) as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = build_store(VectorStoreSettings(path=tmp_path / "store"))
    yield store
    store.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def test_a_poll_ingests_new_entries_then_a_304_costs_nothing(
    feed: FeedServer, store: Store, embedder: Any, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    seen: set[str] = set()
    first = _poll(feed, settings, store, embedder, Validators(), seen.__contains__, _now())
    assert first.changed and first.title == "Tidewater Wire"
    assert first.validators == Validators('"v1"', "Mon, 01 Apr 2024 00:00:00 GMT")
    assert len(first.seen) == 3
    # the syndicated copy merged into its original: two articles, three entries, two publishers
    assert store.stats()["articles"] == 2
    by_article: dict[str, list[str | None]] = {}
    for item in first.items:
        by_article.setdefault(item.article_id, []).append(item.publisher)
    assert sorted(sorted(p or "" for p in v) for v in by_article.values()) == [
        ["Coastline Daily", "Tidewater Wire"],
        ["Tidewater Wire"],
    ]
    veldoria = next(i for i in first.items if i.title == VELDORIA.title)
    assert veldoria.published == "2024-04-09" and veldoria.url == f"{feed.base}/articles/{VELDORIA.slug}.html"
    seen.update(first.seen)

    chunks = store.count()
    again = _poll(feed, settings, store, embedder, first.validators, seen.__contains__, _now())
    assert not again.changed and again.items == [] and again.validators == first.validators
    assert feed.feed_requests()[-1]["If-None-Match"] == '"v1"'
    assert feed.feed_requests()[-1]["If-Modified-Since"] == "Mon, 01 Apr 2024 00:00:00 GMT"
    assert store.count() == chunks

    feed.publish(LANTERN)
    third = _poll(feed, settings, store, embedder, first.validators, seen.__contains__, _now())
    assert third.changed and third.validators.etag == '"v2"'
    assert [i.title for i in third.items] == [LANTERN.title] and len(third.seen) == 1
    assert store.stats()["articles"] == 3


def test_an_interrupted_poll_still_reports_what_it_stored(
    store: Store, embedder: Any, tmp_path: Path
) -> None:
    """A poll killed after some articles were committed: its rerun finds them stored already,
    and they are still new to the digest (stored after the poll began); an article stored
    before the poll began is not."""
    settings = _settings(tmp_path)
    with FeedServer([LANTERN]) as early:
        ingest_articles(_raws(early), settings, store=store, embedder=embedder)
    started = _now()
    with FeedServer([VELDORIA, LANTERN]) as feed:
        ingest_articles(_raws(feed)[:1], settings, store=store, embedder=embedder)  # the killed attempt
        rerun = _poll(feed, settings, store, embedder, Validators(), lambda key: False, started)
    assert [i.title for i in rerun.items] == [VELDORIA.title]
    assert store.stats()["articles"] == 2


def _poll(
    feed: FeedServer,
    settings: IngestAppSettings,
    store: Store,
    embedder: Any,
    validators: Validators,
    seen: Callable[[str], bool],
    started_at: str,
) -> Poll:
    return poll_feed(
        feed.feed_url,
        validators=validators,
        seen=seen,
        started_at=started_at,
        settings=settings,
        store=store,
        embedder=embedder,
    )


def _raws(feed: FeedServer) -> list[Any]:
    import httpx

    from ingest.fetch import Fetcher

    body = httpx.get(feed.feed_url).content
    with Fetcher(_settings(Path("unused")).ingest) as fetcher:
        return list(articles_from_feed(body, feed.feed_url, lambda i, link: {"url": link or ""}, fetcher))


def test_failures_name_the_reason_and_change_nothing(
    feed: FeedServer, store: Store, embedder: Any, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)

    def poll() -> None:
        _poll(feed, settings, store, embedder, Validators(), lambda key: False, _now())

    feed.mode = "error"
    with pytest.raises(BadStatus, match=r"feed\.xml: HTTP 500"):
        poll()
    feed.mode = "html"
    with pytest.raises(NotAFeed, match="not an RSS or Atom feed: the address returns an HTML page"):
        poll()
    feed.mode, feed.hang_seconds = "hang", 2.0
    with pytest.raises(FetchTimeout, match="timed out"):
        poll()
    assert store.stats()["articles"] == 0


def test_check_feed_reads_a_feed_and_refuses_what_is_not_one(feed: FeedServer, tmp_path: Path) -> None:
    settings = _settings(tmp_path).ingest
    info = check_feed(feed.feed_url, settings)
    assert (info.title, info.entries) == ("Tidewater Wire", 3)
    with pytest.raises(NotAFeed, match="HTML page"):
        check_feed(f"{feed.base}/articles/{VELDORIA.slug}.html", settings)
    with pytest.raises(BadStatus, match="404"):
        check_feed(f"{feed.base}/nothing.xml", settings)


def test_private_and_metadata_addresses_are_refused_before_connecting(net: Net) -> None:
    settings = IngestSettings(fetch_timeout=1.0)
    for url, reason in (
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata address"),
        ("http://10.0.0.5/feed.xml", "private address 10.0.0.5 (allow_private_urls is off)"),
        ("http://127.0.0.1:9/feed.xml", "loopback address 127.0.0.1"),
    ):
        with pytest.raises(RefusedURL, match=reason.replace("(", r"\(").replace(")", r"\)")):
            check_feed(url, settings)
    assert net.blocked == []


def test_entry_keys_are_the_origin_of_each_entry() -> None:
    assert entry_key({"url": "https://a.example/x"}) == '{"url": "https://a.example/x"}'
    assert entry_key({"url": "https://a.example/feed", "record": 2}) != entry_key(
        {"url": "https://a.example/feed"}
    )
