"""What the `geobot` CLI prints: answers, evaluation reports, the article list and the store's
figures, on a terminal (rich) or as JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot.answer.types import Answer, Origin
from bot.evaluation import EvalReport
from vectorstore.records import ArticleRecord


def answer_json(answer: Answer, item_id: str | int | None = None) -> dict[str, Any]:
    """The answer as the CLI contract's JSON object (with ``id`` first when answering a file)."""
    out: dict[str, Any] = {} if item_id is None else {"id": item_id}
    out.update(
        question=answer.question,
        answer=answer.text,
        abstained=answer.abstained,
        citations=[
            {
                "n": c.n,
                "article_id": c.article_id,
                "title": c.title,
                "publisher": c.publisher,
                "author": c.author,
                "published": c.published,
                "url": c.url,
                "quote": c.quote,
                "origin": [o.as_dict() for o in c.origin],
            }
            for c in answer.citations
        ],
        timings_ms={k: round(v, 1) for k, v in answer.timings_ms.items()},
    )
    return out


def _origin(origin: Origin) -> str:
    if origin.url is not None:
        return origin.url
    # Only tables and JSON files hold several records; for the others the path says it all.
    if origin.record is not None and Path(str(origin.path)).suffix.lower() in (".csv", ".json", ".jsonl"):
        return f"{origin.path} record {origin.record}"
    return str(origin.path)


def render_answer(answer: Answer) -> RenderableType:
    """The answer, then its numbered sources (title, publisher, author, date, url, origins, quote)."""
    parts: list[RenderableType] = [Text(answer.text)]
    if answer.citations:
        parts.append(Text("\nSources", style="bold"))
    for c in answer.citations:
        byline = " · ".join(x for x in (c.publisher, c.author, c.published or "date unknown") if x)
        lines = [f"[bold][{c.n}][/] {escape(c.title)}", f"    {escape(byline)}"]
        if c.url:
            lines.append(f"    [link={escape(c.url)}]{escape(c.url)}[/link]")
        if c.origin:
            lines.append(f"    from {escape('; '.join(_origin(o) for o in c.origin))}")
        lines.append(f"    [italic]“{escape(c.quote)}”[/]")
        parts.append(Text.from_markup("\n".join(lines)))
    return Group(*parts)


def eval_table(report: EvalReport) -> RenderableType:
    """One row per question, then the summary measures beside the issue's targets."""
    table = Table(title="geotech-bot evaluation")
    for column in ("id", "type", "hit@4", "keywords", "cited gold", "abstained"):
        table.add_column(column)

    def mark(flag: bool) -> str:
        return "[green]yes[/]" if flag else "[red]no[/]"

    for s in report.scores:
        if s.question.answerable:
            abstained = "[red]yes[/]" if s.answer.abstained else "no"
            row = (mark(s.hit), mark(s.keywords), mark(s.citation_hit), abstained)
        else:
            row = ("", "", "", mark(s.answer.abstained))
        table.add_row(s.question.id, s.question.kind, *row)
    answerable, unanswerable = len(report.answerable), len(report.unanswerable)
    summary = Table(title="summary")
    for column in ("measure", "value", "target", "over"):
        summary.add_column(column)
    rows = (
        ("hit@4", report.hit_at_4, ">= 0.90", f"{answerable} answerable"),
        ("keyword accuracy", report.keyword_accuracy, ">= 0.65", f"{answerable} answerable"),
        ("citation hit", report.citation_hit, ">= 0.90", "answered answerable"),
        ("abstention", report.abstention, ">= 0.80", f"{unanswerable} unanswerable"),
        ("false abstention", report.false_abstention, "<= 0.10", f"{answerable} answerable"),
    )
    for measure, value, target, over in rows:
        summary.add_row(measure, f"{value:.2f}", target, over)
    return Group(table, summary)


def articles_table(articles: Sequence[ArticleRecord]) -> Table:
    table = Table(title=f"{len(articles)} stored articles")
    for column in ("id", "title", "publisher", "date"):
        table.add_column(column, overflow="fold")
    for a in articles:
        table.add_row(a.id, a.title, a.publisher or "-", a.published or "date unknown")
    return table


def article_json(article: ArticleRecord) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "publisher": article.publisher,
        "author": article.author,
        "published": article.published,
        "url": article.url,
        "origin": [dict(o) for o in article.origins],
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
