"""geotech-bot's own length limits, one place each (Discord's are in bot/discord/limits.py).

A limit that is also a setting is the setting's default here; the CLI and the bot apply the
configured value.
"""

from __future__ import annotations

# Longer questions get a short refusal, in the CLI and on Discord alike: the default of
# [answer] max_question_chars.
MAX_QUESTION_CHARS = 1000
