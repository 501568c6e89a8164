"""File cases: hostile files handed to the real ``geobot ingest``.

Files that must be refused go to one ``geobot ingest`` run together (as a user would pass a
folder of mixed files): each must get its own line naming the file and the reason, the run must
go on with the rest, exit non-zero, and leave the store exactly as it was. Files that must be
stored go to a second run, and each must show up in the store under its own path. If a run
crashes, its files are retried one by one so the table says which input did it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reliability.harness import Case, Observed, has_traceback, once
from reliability.hostile_server import INJECTION_LINES
from reliability.product import Run, Snapshot, Workspace, require_command, require_module

G = "files"
BATCH_TIMEOUT = 240.0

GOOD_TEXT = (
    "Harbour regulators publish first review of imported network equipment\n\n"
    "The harbour regulator of a mid-sized coastal state published its first review of imported network "
    "equipment on Thursday, listing forty inspections and three rejected shipments.\n\n"
    "Officials said the rejected routers carried management software that could not be audited, and that "
    "suppliers had been given ninety days to provide the source of the update tools.\n\n"
    "Operators told the regulator that delays at the port had pushed back two rural coverage projects, "
    "and asked for a faster lane for spare parts already approved elsewhere.\n"
)


def _article(topic: str) -> str:
    return (
        f"{topic}\n\n"
        f"Officials discussed {topic.lower()} at a meeting on Wednesday and agreed to publish their findings "
        "within a month, after industry groups asked for clearer rules.\n\n"
        "Several operators said the change would raise their costs in the short term but make planning "
        "easier, "
        "while consumer groups asked for the data to be shared openly.\n"
    )


@dataclass(frozen=True, slots=True)
class HostileFile:
    cid: str
    title: str
    make: Callable[[Path], Path]
    reason: str  # regex the file's error line must match (refused files)
    stored: bool = False  # True: the file must be ingested, not refused


def _write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
        return p

    return make


def _sparse(d: Path) -> Path:
    p = d / "huge.txt"
    # 200 MB without using 200 MB of disk: a sparse file.
    subprocess.run(["truncate", "-s", "200M", str(p)], check=True)
    return p


def _fifo(d: Path) -> Path:
    p = d / "pipe.txt"
    if not p.exists():
        os.mkfifo(p)
    return p


def _loop_dir(d: Path) -> Path:
    root = d / "loopdir"
    (root / "sub").mkdir(parents=True, exist_ok=True)
    (root / "sub" / "inside.txt").write_text(_article("Satellite ground station licensing reviewed"))
    for link, target in ((root / "sub" / "up", ".."), (root / "self", ".")):
        if not link.is_symlink():
            link.symlink_to(target)
    return root


def _fifo_dir(d: Path) -> Path:
    root = d / "fifodir"
    root.mkdir(exist_ok=True)
    (root / "fine.txt").write_text(_article("Spectrum auction timetable published"))
    if not (root / "stuck.txt").exists():
        os.mkfifo(root / "stuck.txt")
    return root


def _missing(d: Path) -> Path:
    return d / "does-not-exist" / "article.txt"


def _truncated_html(d: Path) -> Path:
    paras = "".join(f"<p>{p}</p>" for p in _article("Undersea cable repair fleet expands").split("\n\n")[1:])
    html = (
        "<html><head><title>Undersea cable repair fleet expands</title></head><body><article>"
        f"<h1>Undersea cable repair fleet expands</h1>{paras}<p>The last paragraph was cut off in the mid"
    )
    return _write("truncated.html", html)(d)


FILES: list[HostileFile] = [
    HostileFile(
        "binary",
        "binary file with a .txt name",
        _write("binary.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8),
        r"binary",
    ),
    HostileFile("empty", "empty file", _write("empty.txt", b""), r"empty"),
    HostileFile("blank", "only whitespace", _write("blank.md", "  \n\n\t \n"), r"empty|no article|no text"),
    HostileFile(
        "latin1",
        "wrong encoding (Latin-1)",
        _write("latin1.txt", _article("Café déjà vu à Genève").encode("latin-1")),
        r"utf-?8|encod",
    ),
    HostileFile(
        "json_truncated",
        "truncated JSON",
        _write("truncated.json", '[{"title": "Port deal", "text": "Port auth'),
        r"json|malformed|invalid|parse",
    ),
    HostileFile(
        "json_deep",
        "JSON nested 100,000 deep",
        _write("deep.json", "[" * 100_000 + "]" * 100_000),
        r"json|malformed|invalid|deep|nest|parse",
    ),
    HostileFile(
        "json_not_articles",
        "JSON that holds no articles",
        _write("numbers.json", "[1, 2, 3]"),
        r"no article|object|text|record",
    ),
    HostileFile(
        "csv_wrong_columns",
        "CSV without the mapped columns",
        _write("columns.csv", "a,b,c\n1,2,3\n4,5,6\n"),
        r"column|Article|mapping|no article",
    ),
    HostileFile(
        "csv_truncated",
        "CSV cut off mid-row (open quote)",
        _write(
            "truncated.csv",
            'Title,Source,Author,Date Published,Article\n"Port deal,Ledger,A. Writer,2024-01-0',
        ),
        r"csv|no article|quote|malformed|text",
    ),
    HostileFile(
        "html_scripts",
        "HTML page that is all scripts",
        _write("scripts.html", "<html><body>" + "<script>track(1);</script>" * 300 + "</body></html>"),
        r"no article|no text|empty|extract",
    ),
    HostileFile("huge", "200 MB file (sparse)", _sparse, r"max_file_mb|MB|too large|size"),
    HostileFile("missing", "path that does not exist", _missing, r"no such file|not exist|not found"),
    HostileFile(
        "unsupported",
        "unsupported type (.pdf)",
        _write("report.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"),
        r"unsupported",
    ),
    HostileFile("fifo", "a named pipe given as a file", _fifo, r"not a regular file|unsupported|regular"),
    # Files that must be stored.
    HostileFile("symlink_loop", "directory with a symlink loop", _loop_dir, "", stored=True),
    HostileFile("fifo_in_dir", "a named pipe inside a folder (no hang)", _fifo_dir, "", stored=True),
    HostileFile(
        "utf16_bom",
        "UTF-16 text with a BOM",
        _write("utf16.txt", _article("Rural mast sharing deal signed").encode("utf-16")),
        "",
        stored=True,
    ),
    HostileFile("html_truncated", "HTML cut off mid-tag", _truncated_html, "", stored=True),
    HostileFile(
        "jsonl_mixed",
        "JSONL with a good record, then a broken line",
        _write(
            "mixed.jsonl",
            json.dumps(
                {
                    "title": "Fibre backhaul tender reopened",
                    "text": _article("Fibre backhaul tender reopened"),
                }
            )
            + "\n"
            + '{"title": "broken", "text": \n'
            + json.dumps({"title": "no body"})
            + "\n",
        ),
        r"line 2",
    ),
    HostileFile(
        "injection_article",
        "article carrying prompt injection, mentions and a command",
        _write(
            "injection.txt",
            "Harbour district doubles equipment inspections\n\n"
            + "\n\n".join(INJECTION_LINES).replace("{canary}", "http://news.reliability.test/canary")
            + "\n\n"
            + GOOD_TEXT.split("\n\n", 1)[1],
        ),
        "",
        stored=True,
    ),
]


# Smoke mode: a few refusals of each kind (content, encoding, format, size, path) and the stored
# files the question cases rely on (the injection article), in two cheap batches.
SMOKE = frozenset(
    {
        "binary",
        "empty",
        "latin1",
        "json_truncated",
        "csv_wrong_columns",
        "html_scripts",
        "huge",
        "missing",
        "utf16_bom",
        "symlink_loop",
        "injection_article",
    }
)


class FileBatches:
    """Runs the two ingest batches once and shares the outcome among the cases.

    Full and quick: one good file first, then the refused batch, then the stored batch. Smoke
    (``stored_first``) saves a model load: the stored batch fills the empty store, and the refused
    batch must then leave that store unchanged.
    """

    def __init__(self, ws: Workspace, files: list[HostileFile], stored_first: bool = False) -> None:
        self.ws = ws
        self.files = files
        self.stored_first = stored_first
        self.dir = ws.root / "files"
        self.dir.mkdir(parents=True, exist_ok=True)

    @once
    def base(self) -> Snapshot:
        require_command("ingest")
        require_module("vectorstore.store")
        if self.stored_first:
            return self.ws.snapshot()
        good = _write("good.txt", GOOD_TEXT)(self.dir)
        run = self.ws.geobot("ingest", str(good), timeout=BATCH_TIMEOUT)
        if run.code != 0:
            raise RuntimeError(
                f"ingesting one good file failed (exit {run.code}): {run.output.strip()[-300:]}"
            )
        return self.ws.snapshot()

    @once
    def batch(self, stored: bool) -> tuple[Run, Snapshot, Snapshot, dict[str, Path]]:
        before = self.base() if stored == self.stored_first else self.batch(not stored)[2]
        paths = {f.cid: f.make(self.dir) for f in self.files if f.stored == stored}
        run = self.ws.geobot("ingest", *map(str, paths.values()), timeout=BATCH_TIMEOUT)
        return run, before, self.ws.snapshot(), paths

    @once
    def alone(self, cid: str) -> Run:
        f = next(f for f in self.files if f.cid == cid)
        return self.ws.geobot("ingest", str(f.make(self.dir)), timeout=120)


def _line_for(output: str, path: Path) -> str:
    flat = re.sub(r"\s*\n\s*", " ", output)  # undo terminal wrapping
    for probe in (str(path), path.name):
        i = flat.find(probe)
        if i >= 0:
            return flat[i : i + len(probe) + 200].split(" failed: ")[0]
    return ""


def _refused_case(batches: FileBatches, f: HostileFile) -> Case:
    def run() -> Observed:
        r, before, after, paths = batches.batch(False)
        path = paths[f.cid]
        if has_traceback(r.output) or r.code is None:
            r = batches.alone(f.cid)  # find out whether this input is the one that broke the run
            before = after = None
        line = _line_for(r.output, path)
        obs = Observed(line.strip()[:200] or f"no line names {path.name} (exit {r.code})")
        obs.check("refused with a line naming the file", bool(line), r.output.strip()[-200:])
        obs.check("reason given", re.search(f.reason, line, re.I) is not None, f"/{f.reason}/")
        obs.check("no traceback", not has_traceback(r.output))
        obs.check("exit non-zero, run finished", r.code not in (0, None), f"exit {r.code}")
        if before is not None and after is not None:
            obs.check(
                "store unchanged",
                after.identity() == before.identity() and not after.error,
                after.error or f"{len(before.chunks)} -> {len(after.chunks)} chunks",
            )
        return obs

    return Case(
        f"files.{f.cid}", G, f.title, f"refused: one line /{f.reason}/, others go on, store unchanged", run
    )


def _stored_case(batches: FileBatches, f: HostileFile) -> Case:
    def run() -> Observed:
        r, before, after, paths = batches.batch(True)
        path = str(paths[f.cid])
        mine = [
            aid
            for aid, meta in after.articles.items()
            if any(str(o.get("path", "")).startswith(path) for o in meta.get("origins", []))
        ]
        obs = Observed(f"exit {r.code}; {len(mine)} article(s) stored from {Path(path).name}")
        obs.check("stored", len(mine) >= 1, f"no article with origin {path}")
        if f.cid in ("symlink_loop", "fifo_in_dir"):
            obs.check("walked once, one article", len(mine) == 1, f"{len(mine)} articles")
        obs.check("earlier articles kept", before.article_ids <= after.article_ids)
        obs.check("no traceback", not has_traceback(r.output))
        obs.check("finished", r.code is not None, "killed at the timeout")
        obs.check("store consistent", not after.consistent(), "; ".join(after.consistent()))
        if f.cid == "jsonl_mixed":
            obs.check(
                "bad records reported", re.search(r"mixed\.jsonl", r.output) is not None, "no line names it"
            )
        return obs

    return Case(f"files.{f.cid}", G, f.title, "stored (no hang, no crash), store consistent", run)


def cases(ws: Workspace, smoke: bool = False) -> list[Case]:
    files = [f for f in FILES if not smoke or f.cid in SMOKE]
    batches = FileBatches(ws, files, stored_first=smoke)
    return [_refused_case(batches, f) if not f.stored else _stored_case(batches, f) for f in files]
