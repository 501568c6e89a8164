"""Discord message formatting as plain functions over the answer types: no discord import here.

Messages are built as Discord JSON (embed dicts) so they can be checked against Discord's
limits in plain tests; the cogs turn them into `discord.Embed.from_dict`. Text that comes from
articles or users is neutralised: mentions cannot ping (allowed_mentions none is the guarantee,
this is the belt to its braces) and masked links cannot be smuggled in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

import pysbd

from bot.answer import display, timeline
from bot.answer.labels import PublisherLabel, dated, named
from bot.answer.timeline import Timeline
from bot.answer.types import Answer, Citation
from bot.discord.limits import (
    AUTHOR_MAX,
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    TITLE_MAX,
)
from bot.discord.ports import ArticleHit, IngestSummary
from bot.library_publishers import PublisherCount
from vectorstore.records import ArticleRecord

ANSWER_COLOUR = 0x2B6CB0
ABSTAIN_COLOUR = 0x718096
QUOTE_MAX = 600  # one quoted passage in the Sources view
LINK_TITLE_MAX = 120
LEAD_MAX = 1000  # the opening paragraph /article shows
SEARCH_PAGE_SIZE = 5

Embed = dict[str, Any]

_ZWSP = "\u200b"
_MENTION = re.compile(r"@(everyone|here)\b|<@([!&]?)(\d+)>", re.IGNORECASE)
_MASKED_LINK_START = re.compile(r"\]\(")
_MARKDOWN_SPECIAL = re.compile(r"([\\\[\]*_~`|>])")
# A word, or a whole masked link (which may contain spaces): the unit a split never cuts.
_TOKEN = re.compile(r"\[[^\]\n]*\]\(<?[^)\s]*>?\)\S*|\S+")


def neutralise(text: str) -> str:
    """Defuse @everyone/@here/<@id>/<@&id> and masked links in untrusted text."""

    def defuse(m: re.Match[str]) -> str:
        if m.group(1):
            return f"@{_ZWSP}{m.group(1)}"
        return f"<@{_ZWSP}{m.group(2)}{m.group(3)}>"

    return _MASKED_LINK_START.sub(f"]{_ZWSP}(", _MENTION.sub(defuse, text))


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _segmenter().segment(text) if s.strip()]


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


_LEVELS = ((_paragraphs, "\n\n"), (_sentences, " "), (_words, " "))


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut between paragraphs, else sentences, else words.

    A word or masked link is never cut unless it alone is longer than `limit`.
    """
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    return _split(text, limit, 0)


def _split(text: str, limit: int, level: int) -> list[str]:
    if level == len(_LEVELS):
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    units, joiner = _LEVELS[level]
    chunks: list[str] = []
    current = ""
    for unit in units(text):
        if len(unit) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.extend(_split(unit, limit, level + 1))
        elif current and len(current) + len(joiner) + len(unit) > limit:
            chunks.append(current)
            current = unit
        else:
            current = f"{current}{joiner}{unit}" if current else unit
    if current:
        chunks.append(current)
    return chunks


