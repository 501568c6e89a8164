"""A digest: the new articles of a feed's poll, one line per story.

Copies of one story — a syndicated copy, a near-duplicate that ingest merged into the article it
repeats — are one article in the library, so they collapse into that article's line, which
names the other publishers ("also: Coastline Daily"). Discord and the CLI show the same lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One entry of a poll, as the article it became (``ingest.feed_poll.FeedItem``)."""

    article_id: str
    title: str
    publisher: str | None
    published: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class DigestLine:
    title: str
    publisher: str | None
    published: str | None
    url: str | None
    also: tuple[str, ...] = ()  # the other publishers of copies of the same story


def digest_lines(items: Iterable[DigestItem]) -> list[DigestLine]:
    """One line per article, in the order the feed listed them; a copy adds its publisher."""
    groups: dict[str, list[DigestItem]] = {}
    for item in items:
        groups.setdefault(item.article_id, []).append(item)
    lines = []
    for copies in groups.values():
        first = copies[0]
        named = {(first.publisher or "").casefold()}
        also: list[str] = []
        for copy in copies[1:]:
            if copy.publisher and copy.publisher.casefold() not in named:
                named.add(copy.publisher.casefold())
                also.append(copy.publisher)
        lines.append(DigestLine(first.title, first.publisher, first.published, first.url, tuple(also)))
    return lines


def details(line: DigestLine) -> str:
    """'Publisher · 2024-04-10 · also: B, C' (what is known of it)."""
    parts = [p for p in (line.publisher, line.published) if p]
    if line.also:
        parts.append(f"also: {', '.join(line.also)}")
    return " · ".join(parts)


def new_articles(n: int) -> str:
    return f"{n} new article" if n == 1 else f"{n} new articles"


def digest_text(heading: str, lines: Sequence[DigestLine]) -> str:
    """The digest as plain text, for the command line."""
    out = [heading]
    for line in lines:
        tail = details(line)
        out.append(f"- {line.title}" + (f" — {tail}" if tail else ""))
        if line.url:
            out.append(f"  {line.url}")
    return "\n".join(out)
