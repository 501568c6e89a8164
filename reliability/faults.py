"""Fault trials: each fault is repeated and every trial is counted as survived or not.

* ``kill9``: ``geobot ingest`` killed with SIGKILL at a random moment, then run again; the store
  must end identical (article ids, content hashes, chunk ids and texts, counts in both indexes)
  to one filled by an uninterrupted run.
* ``disk_full``: ingest into a store on a tiny tmpfs; it must fail with a clear line, and what
  a reader then sees must be whole (no article without its chunks, both indexes in step); with
  room again, a rerun converges to the clean store.
* ``chroma_down``, ``llm_slow``, ``gateway_drop``: see their modules.
"""

from __future__ import annotations

import csv
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from reliability.harness import FaultResult, NotLanded, first_line, has_traceback
from reliability.product import CORPUS, Run, Snapshot, Workspace, require_command, require_module

SEED = 20240607


def small_corpus(folder: Path, rows: int) -> Path:
    """A slice of the shared corpus: the seed article, two HTML pages and the first CSV rows."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "seed_article.txt", folder / "seed_article.txt")
    for name in ("globaltimes_01.html", "globaltimes_02.html"):
        shutil.copy(CORPUS / "huawei_uk" / "html" / name, folder / name)
    with (CORPUS / "huawei_uk" / "articles.csv").open(newline="", encoding="utf-8") as src:
        reader = csv.reader(src)
        header = next(reader)
        picked = [row for _, row in zip(range(rows), reader, strict=False)]
    with (folder / "articles.csv").open("w", newline="", encoding="utf-8") as dst:
        writer = csv.writer(dst)
        writer.writerow(header)
        writer.writerows(picked)
    return folder


def _differences(a: Snapshot, b: Snapshot) -> str:
    if a.error or b.error:
        return a.error or b.error
    parts = []
    if a.article_ids != b.article_ids:
        parts.append(f"articles +{len(a.article_ids - b.article_ids)} -{len(b.article_ids - a.article_ids)}")
    if set(a.chunks) != set(b.chunks):
        parts.append(f"chunk ids +{len(set(a.chunks) - set(b.chunks))} -{len(set(b.chunks) - set(a.chunks))}")
    elif a.chunks != b.chunks:
        parts.append("chunk texts differ")
    if (a.dense_count, a.keyword_count) != (b.dense_count, b.keyword_count):
        parts.append(f"counts {a.dense_count}/{a.keyword_count} vs {b.dense_count}/{b.keyword_count}")
    return ", ".join(parts) or "metadata differs"


def kill_then_rerun(ws: Workspace, args: Sequence[str], delay: float) -> tuple[bool, Run]:
    """Start ``geobot ARGS``, SIGKILL it after ``delay`` seconds unless it has finished, then run
    it again to the end: whether the kill landed, and the rerun."""
    proc = ws.popen_geobot(*args)
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return killed, ws.geobot(*args, timeout=600)


def kill9(root: Path, quick: bool, trials: int | None = None, rows: int | None = None) -> FaultResult:
    result = FaultResult(
        "ingest_sigkill",
        "ingest killed with SIGKILL at a random point, then rerun",
        "rerun converges to the store of an uninterrupted run (ids, hashes, counts in both indexes)",
    )
    try:
        require_command("ingest")
        require_module("vectorstore.store")
    except NotLanded as exc:
        result.skipped = str(exc)
        return result
    trials = trials or (3 if quick else 20)
    rng = random.Random(SEED)
    corpus = small_corpus(root / "corpus", rows=rows or (6 if quick else 14))
    clean_ws = Workspace(root / "clean")
    run = clean_ws.geobot("ingest", str(corpus), timeout=600)
    clean_seconds = run.seconds
    if run.code != 0:
        result.skipped = f"an uninterrupted ingest failed (exit {run.code}): {first_line(run.stderr)}"
        return result
    clean = clean_ws.snapshot()
    kills_landed = 0
    for trial in range(trials):
        ws = Workspace(root / f"trial{trial}")
        delay = rng.uniform(0.3, clean_seconds * 0.95)
        killed, rerun = kill_then_rerun(ws, ["ingest", str(corpus)], delay)
        kills_landed += killed
        after = ws.snapshot()
        result.trials += 1
        diff = "" if after.identity() == clean.identity() and not after.error else _differences(after, clean)
        if rerun.code == 0 and not diff and not has_traceback(rerun.output):
            result.survived += 1
        else:
            result.notes.append(
                f"trial {trial} (kill at {delay:.1f}s): exit {rerun.code}, {diff or 'traceback'}"
            )
    result.figures = {
        "killed_mid_run": kills_landed,
        "articles": len(clean.articles),
        "chunks": len(clean.chunks),
        "clean_run_s": round(clean_seconds, 1),
        "seed": SEED,
    }
    return result


def _mount_tmpfs(target: Path, size: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True, check=False
    )
    return done.returncode == 0


def disk_full(root: Path, quick: bool) -> FaultResult:
    result = FaultResult(
        "disk_full",
        "disk full while ingesting (store on a small tmpfs)",
        "clear one-line error, no traceback; readers see only whole articles; a rerun with room converges",
    )
    try:
        require_command("ingest")
        require_module("vectorstore.store")
    except NotLanded as exc:
        result.skipped = str(exc)
        return result
    corpus = small_corpus(root / "corpus", rows=6 if quick else 12)
    clean_ws = Workspace(root / "clean")
    if clean_ws.geobot("ingest", str(corpus), timeout=600).code != 0:
        result.skipped = "an ingest with room to spare failed"
        return result
    clean = clean_ws.snapshot()
    used_kb = int(
        subprocess.run(
            ["du", "-sk", str(clean_ws.store)], capture_output=True, text=True, check=False
        ).stdout.split()[0]
    )
    # Sizes that cut the run at different points: before the store exists, and part-way through.
    sizes = [max(64, used_kb // d) for d in ((3, 1.5) if quick else (8, 4, 3, 2, 1.5, 1.2))]
    mode = "tmpfs"
    for i, kb in enumerate(sizes):
        mnt = root / f"mnt{i}"
        ws = Workspace(root / f"trial{i}")
        if not _mount_tmpfs(mnt, f"{int(kb)}k"):
            mode = "RLIMIT_FSIZE"
            ws.env["RELIABILITY_FSIZE_LIMIT"] = str(int(kb) * 1024)
        store = mnt / "store"
        try:
            run = ws.geobot("ingest", str(corpus), env={"GEOBOT_VECTORSTORE__PATH": str(store)}, timeout=600)
            seen = ws.snapshot(env={"GEOBOT_VECTORSTORE__PATH": str(store)})
            problems = seen.consistent() if not seen.error else []
            clear = run.code not in (0, None) and not has_traceback(run.output)
            room = (
                subprocess.run(
                    ["mount", "-o", "remount,size=512m", str(mnt)], capture_output=True, check=False
                ).returncode
                == 0
                if mode == "tmpfs"
                else False
            )
            converged = True
            if room:
                rerun = ws.geobot(
                    "ingest", str(corpus), env={"GEOBOT_VECTORSTORE__PATH": str(store)}, timeout=600
                )
                final = ws.snapshot(env={"GEOBOT_VECTORSTORE__PATH": str(store)})
                converged = rerun.code == 0 and final.identity() == clean.identity()
                if not converged:
                    result.notes.append(f"{kb:.0f} KB rerun: exit {rerun.code}, {_differences(final, clean)}")
            result.trials += 1
            if run.code == 0:
                result.notes.append(f"{kb:.0f} KB: ingest reported success on a full disk")
            elif clear and not problems and converged:
                result.survived += 1
            else:
                tb = "traceback" if has_traceback(run.output) else "no traceback"
                state = "; ".join(problems) or "consistent"
                conv = "converged" if converged else "did not converge"
                result.notes.append(
                    f"{kb:.0f} KB: exit {run.code}, {tb}, {state}, {conv}; "
                    f"said: {first_line(run.stderr)[:100]}"
                )
            result.figures.setdefault("errors_shown", []).append(first_line(run.stderr)[:100])
        finally:
            subprocess.run(["umount", str(mnt)], capture_output=True, check=False)
    result.figures = {
        "mode": mode,
        "store_kb_needed": used_kb,
        "sizes_kb": [int(s) for s in sizes],
        "first_error": (result.figures.get("errors_shown") or [""])[0],
    }
    return result


def catalog() -> list[tuple[str, Callable[[Path, bool], FaultResult]]]:
    return [("ingest_sigkill", kill9), ("disk_full", disk_full)]


def smoke_catalog() -> list[tuple[str, Callable[[Path, bool], FaultResult]]]:
    """One SIGKILL trial on a tiny corpus: proves the kill-and-rerun path, not its odds."""
    return [("ingest_sigkill", lambda root, quick: kill9(root, quick, trials=1, rows=2))]