def _safe_url(url: str | None) -> str | None:
    """An http(s) URL that cannot close the `<...>` or `(...)` around it, else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%-._~")


def link_title(title: str) -> str:
    """A title safe inside `[...]`: neutralised, markdown escaped, on one line, not too long."""
    one_line = " ".join(neutralise(title).split()) or "untitled"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", truncate(one_line, LINK_TITLE_MAX))


def masked_link(title: str, url: str | None) -> str:
    """`[title](<url>)`: a link without an embedded preview; just the title when no usable URL."""
    safe = _safe_url(url)
    text = link_title(title)
    return f"[{text}](<{safe}>)" if safe else text


def publisher_line(citation: Citation) -> str:
    """ "Global Times — state-affiliated media (China) · 2020-07-15" ("undated" without a date)."""
    return neutralise(f"{named(citation.publisher, citation.publisher_label)} · {dated(citation.published)}")


def source_line(citation: Citation) -> str:
    return f"**[{citation.n}]** {masked_link(citation.title, citation.url)} · {publisher_line(citation)}"


def embed_size(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts toward the 6000 limit of an embed."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", "")) + len(embed.get("author", {}).get("name", ""))
    for f in embed.get("fields", []):
        size += len(f["name"]) + len(f["value"])
    return size


def _pack_lines(lines: Sequence[str], limit: int) -> list[str]:
    """Join whole lines into blocks of at most `limit` characters."""
    blocks: list[str] = []
    for line in lines:
        line = truncate(line, limit)
        if blocks and len(blocks[-1]) + 1 + len(line) <= limit:
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return blocks


def source_fields(citations: Sequence[Citation]) -> list[dict[str, Any]]:
    values = _pack_lines([source_line(c) for c in citations], FIELD_VALUE_MAX)
    return [
        {"name": "Sources" if i == 0 else _ZWSP, "value": value, "inline": False}
        for i, value in enumerate(values)
    ]


@dataclass(frozen=True, slots=True)
class MessagePart:
    """One Discord message: its embeds (each within Discord's limits)."""

    embeds: list[Embed] = field(default_factory=list)
    content: str = ""


def answer_messages(answer: Answer, elapsed_s: float) -> list[MessagePart]:
    """The answer as one or more messages; the last one carries the sources and the footer."""
    colour = ABSTAIN_COLOUR if answer.abstained else ANSWER_COLOUR
    title = truncate(" ".join(answer.question.split()), TITLE_MAX) or "Answer"
    sources = "source" if len(answer.citations) == 1 else "sources"
    footer = {"text": f"Answered in {elapsed_s:.1f} s · {len(answer.citations)} {sources}"}
    texts = split_text(neutralise(display.shown(answer)), DESCRIPTION_MAX) or ["(no answer)"]
    embeds: list[Embed] = [{"description": t, "color": colour} for t in texts]
    embeds[0]["title"] = title
    if answer.reading:  # a follow-up read in context: say how, so a misreading shows
        embeds[0]["author"] = {"name": truncate(f"Reading this as: {neutralise(answer.reading)}", AUTHOR_MAX)}
    return _with_sources(embeds, answer.citations, footer, colour)


def _with_sources(
    embeds: list[Embed], citations: Sequence[Citation], footer: dict[str, str], colour: int
) -> list[MessagePart]:
    """The embeds with the sources' fields after them (in further embeds when they do not fit)
    and the footer on the last, one message each."""
    last = embeds[-1]
    for f in source_fields(citations):
        room = EMBED_TOTAL_MAX - embed_size(last) - len(footer["text"])
        if len(last.get("fields", [])) == FIELDS_MAX or len(f["name"]) + len(f["value"]) > room:
            last = {"color": colour}
            embeds.append(last)
        last.setdefault("fields", []).append(f)
    last["footer"] = footer
    return [MessagePart(embeds=[e]) for e in embeds]


def timeline_messages(found: Timeline, elapsed_s: float) -> list[MessagePart]:
    """The timeline as one or more messages: its lines (never cut inside one unless it alone is
    too long), then the sources and the footer, as an answer's."""
    if found.problem:
        return [MessagePart(content=truncate(neutralise(found.problem), CONTENT_MAX))]
    colour = ANSWER_COLOUR if found.events else ABSTAIN_COLOUR
    title = truncate(f"Timeline: {' '.join(found.topic.split())}", TITLE_MAX)
    events = f"{len(found.events)} event{'s' if len(found.events) != 1 else ''}"
    sources = f"{len(found.citations)} source{'s' if len(found.citations) != 1 else ''}"
    footer = {"text": f"Built in {elapsed_s:.1f} s · {events} · {sources}"}
    texts = _pack_lines([neutralise(x) for x in timeline.lines(found)], DESCRIPTION_MAX)
    embeds: list[Embed] = [{"description": t, "color": colour} for t in texts]
    embeds[0]["title"] = title
    return _with_sources(embeds, found.citations, footer, colour)


def quote_block(citation: Citation) -> str:
    quote_text = truncate(" ".join(neutralise(citation.quote).split()), QUOTE_MAX)
    link = masked_link(citation.title, citation.url)
    return f"**[{citation.n}]** {link}\n*{publisher_line(citation)}*\n> {quote_text}"


def sources_messages(citations: Sequence[Citation]) -> list[MessagePart]:
    """Each cited passage quoted with its link, for the ephemeral Sources view."""
    if not citations:
        return [MessagePart(content="This answer cites no sources.")]
    blocks = [quote_block(c) for c in citations]
    descriptions: list[str] = []
    for block in blocks:
        if descriptions and len(descriptions[-1]) + 2 + len(block) <= DESCRIPTION_MAX:
            descriptions[-1] += "\n\n" + block
        else:
            descriptions.append(block)
    return [
        MessagePart(embeds=[{"title": "Sources" if i == 0 else "Sources (continued)", "description": d}])
        for i, d in enumerate(descriptions)
    ]


def _date_range(earliest: object, latest: object) -> str:
    if not earliest and not latest:
        return "—"
    return f"{earliest or '?'} → {latest or '?'}"


def stats_embed(stats: Mapping[str, Any]) -> Embed:
    publishers = stats.get("publishers", 0)
    # The store may report publishers as a count or as the list of names.
    count = publishers if isinstance(publishers, int) else len(publishers)
    return {
        "title": "Library",
        "color": ANSWER_COLOUR,
        "fields": [
            {"name": "Articles", "value": str(stats.get("articles", 0)), "inline": True},
            {"name": "Chunks", "value": str(stats.get("chunks", 0)), "inline": True},
            {"name": "Publishers", "value": str(count), "inline": True},
            {
                "name": "Published",
                "value": _date_range(stats.get("earliest"), stats.get("latest")),
                "inline": False,
            },
            {"name": "Last ingest", "value": str(stats.get("last_ingest") or "never"), "inline": False},
        ],
    }


def article_embed(article: ArticleRecord, lead: str, label: PublisherLabel) -> Embed:
    """One article: its publisher with the label and the facts the label rests on, its date."""
    embed: Embed = {
        "title": truncate(" ".join(article.title.split()), TITLE_MAX) or "untitled",
        "color": ANSWER_COLOUR,
        "description": truncate(neutralise(lead), LEAD_MAX) if lead.strip() else "(no text stored)",
        "fields": [
            {"name": name, "value": truncate(neutralise(value), FIELD_VALUE_MAX), "inline": inline}
            for name, value, inline in (
                ("Publisher", named(label.name or article.publisher, label.text), True),
                ("Author", article.author or "unknown", True),
                ("Published", dated(article.published), True),
                ("Chunks", str(article.chunk_count), True),
                ("ID", f"`{article.id}`", True),
                ("Why this label", label.basis, False),
            )
        ],
    }
    url = _safe_url(article.url)
    if url:
        embed["url"] = url
    return embed


def publishers_messages(rows: Sequence[PublisherCount]) -> list[MessagePart]:
    """The library's publishers, one line each with its label and article count, most first;
    as many as fit in one embed, with how many more there are."""
    if not rows:
        return [MessagePart(content="The library is empty: nothing has been ingested yet.")]
    lines = [
        f"**{neutralise(r.label.name or 'No publisher named')}** — {neutralise(r.label.text)} · "
        f"{r.articles} article{'s' if r.articles != 1 else ''}"
        for r in rows
    ]
    shown: list[str] = []
    for i, line in enumerate(lines):
        more = f"… and {len(lines) - i} more publishers"
        if sum(len(x) + 1 for x in (*shown, line)) + len(more) > DESCRIPTION_MAX:
            shown.append(more)
            break
        shown.append(line)
    total = sum(r.articles for r in rows)
    embed: Embed = {
        "title": "Publishers in the library",
        "color": ANSWER_COLOUR,
        "description": "\n".join(shown),
        "footer": {"text": f"{len(rows)} publishers · {total} articles"},
    }
    return [MessagePart(embeds=[embed])]


def page_count(total: int, per_page: int = SEARCH_PAGE_SIZE) -> int:
    return max(1, -(-total // per_page))


def search_embed(
    query: str, hits: Sequence[ArticleHit], page: int, per_page: int = SEARCH_PAGE_SIZE
) -> Embed:
    """Page `page` (0-based) of the search results."""
    title = truncate(f"Search: {' '.join(query.split())}", TITLE_MAX)
    if not hits:
        return {"title": title, "color": ABSTAIN_COLOUR, "description": "No matching articles."}
    start = page * per_page
    lines = []
    for i, hit in enumerate(hits[start : start + per_page], start=start + 1):
        a = hit.article
        publisher = hit.publisher or named(a.publisher, "unlabelled")
        details = neutralise(f"{publisher} · {dated(a.published)}")
        lines.append(f"`{i}.` {masked_link(a.title, a.url)} · {details}\n`{a.id}`")
    pages = page_count(len(hits), per_page)
    return {
        "title": title,
        "color": ANSWER_COLOUR,
        "description": truncate("\n".join(lines), DESCRIPTION_MAX),
        "footer": {"text": f"Page {page + 1}/{pages} · {len(hits)} articles"},
    }


def ingest_text(url: str, summary: IngestSummary) -> str:
    head = (
        f"Ingested <{_safe_url(url) or neutralise(url)}>: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {len(summary.failed)} failed."
    )
    lines = [head, *(f"- {neutralise(reason)}" for reason in summary.failed)]
    return truncate("\n".join(lines), CONTENT_MAX)
