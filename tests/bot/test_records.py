"""The bot's records with plain inputs: answers and feedback, channel modes and the question rule,
followed feeds (schedule, backoff, digests) and digest lines."""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.answer.types import Answer, Citation, Origin
from bot.answer_log import AnswerLog, PostedAnswer, citation_from_json, hash_user, new_answer_id
from bot.channel_modes import ChannelModes, Mode, looks_like_question
from bot.digest import DigestItem, DigestLine, digest_lines, digest_text
from bot.errors import FeedError
from bot.feeds import FeedRegistry, duration, normalize_url, status_line
from bot.records import Records
from bot.settings import FeedSettings
from ingest.feed_poll import FeedItem, Poll, Validators

pytestmark = pytest.mark.unit

USER, CHANNEL, SERVER = 123456789012345678, 222, 333


@pytest.fixture
def records(tmp_path: Path) -> Records:
    return Records(tmp_path / "records.sqlite3")


def _answer(question: str = "Which ports got sensors?") -> Answer:
    citation = Citation(
        n=1,
        article_id="a1",
        title="Silo sensors",
        publisher="Tidewater Wire",
        author=None,
        published="2024-04-10",
        url="https://t.example/a1",
        quote="The harbour fitted sensors.",
        origin=(Origin(url="https://t.example/a1"), Origin(path="f.csv", record=3)),
    )
    return Answer(question, "Quessant did [1].", abstained=False, citations=(citation,))


def test_answers_come_back_whole_and_keep_no_user_id(records: Records) -> None:
    log = AnswerLog(records)
    first, second = new_answer_id(), new_answer_id()
    assert first != second and 0 < first < 2**62
    log.save(PostedAnswer(first, SERVER, CHANNEL, USER, _answer("first?"), message_id=11))
    log.save(PostedAnswer(second, SERVER, CHANNEL, USER, _answer("second?"), message_id=12))
    assert log.get(first) == _answer("first?")
    assert log.last(CHANNEL, USER) == _answer("second?")
    assert log.last(CHANNEL, USER + 1) is None and log.get(42) is None
    dump = "\n".join(map(str, records.db.execute("SELECT * FROM answers").fetchall()))
    assert str(USER) not in dump and hash_user(USER) in dump


def test_a_vote_is_kept_with_its_answer_one_per_user(records: Records) -> None:
    log = AnswerLog(records)
    answer_id = new_answer_id()
    log.save(PostedAnswer(answer_id, None, CHANNEL, USER, _answer()))
    assert log.vote(answer_id, USER, 1) and log.vote(answer_id, USER, -1) and log.vote(answer_id, USER + 1, 1)
    assert not log.vote(answer_id + 1, USER, 1)  # no such answer: nothing stored
    votes = records.db.execute(
        "SELECT user_hash, vote FROM feedback WHERE answer_id = ?", (answer_id,)
    ).fetchall()
    assert dict(votes) == {hash_user(USER): -1, hash_user(USER + 1): 1}


def test_prune_deletes_old_answers_with_their_feedback(records: Records) -> None:
    log = AnswerLog(records)
    old, new = new_answer_id(), new_answer_id()
    log.save(PostedAnswer(old, SERVER, CHANNEL, USER, _answer("old?")))
    log.save(PostedAnswer(new, SERVER, CHANNEL, USER, _answer("new?")))
    log.vote(old, USER, 1)
    long_ago = (datetime.now(UTC) - timedelta(days=100)).isoformat(timespec="seconds")
    records.db.execute("UPDATE answers SET created_at = ? WHERE id = ?", (long_ago, old))
    assert log.prune(0) == {"answers": 0, "digests": 0}  # 0 keeps everything
    assert log.prune(90) == {"answers": 1, "digests": 0}
    assert log.get(old) is None and log.get(new) is not None
    assert records.db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0


def test_a_citation_from_a_newer_or_older_version_still_reads() -> None:
    data = {"n": 2, "article_id": "x", "title": "T", "publisher": None, "author": None, "published": None}
    data |= {"url": None, "quote": "q", "origin": [{"url": "https://x.example"}], "label": "added later"}
    assert citation_from_json(data).origin == (Origin(url="https://x.example"),)


