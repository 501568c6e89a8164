"""Followed feeds: who follows what, when each is polled next, what its polls remember, digests.

Every feed belongs to one library (a Discord server's, or the base library's when followed from
the command line) and is polled into it through the normal ingest (``ingest.feed_poll``). What
is scheduled is stored — the next poll time, the validators of the conditional GET, the entries
seen, an unfinished poll's start, the digests not yet posted — so a restart resumes it.

Waits: ``[feeds] poll_minutes`` between polls; after errors in a row it doubles per error up to
``max_backoff_hours``; each wait is moved at random by up to ``jitter`` of itself, so feeds
followed at the same time spread out.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from bot.digest import DigestItem, DigestLine, digest_lines
from bot.errors import FeedError
from bot.records import Records
from bot.settings import FeedSettings, Settings

if TYPE_CHECKING:
    from ingest.feed_poll import Poll
    from ingest.publishers import PublisherDirectory
    from vectorstore.embeddings import Embedder
    from vectorstore.libraries import Libraries

logger = logging.getLogger(__name__)

BASE = 0  # the server id under which feeds of the base library are kept


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    server_id: int | None  # None: the base library
    url: str
    channel_id: int | None
    title: str | None
    etag: str | None
    last_modified: str | None
    next_poll_at: float
    poll_started_at: str | None
    last_poll_at: str | None
    last_new_at: str | None
    failures: int
    failing_since: str | None
    last_error: str | None

    @property
    def name(self) -> str:
        return self.title or self.url


_FEED_COLUMNS = (
    "id, server_id, url, channel_id, title, etag, last_modified, next_poll_at, poll_started_at, "
    "last_poll_at, last_new_at, failures, failing_since, last_error"
)


def _feed(row: tuple[Any, ...]) -> Feed:
    values = list(row)
    values[1] = None if values[1] == BASE else values[1]
    return Feed(*values)


@dataclass(frozen=True, slots=True)
class Digest:
    id: int
    feed: Feed
    created_at: str
    lines: list[DigestLine]


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed: Feed  # as it is after the poll
    changed: bool = False
    digest: Digest | None = None
    error: str | None = None


def duration(seconds: float) -> str:
    """'under a minute', '12 min', '3 h', '2 days'."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def _age(stamp: str, now: float) -> str:
    return duration(now - datetime.fromisoformat(stamp).timestamp())


def status_line(feed: Feed, now: float) -> str:
    """How a feed is doing, in one line: why it fails and when it is tried again, or when it
    was polled and last brought something new."""
    upcoming = duration(feed.next_poll_at - now)
    if feed.failures:
        errors = "error" if feed.failures == 1 else "errors in a row"
        since = feed.failing_since or ""
        return (
            f"failing for {_age(since, now)} ({feed.failures} {errors}): {feed.last_error}; "
            f"next try in {upcoming}"
        )
    if feed.last_poll_at is None:
        return f"not polled yet; first poll in {upcoming}"
    new = f"last new article {_age(feed.last_new_at, now)} ago" if feed.last_new_at else "nothing new yet"
    return f"polled {_age(feed.last_poll_at, now)} ago; {new}; next poll in {upcoming}"


