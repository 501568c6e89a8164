"""Test utilities shared by the test suite (`tests/`) and the reliability suite (`reliability/`).

Not part of the product and not installed with it: `discord_emulator` is a local Discord API
(REST and gateway) that the real discord.py client connects to, so both suites can drive the bot
on loopback.
"""
