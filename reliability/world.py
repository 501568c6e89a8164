"""The running product for service faults, Discord cases and load: a Chroma server, the real
services (store, model, answerer) and the real discord.py bot against the Discord emulator.

The emulator and the bot live on an event loop in a background thread; the suite calls into it
with ``world.call(coro)``, so cases stay plain synchronous functions.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import httpx

from reliability.faults import small_corpus
from reliability.harness import NotLanded
from reliability.hostile_server import INJECTION_LINES
from reliability.product import Workspace, require_command, require_module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """``chroma run --path P --port N`` on loopback; stop and start it again on the same port."""

    def __init__(self, path: Path, log: Path) -> None:
        self.path, self.log = path, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        exe = Path(sys.executable).with_name("chroma")
        if not exe.exists():
            raise NotLanded("the chroma server executable is not installed")
        self.exe = exe

    def start(self, within: float = 60.0) -> float:
        t0 = time.perf_counter()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    str(self.exe),
                    "run",
                    "--path",
                    str(self.path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return time.perf_counter() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"chroma server did not answer within {within:.0f} s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


class World:
    """Built once per suite run, on first use; ``close()`` stops everything it started."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ws = Workspace(root / "ws")
        self.chroma: ChromaServer | None = None
        self.services: Any = None
        self.settings: Any = None
        self.emu: Any = None
        self.bot: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._bot_task: Future[Any] | None = None
        self.build_seconds: dict[str, float] = {}

    # -------------------------------------------------------------- store + services

    def http_env(self) -> dict[str, str]:
        assert self.chroma is not None
        return {
            "GEOBOT_VECTORSTORE__MODE": "http",
            "GEOBOT_VECTORSTORE__HOST": "127.0.0.1",
            "GEOBOT_VECTORSTORE__PORT": str(self.chroma.port),
        }

    def ensure_store(self) -> None:
        """A Chroma server holding a slice of the real corpus (ingested through `geobot ingest`)."""
        if self.chroma is not None:
            return
        require_command("ingest")
        require_module("vectorstore.store")
        chroma = ChromaServer(self.root / "chroma", self.root / "chroma.log")
        self.build_seconds["chroma_start_s"] = round(chroma.start(), 1)
        self.chroma = chroma
        corpus = small_corpus(self.root / "corpus", rows=8)
        # An article written to attack: instructions, mentions, a command and a link, as plain data.
        (corpus / "injection.txt").write_text(
            "Harbour district doubles equipment inspections\n\n"
            + "\n\n".join(INJECTION_LINES).replace("{canary}", "http://news.reliability.test/canary")
        )
        run = self.ws.geobot("ingest", str(corpus), env=self.http_env(), timeout=600)
        if run.code != 0:
            raise RuntimeError(f"ingest into the chroma server failed (exit {run.code}): {run.output[-300:]}")

    def build_services(self, **overrides: str) -> tuple[Any, Any]:
        """Settings and the real Services (store over the Chroma server, model, answerer)."""
        require_module("bot.discord.services")
        require_module("bot.answer.service")
        self.ensure_store()
        from bot.discord.services import build_services
        from bot.settings import Secrets, load_settings

        env = {**self.ws.env, **self.http_env(), **overrides}
        settings = load_settings(None, env)
        t0 = time.perf_counter()
        services = build_services(settings, Secrets())
        self.build_seconds["services_build_s"] = round(time.perf_counter() - t0, 1)
        return settings, services

    def ensure_services(self) -> None:
        if self.services is None:
            self.settings, self.services = self.build_services()

    # -------------------------------------------------------------- Discord

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 120.0) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def ensure_discord(self, cooldown_rate: int = 3, cooldown_seconds: float = 10.0) -> None:
        if self.bot is not None:
            return
        require_module("bot.discord.client")
        self.ensure_services()
        try:
            from testing.discord_emulator import DiscordEmulator
        except ImportError as exc:
            raise NotLanded(f"the Discord emulator has not landed ({exc})") from exc
        from bot.discord.client import GeoBot
        from bot.discord.runner import use_endpoints

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="discord-world", daemon=True)
        self._thread.start()

        async def start() -> None:
            self.emu = DiscordEmulator(heartbeat_interval_ms=2000)
            await self.emu.start()

        self.call(start())
        discord_settings = self.settings.discord.model_copy(
            update={
                "guild_ids": [self.emu.guild_id],
                "api_base": self.emu.api_base,
                "gateway_url": self.emu.gateway_url,
                "cooldown_rate": cooldown_rate,
                "cooldown_seconds": cooldown_seconds,
            }
        )
        use_endpoints(discord_settings)
        settings = self.settings.model_copy(update={"discord": discord_settings})

        async def make_bot() -> Any:
            return GeoBot(settings, self.services)

        self.bot = self.call(make_bot())
        self._bot_task = asyncio.run_coroutine_threadsafe(self.bot.start(self.emu.token), self._loop)

        async def ready() -> None:
            await self.emu.wait_for(lambda: self.emu.command_syncs, within=60)
            await self.emu.wait_ready(within=30)

        self.call(ready())

    # -------------------------------------------------------------- teardown

    def close(self) -> None:
        if self.bot is not None and self._loop is not None:
            try:
                self.call(self.bot.close(), timeout=30)
                self.call(self.emu.stop(), timeout=30)
            except Exception:  # teardown must not hide the results
                pass
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self.chroma is not None:
            self.chroma.stop()
        self.ws.close()