def normalize_url(url: str) -> str:
    """The feed's address as one follow is known by: scheme and host lower-cased, no default
    port, no fragment; FeedError when it is not an http(s) address."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise FeedError("Give the http:// or https:// address of an RSS or Atom feed.")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    try:
        port = parts.port
    except ValueError:
        raise FeedError(f"{url.strip()} has a port that is not a number.") from None
    netloc = host if port in (None, default) else f"{host}:{port}"
    if parts.username or parts.password:
        raise FeedError("A feed address with a user name or password cannot be followed.")
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


class FeedRegistry:
    """The ``feeds``, ``feed_entries``, ``digests`` and ``digest_items`` tables."""

    def __init__(
        self,
        records: Records,
        settings: FeedSettings,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.records = records
        self.settings = settings
        self.clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - spreads polls out, nothing secret

    def stamp(self) -> str:
        """Now, by this registry's clock, as the ISO time the records keep."""
        return datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="seconds")

    def wait_seconds(self, failures: int) -> float:
        interval = self.settings.poll_minutes * 60.0
        wait = interval
        if failures:
            wait = max(interval, min(interval * 2**failures, self.settings.max_backoff_hours * 3600))
        return wait * (1 + self._rng.uniform(-self.settings.jitter, self.settings.jitter))

    # -- following ---------------------------------------------------------------------------

    def find_url(self, server: int | None, url: str) -> Feed | None:
        with self.records.reading() as db:
            row = db.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds WHERE server_id = ? AND url = ?",  # noqa: S608
                (server or BASE, url),
            ).fetchone()
        return _feed(row) if row else None

    def check_room(self, server: int | None) -> None:
        """FeedError when ``server`` follows as many feeds as it may."""
        if len(self.following(server)) >= self.settings.max_per_server:
            raise FeedError(
                f"This server already follows {self.settings.max_per_server} feeds, the most it may; "
                "remove one first (/feeds remove)."
            )

    def add(self, server: int | None, url: str, channel_id: int | None, title: str | None) -> Feed:
        """Follow ``url`` (normalised already); FeedError if it is followed already or no room."""
        with self.records.transaction() as db:
            if self.find_url(server, url) is not None:
                raise FeedError(f"This server already follows <{url}>.")
            self.check_room(server)
            cursor = db.execute(
                """INSERT INTO feeds (server_id, url, channel_id, title, added_at, next_poll_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (server or BASE, url, channel_id, title, self.stamp(), self.clock()),
            )
            feed_id = int(cursor.lastrowid or 0)
        return self.get(feed_id)

    def get(self, feed_id: int) -> Feed:
        with self.records.reading() as db:
            row = db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE id = ?", (feed_id,)).fetchone()  # noqa: S608
        if row is None:
            raise FeedError(f"feed {feed_id} is not followed")
        return _feed(row)

    def following(self, server: int | None) -> list[Feed]:
        """The feeds of one library, in the order they were followed."""
        with self.records.reading() as db:
            rows = db.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds WHERE server_id = ? ORDER BY id",  # noqa: S608
                (server or BASE,),
            ).fetchall()
        return [_feed(r) for r in rows]

    def all(self) -> list[Feed]:
        with self.records.reading() as db:
            rows = db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY id").fetchall()  # noqa: S608
        return [_feed(r) for r in rows]

    def find(self, server: int | None, ref: str) -> Feed | None:
        """The feed ``ref`` names: its number in the list, or its address."""
        feeds = self.following(server)
        ref = ref.strip()
        if ref.isdigit() and 1 <= int(ref) <= len(feeds):
            return feeds[int(ref) - 1]
        try:
            url = normalize_url(ref)
        except FeedError:
            return None
        return next((f for f in feeds if f.url == url), None)

    def remove(self, server: int | None, ref: str) -> Feed | None:
        """Stop following (its digests and entries go; the articles stay in the library)."""
        feed = self.find(server, ref)
        if feed is not None:
            with self.records.transaction() as db:
                db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    # -- polling -----------------------------------------------------------------------------

    def due(self) -> list[Feed]:
        with self.records.reading() as db:
            rows = db.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds WHERE next_poll_at <= ? ORDER BY next_poll_at",  # noqa: S608
                (self.clock(),),
            ).fetchall()
        return [_feed(r) for r in rows]

    def seen(self, feed: Feed) -> set[str]:
        with self.records.reading() as db:
            return {r[0] for r in db.execute("SELECT key FROM feed_entries WHERE feed_id = ?", (feed.id,))}

    def begin(self, feed: Feed) -> str:
        """When this poll began: now, or when an attempt that did not finish began."""
        with self.records.transaction() as db:
            db.execute(
                "UPDATE feeds SET poll_started_at = coalesce(poll_started_at, ?) WHERE id = ?",
                (self.stamp(), feed.id),
            )
            row = db.execute("SELECT poll_started_at FROM feeds WHERE id = ?", (feed.id,)).fetchone()
        return str(row[0])

    def succeed(self, feed: Feed, poll: Poll) -> Digest | None:
        """Remember a finished poll in one transaction; its digest, if it brought anything new."""
        now = self.stamp()
        digest_id = None
        with self.records.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO feed_entries (feed_id, key, seen_at) VALUES (?, ?, ?)",
                [(feed.id, key, now) for key in poll.seen],
            )
            db.execute(
                """UPDATE feeds SET etag = ?, last_modified = ?, title = coalesce(?, title),
                       next_poll_at = ?, poll_started_at = NULL, last_poll_at = ?, failures = 0,
                       failing_since = NULL, last_error = NULL,
                       last_new_at = CASE WHEN ? THEN ? ELSE last_new_at END
                   WHERE id = ?""",
                (
                    poll.validators.etag,
                    poll.validators.last_modified,
                    poll.title,
                    self.clock() + self.wait_seconds(0),
                    now,
                    bool(poll.items),
                    now,
                    feed.id,
                ),
            )
            if poll.items:
                state = "pending" if feed.channel_id else "unposted"
                cursor = db.execute(
                    "INSERT INTO digests (feed_id, created_at, state) VALUES (?, ?, ?)", (feed.id, now, state)
                )
                digest_id = int(cursor.lastrowid or 0)
                db.executemany(
                    """INSERT INTO digest_items (digest_id, position, article_id, title, publisher,
                           published, url) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [
                        (digest_id, n, i.article_id, i.title, i.publisher, i.published, i.url)
                        for n, i in enumerate(poll.items)
                    ],
                )
        return None if digest_id is None else self.digest(digest_id)

    def fail(self, feed: Feed, reason: str) -> Feed:
        """Remember a failed poll: the reason, and a longer wait before the next one. An
        unfinished poll's start is kept, so what it stored still counts as new next time."""
        failures, now = feed.failures + 1, self.stamp()
        with self.records.transaction() as db:
            db.execute(
                """UPDATE feeds SET failures = ?, failing_since = coalesce(failing_since, ?),
                       last_error = ?, last_poll_at = ?, next_poll_at = ? WHERE id = ?""",
                (failures, now, reason, now, self.clock() + self.wait_seconds(failures), feed.id),
            )
        return self.get(feed.id)

    # -- digests -----------------------------------------------------------------------------

    def digest(self, digest_id: int) -> Digest:
        with self.records.reading() as db:
            feed_id, created = db.execute(
                "SELECT feed_id, created_at FROM digests WHERE id = ?", (digest_id,)
            ).fetchone()
            items = [
                DigestItem(*row)
                for row in db.execute(
                    """SELECT article_id, title, publisher, published, url FROM digest_items
                       WHERE digest_id = ? ORDER BY position""",
                    (digest_id,),
                )
            ]
        return Digest(digest_id, self.get(feed_id), created, digest_lines(items))

    def pending(self) -> list[Digest]:
        """Digests waiting to be posted, oldest first."""
        with self.records.reading() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM digests WHERE state = 'pending' ORDER BY id")]
        return [self.digest(i) for i in ids]

    def mark(self, digest: Digest, state: str, message_id: int | None = None) -> None:
        with self.records.transaction() as db:
            db.execute(
                "UPDATE digests SET state = ?, message_id = ? WHERE id = ?", (state, message_id, digest.id)
            )

    def since(self, cutoff: datetime, server: int | None) -> list[tuple[Feed, list[DigestLine]]]:
        """For each feed of the library with digests since ``cutoff``: all their lines, one per
        article (the same story in two digests is one line)."""
        stamp = cutoff.astimezone(UTC).isoformat(timespec="seconds")
        out = []
        for feed in self.following(server):
            with self.records.reading() as db:
                rows = db.execute(
                    """SELECT i.article_id, i.title, i.publisher, i.published, i.url
                       FROM digest_items AS i JOIN digests AS d ON d.id = i.digest_id
                       WHERE d.feed_id = ? AND d.created_at >= ? ORDER BY d.id, i.position""",
                    (feed.id, stamp),
                ).fetchall()
            if rows:
                out.append((feed, digest_lines(DigestItem(*r) for r in rows)))
        return out


