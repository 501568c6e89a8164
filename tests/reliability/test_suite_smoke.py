"""The reliability suite in `make test`: its smoke mode (a handful of hostile cases of every kind,
one SIGKILL-ingest trial, a 10-/ask load burst through the emulator; ~2 min on 2 cores) against
the real product. Full mode is `make reliability`; GEOBOT_RELIABILITY_QUICK=1 runs quick mode
(every case, a few trials of every fault; ~15 min) with the same assertions and more."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

QUICK = os.environ.get("GEOBOT_RELIABILITY_QUICK") == "1"
GROUPS = {"config", "files", "urls", "questions", "discord", "security"}


def _run_suite(
    out: Path, mode: str, timeout: float
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOBOT_")}
    done = subprocess.run(
        [sys.executable, "-m", "reliability", f"--{mode}", "--out", str(out)],
        cwd=REPO,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert (out / "reliability.json").is_file(), done.stderr[-3000:]
    return done, json.loads((out / "reliability.json").read_text())


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(1300 if QUICK else 660)  # over the suite's own subprocess timeout
def test_reliability_run_survives_everything(tmp_path: Path) -> None:
    mode = "quick" if QUICK else "smoke"
    done, data = _run_suite(tmp_path / "out", mode, timeout=1200 if QUICK else 600)
    assert data["mode"] == mode
    cases = data["cases"]
    failed = [
        f"{c['id']}: {c['actual']} ({'; '.join(c['failed_checks'])})" for c in cases if c["status"] != "pass"
    ]
    assert not failed, "\n".join(failed)
    ran = {c["group"] for c in cases}
    assert ran >= GROUPS, f"no case ran for {sorted(GROUPS - ran)}"
    assert len(cases) >= (90 if QUICK else 40)
    faults = {f["id"]: f for f in data["faults"]}
    expected = {"ingest_sigkill", "feed_poll_sigkill"} | (
        {"disk_full", "chroma_down", "llm_slow_or_down", "gateway_drop"} if QUICK else set()
    )
    assert set(faults) >= expected
    for fault in faults.values():
        assert fault["status"] == "pass" and fault["trials"] >= 1, fault
    load = data["load"]
    assert load["status"] == "pass" and load["lost"] == 0, load
    assert (
        load["answered"] >= 1 and load["acked_within_3s"] == f"{load['interactions']}/{load['interactions']}"
    )
    assert done.returncode == 0, done.stdout[-3000:]
