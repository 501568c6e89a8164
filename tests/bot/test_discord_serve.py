"""The Discord layer over real components, on a store ingested from data/sample: the Library and
Ingester adapters in-process, then `geobot serve` (the real entry point) in a subprocess, which
starts, syncs and answers through the real answer service against the Discord emulator."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.answer.labels import Labeller
from bot.discord.services import LibraryViews, PipelineIngester
from bot.settings import Settings
from ingest.publishers import PublisherDirectory
from testing.discord_emulator import DiscordEmulator, Interaction
from tests.conftest import REPO
from vectorstore.libraries import Libraries
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store

pytestmark = [pytest.mark.integration, pytest.mark.slow]
in_module_loop = pytest.mark.asyncio(loop_scope="module")

GEOBOT = Path(sys.executable).with_name("geobot")
SAMPLE = REPO / "data" / "sample"
QUESTION_LIMIT = 1200  # [answer] max_question_chars for the served bot (the default is 1000)


@dataclass
class Served:
    emu: DiscordEmulator
    process: asyncio.subprocess.Process
    log: Path
    folder: Path


def _env(tmp: Path, emu: DiscordEmulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOBOT_")}
    env.update(
        HF_HUB_OFFLINE="1",
        GEOBOT_VECTORSTORE__PATH=str(tmp / "store"),
        GEOBOT_RECORDS__DB=str(tmp / "records.sqlite3"),
    )
    env.update(
        DISCORD_TOKEN=emu.token,
        GEOBOT_DISCORD__API_BASE=emu.api_base,
        GEOBOT_DISCORD__GATEWAY_URL=emu.gateway_url,
        GEOBOT_DISCORD__GUILD_IDS=f"[{emu.guild_id}]",
        GEOBOT_ANSWER__MAX_QUESTION_CHARS=str(QUESTION_LIMIT),
    )
    return env


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    """data/sample ingested with the session's model (the served bot opens it on its own)."""
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings

    tmp = tmp_path_factory.mktemp("serve")
    settings = IngestAppSettings(vectorstore=VectorStoreSettings(path=tmp / "store"))
    store = build_store(settings.vectorstore)
    try:
        report = run_ingest([SAMPLE], settings, store=store, embedder=embedder)
    finally:
        store.close()
    assert report.ok and report.added, report.failed
    return tmp


# The library adapters run in this process before the served bot opens the same store.
def test_library_search_article_lead_and_stats(sample_store: Path, embedder: Any) -> None:
    with Libraries(VectorStoreSettings(path=sample_store / "store")) as libraries:
        library = LibraryViews(libraries, embedder, labeller=Labeller(PublisherDirectory.load()))
        stats = library.stats(None)
        assert stats["articles"] == len(list(SAMPLE.glob("*.md"))) and stats["chunks"] >= stats["articles"]

        hits = library.search(None, "Huawei 5G equipment", since=None, source=None, limit=10)
        assert hits and len({h.article.id for h in hits}) == len(hits)
        lead = library.lead(None, hits[0].article.id).lower()
        assert "huawei" in hits[0].article.title.lower() or "huawei" in lead
        assert library.search(None, "Huawei", since=None, source="No Such Publisher", limit=10) == []
        recent = library.search(None, "Huawei", since=date(2030, 1, 1), source=None, limit=10)
        assert recent == []

        article = library.get_article(None, hits[0].article.id)
        assert article is not None and article.chunk_count >= 1
        assert library.lead(None, article.id).strip()
        assert library.get_article(None, "no-such-id") is None
        # a server with no library of its own sees the base library, and gets none made for it
        assert library.stats(77) == stats and libraries.servers() == []


def test_ingester_reports_a_refused_url_as_failed(sample_store: Path, embedder: Any) -> None:
    settings = Settings(vectorstore=VectorStoreSettings(path=sample_store / "store"))
    with Libraries(settings.vectorstore) as libraries:
        before = libraries.view(77).stats()["articles"]
        ingester = PipelineIngester(settings, libraries, embedder, threading.Lock())
        summary = ingester.ingest_urls(77, ["http://127.0.0.1:9/article"])
        assert (summary.added, summary.updated) == (0, 0)
        assert len(summary.failed) == 1 and "127.0.0.1" in summary.failed[0]
        assert libraries.view(77).stats()["articles"] == before
        assert ingester.remove(78, "anything") is None and 78 not in libraries.servers()


def _tail(log: Path) -> str:
    return log.read_text()[-3000:]


async def _start(folder: Path, emu: DiscordEmulator, log: Path) -> asyncio.subprocess.Process:
    """`geobot serve` in its own process, until it has synced its commands and is connected."""
    syncs = len(emu.command_syncs)
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            str(GEOBOT), "serve", cwd=folder, env=_env(folder, emu), stdout=out, stderr=out
        )
    await emu.wait_for(lambda: len(emu.command_syncs) > syncs or process.returncode is not None, within=120)
    assert process.returncode is None, _tail(log)
    await emu.wait_for(lambda: any(s.ws is not None and s.seq >= 2 for s in emu.sessions.values()), within=30)
    return process


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def served(sample_store: Path) -> AsyncIterator[Served]:
    tmp = sample_store
    emu = DiscordEmulator()
    await emu.start()
    log = tmp / "serve.log"
    log.write_bytes(b"")
    served = Served(emu, await _start(tmp, emu, log), log, tmp)
    try:
        yield served
    finally:
        process = served.process
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        await emu.stop()