class FeedService:
    """Follows feeds for a library and polls them into it through ingest."""

    def __init__(
        self,
        registry: FeedRegistry,
        libraries: Libraries,
        settings: Settings,
        embedder: Callable[[], Embedder],
        write_lock: threading.Lock,
        publishers: PublisherDirectory | None = None,
    ) -> None:
        self.registry = registry
        self.libraries = libraries
        self.settings = settings
        self._embedder = embedder
        self._write_lock = write_lock
        self._publishers = publishers

    def follow(self, server: int | None, url: str, channel_id: int | None) -> Feed:
        """Check that ``url`` is a feed (through the URL guard), then follow it; FeedError or
        an ingest InputError (one line each) when it cannot be."""
        from ingest.feed_poll import check_feed

        url = normalize_url(url)
        if self.registry.find_url(server, url) is not None:
            raise FeedError(f"This server already follows <{url}>.")
        self.registry.check_room(server)
        info = check_feed(url, self.settings.ingest)
        return self.registry.add(server, url, channel_id, info.title)

    def poll(self, feed: Feed) -> PollOutcome:
        """Poll one feed now; a failure is remembered (and backed off), never raised."""
        from ingest.errors import IngestError
        from ingest.feed_poll import Validators, poll_feed
        from vectorstore.errors import VectorStoreError

        started = self.registry.begin(feed)
        try:
            with self._write_lock:
                poll = poll_feed(
                    feed.url,
                    validators=Validators(feed.etag, feed.last_modified),
                    seen=self.registry.seen(feed).__contains__,
                    started_at=started,
                    settings=self.settings.ingest_app(),
                    store=self.libraries.own(feed.server_id),
                    embedder=self._embedder(),
                    publishers=self._publishers,
                )
        except (IngestError, VectorStoreError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            logger.warning("feed %s (%s) failed: %s", feed.id, feed.url, reason)
            return PollOutcome(self.registry.fail(feed, reason), error=reason)
        digest = self.registry.succeed(feed, poll)
        if poll.changed:
            new = len(poll.items)
            logger.info("feed %s polled: %d new entries, %d new articles", feed.id, len(poll.seen), new)
        return PollOutcome(self.registry.get(feed.id), changed=poll.changed, digest=digest)
