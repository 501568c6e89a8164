"""Faults of the running services: the Chroma server stopped during /ask, the LLM server slow or
down, the Discord gateway dropped. All go through the real services (and the real bot against
the emulator where it has landed), sharing one ``World``.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reliability.harness import FaultResult, NotLanded, first_line
from reliability.hostile_server import HostileServer
from reliability.world import World, free_port

QUESTION = "Why did the UK decide to remove Huawei equipment from its 5G network?"
STORE_DOWN_WORDS = ("unavailable", "try again")


def _ask(asker: Any, text: str) -> tuple[Any, float]:
    from bot.answer.types import Question

    t0 = time.perf_counter()
    answer = asker.ask(Question(text=text), None)  # no server: the base library
    return answer, time.perf_counter() - t0


def _discord_ask(world: World, user_name: str, question: str, within: float = 60.0) -> Any:
    emu = world.emu
    user = emu.user(user_name)

    async def go() -> Any:
        ix = await emu.invoke("ask", {"question": question}, user=user)
        await emu.wait_for(lambda: ix.answered or ix.rejected, within=within)
        return ix

    return world.call(go(), timeout=within + 10)


def chroma_down(world: World) -> Callable[[Path, bool], FaultResult]:
    def run(root: Path, quick: bool) -> FaultResult:
        result = FaultResult(
            "chroma_down",
            "Chroma server stopped during /ask, then started again",
            "short 'store unavailable, try again' reply; answers resume without restarting the bot",
        )
        try:
            world.ensure_services()
        except NotLanded as exc:
            result.skipped = str(exc)
            return result
        assert world.chroma is not None
        asker = world.services.asker
        discord_ready = True
        try:
            world.ensure_discord()
        except NotLanded as exc:
            discord_ready = False
            result.notes.append(f"Discord path not run: {exc}")
        error_seconds: list[float] = []
        resume_seconds: list[float] = []
        trials = 2 if quick else 6
        for trial in range(trials):
            result.trials += 1
            problems = []
            try:
                answer, _ = _ask(asker, QUESTION)
                if not answer.citations:
                    problems.append("no cited answer before the stop")
            except Exception as exc:
                problems.append(f"before the stop: {exc!r}"[:150])
            world.chroma.stop(signal.SIGKILL if trial % 2 else signal.SIGTERM)
            t0 = time.perf_counter()
            try:
                _ask(asker, QUESTION)
                problems.append("answered with the store down")
            except Exception as exc:
                error_seconds.append(time.perf_counter() - t0)
                text = str(exc)
                if not all(w in text.lower() for w in STORE_DOWN_WORDS) or len(text) > 300:
                    problems.append(f"unclear error: {type(exc).__name__}: {text[:150]}")
            if discord_ready and trial == 0:
                ix = _discord_ask(world, f"down{trial}", QUESTION)
                said = ix.text.lower()
                if (
                    not ix.answered
                    or "unavailable" not in said
                    or ix.ack_latency is None
                    or ix.ack_latency > 3
                ):
                    problems.append(f"Discord reply while down: {ix.text[:120]!r}, ack {ix.ack_latency}")
            world.chroma.start()
            t1 = time.perf_counter()
            try:
                answer, _ = _ask(asker, QUESTION)
                resume_seconds.append(time.perf_counter() - t1)
                if not answer.citations:
                    problems.append("no cited answer after the restart")
            except Exception as exc:
                problems.append(f"after the restart: {exc!r}"[:150])
            if discord_ready and trial == 0:
                ix = _discord_ask(world, f"back{trial}", QUESTION)
                if not ix.embeds:
                    problems.append(f"Discord after restart: {ix.text[:120]!r}")
            if problems:
                result.notes.append(f"trial {trial}: " + "; ".join(problems))
            else:
                result.survived += 1
        result.figures = {
            "error_after_s_max": round(max(error_seconds, default=0), 2),
            "first_answer_after_restart_s_max": round(max(resume_seconds, default=0), 2),
            "via_discord": discord_ready,
        }
        return result

    return run


def llm_faults(world: World, server: HostileServer) -> Callable[[Path, bool], FaultResult]:
    def run(root: Path, quick: bool) -> FaultResult:
        result = FaultResult(
            "llm_slow_or_down",
            "LLM server down, hanging, failing (500) or talking nonsense",
            "the extractive answer, cited, within llm.timeout + 5 s",
        )
        try:
            world.ensure_services()
            from bot.discord import services as svc

            if not hasattr(svc, "ServerAsker"):
                raise NotLanded("bot.discord.services.ServerAsker has not landed")
        except NotLanded as exc:
            result.skipped = str(exc)
            return result
        from bot.settings import Secrets, load_settings

        timeout = 3.0
        modes = {
            "down": f"http://127.0.0.1:{free_port()}/v1",
            "hanging": f"http://127.0.0.1:{server.port}/llm-slow/v1",
            "http_500": f"http://127.0.0.1:{server.port}/llm-500/v1",
            "garbage": f"http://127.0.0.1:{server.port}/llm-garbage/v1",
        }
        libraries, embedder = world.services.ingester.libraries, world.services.ingester.embedder
        worst: dict[str, float] = {}
        for mode, base_url in modes.items():
            env = {
                **world.ws.env,
                **world.http_env(),
                "GEOBOT_LLM__PROVIDER": "openai",
                "GEOBOT_LLM__BASE_URL": base_url,
                "GEOBOT_LLM__MODEL": "smollm2",
                "GEOBOT_LLM__TIMEOUT": str(timeout),
            }
            settings = load_settings(None, env)
            asker = svc.ServerAsker(settings, Secrets(), libraries, embedder)
            for _ in range(1 if quick else 3):
                result.trials += 1
                try:
                    answer, took = _ask(asker, QUESTION)
                except Exception as exc:
                    result.notes.append(f"{mode}: raised {exc!r}"[:200])
                    continue
                worst[mode] = round(max(worst.get(mode, 0.0), took), 2)
                # a mode the server never saw would prove nothing about that fault
                reached = mode == "down" or any(
                    path.startswith(urlsplit(base_url).path) for path in server.hits
                )
                if not reached:
                    result.notes.append(f"{mode}: the LLM server never received the request")
                elif answer.citations and took <= timeout + 5:
                    result.survived += 1
                else:
                    result.notes.append(
                        f"{mode}: {len(answer.citations)} citations after {took:.1f}s: "
                        f"{first_line(answer.text)[:80]}"
                    )
        result.figures = {"llm_timeout_s": timeout, **{f"{m}_worst_s": s for m, s in worst.items()}}
        return result

    return run


def gateway_drop(world: World) -> Callable[[Path, bool], FaultResult]:
    def run(root: Path, quick: bool) -> FaultResult:
        result = FaultResult(
            "gateway_drop",
            "emulator drops the gateway websocket (resumable, and with the session invalidated)",
            "discord.py reconnects (resume or new session); later /ask acknowledged < 3 s and answered",
        )
        try:
            world.ensure_discord()
        except NotLanded as exc:
            result.skipped = str(exc)
            return result
        emu = world.emu
        reconnect: list[float] = []
        for trial in range(2 if quick else 8):
            result.trials += 1
            invalidate = trial % 2 == 1
            before = emu.identifies + emu.resumes
            t0 = time.perf_counter()

            async def drop(invalidate: bool = invalidate, before: int = before) -> None:
                await emu.drop_gateway(code=4000, invalidate=invalidate)
                await emu.wait_for(lambda: emu.identifies + emu.resumes > before, within=60)
                await emu.wait_ready(within=30)

            try:
                world.call(drop(), timeout=100)
            except Exception as exc:
                result.notes.append(f"trial {trial}: no reconnect ({exc!r})"[:200])
                continue
            reconnect.append(time.perf_counter() - t0)
            ix = _discord_ask(world, f"gw{trial}", QUESTION)
            if ix.embeds and ix.ack_latency is not None and ix.ack_latency <= 3:
                result.survived += 1
            else:
                result.notes.append(f"trial {trial}: ack {ix.ack_latency}, reply {ix.text[:100]!r}")
        result.figures = {
            "reconnect_s_max": round(max(reconnect, default=0), 2),
            "resumes": emu.resumes,
            "identifies": emu.identifies,
        }
        return result

    return run


def catalog(world: World, server: HostileServer) -> list[tuple[str, Callable[[Path, bool], FaultResult]]]:
    return [
        ("chroma_down", chroma_down(world)),
        ("llm_slow_or_down", llm_faults(world, server)),
        ("gateway_drop", gateway_drop(world)),
    ]
