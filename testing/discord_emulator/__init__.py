"""A local Discord API emulator (REST v10 + gateway) that the real discord.py client connects to."""

from testing.discord_emulator.payloads import User
from testing.discord_emulator.server import DiscordEmulator, Interaction, Sent, pings

__all__ = ["DiscordEmulator", "Interaction", "Sent", "User", "pings"]
