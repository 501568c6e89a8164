"""Discord's limits (discord.com/developers/docs), and ours on what users type, in one place.

The Discord emulator (testing/discord_emulator/limits.py) keeps its own copy of Discord's on
purpose: it checks the bot against Discord's rules, which it could not do with the bot's numbers.
"""

from __future__ import annotations

# Messages and embeds (Message: Create Message; Embed Limits).
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256  # an embed author's name
EMBED_TOTAL_MAX = 6000  # titles, descriptions, field names and values, footers of one embed
THREAD_NAME_MAX = 100
OPTION_TEXT_MAX = 6000  # the longest value a string option of a slash command may have
# An interaction's follow-ups, and so the buttons sent with them, work this long after it.
INTERACTION_SECONDS = 15 * 60

# Ours, on options users type (the question's own limit is bot.limits.MAX_QUESTION_CHARS,
# applied by the answering service, so that /ask and mention chat refuse alike).
URL_MAX = 2000
SEARCH_QUERY_MAX = 300
NAME_MAX = 100  # a publisher name or an article id
