"""The case and trial vocabulary of the reliability suite, and the checks every case shares.

A *case* feeds one hostile input to the real product and states what must happen; it passes only
if every check holds. A *fault* is repeated for a number of trials, each counted as survived or
not. A case whose part of the product has not landed yet is reported as ``skipped`` with the
reason, never as passed.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# A reply or error longer than this is not "short": the user gets a wall of text.
SHORT_ERROR_CHARS = 400
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "', "Error:\n  ")


class NotLanded(Exception):
    """The part of the product this case needs is not in the tree yet."""


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass(slots=True)
class Observed:
    """What the product did: a one-line summary for the table and the checks that judged it."""

    actual: str
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> Observed:
        self.checks.append(Check(name, bool(ok), detail))
        return self


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    group: str
    title: str
    expect: str
    run: Callable[[], Observed]
    full_only: bool = False


@dataclass(slots=True)
class CaseResult:
    id: str
    group: str
    title: str
    expect: str
    actual: str
    status: str  # pass | fail | skipped
    failed_checks: list[str]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "group": self.group,
            "title": self.title,
            "expect": self.expect,
            "actual": self.actual,
            "status": self.status,
            "failed_checks": self.failed_checks,
            "seconds": round(self.seconds, 2),
        }


def run_case(case: Case) -> CaseResult:
    """Run one case; an exception escaping the harness's own code is a failure, not a crash."""
    start = time.perf_counter()
    try:
        observed = case.run()
    except NotLanded as exc:
        return CaseResult(
            case.id,
            case.group,
            case.title,
            case.expect,
            f"not run: {exc}",
            "skipped",
            [],
            time.perf_counter() - start,
        )
    except Exception as exc:  # the product or the harness broke: record it, go on with the rest
        tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
        return CaseResult(
            case.id,
            case.group,
            case.title,
            case.expect,
            f"harness error: {exc!r}"[:300],
            "fail",
            [tb],
            time.perf_counter() - start,
        )
    failed = [f"{c.name}: {c.detail}" if c.detail else c.name for c in observed.checks if not c.ok]
    status = "pass" if observed.checks and not failed else "fail"
    if not observed.checks:
        failed = ["no checks were made"]
    return CaseResult(
        case.id,
        case.group,
        case.title,
        case.expect,
        observed.actual,
        status,
        failed,
        time.perf_counter() - start,
    )


@dataclass(slots=True)
class FaultResult:
    id: str
    title: str
    expect: str
    trials: int = 0
    survived: int = 0
    notes: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""
    seconds: float = 0.0

    @property
    def status(self) -> str:
        if self.skipped:
            return "skipped"
        return "pass" if self.trials and self.survived == self.trials else "fail"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "expect": self.expect,
            "trials": self.trials,
            "survived": self.survived,
            "status": self.status,
            "skipped": self.skipped,
            "notes": self.notes[:20],
            "figures": self.figures,
            "seconds": round(self.seconds, 1),
        }


def has_traceback(text: str) -> bool:
    return "Traceback (most recent call last)" in text


def short_clear(text: str, limit: int = SHORT_ERROR_CHARS) -> Iterable[Check]:
    """The checks every user-facing error must pass: present, short, no traceback."""
    stripped = text.strip()
    yield Check("has a message", bool(stripped), "empty output")
    yield Check("no traceback", not has_traceback(text), first_line(text))
    yield Check("short", len(stripped) <= limit, f"{len(stripped)} chars")


def first_line(text: str, width: int = 160) -> str:
    """The line a user reads first: an ``error:`` line if any, else the first real line
    (log lines and rich progress bars are not what the user is told)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip() and "━" not in line]
    errors = [line for line in lines if line.lower().startswith("error")]
    plain = [line for line in lines if not _LOG_LINE.match(line)]
    return (errors or plain or lines or [""])[0][:width]


_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ +[A-Z]+ ")


def once(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Memoise a shared step, its failure included (a broken batch is reported, not re-run per case)."""
    memo: dict[tuple[Any, ...], tuple[bool, Any]] = {}

    def wrapper(*args: Any) -> Any:
        if args not in memo:
            try:
                memo[args] = (True, fn(*args))
            except Exception as exc:
                memo[args] = (False, exc)
        ok, value = memo[args]
        if not ok:
            raise value
        return value

    return wrapper
