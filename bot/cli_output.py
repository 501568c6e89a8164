"""What the `geobot` CLI prints: answers, timelines, evaluation reports, the article list and the store's
figures, on a terminal (rich) or as JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot.answer import display, timeline
from bot.answer.labels import PublisherLabel, dated, named
from bot.answer.timeline import Timeline
from bot.answer.types import Answer, Citation, Origin
from bot.evaluation import ANSWER_FIRST_TYPES, MEASURES, TARGETS, EvalReport, Split
from bot.library_publishers import PublisherCount
from vectorstore.records import ArticleRecord


def answer_json(answer: Answer, item_id: str | int | None = None) -> dict[str, Any]:
    """The answer as the CLI contract's JSON object (with ``id`` first when answering a file).

    ``answer`` is the answer proper; ``notes`` are the lines shown after it (where sources differ,
    when the evidence dates from, the newest source), ``sentences`` each sentence with the
    number of independent publishers supporting it.
    """
    out: dict[str, Any] = {} if item_id is None else {"id": item_id}
    out.update(
        question=answer.question,
        reading=answer.reading,
        answer=answer.text,
        abstained=answer.abstained,
        sentences=display.sentences(answer),
        sources_differ=[
            [{"value": value, "citations": list(numbers)} for value, numbers in d.values]
            for d in answer.differences
        ],
        newest_source=answer.dating.newest if answer.dating else None,
        notes=display.notes(answer),
        citations=[citation_json(c) for c in answer.citations],
        timings_ms={k: round(v, 1) for k, v in answer.timings_ms.items()},
    )
    return out


def citation_json(c: Citation) -> dict[str, Any]:
    return {
        "n": c.n,
        "article_id": c.article_id,
        "title": c.title,
        "publisher": c.publisher,
        "publisher_type": c.publisher_type,
        "publisher_country": c.publisher_country,
        "publisher_label": c.publisher_label,
        "author": c.author,
        "published": c.published,
        "undated": c.undated,
        "url": c.url,
        "quote": c.quote,
        "origin": [o.as_dict() for o in c.origin],
    }


def _origin(origin: Origin) -> str:
    if origin.url is not None:
        return origin.url
    # Only tables and JSON files hold several records; for the others the path says it all.
    if origin.record is not None and Path(str(origin.path)).suffix.lower() in (".csv", ".json", ".jsonl"):
        return f"{origin.path} record {origin.record}"
    return str(origin.path)


def render_answer(answer: Answer) -> RenderableType:
    """The answer (each sentence with its publisher count, then its notes), then its numbered
    sources: title, publisher with its label, author, date, url, origins, quote."""
    parts: list[RenderableType] = [Text(display.shown(answer))]
    if answer.reading:
        parts.insert(0, Text(f"Reading this as: {answer.reading}", style="dim"))
    return Group(*parts, *sources(answer.citations))


def sources(citations: Sequence[Citation]) -> list[RenderableType]:
    """ "Sources", then each numbered source: title, publisher with its label, author, date, url,
    origins, quote."""
    parts: list[RenderableType] = [Text("\nSources", style="bold")] if citations else []
    for c in citations:
        line = " · ".join(
            x for x in (named(c.publisher, c.publisher_label), c.author, dated(c.published)) if x
        )
        lines = [f"[bold][{c.n}][/] {escape(c.title)}", f"    {escape(line)}"]
        if c.url:
            lines.append(f"    [link={escape(c.url)}]{escape(c.url)}[/link]")
        if c.origin:
            lines.append(f"    from {escape('; '.join(_origin(o) for o in c.origin))}")
        lines.append(f"    [italic]“{escape(c.quote)}”[/]")
        parts.append(Text.from_markup("\n".join(lines)))
    return parts


def render_timeline(found: Timeline) -> RenderableType:
    """The events, one line each, oldest first, what was left out, then the numbered sources."""
    return Group(Text("\n".join(timeline.lines(found))), *sources(found.citations))


def timeline_json(found: Timeline) -> dict[str, Any]:
    """The timeline as the CLI contract's JSON object; ``citations`` as ``geobot ask --json``'s."""
    return {
        "topic": found.topic,
        "events": [timeline.event_json(e) for e in found.events],
        "undated": found.undated,
        "more": found.more,
        "notes": timeline.notes(found) if found.events else timeline.lines(found),
        "citations": [citation_json(c) for c in found.citations],
    }


def eval_table(report: EvalReport, split: Split | None = None) -> RenderableType:
    """One row per question, every measure of the eval README for the tune and check halves side
    by side (or the one half asked for) beside the issue's targets, then the measures per type."""
    scores = report.subset(split) if split else report
    table = Table(title="geotech-bot evaluation")
    for column in (
        "id",
        "half",
        "type",
        "hit@4",
        "keywords",
        "first",
        "cited gold",
        "in passages",
        "abstained",
    ):
        table.add_column(column)

    def mark(flag: bool) -> str:
        return "[green]yes[/]" if flag else "[red]no[/]"

    for s in scores.scores:
        q = s.question
        if q.answerable:
            first = mark(s.answer_first) if q.kind in ANSWER_FIRST_TYPES else ""
            abstained = "[red]yes[/]" if s.answer.abstained else "no"
            row = (
                mark(s.hit),
                mark(s.keywords),
                first,
                mark(s.citation_hit),
                mark(s.retrieval_recall),
                abstained,
            )
        else:
            row = ("", "", "", "", "", mark(s.answer.abstained))
        table.add_row(q.id, q.split, q.kind, *row)
    halves = (
        {split: scores}
        if split
        else {"tune": report.subset("tune"), "check": report.subset("check"), "all": report}
    )
    summary = Table(title="summary")
    for column in ("measure", *halves, "target"):
        summary.add_column(column, justify="right" if column != "measure" else "left")
    figures = {name: half.measures() for name, half in halves.items()}
    for measure in MEASURES:
        summary.add_row(
            measure, *(_figure(figures[name][measure]) for name in halves), TARGETS.get(measure, "")
        )
    counts = [f"{len(h.answerable)} + {len(h.unanswerable)}" for h in halves.values()]
    summary.add_row("questions (answerable + not)", *counts, "", style="dim")
    kinds = Table(title="by question type")
    kinds.add_column("type")
    kinds.add_column("questions", justify="right")
    for measure in ("keyword accuracy", "answer-first", "list item recall", "abstention"):
        kinds.add_column(measure, justify="right")
    for kind, part in scores.by_type().items():
        m = part.measures()
        kinds.add_row(
            kind,
            str(len(part.scores)),
            *(_figure(m[k]) for k in ("keyword accuracy", "answer-first", "list item recall", "abstention")),
        )
    return Group(table, summary, kinds)


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def eval_json(report: EvalReport) -> dict[str, Any]:
    """The measures of each half and of all questions, and every question's result."""
    return {
        "measures": {
            "tune": report.subset("tune").measures(),
            "check": report.subset("check").measures(),
            "all": report.measures(),
        },
        "questions": [
            {
                "id": s.question.id,
                "split": s.question.split,
                "type": s.question.kind,
                "answer": s.answer.text,
                "abstained": s.answer.abstained,
                "hit": s.hit,
                "keywords": s.keywords,
                "answer_first": s.answer_first,
                "retrieval_recall": s.retrieval_recall,
            }
            for s in report.scores
        ],
    }


