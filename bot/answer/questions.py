"""Questions as users type them, made safe to search with (or refused with a short reason)."""

from __future__ import annotations

import re
import unicodedata

from bot.limits import MAX_QUESTION_CHARS

# Discord mentions (<@id>, <@!id>, <@&role>, <#channel>) and @everyone/@here mean nothing to
# the search and must never be echoed back as pings.
_MENTION = re.compile(r"<[@#][!&]?\d+>|@(?=everyone\b|here\b)", re.I)
# Markdown that only decorates: code fences, emphasis, headings, quotes, spoilers.
_MARKDOWN = re.compile(r"```|`|\*\*|__|~~|\|\||^\s*(?:#{1,6}|>+)\s*", re.M)


def clean_question(text: str, max_chars: int = MAX_QUESTION_CHARS) -> tuple[str, str | None]:
    """The question as plain text, and the reason it cannot be asked (None when it can)."""
    chars = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            chars.append(" " if ch in "\t\n\r\v\f" else "")
        else:
            chars.append(ch)
    plain = "".join(chars)
    if len(plain) > max_chars:
        return (
            "",
            f"That question is too long ({len(plain):,} characters): please ask in at most {max_chars:,}.",
        )
    plain = _MARKDOWN.sub(" ", _MENTION.sub(" ", plain))
    plain = " ".join(plain.split())
    if not plain:
        return "", "Please ask a question: the text was empty."
    if not any(ch.isalnum() for ch in plain):
        return "", "Please ask your question in words: I found no letters or digits in it."
    return plain, None