def test_a_records_file_of_a_newer_version_is_refused(tmp_path: Path) -> None:
    from bot.errors import RecordsError

    path = tmp_path / "records.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(RecordsError, match=r"records\.db .*newer geotech-bot"):
        Records(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Which countries ban Huawei?", True),
        ("which countries ban huawei", True),  # a question word opens it
        ("Did the EU agree a 5G toolbox?", True),
        ("Is anyone else seeing this?", True),
        ("what's new with chips export rules", True),
        ("lol?", False),  # too short to be a question for the bot
        ("ok", False),
        ("I think the ban was a mistake.", False),
        ("Thanks for the answer!", False),
        ("Look at https://news.example/what?", False),  # the question mark is the link's
        ("<@123> <@456> ??", False),
        ("The vote is on Tuesday (right?)", True),
    ],
)
def test_auto_mode_takes_questions_and_leaves_conversation(text: str, expected: bool) -> None:
    assert looks_like_question(text) is expected


def test_a_reply_to_someone_else_is_conversation_whatever_its_wording() -> None:
    assert not looks_like_question("Which countries ban Huawei?", replies_to_someone_else=True)


def test_channel_modes_are_kept_and_default_to_mention(records: Records, tmp_path: Path) -> None:
    modes = ChannelModes(records)
    assert modes.of(CHANNEL) is Mode.MENTION
    modes.set(SERVER, CHANNEL, Mode.AUTO)
    modes.set(SERVER, CHANNEL + 1, Mode.OFF)
    modes.set(SERVER, CHANNEL + 1, Mode.MENTION)
    again = ChannelModes(Records(tmp_path / "records.sqlite3"))
    again.load()
    assert again.of(CHANNEL) is Mode.AUTO and again.of(CHANNEL + 1) is Mode.MENTION


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("  HTTPS://News.Example:443/feed.xml#top ", "https://news.example/feed.xml"),
        ("http://news.example:8080?x=1", "http://news.example:8080/?x=1"),
        ("http://[::1]:80/rss", "http://[::1]/rss"),
    ],
)
def test_a_feed_is_known_by_its_normal_address(url: str, normal: str) -> None:
    assert normalize_url(url) == normal


@pytest.mark.parametrize(
    "url", ["ftp://news.example/f", "news.example/feed", "http://u:p@news.example/", "http://x:y/"]
)
def test_addresses_that_cannot_be_followed(url: str) -> None:
    with pytest.raises(FeedError):
        normalize_url(url)


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _registry(records: Records, clock: Clock, **settings: object) -> FeedRegistry:
    feeds = FeedSettings.model_validate(
        {"poll_minutes": 30, "jitter": 0.1, "max_backoff_hours": 6} | settings
    )
    return FeedRegistry(records, feeds, clock=clock, rng=random.Random(1))


def _poll(*items: FeedItem, seen: tuple[str, ...] = ("k1",), etag: str = '"v1"') -> Poll:
    return Poll(True, Validators(etag, None), "Tidewater Wire", list(seen), list(items))


def test_one_follow_per_address_and_a_limit_per_server(records: Records) -> None:
    registry = _registry(records, Clock(), max_per_server=2)
    a = registry.add(SERVER, "https://a.example/feed", CHANNEL, "A")
    with pytest.raises(FeedError, match="already follows"):
        registry.add(SERVER, "https://a.example/feed", CHANNEL, "A")
    registry.add(SERVER + 1, "https://a.example/feed", CHANNEL, "A")  # another server may
    registry.add(SERVER, "https://b.example/feed", None, None)
    with pytest.raises(FeedError, match="already follows 2 feeds"):
        registry.add(SERVER, "https://c.example/feed", CHANNEL, None)
    assert [f.url for f in registry.following(SERVER)] == ["https://a.example/feed", "https://b.example/feed"]
    assert registry.find(SERVER, "2") == registry.following(SERVER)[1]
    assert registry.find(SERVER, "HTTPS://A.example/feed") == a and registry.find(SERVER, "7") is None
    assert registry.remove(SERVER, "1") == a and registry.remove(SERVER, "1") is not None
    assert registry.following(SERVER) == [] and len(registry.following(SERVER + 1)) == 1
    base = registry.add(None, "https://a.example/feed", None, None)
    assert base.server_id is None and registry.following(None) == [base]


