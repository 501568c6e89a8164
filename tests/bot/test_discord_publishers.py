"""Who says so, and when, end to end on Discord: the real bot (GeoBot) with the real answering
service, library and publisher profiles over the shared corpus, against the Discord emulator."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
import yarl
from discord.gateway import DiscordWebSocket

from bot.discord.client import GeoBot
from bot.discord.runner import use_endpoints
from bot.discord.services import build_services
from bot.settings import DiscordSettings, RecordsSettings, Secrets, Settings
from testing.discord_emulator import DiscordEmulator, Interaction
from tests.conftest import IngestedCorpus
from vectorstore.settings import VectorStoreSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def emu(
    ingested_corpus: IngestedCorpus, embedder: Any, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DiscordEmulator]:
    emulator = DiscordEmulator(heartbeat_interval_ms=1000)
    await emulator.start()
    folder = tmp_path_factory.mktemp("discord_publishers")
    discord_settings = DiscordSettings(
        guild_ids=[emulator.guild_id],
        cooldown_seconds=0,
        api_base=emulator.api_base,
        gateway_url=emulator.gateway_url,
    )
    settings = Settings(
        vectorstore=VectorStoreSettings(path=ingested_corpus.store_path),
        discord=discord_settings,
        records=RecordsSettings(db=folder / "records.sqlite3"),
    )
    services = build_services(settings, Secrets(), embedder)
    saved = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    use_endpoints(discord_settings)
    bot = GeoBot(settings, services)
    task = asyncio.create_task(bot.start(emulator.token))
    try:
        await emulator.wait_for(lambda: emulator.command_syncs, within=30)
        await emulator.wait_ready()
        yield emulator
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)
        await emulator.stop()
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved[0], yarl.URL(saved[1])


async def reply(emu: DiscordEmulator, ix: Interaction, *, answer: bool = False) -> Interaction:
    def done() -> bool:
        return ix.answered and (not answer or "footer" in ix.messages[-1]["embeds"][-1])

    await emu.wait_for(done, within=60)
    assert ix.rejected == []
    return ix


async def test_an_answer_shows_labels_dates_publisher_counts_and_its_newest_source(
    emu: DiscordEmulator,
) -> None:
    user = emu.user("reader")
    ix = await reply(
        emu,
        await emu.invoke("ask", {"question": "How did China react to the UK's Huawei ban?"}, user=user),
        answer=True,
    )
    description = "\n".join(e.get("description", "") for e in ix.embeds)
    sources = "\n".join(f["value"] for e in ix.embeds for f in e.get("fields", []))
    assert re.search(r"\[\d+\](?: · \d publishers?(?:, state-affiliated media only)?)", description)
    newest = description.strip().splitlines()[-1]
    assert re.fullmatch(r"Newest source: \d{4}-\d{2}-\d{2}", newest)
    lines = [line for line in sources.splitlines() if line.startswith("**[")]
    assert lines and all(" — " in line for line in lines)  # every source with its publisher's label
    assert all(ISO_DAY.search(line) or line.endswith("· undated") for line in lines)
    assert any(re.search(r"— [a-z -]+ \((China|United Kingdom|United States)\)", line) for line in lines)
    assert max(ISO_DAY.findall(sources)) in newest

    passages = await reply(emu, await emu.invoke("sources", user=user))
    quoted = passages.text
    assert passages.ephemeral and re.search(r"\*[^*\n]+ — [^*\n]+ · (\d{4}-\d{2}-\d{2}|undated)\*", quoted)


async def test_state_affiliated_media_can_be_left_out_of_an_answer_and_a_search(emu: DiscordEmulator) -> None:
    user = emu.user("skeptic")
    options = {
        "question": "What did China say about the Huawei ban?",
        "publisher_type": "state-affiliated media",
        "exclude_type": True,
    }
    ix = await reply(emu, await emu.invoke("ask", options, user=user), answer=True)
    sources = "\n".join(f["value"] for e in ix.embeds for f in e.get("fields", []))
    assert sources and "state-affiliated media" not in sources
    search = await reply(
        emu,
        await emu.invoke(
            "search", {"query": "Huawei ban", "publisher_type": "state-affiliated media"}, user=user
        ),
    )
    listed = search.messages[0]["embeds"][0]["description"]
    hits = [line for line in listed.splitlines() if re.match(r"`\d+\.`", line)]
    assert hits and all("state-affiliated media (China)" in line for line in hits)


async def test_sources_lists_the_librarys_publishers_and_article_shows_why(emu: DiscordEmulator) -> None:
    user = emu.user("librarian")
    listed = await reply(emu, await emu.invoke("sources", {"show": "library"}, user=user))
    description = listed.messages[0]["embeds"][0]["description"]
    assert "**Global Times** — state-affiliated media (China) · 12 articles" in description
    assert "**The Guardian** — newspaper (United Kingdom) ·" in description
    assert "**ZeroHedge** — blog (United States) · 1 article" in description

    found = await reply(
        emu, await emu.invoke("search", {"query": "Global Times editorial Huawei"}, user=user)
    )
    article_id = re.findall(r"`([^`\n]+)`\n?", found.messages[0]["embeds"][0]["description"])[1]
    shown = await reply(emu, await emu.invoke("article", {"id": article_id}, user=user))
    fields = {f["name"]: f["value"] for f in shown.messages[0]["embeds"][0]["fields"]}
    assert " — " in fields["Publisher"] and fields["Why this label"]
    assert ISO_DAY.fullmatch(fields["Published"]) or fields["Published"] == "undated"
