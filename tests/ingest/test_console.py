"""The ingest report prints input names and reasons as they are, brackets included."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from ingest.console import RichProgress, print_report
from ingest.dedup import Merge
from ingest.pipeline import IngestReport


def test_report_lines_are_not_read_as_markup() -> None:
    report = IngestReport()
    report.merges.append(
        Merge("a1", {"path": "in/[draft].csv", "record": 3}, {"path": "in/b.csv", "record": 4}, 1.0, False)
    )
    report.failed.append(
        "in/c.csv: no 'Article' column; set [ingest.csv] text to the column holding the body"
    )
    out = StringIO()
    print_report(report, Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "[identical]" in text
    assert "in/[draft].csv" in text
    assert "set [ingest.csv] text" in text


def test_embedding_progress_counts_chunks_whether_it_advances_by_chunk_or_by_article() -> None:
    console = Console(file=StringIO(), width=200, color_system=None)
    with RichProgress(console) as progress:
        progress.stage("embedding", total=3)  # three articles, from the worker processes
        progress.advance(1, chunks=8)
        progress.advance(1, chunks=5)
        by_article = progress._bar.tasks[-1]
        progress.stage("embedding", total=20)  # in-process: the units are chunks
        progress.advance(7)
        by_chunk = progress._bar.tasks[-1]
    assert by_article.completed == 2 and by_article.fields["rate"].startswith("13 chunks, ")
    assert by_chunk.completed == 7 and by_chunk.fields["rate"].startswith("7 chunks, ")
    assert by_chunk.fields["rate"].endswith(" chunks/s")
