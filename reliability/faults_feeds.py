"""Fault: ``geobot feeds run-once`` killed with SIGKILL in the middle of a poll, then run again.

A loopback host serves an RSS feed whose entries carry whole articles of the shared corpus (two
of them a syndicated copy of another, under another publisher). The feed is followed by one
server's library. After each kill, a rerun must leave that library identical to an
uninterrupted poll's (ids, hashes, chunks, both indexes) — no article twice — and the digests
together must list each new article exactly once, as the uninterrupted poll's digest does.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from reliability.faults import kill_then_rerun
from reliability.harness import FaultResult, NotLanded, first_line, has_traceback
from reliability.product import CORPUS, Snapshot, Workspace, require_command

SEED = 20240917
SERVER = 7  # the Discord server whose library follows the feed
ENV = {"GEOBOT_INGEST__ALLOW_PRIVATE_URLS": "true", "RELIABILITY_LIBRARY": str(SERVER)}


def feed_xml(base: str, rows: int) -> bytes:
    """RSS 2.0 with ``rows`` articles of the corpus CSV, whole, and syndicated copies of two."""
    with (CORPUS / "huawei_uk" / "articles.csv").open(newline="", encoding="utf-8") as fh:
        picked = [r for r in csv.DictReader(fh) if len(r["Article"]) > 1500][:rows]
    entries = [(f"{base}/a/{i}", row["Source"], row) for i, row in enumerate(picked)]
    entries += [(f"{base}/copy/{i}", "Syndicate Wire", picked[i]) for i in (0, 1)]
    items = []
    for link, source, row in entries:
        day = datetime.fromisoformat(row["Date Published"][:10]).replace(tzinfo=UTC)
        body = "".join(f"<p>{escape(p)}</p>" for p in row["Article"].split("\n") if p.strip())
        items.append(
            f"<item><title>{escape(row['Title'])}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{format_datetime(day)}</pubDate><source url='{base}/'>{escape(source)}</source>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Corpus Wire</title>'
        f"<link>{base}/</link><description>the shared corpus as a feed</description>{''.join(items)}"
        "</channel></rss>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: FeedHost

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        etag = '"corpus-1"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)


class FeedHost(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, rows: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/feed.xml"
        self.body = feed_xml(self.url.rsplit("/", 1)[0], rows)

    def __enter__(self) -> FeedHost:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def digest_articles(ws: Workspace) -> list[str]:
    """Every article id the feed's digests list, one per line of every digest."""
    with sqlite3.connect(ws.root / "records.sqlite3") as db:
        rows = db.execute("SELECT DISTINCT digest_id, article_id FROM digest_items").fetchall()
    return [article for _, article in rows]


def feed_poll_kill(
    root: Path, quick: bool, trials: int | None = None, rows: int | None = None
) -> FaultResult:
    result = FaultResult(
        "feed_poll_sigkill",
        "feed poll (geobot feeds run-once) killed with SIGKILL at a random point, then rerun",
        "the library converges to an uninterrupted poll's (no article twice); the digests list each new "
        "article once",
    )
    try:
        require_command("feeds")
        require_command("digest")
    except NotLanded as exc:
        result.skipped = str(exc)
        return result
    trials = trials or (3 if quick else 12)
    rng = random.Random(SEED)
    with FeedHost(rows or (4 if quick else 8)) as host:
        clean_ws = Workspace(root / "clean", env=dict(ENV))
        follow = clean_ws.geobot("feeds", "add", host.url, "--server", str(SERVER))
        run = clean_ws.geobot("feeds", "run-once", "--server", str(SERVER), timeout=600)
        if follow.code != 0 or run.code != 0:
            result.skipped = (
                f"an uninterrupted poll failed: {first_line(follow.stderr or run.stderr or run.stdout)}"
            )
            return result
        clean, clean_digest = clean_ws.snapshot(), digest_articles(clean_ws)
        killed = 0
        for trial in range(trials):
            ws = Workspace(root / f"trial{trial}", env=dict(ENV))
            ws.geobot("feeds", "add", host.url, "--server", str(SERVER))
            delay = rng.uniform(0.3, run.seconds * 0.95)
            landed, rerun = kill_then_rerun(ws, ["feeds", "run-once", "--server", str(SERVER)], delay)
            killed += landed
            after, listed = ws.snapshot(), digest_articles(ws)
            result.trials += 1
            problems = _problems(after, clean, listed, clean_digest)
            if rerun.code == 0 and not problems and not has_traceback(rerun.output):
                result.survived += 1
            else:
                result.notes.append(
                    f"trial {trial} (kill at {delay:.1f}s): exit {rerun.code}, {problems or 'traceback'}"
                )
    result.figures = {
        "killed_mid_poll": killed,
        "articles": len(clean.articles),
        "in_digest": len(clean_digest),
        "clean_poll_s": round(run.seconds, 1),
        "seed": SEED,
    }
    return result


def _problems(after: Snapshot, clean: Snapshot, listed: list[str], clean_listed: list[str]) -> str:
    parts = []
    if after.error:
        parts.append(after.error)
    elif after.identity() != clean.identity():
        parts.append(f"library differs ({len(after.articles)} articles, {len(clean.articles)} expected)")
    if len(listed) != len(set(listed)):
        parts.append("an article in two digests")
    if set(listed) != set(clean_listed):
        parts.append(f"digests list {len(set(listed))} articles, {len(set(clean_listed))} expected")
    return "; ".join(parts)


def catalog() -> list[tuple[str, Callable[[Path, bool], FaultResult]]]:
    return [("feed_poll_sigkill", feed_poll_kill)]


def smoke_catalog() -> list[tuple[str, Callable[[Path, bool], FaultResult]]]:
    """One kill on a feed of two articles: proves the kill-and-rerun path, not its odds."""
    return [("feed_poll_sigkill", lambda root, quick: feed_poll_kill(root, quick, trials=1, rows=2))]
