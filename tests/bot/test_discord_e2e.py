"""End to end: the real discord.py client (GeoBot) against the Discord emulator on 127.0.0.1.

One emulator and one bot are shared by the module; each test acts as its own users so the
per-user cooldown of one test never touches another.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
import pytest_asyncio
import yarl
from discord.gateway import DiscordWebSocket

from bot.discord.client import GeoBot
from bot.discord.runner import use_endpoints
from bot.settings import DiscordSettings, Settings
from testing.discord_emulator import DiscordEmulator, pings
from testing.discord_emulator.payloads import MANAGE_CHANNELS, MANAGE_GUILD, THREAD_STARTER_MESSAGE
from tests.bot.discord_services import Doc, KeywordLibrary, services_over
from tests.bot.interactions import answered, replied

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

CHIPS = Doc(
    "chips01",
    "Chip export rules tighten again",
    "Example Wire",
    "2024-03-02",
    "https://news.example/chips-rules",
    "Export controls on advanced chips were widened to cover more lithography machines. "
    "The new export controls name chip tools that need a licence before shipping abroad.\n\n"
    "Suppliers said the licence queue for chip tools could take months.",
)
HUAWEI = Doc(
    "huawei02",
    "European networks phase out Huawei radios",
    "Daily Ledger",
    "2023-11-20",
    "https://ledger.example/huawei-5g",
    "Several European operators agreed to phase out Huawei radios from their 5G networks. "
    "Regulators gave operators until 2027 to replace Huawei radios in core 5G sites.",
)
MENTIONS = Doc(
    "tariff03",
    "Tariff protest call @everyone <@&123456789012345678>",
    "Forum Post",
    "2024-02-10",
    "https://forum.example/tariffs",
    "Organisers wrote @everyone and @here to rally against semiconductor tariffs. "
    "The semiconductor tariffs message also tagged <@123456789012345678> and <@&123456789012345678>.",
)
LITHIUM = Doc(
    "lithium04",
    "Lithium quota ledger",
    "Mining Monthly",
    "2024-05-05",
    "https://mining.example/lithium",
    "\n\n".join(
        " ".join(
            f"Lithium quota round {p * 10 + i} set mining limits for region {p}-{i} under the new quota plan."
            for i in range(10)
        )
        for p in range(8)
    ),
)
SATELLITES = [
    Doc(
        f"sat{i:02d}",
        f"Satellite launch report {i}",
        "Orbit Notes",
        f"2024-0{i % 9 + 1}-15",
        f"https://orbit.example/launch-{i}",
        f"Satellite launch number {i} carried a relay for broadband service.",
    )
    for i in range(12)
]


@dataclass
class World:
    emu: DiscordEmulator
    bot: GeoBot
    library: KeywordLibrary
    records_db: Path


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    emu = DiscordEmulator(heartbeat_interval_ms=1000)
    await emu.start()
    library = KeywordLibrary([CHIPS, HUAWEI, MENTIONS, LITHIUM, *SATELLITES], delay=0.2)
    folder = tmp_path_factory.mktemp("discord")
    discord_settings = DiscordSettings(
        guild_ids=[emu.guild_id],
        cooldown_rate=3,
        cooldown_seconds=60,
        allow_dms=True,
        api_base=emu.api_base,
        gateway_url=emu.gateway_url,
    )
    settings = Settings(discord=discord_settings)
    saved = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    use_endpoints(discord_settings)
    bot = GeoBot(settings, services_over(library, folder, settings))
    task = asyncio.create_task(bot.start(emu.token))
    try:
        await emu.wait_for(lambda: emu.command_syncs, within=20)
        await emu.wait_ready()
        yield World(emu, bot, library, folder / "records.sqlite3")
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)
        await emu.stop()
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved[0], yarl.URL(saved[1])


def message_payloads(emu: DiscordEmulator, since: int = 0) -> list[dict]:
    """Every message body the bot sent (channel messages, interaction replies, follow-ups, edits)."""
    bodies = []
    for sent in emu.sent[since:]:
        body = sent.payload or {}
        if "/callback" in sent.path:
            body = body.get("data") or {}
        is_message = any(part in sent.path for part in ("/messages", "/webhooks/", "/callback"))
        if is_message and (body.get("content") or body.get("embeds")):
            bodies.append(body)
    return bodies


async def test_command_sync_payload_is_accepted_and_lists_every_command(world: World) -> None:
    emu = world.emu
    sync = emu.command_syncs[-1]
    assert sync.status == 200, sync.response
    assert sync.path.endswith(f"/guilds/{emu.guild_id}/commands")
    commands = {c["name"]: c for c in sync.payload}
    assert set(commands) == {
        "ask", "timeline", "sources", "search", "article", "stats", "ingest", "remove", "feeds", "channel",
    }  # fmt: skip
    for command in commands.values():
        assert 1 <= len(command["description"]) <= 100
        for option in command.get("options", []):
            assert option["description"] and option["description"] != "…", (command["name"], option)
    options = {o["name"]: o for o in commands["ask"]["options"]}
    assert list(options) == ["question", "since", "source", "publisher_type", "exclude_type"]
    assert [c["value"] for c in options["publisher_type"]["choices"]][:2] == [
        *("state-affiliated media", "public broadcaster")
    ]
    assert options["exclude_type"]["type"] == 5  # boolean
    show = commands["sources"]["options"][0]
    assert show["name"] == "show" and [c["value"] for c in show["choices"]] == ["answer", "library"]
    assert options["question"]["required"] and options["question"]["type"] == 3
    assert not options["since"].get("required") and not options["source"].get("required")
    assert [o["name"] for o in commands["search"]["options"]] == [
        *("query", "since", "source", "publisher_type", "exclude_type")
    ]
    assert [o["name"] for o in commands["article"]["options"]] == ["id"]
    for managed in ("ingest", "remove", "feeds"):
        assert str(commands[managed]["default_member_permissions"]) == str(MANAGE_GUILD)
        assert commands[managed]["contexts"] == [0]
    assert str(commands["channel"]["default_member_permissions"]) == str(MANAGE_CHANNELS)
    assert [o["name"] for o in commands["feeds"]["options"]] == ["add", "list", "remove"]
    assert (
        "default_member_permissions" not in commands["ask"]
        or commands["ask"]["default_member_permissions"] is None
    )
    assert emu.unknown_routes == []


async def test_ask_is_deferred_then_answered_with_cited_embed_and_buttons(world: World) -> None:
    emu, alice = world.emu, world.emu.user("alice")
    ix = await answered(
        emu, await emu.invoke("ask", {"question": "Which chip tools need an export licence?"}, user=alice)
    )
    assert ix.response_type == 5 and ix.ack_latency is not None and ix.ack_latency < 3
    assert ix.rejected == []
    embed = ix.messages[0]["embeds"][0]
    assert embed["title"] == "Which chip tools need an export licence?"
    assert "[1]" in embed["description"] and "licence" in embed["description"]
    sources = embed["fields"][0]["value"]
    assert "**[1]** [Chip export rules tighten again](<https://news.example/chips-rules>)" in sources
    assert "Example Wire — unlabelled · 2024-03-02" in sources
    assert embed["footer"]["text"].startswith("Answered in ")

    message = ix.messages[-1]
    ids = [b["custom_id"] for b in emu.buttons(message)]
    answer_id = ids[0].removeprefix("geobot:sources:")
    assert answer_id.isdigit() and all(len(i) <= 100 for i in ids)
    assert ids == [
        f"geobot:sources:{answer_id}",
        f"geobot:vote:{answer_id}:up",
        f"geobot:vote:{answer_id}:down",
    ]
    shown = await replied(emu, await emu.click(message, ids[0], user=alice))
    assert shown.response_type == 4 and shown.ephemeral
    assert "> Export controls on advanced chips" in shown.text
    assert "(<https://news.example/chips-rules>)" in shown.text

    bob = emu.user("bob")
    for user, button in ((alice, ids[1]), (bob, ids[1]), (alice, ids[2])):
        thanks = await replied(emu, await emu.click(message, button, user=user))
        assert thanks.ephemeral and "feedback" in thanks.text
    with sqlite3.connect(world.records_db) as db:
        rows = db.execute(
            """SELECT f.user_hash, f.vote, a.question, a.answer, a.citations, a.message_id, a.server_id
               FROM feedback AS f JOIN answers AS a ON a.id = f.answer_id WHERE a.id = ?""",
            (int(answer_id),),
        ).fetchall()
    votes = {r[0]: r[1] for r in rows}
    assert votes == {
        hashlib.sha256(str(alice.id).encode()).hexdigest(): -1,
        hashlib.sha256(str(bob.id).encode()).hexdigest(): 1,
    }
    assert {r[2] for r in rows} == {"Which chip tools need an export licence?"}
    assert all([c["article_id"] for c in json.loads(r[4])] == ["chips01"] and "[1]" in r[3] for r in rows)
    assert {(r[5], r[6]) for r in rows} == {(int(message["id"]), emu.guild_id)}

    again = await replied(emu, await emu.invoke("sources", user=alice))
    assert again.ephemeral and "Export controls on advanced chips" in again.text
    nothing = await replied(emu, await emu.invoke("sources", user=bob))
    assert nothing.ephemeral and "not asked anything" in nothing.text


async def test_mention_starts_a_thread_and_follow_up_carries_the_earlier_turn(world: World) -> None:
    emu, carol = world.emu, world.emu.user("carol")
    question = "Which operators phase out Huawei radios?"
    starter = await emu.post_message(f"{emu.bot.mention} {question}", author=carol)
    thread_id = int(starter["id"])
    await emu.wait_for(lambda: emu.bot_messages(thread_id))
    thread = emu.channels[thread_id]
    assert thread["parent_id"] == str(emu.channel_id) and thread["name"] == question
    # the thread opens with Discord's system message pointing at the starter: not a question
    assert emu.messages[thread_id][0]["type"] == THREAD_STARTER_MESSAGE
    first = emu.bot_messages(thread_id)[0]
    assert "Huawei" in first["embeds"][0]["description"]

    await emu.post_message("And by when must they finish replacing them?", author=carol, channel_id=thread_id)
    await emu.wait_for(lambda: len(emu.bot_messages(thread_id)) == 2)
    followup = world.library.questions[-1]
    assert followup.text == "And by when must they finish replacing them?"
    assert len(followup.history) == 1
    assert followup.history[0].question == question
    assert first["embeds"][0]["description"] in followup.history[0].answer
    assert "2027" in emu.bot_messages(thread_id)[1]["embeds"][0]["description"]


async def test_direct_message_is_answered_in_the_dm_with_its_history(world: World) -> None:
    emu, fay = world.emu, world.emu.user("fay")
    dm = emu.dm_channel(fay)
    threads_before = len(emu.threads())
    question = "Which operators phase out Huawei radios?"
    await emu.post_message(question, author=fay, channel_id=dm)
    await emu.wait_for(lambda: emu.bot_messages(dm))
    first = emu.bot_messages(dm)[0]
    assert "Huawei" in first["embeds"][0]["description"]
    assert "ledger.example/huawei-5g" in json.dumps(first["embeds"])  # the cited source
    assert len(emu.threads()) == threads_before  # a DM is answered in place, no thread

    await emu.post_message("And by when must they finish replacing them?", author=fay, channel_id=dm)
    await emu.wait_for(lambda: len(emu.bot_messages(dm)) == 2)
    followup = world.library.questions[-1]
    assert followup.history and followup.history[0].question == question
    assert "2027" in emu.bot_messages(dm)[1]["embeds"][0]["description"]


async def test_direct_messages_are_ignored_when_turned_off(world: World) -> None:
    emu, gus = world.emu, world.emu.user("gus")
    dm = emu.dm_channel(gus)
    world.bot.settings.discord.allow_dms = False
    try:
        await emu.post_message("Which operators phase out Huawei radios?", author=gus, channel_id=dm)
        # A question in the guild posted after it is answered: the DM event was handled by then.
        starter = await emu.post_message(f"{emu.bot.mention} Which chip tools need a licence?", author=gus)
        await emu.wait_for(lambda: emu.bot_messages(int(starter["id"])))
        await asyncio.sleep(0.5)
        assert emu.bot_messages(dm) == []
    finally:
        world.bot.settings.discord.allow_dms = True


async def test_article_with_mentions_pings_nobody(world: World) -> None:
    emu, dave = world.emu, world.emu.user("dave")
    before = len(emu.sent)
    ix = await answered(
        emu, await emu.invoke("ask", {"question": "Who rallied against semiconductor tariffs?"}, user=dave)
    )
    ping_only = await emu.post_message(
        "@everyone <@&123456789012345678> tariffs meeting at noon", author=dave
    )
    starter = await emu.post_message(
        f"@everyone {emu.bot.mention} <@&123456789012345678> who rallied against semiconductor tariffs?",
        author=dave,
    )
    await emu.wait_for(lambda: emu.bot_messages(int(starter["id"])))
    # a mass ping that does not name the bot is no question for it
    assert emu.bot_messages(int(ping_only["id"])) == []
    sources = emu.buttons(ix.messages[-1])[0]["custom_id"]
    shown = await replied(emu, await emu.click(ix.messages[-1], sources, user=dave))
    assert "semiconductor tariffs" in ix.text and "Tariff protest call" in ix.text and shown.answered
    bodies = message_payloads(emu, since=before)
    assert bodies
    for body in bodies:
        assert body.get("allowed_mentions") == {"parse": []}, body
        assert pings(body) == set()
    for text in (ix.text, shown.text, json.dumps(emu.bot_messages(int(starter["id"])))):
        assert "@everyone" not in text and "@here" not in text
        assert "<@123456789012345678>" not in text and "<@&123456789012345678>" not in text


async def test_non_admin_ingest_is_refused_and_admin_ingest_runs(world: World) -> None:
    emu = world.emu
    eve, admin = emu.user("eve"), emu.user("admin", admin=True)
    with pytest.raises(PermissionError):  # Discord itself does not offer her the command
        await emu.invoke("ingest", {"url": "https://news.example/feed.xml"}, user=eve)
    emu.open_command(emu.guild_id, "ingest")  # the server's settings open it to everyone...
    refused = await replied(
        emu, await emu.invoke("ingest", {"url": "https://news.example/feed.xml"}, user=eve)
    )
    assert (
        refused.ephemeral and "Only members with the Manage Server permission" in refused.text
    )  # ...the bot checks
    assert world.library.ingested == []
    bad = await replied(emu, await emu.invoke("ingest", {"url": "file:///etc/passwd"}, user=admin))
    assert bad.ephemeral and "http" in bad.text and world.library.ingested == []
    done = await replied(
        emu, await emu.invoke("ingest", {"url": "https://news.example/feed.xml"}, user=admin)
    )
    assert done.ephemeral and "1 added, 0 updated, 0 unchanged, 0 failed" in done.text
    assert world.library.ingested == ["https://news.example/feed.xml"]


async def test_long_answer_arrives_split_and_valid(world: World) -> None:
    emu, fay = world.emu, world.emu.user("fay")
    ix = await answered(
        emu, await emu.invoke("ask", {"question": "What lithium quota mining limits were set?"}, user=fay)
    )
    assert ix.rejected == []
    assert len(ix.messages) >= 2
    descriptions = [e.get("description", "") for e in ix.embeds]
    assert all(len(d) <= 4096 for d in descriptions)
    full = KeywordLibrary([LITHIUM]).ask(world.library.questions[-1], world.emu.guild_id)
    assert " ".join(descriptions).split() == full.text.split()
    assert emu.buttons(ix.messages[-1]) and not emu.buttons(ix.messages[0])


async def test_twenty_concurrent_asks_are_all_acknowledged_in_time_and_answered(world: World) -> None:
    emu = world.emu
    users = [emu.user(f"crowd{i}") for i in range(20)]
    invocations = await asyncio.gather(
        *(emu.invoke("ask", {"question": "Which chip tools need an export licence?"}, user=u) for u in users)
    )
    await emu.wait_for(lambda: all(ix.answered for ix in invocations), within=30)
    latencies = [ix.ack_latency for ix in invocations]
    assert all(lat is not None and lat < 3 for lat in latencies), latencies
    assert all(ix.rejected == [] and "[1]" in ix.text for ix in invocations)
    assert not any(name == "MainThread" for name in world.library.threads)


async def test_cooldown_refuses_the_fourth_question_politely(world: World) -> None:
    emu, gus = world.emu, world.emu.user("gus")
    results = [
        await replied(
            emu, await emu.invoke("ask", {"question": "Which chip tools need an export licence?"}, user=gus)
        )
        for _ in range(4)
    ]
    assert all(r.response_type == 5 for r in results[:3])
    fourth = results[3]
    assert fourth.response_type == 4 and fourth.ephemeral and "ask again in" in fourth.text


async def test_bad_since_date_gets_a_short_ephemeral_reply(world: World) -> None:
    emu, hal = world.emu, world.emu.user("hal")
    ix = await replied(
        emu, await emu.invoke("ask", {"question": "chips?", "since": "the day after never"}, user=hal)
    )
    assert ix.ephemeral and "not a date I understand" in ix.text
    recent = await answered(
        emu,
        await emu.invoke(
            "ask", {"question": "Which chip tools need a licence?", "since": "2024-01-01"}, user=hal
        ),
    )
    assert world.library.questions[-1].since is not None and "chips-rules" in recent.text


async def test_publisher_type_options_reach_the_library_and_sources_lists_publishers(world: World) -> None:
    emu, kim = world.emu, world.emu.user("kim")
    options = {"query": "chip tools", "publisher_type": "state-affiliated media", "exclude_type": True}
    await replied(emu, await emu.invoke("search", options, user=kim))
    assert world.library.type_filters[-1] == ((), ("state-affiliated media",))
    asked = {"question": "Which chip tools need a licence?", "publisher_type": "wire service"}
    await answered(emu, await emu.invoke("ask", asked, user=kim))
    question = world.library.questions[-1]
    assert question.publisher_types == ("wire service",) and question.exclude_publisher_types == ()

    listed = await replied(emu, await emu.invoke("sources", {"show": "library"}, user=kim))
    assert listed.ephemeral
    embed = listed.messages[0]["embeds"][0]
    assert embed["title"] == "Publishers in the library"
    assert "**Orbit Notes** — unlabelled · 12 articles" in embed["description"]
    assert embed["footer"]["text"] == f"5 publishers · {len(world.library.docs)} articles"


async def test_search_pages_article_and_stats(world: World) -> None:
    emu, ida = world.emu, world.emu.user("ida")
    ix = await replied(emu, await emu.invoke("search", {"query": "satellite launch"}, user=ida))
    page1 = ix.messages[0]
    assert page1["embeds"][0]["footer"]["text"] == "Page 1/3 · 12 articles"
    assert emu.buttons(page1)[0]["disabled"] is True
    turned = await emu.click(page1, "geobot:search:next", user=ida)
    await emu.wait_for(lambda: turned.response_type == 7)
    assert page1["embeds"][0]["footer"]["text"] == "Page 2/3 · 12 articles"
    other = await replied(emu, await emu.click(page1, "geobot:search:next", user=emu.user("jon")))
    assert other.ephemeral and "yourself" in other.text

    art = await replied(emu, await emu.invoke("article", {"id": "chips01"}, user=ida))
    embed = art.messages[0]["embeds"][0]
    assert embed["title"] == CHIPS.title and embed["url"] == CHIPS.url
    assert "Export controls on advanced chips" in embed["description"]
    missing = await replied(emu, await emu.invoke("article", {"id": "nope"}, user=ida))
    assert "No article has the id" in missing.text

    stats = await replied(emu, await emu.invoke("stats", user=ida))
    fields = {f["name"]: f["value"] for f in stats.messages[0]["embeds"][0]["fields"]}
    assert fields["Articles"] == str(4 + len(SATELLITES)) and fields["Publishers"] == "5"


async def test_gateway_drop_is_resumed_and_later_commands_answered(world: World) -> None:
    emu = world.emu
    resumes = emu.resumes
    await emu.drop_gateway()
    await emu.wait_for(lambda: emu.resumes > resumes, within=20)
    ix = await answered(
        emu,
        await emu.invoke(
            "ask", {"question": "Which chip tools need an export licence?"}, user=emu.user("kim")
        ),
    )
    assert ix.ack_latency is not None and ix.ack_latency < 3
    assert emu.heartbeats > 0
