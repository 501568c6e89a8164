"""Waiting on the Discord emulator for what the bot does with an interaction."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from testing.discord_emulator import DiscordEmulator, Interaction


async def answered(emu: DiscordEmulator, ix: Interaction, within: float = 10.0) -> Interaction:
    """Until the answer's last message (the one with the footer and the buttons) is shown."""
    await emu.wait_for(lambda: ix.answered and "footer" in ix.messages[-1]["embeds"][-1], within)
    return ix


async def replied(emu: DiscordEmulator, ix: Interaction, within: float = 10.0) -> Interaction:
    await emu.wait_for(lambda: ix.answered, within)
    return ix


async def eventually(predicate: Callable[[], object], within: float = 30.0) -> None:
    """Until ``predicate()`` holds, for what the emulator does not see (logs, the records)."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {within:g} s")
        await asyncio.sleep(0.1)