async def _done(emu: DiscordEmulator, ix: Interaction, within: float = 60) -> Interaction:
    await emu.wait_for(lambda: ix.answered and "footer" in ix.messages[-1]["embeds"][-1], within)
    return ix


@in_module_loop
async def test_serve_syncs_every_command_and_answers_with_citations(served: Served) -> None:
    emu = served.emu
    sync = emu.command_syncs[-1]
    assert sync.status == 200 and sync.path.endswith(f"/guilds/{emu.guild_id}/commands")
    assert {c["name"] for c in sync.payload} == {
        "ask", "timeline", "sources", "search", "article", "stats", "ingest", "remove", "feeds", "channel",
    }  # fmt: skip

    ix = await _done(
        emu, await emu.invoke("ask", {"question": "Which countries restrict Huawei?"}, user=emu.user("u"))
    )
    assert ix.response_type == 5 and ix.ack_latency is not None and ix.ack_latency < 3
    assert ix.rejected == []
    embed = ix.messages[0]["embeds"][0]
    assert "[1]" in embed["description"]
    assert "**[1]**" in "\n".join(f["value"] for e in ix.embeds for f in e.get("fields", []))

    stats = await _wait_reply(emu, await emu.invoke("stats", user=emu.user("v")))
    fields = {f["name"]: f["value"] for f in stats.messages[0]["embeds"][0]["fields"]}
    assert int(fields["Articles"]) == len(list(SAMPLE.glob("*.md")))


async def _wait_reply(emu: DiscordEmulator, ix: Interaction, within: float = 30) -> Interaction:
    await emu.wait_for(lambda: ix.answered, within)
    return ix


def _question(chars: int) -> str:
    return ("Which countries restrict Huawei equipment in their 5G networks? " * 40)[:chars]


@in_module_loop
async def test_the_configured_question_limit_holds_for_ask_and_mention_chat(served: Served) -> None:
    """One rule, applied by the answering service: /ask takes what Discord allows and the
    service refuses past the configured limit; mention chat refuses alike (not cut short)."""
    emu = served.emu
    ask = next(c for c in emu.command_syncs[-1].payload if c["name"] == "ask")
    assert next(o for o in ask["options"] if o["name"] == "question")["max_length"] == 6000

    fits = await _wait_reply(emu, await emu.invoke("ask", {"question": _question(1100)}, user=emu.user("w")))
    assert "too long" not in fits.text
    over = await _wait_reply(emu, await emu.invoke("ask", {"question": _question(1300)}, user=emu.user("x")))
    assert "too long (1,300 characters)" in over.text and f"at most {QUESTION_LIMIT:,}" in over.text

    starter = await emu.post_message(f"{emu.bot.mention} {_question(1300)}", author=emu.user("y"))
    thread_id = int(starter["id"])
    await emu.wait_for(lambda: emu.bot_messages(thread_id), within=60)
    reply = json.dumps(emu.bot_messages(thread_id))
    assert "too long (1,300 characters)" in reply and f"at most {QUESTION_LIMIT:,}" in reply


@in_module_loop
async def test_answer_buttons_and_sources_work_after_the_bot_restarts(served: Served) -> None:
    emu, asker = served.emu, served.emu.user("restart-asker")
    ix = await _done(
        emu, await emu.invoke("ask", {"question": "Which countries restrict Huawei?"}, user=asker)
    )
    message = ix.messages[-1]
    sources, thumbs_up, _ = (b["custom_id"] for b in emu.buttons(message))

    # a deploy: systemd stops the process with SIGTERM, and starts a new one
    served.process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(served.process.wait(), 30) == 0
    identifies = emu.identifies
    served.process = await _start(served.folder, emu, served.log)
    assert emu.identifies == identifies + 1  # a new client, not a resumed session

    shown = await _wait_reply(emu, await emu.click(message, sources, user=emu.user("later-reader")))
    assert shown.ephemeral and "**[1]**" in shown.text and shown.rejected == []
    thanks = await _wait_reply(emu, await emu.click(message, thumbs_up, user=emu.user("later-voter")))
    assert "feedback was recorded" in thanks.text
    again = await _wait_reply(emu, await emu.invoke("sources", user=asker))
    assert again.ephemeral and "**[1]**" in again.text
    answer_id = int(sources.rsplit(":", 1)[1])
    with sqlite3.connect(served.folder / "records.sqlite3") as db:
        votes = db.execute("SELECT vote FROM feedback WHERE answer_id = ?", (answer_id,)).fetchall()
    assert votes == [(1,)]


@in_module_loop
async def test_serve_stops_cleanly_and_never_logs_the_token(served: Served) -> None:
    served.process.send_signal(signal.SIGINT)
    code = await asyncio.wait_for(served.process.wait(), 30)
    log = served.log.read_text()
    assert code == 0, log[-3000:]
    assert served.emu.token not in log
    assert "Traceback" not in log
