"""`python -m ingest PATH_OR_URL... [--dry-run] [--config FILE]`: the ingest pipeline without the bot."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("sources", nargs="+", metavar="PATH_OR_URL", help="files, folders or http(s) URLs")
    parser.add_argument("--dry-run", action="store_true", help="show what would be stored, write nothing")
    parser.add_argument("--config", type=Path, default=None, help="config file (default ./config.toml)")
    args = parser.parse_args(argv)

    from rich.console import Console

    from ingest.console import RichProgress, print_report
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings
    from vectorstore.config import ConfigError, load_config

    err = Console(stderr=True)
    try:
        settings = load_config(IngestAppSettings, args.config)
    except ConfigError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with RichProgress(err) as progress:
        report = run_ingest(args.sources, settings, dry_run=args.dry_run, progress=progress)
    print_report(report, Console())
    return 0 if report.ok else 1


if __name__ == "__main__":
    from ingest.fast_exit import exit_without_teardown

    exit_without_teardown(SystemExit(main()))
