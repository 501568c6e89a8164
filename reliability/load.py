"""Load through the Discord emulator: many /ask from many users, cooldowns on, real services.

Full: 200 /ask over 60 s from 50 users; quick: 40 over 12 s from 10 users; smoke: 10 over 4 s
from 3 users (so the cooldown refuses some). Arrival times and
users are drawn with a fixed seed. Every interaction must be acknowledged within 3 s and end
answered (a cited embed) or refused by the cooldown with its message; anything else is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from reliability.harness import NotLanded
from reliability.product import SHARED
from reliability.world import World

SEED = 7


def _questions() -> list[str]:
    path = SHARED / "eval" / "dev_questions.json"
    data = json.loads(path.read_text())
    items = data if isinstance(data, list) else data.get("questions", [])
    return [q["question"] for q in items if isinstance(q, dict) and q.get("question")] or [
        "Which countries ban Huawei?"
    ]


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


class PeakMemory:
    """Samples the resident memory of this process (bot + services) and of the Chroma server."""

    def __init__(self, other_pid: int | None) -> None:
        self.me = psutil.Process()
        self.other = psutil.Process(other_pid) if other_pid else None
        self.peak_me = self.peak_other = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_me = max(self.peak_me, self.me.memory_info().rss)
            if self.other is not None:
                with contextlib.suppress(psutil.Error):
                    self.peak_other = max(self.peak_other, self.other.memory_info().rss)
            self._stop.wait(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)


def _reply_at(emu: Any, ix: Any) -> float | None:
    """When the user first saw a reply: the first follow-up/edit, or an immediate message callback."""
    for sent in emu.sent:
        if ix.token not in sent.path or sent.status >= 300:
            continue
        if sent.path.endswith("/callback"):
            if isinstance(sent.payload, dict) and sent.payload.get("type") == 4:
                return float(sent.at)
            continue
        return float(sent.at)
    return None


SIZES = {"full": (200, 60.0, 50), "quick": (40, 12.0, 10), "smoke": (10, 4.0, 3)}


def run(root: Path, mode: str, world: World | None = None) -> dict[str, Any]:
    n, duration, users_n = SIZES[mode]
    out: dict[str, Any] = {"status": "skipped", "interactions": n, "users": users_n, "duration_s": duration}
    if world is None:
        world = World(root)
    try:
        world.ensure_discord()
    except NotLanded as exc:
        out["reason"] = str(exc)
        return out
    emu = world.emu
    rng = random.Random(SEED)
    questions = _questions()
    users = [emu.user(f"load{i:02d}") for i in range(users_n)]
    schedule = sorted((rng.uniform(0, duration), rng.choice(users), rng.choice(questions)) for _ in range(n))
    cooldown_text = "slow down"

    async def drive() -> list[Any]:
        start = time.monotonic()
        sent: list[Any] = []
        for at, user, question in schedule:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            sent.append(await emu.invoke("ask", {"question": question}, user=user))
        with contextlib.suppress(TimeoutError):
            await emu.wait_for(lambda: all(ix.answered or ix.rejected for ix in sent), within=180)
        return sent

    chroma_pid = world.chroma.proc.pid if world.chroma and world.chroma.proc else None
    with PeakMemory(chroma_pid) as mem:
        t0 = time.perf_counter()
        interactions = world.call(drive(), timeout=duration + 240)
        wall = time.perf_counter() - t0
    acks = [ix.ack_latency for ix in interactions if ix.ack_latency is not None]
    answered = [ix for ix in interactions if ix.embeds]
    refused = [ix for ix in interactions if not ix.embeds and cooldown_text in ix.text.lower()]
    other = [ix for ix in interactions if ix.answered and ix not in answered and ix not in refused]
    lost = [ix for ix in interactions if not ix.answered]
    replies = [(r - ix.created) * 1000 for ix in answered if (r := _reply_at(emu, ix)) is not None]
    rejected = sum(len(ix.rejected) for ix in interactions)
    out.update(
        status="pass" if not lost and not other and len(acks) == n and max(acks) <= 3 else "fail",
        wall_s=round(wall, 1),
        answered=len(answered),
        cooldown_refused=len(refused),
        other_replies=len(other),
        lost=len(lost),
        acked_within_3s=f"{sum(1 for a in acks if a <= 3)}/{n}",
        ack_p95_ms=round(_percentile(acks, 95) * 1000),
        ack_max_ms=round(max(acks, default=0) * 1000),
        reply_p50_ms=round(_percentile(replies, 50)),
        reply_p95_ms=round(_percentile(replies, 95)),
        reply_mean_ms=round(statistics.fmean(replies)) if replies else 0,
        requests_refused_by_emulator=rejected,
        peak_rss_mb=round(mem.peak_me / 2**20),
        chroma_server_peak_rss_mb=round(mem.peak_other / 2**20),
        seed=SEED,
    )
    out["notes"] = [
        f"{'lost' if not ix.answered else 'unexpected reply'}: {ix.text[:100]!r}" for ix in (lost + other)[:5]
    ]
    return out
