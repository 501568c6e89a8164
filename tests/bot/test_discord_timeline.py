"""/timeline end to end: the real discord.py client (GeoBot) against the Discord emulator, over
articles written here (the real timeline core over them) and over the shared corpus (the real
services: retrieval, model, publisher labels)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord
import pytest
import pytest_asyncio
import yarl
from discord.gateway import DiscordWebSocket

from bot.discord.client import GeoBot
from bot.discord.ports import Services
from bot.discord.runner import use_endpoints
from bot.settings import DiscordSettings, RecordsSettings, Secrets, Settings
from testing.discord_emulator import DiscordEmulator, Interaction
from tests.bot.discord_services import Doc, KeywordLibrary, services_over
from tests.conftest import IngestedCorpus
from vectorstore.settings import VectorStoreSettings

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

EVENT = re.compile(r"^(?P<date>\d{4}(?:-\d{2}){0,2})(?: \(reported\))? — .+?(?P<marks>(?:\[\d+\])+)$")
DESCRIPTION_MAX, CONTENT_MAX, EMBED_TOTAL_MAX = 4096, 2000, 6000

FERRY_BAN = Doc(
    "ferry01",
    "Island bans diesel ferries",
    "Harbour Herald",
    "2019-03-20",
    "https://herald.example/ferries",
    "The island council banned diesel ferries from the harbour on 14 March 2019. "
    "Operators must retire every diesel ferry by 2030.",
)
FERRY_TOLL = Doc(
    "ferry02",
    "Harbour toll for diesel ferries rises again @everyone <@&123456789012345678>",
    "Coast Wire",
    "2020-05-02",
    "https://coast.example/toll",
    "Last year the council raised the harbour toll for diesel ferries. "
    "On 14 March 2019 the island council banned all diesel ferries from its harbour.",
)

UNDATED = Doc(
    "ferry03",
    "Diesel ferries: a history",
    "Quay Blog",
    "",  # the article gives no date
    "https://quay.example/history",
    "The council first taxed diesel ferries in the harbour in 1998. "
    "The council cut the diesel ferries' harbour berths last year.",
)


@asynccontextmanager
async def running_bot(settings: Settings, services: Services, emu: DiscordEmulator) -> AsyncIterator[None]:
    saved = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    use_endpoints(settings.discord)
    bot = GeoBot(settings, services)
    task = asyncio.create_task(bot.start(emu.token))
    try:
        await emu.wait_for(lambda: emu.command_syncs, within=30)
        await emu.wait_ready()
        yield
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved[0], yarl.URL(saved[1])


def discord_settings(emu: DiscordEmulator, **kw: Any) -> DiscordSettings:
    return DiscordSettings(guild_ids=[emu.guild_id], api_base=emu.api_base, gateway_url=emu.gateway_url, **kw)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def emu(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DiscordEmulator]:
    emulator = DiscordEmulator(heartbeat_interval_ms=1000)
    await emulator.start()
    settings = Settings(discord=discord_settings(emulator, cooldown_rate=1, cooldown_seconds=60))
    library = KeywordLibrary([FERRY_BAN, FERRY_TOLL, UNDATED], delay=0.2)
    try:
        async with running_bot(
            settings, services_over(library, tmp_path_factory.mktemp("tl"), settings), emulator
        ):
            yield emulator
    finally:
        await emulator.stop()


async def done(emu: DiscordEmulator, ix: Interaction, within: float = 30) -> Interaction:
    await emu.wait_for(lambda: ix.answered and "footer" in ix.messages[-1]["embeds"][-1], within)
    assert ix.rejected == []
    return ix


def event_lines(ix: Interaction) -> list[re.Match[str]]:
    text = "\n".join(e.get("description", "") for e in ix.embeds)
    return [m for line in text.splitlines() if (m := EVENT.match(line))]


def assert_within_limits(ix: Interaction) -> None:
    for message in ix.messages:
        assert len(message.get("content") or "") <= CONTENT_MAX
        for embed in message.get("embeds", []):
            assert len(embed.get("description", "")) <= DESCRIPTION_MAX
            size = len(embed.get("title", "")) + len(embed.get("description", ""))
            size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
            assert size + len(embed.get("footer", {}).get("text", "")) <= EMBED_TOTAL_MAX


async def test_timeline_is_deferred_then_lists_dated_events_oldest_first_with_sources(
    emu: DiscordEmulator,
) -> None:
    sync = emu.command_syncs[-1]
    command = next(c for c in sync.payload if c["name"] == "timeline")
    assert [o["name"] for o in command["options"]] == ["topic", "since", "until"]
    ana = emu.user("ana")
    ix = await done(emu, await emu.invoke("timeline", {"topic": "diesel ferries"}, user=ana))
    assert ix.response_type == 5  # deferred: the work runs off the event loop
    assert_within_limits(ix)
    events = event_lines(ix)
    assert [m["date"] for m in events] == ["1998", "2019", "2019-03-14", "2030"]
    assert len(re.findall(r"\[\d+\]", events[2]["marks"])) == 2  # one ban, reworded by two articles
    sources = "\n".join(f["value"] for e in ix.embeds for f in e.get("fields", []))
    assert "Harbour Herald" in sources and "2019-03-20" in sources
    # an article without a date: its dated sentence is placed, cited as undated; "last year"
    # has no year to be counted from, so it is left out and said to be
    assert re.search(r"Quay Blog — unlabelled · undated$", sources, re.M)
    description = "\n".join(e.get("description", "") for e in ix.embeds)
    assert "1 undated passage not placed (its article has no date)." in description
    assert ix.embeds[0]["title"] == "Timeline: diesel ferries"
    assert "@everyone" not in "\n".join(e.get("description", "") + sources for e in ix.embeds)
    assert "<@&1" not in sources

    # the same user at once: the per-user cooldown /ask has
    again = await emu.invoke("timeline", {"topic": "diesel ferries"}, user=ana)
    await emu.wait_for(lambda: again.answered, 10)
    assert again.ephemeral and again.text.startswith("Slow down a little")


async def test_timeline_spans_and_empty_topics_are_plain_replies(emu: DiscordEmulator) -> None:
    ix = await done(
        emu,
        await emu.invoke("timeline", {"topic": "diesel ferries", "since": "2020"}, user=emu.user("bo")),
    )
    assert [m["date"] for m in event_lines(ix)] == ["2030"]
    none = await done(emu, await emu.invoke("timeline", {"topic": "lighthouse keepers"}, user=emu.user("cy")))
    assert none.embeds[0]["description"] == "The articles hold no dated events about “lighthouse keepers”."
    wrong = await emu.invoke(
        "timeline", {"topic": "ferries", "since": "2021-01", "until": "2020"}, user=emu.user("di")
    )
    await emu.wait_for(lambda: wrong.answered, 10)
    assert wrong.ephemeral and "'since' (2021-01-01) is after 'until' (2020-12-31)" in wrong.text
    until = await done(
        emu,
        await emu.invoke("timeline", {"topic": "diesel ferries", "until": "2019-03"}, user=emu.user("ed")),
    )
    assert [m["date"] for m in event_lines(until)] == ["1998", "2019", "2019-03-14"]


@pytest.mark.slow
async def test_timeline_over_the_shared_corpus_is_ordered_cited_and_within_limits(
    ingested_corpus: IngestedCorpus, embedder: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from bot.discord.services import build_services

    emulator = DiscordEmulator(heartbeat_interval_ms=1000)
    await emulator.start()
    folder = tmp_path_factory.mktemp("tl_corpus")
    settings = Settings(
        vectorstore=VectorStoreSettings(path=ingested_corpus.store_path),
        discord=discord_settings(emulator, cooldown_seconds=0),
        records=RecordsSettings(db=folder / "records.sqlite3"),
    )
    try:
        async with running_bot(settings, build_services(settings, Secrets(), embedder), emulator):
            ix = await done(
                emulator,
                await emulator.invoke("timeline", {"topic": "5G network bans"}, user=emulator.user("ed")),
                within=120,
            )
    finally:
        await emulator.stop()
    assert_within_limits(ix)
    events = event_lines(ix)
    assert len(events) >= 3
    dates = [m["date"] for m in events]
    assert dates == sorted(dates)  # "2020" < "2020-07" < "2020-07-14": oldest first
    sources = [line for e in ix.embeds for f in e.get("fields", []) for line in f["value"].splitlines()]
    numbers = {int(m[1]) for line in sources if (m := re.match(r"\*\*\[(\d+)\]\*\*", line))}
    cited = {int(n) for m in events for n in re.findall(r"\d+", m["marks"])}
    assert cited and cited <= numbers  # every citation mark has its source listed
    assert all(" — " in line and re.search(r"· (\d{4}-\d{2}-\d{2}|undated)$", line) for line in sources)
