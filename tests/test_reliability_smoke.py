"""The reliability suite's quick mode, as part of `make test`: every hostile case, a few trials of
every fault and a scaled-down load, against the real product. Full mode is `make reliability`.

Opt-in (GEOBOT_RELIABILITY_SMOKE=1): quick mode is far over a `make test` share on 2 cores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("GEOBOT_RELIABILITY_SMOKE") != "1",
    reason="quick mode takes ~15-20 min on 2 cores: set GEOBOT_RELIABILITY_SMOKE=1 (or run make reliability)",
)
def test_quick_reliability_run_survives_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOBOT_")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.reliability", "--quick", "--out", str(out)],
        cwd=REPO,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert (out / "reliability.md").is_file(), done.stderr[-3000:]
    data = json.loads((out / "reliability.json").read_text())
    summary = data["summary"]
    failed = [
        f"{c['id']}: {c['actual']} ({'; '.join(c['failed_checks'])})"
        for c in data["cases"]
        if c["status"] == "fail"
    ]
    assert not failed, "\n".join(failed)
    assert summary["cases"] >= 40
    skipped = [f"{c['id']}: {c['actual']}" for c in data["cases"] if c["status"] == "skipped"]
    assert not skipped, "\n".join(skipped)
    faults = {f["id"]: f for f in data["faults"]}
    assert set(faults) >= {"ingest_sigkill", "disk_full", "chroma_down", "llm_slow_or_down", "gateway_drop"}
    for fault in faults.values():
        assert fault["status"] == "pass", fault
    load = data["load"]
    assert load["status"] == "pass" and load["lost"] == 0, load
    assert done.returncode == 0, done.stdout[-3000:]
