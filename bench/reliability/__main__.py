"""Run the reliability and security suite and write docs/reliability.md.

    python -m bench.reliability [--quick] [--out DIR] [--only PREFIX]

Quick mode (part of `make test`) runs every case and a few trials of each fault; full mode
(`make reliability`) runs the full trial counts and the full load (200 /ask over 60 s).
Exit status 1 if any case or fault trial failed; parts of the product that have not landed
are reported as not run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.reliability import netguard
from bench.reliability.harness import Case, CaseResult, FaultResult, run_case
from bench.reliability.hostile_server import HostileServer
from bench.reliability.product import REPO, Workspace

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _catalog(ws: Workspace, server: HostileServer) -> list[Case]:
    from bench.reliability import cases_config, cases_files, cases_questions, cases_urls

    return [
        *cases_config.cases(ws),
        *cases_files.cases(ws),
        *cases_urls.cases(ws, server),
        *cases_questions.cases(ws, server),
    ]


def _faults(quick: bool) -> list[tuple[str, Callable[[Path, bool], FaultResult]]]:
    from bench.reliability import faults

    return faults.catalog(quick)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few trials, scaled-down load (for make test)")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="where reliability.md/.json go")
    parser.add_argument("--only", default="", help="run only cases/faults whose id starts with this")
    args = parser.parse_args(argv)
    console = Console(stderr=False, width=int(os.environ.get("COLUMNS", "160")))
    progress = Console(stderr=True)
    mode = "quick" if args.quick else "full"
    started = time.perf_counter()
    # The bench process itself never reaches past loopback either (emulator, servers, Chroma).
    netguard.install(netlog=None)
    cases: list[CaseResult] = []
    faults: list[FaultResult] = []
    load: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="geobot-reliability-") as tmp, HostileServer() as server:
        root = Path(tmp)
        ws = Workspace(root / "cases")
        try:
            for case in _catalog(ws, server):
                if not case.id.startswith(args.only) or (args.quick and case.full_only):
                    continue
                result = run_case(case)
                progress.print(
                    f"  {result.status:7} {case.id} ({result.seconds:.1f}s) {result.actual[:100]}",
                    highlight=False,
                    markup=False,
                )
                cases.append(result)
        finally:
            ws.close()
        for fid, fault in _faults(args.quick):
            if not fid.startswith(args.only):
                continue
            progress.print(f"  fault {fid} ...", highlight=False, markup=False)
            t0 = time.perf_counter()
            fr = fault(root / fid, args.quick)
            fr.seconds = time.perf_counter() - t0
            progress.print(
                f"  {fr.status:7} {fid}: {fr.survived}/{fr.trials} {fr.skipped}",
                highlight=False,
                markup=False,
            )
            faults.append(fr)
        if "load".startswith(args.only) or args.only.startswith("load"):
            from bench.reliability import load as load_mod

            load = load_mod.run(root / "load", args.quick)
    from bench.reliability import report

    data = report.write(args.out, mode, cases, faults, load, time.perf_counter() - started)
    report.print_table(cases, faults, load, console)
    head = data["summary"]
    console.print(f"wrote {args.out / 'reliability.md'} and reliability.json: {head}")
    failed = head["cases_failed"] or head["fault_trials_survived"] != head["fault_trials"] or load.get("lost")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