def articles_table(articles: Sequence[tuple[ArticleRecord, PublisherLabel]]) -> Table:
    table = Table(title=f"{len(articles)} stored articles")
    for column in ("id", "title", "publisher", "date"):
        table.add_column(column, overflow="fold")
    for a, label in articles:
        table.add_row(a.id, a.title, named(label.name or a.publisher, label.text), dated(a.published))
    return table


def article_json(article: ArticleRecord, label: PublisherLabel) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "publisher": article.publisher,
        "publisher_type": label.type,
        "publisher_country": label.country,
        "publisher_label": label.text,
        "author": article.author,
        "published": article.published,
        "undated": article.published is None,
        "url": article.url,
        "origin": [dict(o) for o in article.origins],
    }


def publishers_table(rows: Sequence[PublisherCount]) -> Table:
    table = Table(title=f"{len(rows)} publishers")
    for column in ("publisher", "label", "articles", "owner"):
        table.add_column(column, overflow="fold")
    for r in rows:
        owner = r.label.profile.owner if r.label.profile else ""
        table.add_row(r.label.name or "-", r.label.text, str(r.articles), owner)
    return table


def publisher_json(row: PublisherCount) -> dict[str, Any]:
    profile = row.label.profile
    return {
        "publisher": row.label.name,
        "publisher_type": row.label.type,
        "publisher_country": row.label.country,
        "publisher_label": row.label.text,
        "owner": profile.owner if profile else None,
        "basis": row.label.basis if profile else None,
        "articles": row.articles,
    }


STATS_LABELS = {
    "articles": "articles",
    "chunks": "chunks",
    "publishers": "publishers",
    "earliest": "earliest published",
    "latest": "latest published",
    "last_ingest": "last ingest",
}


def stats_table(stats: Mapping[str, Any]) -> Table:
    """A two-column table of ``Store.stats()``; unknown values show as '-'."""
    table = Table(title="geotech-bot store", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")
    for key, label in STATS_LABELS.items():
        value = stats.get(key)
        table.add_row(label, "-" if value is None else str(value))
    return table
