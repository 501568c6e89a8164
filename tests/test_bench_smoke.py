"""`python -m bench.run --quick` end to end, so the benchmarks never rot (no timing assertions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from vectorstore.encoders import native_bf16
from vectorstore.onnx_int8 import int8_supported


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_quick_bench_writes_report_summary_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(out)],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=1150,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    summary = json.loads((out / "summary.json").read_text())
    assert summary["mode"] == "quick"
    assert {"cpu", "cores", "versions", "date"} <= set(summary["machine"])
    ingest = summary["ingest"]
    assert ingest["ratio_vs_tutorial"] > 0 and ingest["reingest_speedup"] > 0
    assert ingest["geobot_chunks_per_s"] > 0 and ingest["tutorial_chunks_per_s"] > 0
    for side in ("geobot", "tutorial"):
        assert 0 <= summary["quality"][side]["hit_at_4"] <= 1
    assert {"keyword_accuracy", "citation_hit", "abstention"} <= set(summary["quality"]["geobot"])
    assert {"keyword_accuracy_top1", "keyword_accuracy_top4"} <= set(summary["quality"]["tutorial"])
    point = summary["curve"][0]
    assert point["chunks"] >= 1000 and point["real_embedding_chunks"] > 0
    assert point["embedded"]["p50_ms"] > 0 and point["embedded"]["rss_mb"] > 0
    # each dtype asked for is measured, or named as the run of the dtype that really ran
    embedding = summary["embedding"]
    asked = {e["dtype"] for e in embedding} | {d for e in embedding for d in e["also_requested_as"]}
    assert asked == {"float32", "bfloat16", "int8"}
    assert ("bfloat16" in {e["dtype"] for e in embedding}) == native_bf16()
    assert ("int8" in {e["dtype"] for e in embedding}) == int8_supported()
    assert all(e["percent_of_peak"] > 0 for e in summary["embedding"])
    # the quick run compares the own int8 build with the float32 reference only
    backends = summary["encoder_backends"]
    assert set(backends) == {"st-torch-fp32", "own-int8"}
    assert backends["st-torch-fp32"]["cosine_chunks"]["min"] > 0.9999
    assert 0.99 < backends["own-int8"]["cosine_chunks"]["mean"] < 1.0
    assert backends["own-int8"]["speed_vs_own_int8"] == 1.0
    assert all(0 <= b["retrieval_own_queries"]["hit@4"] <= 1 for b in backends.values())
    assert [c["askers"] for c in summary["concurrency"]] == [1, 2, 4, 8]
    assert all(c["answers_per_s"] > 0 for c in summary["concurrency"])

    report = (out / "report.md").read_text()
    for heading in (
        "## 1. Ingest",
        "## 2. Quality",
        "## 3. Query cost curve",
        "## 4. Embedding",
        "### Encoder backends",
        "## 5. Concurrency",
    ):
        assert heading in report
    for image in ("ingest.png", "query_curve.png", "concurrency.png"):
        assert (out / image).read_bytes()[:4] == b"\x89PNG"
    assert (out / "raw" / "results.json").is_file()


@pytest.mark.integration
@pytest.mark.slow
def test_quick_servers_bench_measures_both_layouts(tmp_path: Path) -> None:
    """`python -m bench.servers --quick`: the measurement behind docs/servers.md, kept runnable."""
    result = tmp_path / "servers.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.servers", "--quick", "--result", str(result)],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(result.read_text())
    assert data["mode"] == "quick" and set(data["scenarios"]) == {"many", "large"}
    for scenario in data["scenarios"].values():
        for layout in ("collections", "field"):
            figures = scenario[layout]
            assert figures["write_s"] > 0 and figures["warm_ms"]["p50"] > 0 and figures["rss_mb"] > 0
            assert 0.5 <= figures["recall_at_10"] <= 1.0
    assert len(data["keyword_rebuild_s"]) == 2


@pytest.mark.integration
@pytest.mark.slow
def test_quick_scale_bench_measures_both_modes_and_plots(tmp_path: Path) -> None:
    """`python -m bench.scale --quick`: the growth measurement behind docs/benchmarks.md."""
    out = tmp_path / "results"
    env = os.environ.copy() | {"GEOBOT_BENCH_SCALE_DIR": str(tmp_path / "stores")}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--quick", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((out / "scale_quick.json").read_text())
    (point,) = data["points"]
    assert point["warm"]["chunks"] >= 2000
    for mode in ("embedded", "http"):
        figures = point[mode]
        assert figures["p50_ms"] > 0 and figures["peak_rss_mb"] > 0 and figures["first_ask_s"] > 0
        assert {"embed", "dense", "keyword", "fuse", "answer"} <= set(figures["stage_median_ms"])
    assert point["http"]["server_rss_mb"] > 0
    assert (out / "growth_quick.png").read_bytes()[:4] == b"\x89PNG"
    assert "| 2,000 | embedded |" in (out / "scale_quick.md").read_text()
    assert set(data["growth"].values()) == {"n/a"}  # one size: no growth to name
