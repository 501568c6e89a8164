"""The ingest report prints input names and reasons as they are, brackets included."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from ingest.console import print_report
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
