"""A feed's digest and the list of followed feeds as Discord embeds (plain functions, no discord).

One digest is one message: its lines are packed into one embed within Discord's limits, and
what does not fit is counted ("…and 4 more"), never sent as a second message.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.digest import DigestLine, details, new_articles
from bot.discord.limits import DESCRIPTION_MAX, FIELD_VALUE_MAX, FIELDS_MAX, TITLE_MAX
from bot.discord.render import ABSTAIN_COLOUR, ANSWER_COLOUR, Embed, masked_link, neutralise, truncate
from bot.feeds import Feed

LINE_MAX = 500  # one story's line


def digest_line(line: DigestLine) -> str:
    tail = details(line)
    text = f"• {masked_link(line.title, line.url)}" + (f" — {neutralise(tail)}" if tail else "")
    return truncate(text, LINE_MAX)


def digest_embed(feed: Feed, lines: Sequence[DigestLine]) -> Embed:
    rows: list[str] = []
    for n, line in enumerate(lines):
        row = digest_line(line)
        more = f"…and {len(lines) - n} more"
        if sum(len(r) + 1 for r in rows) + len(row) + 1 + len(more) > DESCRIPTION_MAX:
            rows.append(more)
            break
        rows.append(row)
    return {
        "title": truncate(f"New from {neutralise(feed.name)}", TITLE_MAX),
        "color": ANSWER_COLOUR,
        "description": "\n".join(rows),
        "footer": {"text": f"{new_articles(len(lines))} · /feeds list shows what this server follows"},
    }


def feeds_embed(feeds: Sequence[tuple[Feed, str]], limit: int) -> Embed:
    """The followed feeds, numbered as /feeds remove takes them, each with its status line."""
    if not feeds:
        return {
            "title": "Followed feeds",
            "color": ABSTAIN_COLOUR,
            "description": "This server follows no feeds yet; /feeds add follows one.",
        }
    fields = []
    for n, (feed, status) in enumerate(feeds[:FIELDS_MAX], start=1):
        where = f" → <#{feed.channel_id}>" if feed.channel_id else ""
        value = f"<{neutralise(feed.url)}>{where}\n{neutralise(status)}"
        fields.append(
            {
                "name": truncate(f"{n}. {neutralise(feed.name)}", 256),
                "value": truncate(value, FIELD_VALUE_MAX),
                "inline": False,
            }
        )
    return {
        "title": "Followed feeds",
        "color": ANSWER_COLOUR,
        "fields": fields,
        "footer": {"text": f"{len(feeds)} of {limit} feeds"},
    }
