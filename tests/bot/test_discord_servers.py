"""One bot, many servers: the real discord.py client against the emulator holding two guilds,
over the real services (libraries on embedded Chroma, the bundled model, ingest, the records),
with articles and a feed served from a loopback HTTP server.

Server A and server B share the base library (data/sample). What A ingests or follows stays in
A's library; B never sees it. Tests share one bot and run in order; each acts as its own users.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio
import yarl
from discord.gateway import DiscordWebSocket

from bot.discord.client import GeoBot
from bot.discord.ports import Services
from bot.discord.runner import use_endpoints
from bot.discord.services import build_services
from bot.settings import (
    AnswerSettings,
    ChannelSettings,
    DiscordSettings,
    FeedSettings,
    RecordsSettings,
    Secrets,
    Settings,
)
from ingest.pipeline import run_ingest
from ingest.settings import IngestSettings
from testing.discord_emulator import DiscordEmulator, Interaction, User
from tests.bot.interactions import answered, eventually, replied
from tests.conftest import REPO
from tests.feed_server import GRANARY, GRANARY_COPY, LANTERN, VELDORIA, FeedServer
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

SAMPLE = REPO / "data" / "sample"
VELDORIA_QUESTION = "What did the parliament of Veldoria vote to build to the Ostmark islands?"


@dataclass
class Servers:
    emu: DiscordEmulator
    bot: GeoBot
    services: Services
    feed: FeedServer
    folder: Path
    b: int  # server B's id (server A is the emulator's first guild, emu.guild_id)
    b_general: int
    a_news: int
    a_help: int
    a_forum: int
    clock: list[float]  # seconds added to the feed registry's clock

    @property
    def veldoria_url(self) -> str:
        return f"{self.feed.base}/articles/{VELDORIA.slug}.html"

    def text_of(self, channel_id: int) -> str:
        return json.dumps(self.emu.bot_messages(channel_id))


@pytest.fixture(scope="module")
def feed_host() -> Iterator[FeedServer]:
    with FeedServer([GRANARY, GRANARY_COPY]) as host:
        yield host


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory, embedder: Any, feed_host: FeedServer
) -> AsyncIterator[Servers]:
    folder = tmp_path_factory.mktemp("servers")
    emu = DiscordEmulator(heartbeat_interval_ms=1000)
    await emu.start()
    b, b_general = await emu.add_guild("Server B")
    a_news = await emu.add_channel(emu.guild_id, "news")
    a_help = await emu.add_channel(emu.guild_id, "help")
    a_forum = await emu.add_channel(emu.guild_id, "ask-the-bot", forum=True)
    discord_settings = DiscordSettings(
        guild_ids=[emu.guild_id, b],
        allow_dms=True,
        cooldown_rate=50,
        cooldown_seconds=60,
        api_base=emu.api_base,
        gateway_url=emu.gateway_url,
    )
    settings = Settings(
        vectorstore=VectorStoreSettings(path=folder / "store"),
        ingest=IngestSettings(allow_private_urls=True, processes=1, fetch_timeout=1.0, fetch_deadline=3.0),
        # room for the long question of the disk-full test
        answer=AnswerSettings(max_question_chars=5000),
        discord=discord_settings,
        records=RecordsSettings(db=folder / "records.sqlite3"),
        feeds=FeedSettings(poll_minutes=5, max_per_server=3),
        channels=ChannelSettings(auto_rate=2, auto_seconds=600),
    )
    base = build_store(settings.vectorstore)
    try:
        assert run_ingest([SAMPLE], settings.ingest_app(), store=base, embedder=embedder).ok
    finally:
        base.close()
    services = build_services(settings, Secrets(), embedder)
    clock = [0.0]
    services.feeds.registry.clock = lambda: time.time() + clock[0]
    saved = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    use_endpoints(discord_settings)
    bot = GeoBot(settings, services)
    task = asyncio.create_task(bot.start(emu.token))
    try:
        await emu.wait_for(lambda: len(emu.command_syncs) == 2, within=30)
        await emu.wait_ready()
        await emu.wait_for(lambda: bot.get_guild(b) is not None and bot.get_channel(a_forum) is not None)
        yield Servers(emu, bot, services, feed_host, folder, b, b_general, a_news, a_help, a_forum, clock)
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)
        await emu.stop()
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved[0], yarl.URL(saved[1])


async def ask(world: Servers, question: str, user: User, channel_id: int) -> Interaction:
    return await answered(
        world.emu, await world.emu.invoke("ask", {"question": question}, user=user, channel_id=channel_id), 60
    )


async def command(
    world: Servers, name: str, options: dict[str, Any] | None, user: User, channel_id: int
) -> Interaction:
    return await replied(
        world.emu, await world.emu.invoke(name, options, user=user, channel_id=channel_id), 30
    )


def body(ix: Interaction) -> str:
    """What the bot said, without the titles that repeat the question or the query."""
    parts = [m["content"] for m in ix.messages]
    for embed in ix.embeds:
        parts += [embed.get("description", ""), *(f["value"] for f in embed.get("fields", []))]
    return "\n".join(parts).lower()


def _stats(ix: Interaction) -> dict[str, str]:
    return {f["name"]: f["value"] for f in ix.messages[0]["embeds"][0]["fields"]}


async def test_both_servers_get_the_commands_and_the_base_library(world: Servers) -> None:
    emu = world.emu
    assert {s.path.rsplit("/guilds/", 1)[1].split("/")[0] for s in emu.command_syncs} == {
        str(emu.guild_id),
        str(world.b),
    }
    assert all(s.status == 200 for s in emu.command_syncs)
    for channel in (emu.channel_id, world.b_general):
        ix = await ask(world, "Which countries ban Huawei?", emu.user("reader"), channel)
        assert "[1]" in ix.messages[0]["embeds"][0]["description"]


async def test_a_servers_ingest_never_reaches_another_server(world: Servers) -> None:
    emu = world.emu
    admin_a, alice, bob = emu.user("admin-a", admin=True), emu.user("alice"), emu.user("bob")
    stats_b_before = _stats(await command(world, "stats", None, bob, world.b_general))

    done = await command(world, "ingest", {"url": world.veldoria_url}, admin_a, emu.channel_id)
    assert "1 added" in done.text, done.text

    in_a = await ask(world, VELDORIA_QUESTION, alice, emu.channel_id)
    assert "Ostmark" in in_a.messages[0]["embeds"][0]["description"]
    assert "Veldoria votes to lay" in in_a.text  # cited
    sources_a = await command(world, "sources", None, alice, emu.channel_id)
    assert "Karsk" in sources_a.text or "Ostmark" in sources_a.text

    in_b = await ask(world, VELDORIA_QUESTION, bob, world.b_general)
    assert "veldoria" not in body(in_b) and "ostmark" not in body(in_b) and "couldn't find" in body(in_b)
    sources_b = await command(world, "sources", None, bob, world.b_general)
    assert "veldoria" not in body(sources_b) and "ostmark" not in body(sources_b)
    search_b = await command(
        world, "search", {"query": "Veldoria undersea cable Ostmark"}, bob, world.b_general
    )
    assert "veldoria" not in body(search_b)
    search_a = await command(
        world, "search", {"query": "Veldoria undersea cable Ostmark"}, alice, emu.channel_id
    )
    assert "Veldoria votes to lay" in search_a.text
    article_id = re.search(r"`(http[^`]+veldoria[^`]*)`", search_a.text)
    assert article_id is not None
    missing = await command(world, "article", {"id": article_id[1]}, bob, world.b_general)
    assert "No article has the id" in missing.text
    stats_a, stats_b = (
        _stats(await command(world, "stats", None, alice, emu.channel_id)),
        _stats(await command(world, "stats", None, bob, world.b_general)),
    )
    assert stats_b == stats_b_before
    assert int(stats_a["Articles"]) == int(stats_b["Articles"]) + 1

    # a direct message sees the base library alone
    dm = emu.dm_channel(bob)
    await emu.post_message(VELDORIA_QUESTION, author=bob, channel_id=dm)
    await emu.wait_for(lambda: emu.bot_messages(dm), within=60)
    said = " ".join(e.get("description", "") for m in emu.bot_messages(dm) for e in m["embeds"]).lower()
    assert "ostmark" not in said and "couldn't find" in said


async def test_remove_then_ingest_again(world: Servers) -> None:
    emu = world.emu
    admin_a, admin_b, carol = (
        emu.user("admin-a2", admin=True),
        emu.user("admin-b2", admin=True),
        emu.user("carol"),
    )
    base_article = world.services.library.search(None, "Huawei", since=None, source=None, limit=1)[0].article

    elsewhere = await command(world, "remove", {"article": world.veldoria_url}, admin_b, world.b_general)
    assert "has no article" in elsewhere.text
    shared = await command(world, "remove", {"article": base_article.id}, admin_a, emu.channel_id)
    assert "base library" in shared.text and "geobot remove" in shared.text

    removed = await command(world, "remove", {"article": world.veldoria_url}, admin_a, emu.channel_id)
    assert "Removed" in removed.text and "Veldoria votes to lay" in removed.text
    gone = await ask(world, VELDORIA_QUESTION, carol, emu.channel_id)
    assert "ostmark" not in body(gone) and "couldn't find" in body(gone)
    again = await command(world, "remove", {"article": world.veldoria_url}, admin_a, emu.channel_id)
    assert "has no article" in again.text
    assert world.services.library.get_article(None, base_article.id) is not None

    back = await command(world, "ingest", {"url": world.veldoria_url}, admin_a, emu.channel_id)
    assert "1 added" in back.text, back.text
    found = await ask(world, VELDORIA_QUESTION, emu.user("carol2"), emu.channel_id)
    assert "Ostmark" in found.messages[0]["embeds"][0]["description"]


async def test_managing_commands_need_their_permission(world: Servers) -> None:
    emu = world.emu
    member = emu.user("member")
    for name, options in (
        ("remove", {"article": world.veldoria_url}),
        ("feeds list", None),
        ("channel mode", {"mode": "auto"}),
    ):
        with pytest.raises(PermissionError):  # Discord's own check: the command is not offered
            await emu.invoke(name, options, user=member)
        emu.open_command(emu.guild_id, name.split()[0])
        refused = await command(world, name, options, member, emu.channel_id)
        assert refused.ephemeral and "Only members with the Manage" in refused.text
    assert world.services.library.get_article(emu.guild_id, world.veldoria_url) is not None


def _digests(world: Servers) -> list[dict[str, Any]]:
    return [m for m in world.emu.bot_messages(world.a_news) if m["embeds"][0]["title"].startswith("New from")]


async def test_a_followed_feed_is_polled_with_conditional_gets_backs_off_and_recovers(
    world: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    emu, feed = world.emu, world.feed
    admin, bob = emu.user("feeder", admin=True), emu.user("bob-feeds")
    registry = world.services.feeds.registry
    # (the extension loader makes its own module, so the class is not this file's FeedsCog)
    cog: Any = world.bot.get_cog("FeedsCog")
    assert cog is not None

    added = await command(
        world, "feeds add", {"url": feed.feed_url, "channel": str(world.a_news)}, admin, emu.channel_id
    )
    assert "Following" in added.text and "Tidewater Wire" in added.text
    twice = await command(world, "feeds add", {"url": f"{feed.feed_url}#latest"}, admin, emu.channel_id)
    assert "already follows" in twice.text  # the same address, written another way: one follow

    # The scheduler's own loop makes the first poll and posts the digest.
    cog.scheduler.restart()
    await emu.wait_for(lambda: _digests(world), within=60)
    cog.scheduler.cancel()  # from here on, the test moves time and runs each tick itself
    digest = _digests(world)[0]["embeds"][0]
    assert digest["title"] == "New from Tidewater Wire"
    lines = digest["description"].splitlines()
    assert len(lines) == 1, lines  # the syndicated copy collapsed into its original's line
    assert GRANARY.title in lines[0] and "Tidewater Wire · 2024-04-10 · also: Coastline Daily" in lines[0]
    asked_b = await ask(
        world, "Which harbour fitted its grain silos with moisture sensors?", bob, world.b_general
    )
    assert "quessant" not in body(asked_b)  # the feed filled server A's library only

    # Due again: the feed has not changed, the server says 304, nothing is posted.
    world.clock[0] += 6 * 60
    requests = len(feed.feed_requests())
    await cog.run_due()
    assert len(feed.feed_requests()) == requests + 1 and feed.feed_requests()[-1]["If-None-Match"] == '"v1"'
    assert len(_digests(world)) == 1
    # Not due: no request at all.
    await cog.run_due()
    assert len(feed.feed_requests()) == requests + 1

    # It fails: each error doubles the wait, and the reason is shown; another feed keeps polling.
    with FeedServer([VELDORIA]) as other_host:
        second = await command(
            world,
            "feeds add",
            {"url": other_host.feed_url, "channel": str(world.a_news)},
            admin,
            emu.channel_id,
        )
        assert "Following" in second.text
        feed.mode = "error"
        waits, polled = [], []
        for _ in range(3):
            world.clock[0] += 24 * 3600
            await cog.run_due()
            first, healthy_one = registry.following(emu.guild_id)
            waits.append(first.next_poll_at - registry.clock())
            polled.append((healthy_one.last_poll_at, healthy_one.failures))
    assert waits[0] < waits[1] < waits[2], waits  # backoff observed: 10, 20, 40 min (± jitter)
    assert len({stamp for stamp, _ in polled}) == 3 and {f for _, f in polled} == {0}
    assert len(_digests(world)) == 1  # the other feed's story was in the library already
    listed = await command(world, "feeds list", None, admin, emu.channel_id)
    assert "3 errors in a row): HTTP 500 Internal Server Error; next try in" in listed.text

    # It recovers, with a new story: one digest, the wait back to the interval.
    feed.mode = "ok"
    feed.publish(LANTERN)
    world.clock[0] += 24 * 3600
    await cog.run_due()
    healthy = registry.following(emu.guild_id)[0]
    assert healthy.failures == 0 and 4 * 60 <= healthy.next_poll_at - registry.clock() <= 6 * 60
    assert len(_digests(world)) == 2 and LANTERN.title in _digests(world)[1]["embeds"][0]["description"]
    listed = await command(world, "feeds list", None, admin, emu.channel_id)
    assert "last new article under a minute ago" in listed.text
    assert "failing for under a minute (1 error): cannot connect" in listed.text  # its host is gone
    assert listed.messages[0]["embeds"][0]["footer"]["text"] == "2 of 3 feeds"


async def test_feeds_that_cannot_be_followed_are_refused_with_the_reason(world: Servers) -> None:
    emu, feed = world.emu, world.feed
    admin = emu.user("feeder2", admin=True)
    registry = world.services.feeds.registry
    before = len(registry.following(emu.guild_id))
    for url, reason in (
        (
            f"{feed.base}/articles/{GRANARY.slug}.html",
            "not an RSS or Atom feed: the address returns an HTML page",
        ),
        (f"{feed.base}/nothing.xml", "HTTP 404"),
        ("http://169.254.169.254/latest/meta-data/", "refused: cloud metadata address"),
        ("ftp://example.org/feed.xml", "http:// or https://"),
    ):
        reply = await command(world, "feeds add", {"url": url}, admin, emu.channel_id)
        assert reason in reply.text, (url, reply.text)
    feed.mode, feed.hang_seconds = "hang", 2.0
    try:
        slow = await command(
            world, "feeds add", {"url": f"{feed.base}/feed.xml?edition=slow"}, admin, emu.channel_id
        )
    finally:
        feed.mode = "ok"
    assert "timed out" in slow.text
    assert len(registry.following(emu.guild_id)) == before
    third = await command(
        world, "feeds add", {"url": f"{feed.base}/feed.xml?edition=three"}, admin, emu.channel_id
    )
    assert "Following" in third.text
    over = await command(
        world, "feeds add", {"url": f"{feed.base}/feed.xml?edition=four"}, admin, emu.channel_id
    )
    assert "already follows 3 feeds" in over.text
    removed = await command(world, "feeds remove", {"feed": "3"}, admin, emu.channel_id)
    assert "No longer following" in removed.text and len(registry.following(emu.guild_id)) == before


async def _no_reply(world: Servers, channel_id: int, then: int) -> None:
    """Nothing was said in ``channel_id`` by the time the bot answered in channel ``then``."""
    await world.emu.wait_for(lambda: world.emu.bot_messages(then), within=60)
    await asyncio.sleep(0.3)
    assert world.emu.bot_messages(channel_id) == []


async def test_auto_mode_in_a_text_channel(world: Servers) -> None:
    emu = world.emu
    manager, dan, eve = emu.user("mod", admin=True), emu.user("dan"), emu.user("eve")
    other_bot = emu.user("otherbot", bot=True)
    mode = await command(
        world, "channel mode", {"mode": "auto", "channel": str(world.a_help)}, manager, emu.channel_id
    )
    assert "auto mode" in mode.text

    asked = await emu.post_message("Which countries ban Huawei?", author=dan, channel_id=world.a_help)
    await emu.wait_for(lambda: emu.bot_messages(int(asked["id"])), within=60)
    assert "[1]" in world.text_of(int(asked["id"]))  # answered in a thread started from the question

    chatter = await emu.post_message("thanks, that is useful", author=eve, channel_id=world.a_help)
    by_bot = await emu.post_message("Which countries ban Huawei?", author=other_bot, channel_id=world.a_help)
    reply = await emu.post_message(
        "Why do you say that?", author=eve, channel_id=world.a_help, reply_to=chatter
    )
    second = await emu.post_message(
        "What did Australia decide about Huawei in 2018?", author=eve, channel_id=world.a_help
    )
    await _no_reply(world, int(chatter["id"]), then=int(second["id"]))
    for quiet in (by_bot, reply):
        assert emu.bot_messages(int(quiet["id"])) == [] and int(quiet["id"]) not in emu.channels

    # two questions per window in this channel: the third is left alone
    third = await emu.post_message(
        "Which countries restrict chip exports?", author=dan, channel_id=world.a_help
    )
    mention = await emu.post_message(f"{emu.bot.mention} Which countries restrict chip exports?", author=dan)
    await _no_reply(world, int(third["id"]), then=int(mention["id"]))


async def test_auto_mode_in_a_forum_answers_each_new_post(world: Servers) -> None:
    emu = world.emu
    manager, fay = emu.user("mod2", admin=True), emu.user("fay")
    mode = await command(
        world, "channel mode", {"mode": "auto", "channel": str(world.a_forum)}, manager, emu.channel_id
    )
    assert "auto mode" in mode.text
    thread_id, _ = await emu.post_forum_thread(
        world.a_forum, "Why did Sweden ban Huawei?", "I read about it but not the reasons.", author=fay
    )
    await emu.wait_for(lambda: emu.bot_messages(thread_id), within=60)
    assert "[1]" in world.text_of(thread_id) and emu.channels[thread_id]["owner_id"] == str(fay.id)
    # later messages in the post are the members' conversation
    later = await emu.post_message("Which countries ban Huawei?", author=fay, channel_id=thread_id)
    await asyncio.sleep(1.0)
    assert len(emu.bot_messages(thread_id)) == 1 and int(later["id"]) not in emu.channels
    # mentioned in the post, it answers there
    await emu.post_message(f"{emu.bot.mention} And what did Canada decide?", author=fay, channel_id=thread_id)
    await emu.wait_for(lambda: len(emu.bot_messages(thread_id)) == 2, within=60)


async def test_off_mode_ignores_even_mentions(world: Servers) -> None:
    emu = world.emu
    manager, gus = emu.user("mod3", admin=True), emu.user("gus")
    await command(world, "channel mode", {"mode": "off"}, manager, world.b_general)
    ignored = await emu.post_message(
        f"{emu.bot.mention} Which countries ban Huawei?", author=gus, channel_id=world.b_general
    )
    answered_elsewhere = await emu.post_message(f"{emu.bot.mention} Which countries ban Huawei?", author=gus)
    await _no_reply(world, int(ignored["id"]), then=int(answered_elsewhere["id"]))
    assert int(ignored["id"]) not in emu.channels
    back = await command(world, "channel mode", {"mode": "mention"}, manager, world.b_general)
    assert "mention mode" in back.text
    heard = await emu.post_message(
        f"{emu.bot.mention} Which countries ban Huawei?", author=gus, channel_id=world.b_general
    )
    await emu.wait_for(lambda: emu.bot_messages(int(heard["id"])), within=60)


async def test_an_answer_is_sent_when_its_records_are_locked_or_the_disk_is_full(
    world: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    emu = world.emu
    caplog.set_level(logging.ERROR, logger="bot")
    locker = sqlite3.connect(world.folder / "records.sqlite3", timeout=1)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        ix = await ask(world, "Which countries ban Huawei?", emu.user("hal"), emu.channel_id)
        await eventually(lambda: any("could not be saved" in r.getMessage() for r in caplog.records))
    finally:
        locker.rollback()
        locker.close()
    assert "database is locked" in caplog.text
    sources = emu.buttons(ix.messages[-1])[0]["custom_id"]
    shown = await replied(emu, await emu.click(ix.messages[-1], sources, user=emu.user("ivy")))
    assert shown.ephemeral and "**[1]**" in shown.text  # from memory, until a restart

    records = world.services.answers.records
    # under the records' lock: the bot's threads share the connection, and one may be in a
    # transaction that waited for the lock above
    with records.reading() as db:
        db.execute("VACUUM")  # no free page left to reuse
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
    caplog.clear()
    try:
        # a row larger than a page needs a new page, which the full file cannot give
        long_question = "Which countries ban Huawei, and why? " * 120
        full = await ask(world, long_question, emu.user("jo"), emu.channel_id)
        await eventually(lambda: any("could not be saved" in r.getMessage() for r in caplog.records))
    finally:
        with records.reading() as db:
            db.execute("PRAGMA max_page_count = 1073741823")
    assert "database or disk is full" in caplog.text
    assert full.rejected == [] and emu.buttons(full.messages[-1])