def test_polls_are_scheduled_with_jitter_and_failures_back_off_to_a_cap(records: Records) -> None:
    clock = Clock()
    registry = _registry(records, clock)
    feed = registry.add(SERVER, "https://a.example/feed", CHANNEL, None)
    assert registry.due() == [feed]  # a new follow is polled at once
    feed = registry.fail(feed, "HTTP 500 Internal Server Error")
    waits = [feed.next_poll_at - clock.now]
    for _ in range(4):
        feed = registry.fail(feed, "HTTP 500 Internal Server Error")
        waits.append(feed.next_poll_at - clock.now)
    hour = 3600
    # 1, 2, 4 then capped at 6 hours (each within 10 % jitter)
    for wait, hours in zip(waits, (1, 2, 4, 6, 6), strict=True):
        assert hours * hour * 0.9 <= wait <= hours * hour * 1.1
    assert feed.failures == 5 and feed.last_error == "HTTP 500 Internal Server Error"
    assert registry.due() == []
    clock.now += 7 * hour
    assert registry.due() == [feed]
    assert status_line(feed, clock.now).startswith("failing for 7 h (5 errors in a row): HTTP 500")
    registry.succeed(feed, _poll())
    healthy = registry.get(feed.id)
    assert healthy.failures == 0 and healthy.last_error is None and healthy.failing_since is None
    assert 27 * 60 <= healthy.next_poll_at - clock.now <= 33 * 60
    assert healthy.etag == '"v1"' and healthy.title == "Tidewater Wire"
    assert re.fullmatch(
        r"polled 1 min ago; nothing new yet; next poll in (2[6-9]|3[0-2]) min",
        status_line(healthy, clock.now + 60),
    )


def test_an_unfinished_poll_keeps_its_first_start(records: Records) -> None:
    registry = _registry(records, Clock())
    feed = registry.add(SERVER, "https://a.example/feed", CHANNEL, None)
    started = registry.begin(feed)
    feed = registry.fail(feed, "timed out")
    assert registry.begin(feed) == started  # a rerun after a failure or a kill
    registry.succeed(feed, _poll())
    assert registry.get(feed.id).poll_started_at is None


def test_a_poll_with_new_articles_makes_one_digest_and_remembers_its_entries(records: Records) -> None:
    clock = Clock()
    registry = _registry(records, clock)
    feed = registry.add(SERVER, "https://a.example/feed", CHANNEL, None)
    items = (
        FeedItem("k1", "a1", "Silo sensors", "Tidewater Wire", "2024-04-10", "https://t.example/a1"),
        FeedItem("k2", "a1", "Silo sensors", "Coastline Daily", "2024-04-10", "https://c.example/a1"),
        FeedItem("k3", "a2", "Lanterns", "Tidewater Wire", "2024-04-12", "https://t.example/a2"),
    )
    digest = registry.succeed(feed, _poll(*items, seen=("k1", "k2", "k3")))
    assert digest is not None and [line.also for line in digest.lines] == [("Coastline Daily",), ()]
    assert registry.seen(feed) == {"k1", "k2", "k3"}
    assert registry.succeed(feed, _poll(seen=())) is None  # nothing new: no digest
    assert [d.id for d in registry.pending()] == [digest.id]
    registry.mark(digest, "posted", 99)
    assert registry.pending() == []
    today = datetime.fromtimestamp(clock.now, UTC)
    since = registry.since(today - timedelta(days=1), SERVER)
    assert [(f.id, [line.title for line in lines]) for f, lines in since] == [
        (feed.id, ["Silo sensors", "Lanterns"])
    ]
    assert registry.since(today + timedelta(minutes=1), SERVER) == []
    no_channel = registry.add(None, "https://b.example/feed", None, None)
    registry.succeed(no_channel, _poll(items[0]))
    assert [d.feed.id for d in registry.pending()] == []  # nowhere to post it


def test_copies_of_a_story_collapse_into_one_line() -> None:
    items = [
        DigestItem("a1", "Silo sensors", "Tidewater Wire", "2024-04-10", "https://t.example/a1"),
        DigestItem("a2", "Lanterns", None, None, None),
        DigestItem("a1", "Silo sensors", "Coastline Daily", "2024-04-10", "https://c.example/a1"),
        DigestItem("a1", "Silo sensors", "tidewater wire", "2024-04-10", "https://t.example/a1?utm"),
        DigestItem("a1", "Silo sensors", "Harbour Post", "2024-04-10", None),
    ]
    lines = digest_lines(items)
    assert lines == [
        DigestLine(
            "Silo sensors",
            "Tidewater Wire",
            "2024-04-10",
            "https://t.example/a1",
            ("Coastline Daily", "Harbour Post"),
        ),
        DigestLine("Lanterns", None, None, None),
    ]
    assert digest_text("Tidewater Wire: 2 new articles", lines) == (
        "Tidewater Wire: 2 new articles\n"
        "- Silo sensors — Tidewater Wire · 2024-04-10 · also: Coastline Daily, Harbour Post\n"
        "  https://t.example/a1\n"
        "- Lanterns"
    )


def test_durations_read_plainly() -> None:
    assert [duration(s) for s in (5, 90, 7200, 3 * 86400, -4)] == [
        "under a minute",
        "2 min",
        "2 h",
        "3 days",
        "under a minute",
    ]
