"""What the user sees: a rich progress bar while ingesting, then the report."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ingest.pipeline import IngestReport


class RichProgress:
    """The pipeline's Progress as one rich bar per stage; embedding also shows chunks and chunks/s."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None
        self._stage = ""
        self._started = 0.0
        self._chunks = 0

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.stop()

    def stage(self, name: str, total: int | None = None) -> None:
        self._stage = name
        self._started = time.perf_counter()
        self._chunks = 0
        self._task = self._bar.add_task(name, total=total, rate="")

    def advance(self, n: int = 1, chunks: int = 0) -> None:
        if self._task is None:
            return
        rate = ""
        if self._stage == "embedding":
            # Counted in chunks in-process; in articles with their chunks from the workers.
            self._chunks += chunks or n
            per_second = self._chunks / max(time.perf_counter() - self._started, 1e-6)
            rate = f"{self._chunks} chunks, {per_second:.0f} chunks/s"
        self._bar.update(self._task, advance=n, rate=rate)


def _origin(origin: object) -> str:
    if isinstance(origin, dict):
        if "url" in origin:
            return str(origin["url"])
        return f"{origin.get('path')}#{origin.get('record')}"
    return str(origin)


def print_report(report: IngestReport, console: Console) -> None:
    verb = "would be " if report.dry_run else ""
    if report.dry_run:
        for action, article_id, chunks in report.planned:
            console.print(escape(f"  {action:<9} {article_id}  ({chunks} chunks)"), highlight=False)
    console.print(
        f"[bold]{len(report.added)}[/] {verb}added, [bold]{len(report.updated)}[/] {verb}updated "
        f"(text changed), [bold]{len(report.metadata_updated)}[/] {verb}updated (metadata), "
        f"[bold]{len(report.unchanged)}[/] unchanged, [bold]{len(report.merges)}[/] duplicates merged, "
        f"[bold]{len(report.failed)}[/] failed",
        highlight=False,
    )
    if report.chunks_embedded:
        rate = report.chunks_embedded / max(report.embed_seconds, 1e-6)
        console.print(
            f"{report.chunks_embedded} chunks embedded in {report.embed_seconds:.1f} s ({rate:.0f}/s); "
            f"total {report.seconds:.1f} s",
            highlight=False,
        )
    for merge in report.merges:
        how = "identical" if merge.similarity >= 1.0 else f"similarity {merge.similarity:.2f}"
        where = " (already stored)" if merge.stored else ""
        console.print(
            escape(
                f"  merged {_origin(merge.merged_origin)} into {_origin(merge.kept_origin)}{where} [{how}]"
            ),
            highlight=False,
            soft_wrap=True,
        )
    for line in report.failed:
        console.print(f"[red]failed:[/] {escape(line)}", highlight=False, soft_wrap=True)
