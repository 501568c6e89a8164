"""Run the reliability and security suite and write docs/reliability.md.

    python -m reliability [--quick | --smoke] [--out DIR] [--only PREFIX]

Full mode (`make reliability`) runs every case, the full trial counts and the full load (200 /ask
over 60 s). Quick mode runs every case and a few trials of each fault (~15 min on 2 cores). Smoke
mode (part of `make test`, ~2-3 min) runs a handful of cases of every kind, one SIGKILL-ingest
trial on a tiny corpus and a 10-/ask load burst; it writes to a temporary folder unless --out.
Exit status 1 if any case or fault trial failed; parts of the product that have not landed
are reported as not run.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from reliability import netguard
from reliability.harness import Case, CaseResult, FaultResult, run_case
from reliability.hostile_server import HostileServer
from reliability.product import REPO, Workspace
from reliability.world import World

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _catalog(ws: Workspace, server: HostileServer, world: World, smoke: bool) -> list[Case]:
    from reliability import cases_config, cases_discord, cases_files, cases_questions, cases_urls

    return [
        *cases_config.cases(ws, smoke),
        *cases_files.cases(ws, smoke),
        *cases_urls.cases(ws, server, smoke),
        *cases_questions.cases(ws, server, smoke),
        *cases_discord.cases(world, server, smoke),
    ]


def _faults(
    world: World, server: HostileServer, smoke: bool
) -> list[tuple[str, Callable[[Path, bool], FaultResult]]]:
    from reliability import faults, faults_feeds, faults_services

    if smoke:
        return [*faults.smoke_catalog(), *faults_feeds.smoke_catalog()]
    return [*faults.catalog(), *faults_feeds.catalog(), *faults_services.catalog(world, server)]


def _capture_logs() -> None:
    """Keep every record the in-process bot and services log, at the most talkative level."""
    from reliability.cases_discord import CAPTURE

    logging.getLogger().addHandler(CAPTURE)
    for name in ("bot", "ingest", "vectorstore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("discord").setLevel(logging.INFO)


def _run_cases(cases: list[Case], only: str, quick: bool, progress: Console) -> list[CaseResult]:
    out = []
    for case in cases:
        if not case.id.startswith(only) or (quick and case.full_only):
            continue
        result = run_case(case)
        progress.print(
            f"  {result.status:7} {case.id} ({result.seconds:.1f}s) {result.actual[:100]}",
            highlight=False,
            markup=False,
        )
        if result.failed_checks and result.status == "fail":
            progress.print(
                f"          failed: {'; '.join(result.failed_checks)[:300]}", highlight=False, markup=False
            )
        out.append(result)
    return out


def _run_fault(
    fid: str, fault: Callable[[Path, bool], FaultResult], root: Path, quick: bool, progress: Console
) -> FaultResult:
    progress.print(f"  fault {fid} ...", highlight=False, markup=False)
    t0 = time.perf_counter()
    try:
        fr = fault(root / fid, quick)
    except Exception as exc:  # a broken fault is reported; the others still run
        fr = FaultResult(fid, fid, "", trials=1, notes=[f"fault harness error: {exc!r}"[:300]])
    fr.seconds = time.perf_counter() - t0
    notes = "; ".join(fr.notes[:2])[:300]
    progress.print(
        f"  {fr.status:7} {fid}: {fr.survived}/{fr.trials} {fr.skipped} {notes}",
        highlight=False,
        markup=False,
    )
    return fr


def _run_load(root: Path, mode: str, world: World, progress: Console) -> dict[str, Any]:
    from reliability import load as load_mod

    progress.print("  load ...", highlight=False, markup=False)
    try:
        load = load_mod.run(root / "load", mode, world)
    except Exception as exc:  # reported in the table, not a crash of the suite
        load = {"status": "fail", "reason": f"load harness error: {exc!r}"[:300], "lost": "unknown"}
    progress.print(f"  load: {load}", highlight=False, markup=False)
    return load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="every case, few trials, scaled-down load")
    size.add_argument("--smoke", action="store_true", help="a few cases of each kind, 1 trial (make test)")
    parser.add_argument(
        "--out", type=Path, default=None, help="where reliability.md/.json go (docs/; smoke: a tmp dir)"
    )
    parser.add_argument("--only", default="", help="run only cases/faults whose id starts with this")
    args = parser.parse_args(argv)
    console = Console(stderr=False, width=int(os.environ.get("COLUMNS", "160")))
    progress = Console(stderr=True)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    quick = mode != "full"
    # A smoke run must not overwrite the table of the last real run.
    out: Path = args.out or (
        Path(tempfile.gettempdir()) / "geobot-reliability-smoke" if args.smoke else REPO / "docs"
    )
    started = time.perf_counter()
    # The bench process itself never reaches past loopback either (emulator, servers, Chroma).
    netguard.install(netlog=None)
    cases: list[CaseResult] = []
    faults: list[FaultResult] = []
    load: dict[str, Any] = {}
    _capture_logs()
    with tempfile.TemporaryDirectory(prefix="geobot-reliability-") as tmp, HostileServer() as server:
        root = Path(tmp)
        ws = Workspace(root / "cases")
        world = World(root / "world")
        try:
            cases += _run_cases(_catalog(ws, server, world, args.smoke), args.only, quick, progress)
            ws.close()
            for fid, fault in _faults(world, server, args.smoke):
                if fid.startswith(args.only):
                    faults.append(_run_fault(fid, fault, root, quick, progress))
            if not args.only or args.only.startswith("load"):
                load = _run_load(root, mode, world, progress)
            from reliability import cases_discord

            cases += _run_cases(cases_discord.final_cases(world), args.only, quick, progress)
        finally:
            ws.close()
            world.close()
    from reliability import report

    data = report.write(out, mode, cases, faults, load, time.perf_counter() - started)
    report.print_table(cases, faults, load, console)
    head = data["summary"]
    console.print(f"wrote {out / 'reliability.md'} and reliability.json: {head}")
    failed = head["cases_failed"] or head["fault_trials_survived"] != head["fault_trials"] or load.get("lost")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
