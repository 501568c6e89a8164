"""A feed host on 127.0.0.1 whose feed the tests change as they go, with what a real host sends.

``/feed.xml`` is RSS 2.0 with an ETag and a Last-Modified, and answers a conditional GET that
names the current version with 304 Not Modified and no body. A test can make it fail (HTTP 500),
turn into an HTML page, or hang, and count every request and the conditional headers it carried.
``/articles/<slug>.html`` serves each story as a plain article page (for ``/ingest``).

Stories are written for these tests: invented places and events, our own words.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    publisher: str
    date: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


VELDORIA = Story(
    "veldoria-cable",
    "Veldoria votes to lay its own undersea cable to the Ostmark islands",
    "Tidewater Wire",
    "2024-04-09",
    (
        "The parliament of Veldoria voted on Tuesday to lay a national undersea data cable to the "
        "Ostmark islands, ending a decade in which the archipelago reached the internet only "
        "through a satellite link leased from a neighbouring state.",
        "The Veldorian digital ministry said the cable would carry forty terabits a second and "
        "land at the fishing port of Karsk, where a new exchange will be built beside the harbour.",
        "Opposition members called the budget of two hundred million florins unrealistic and "
        "asked why the ministry had chosen a single supplier without an open tender.",
    ),
)
GRANARY = Story(
    "granary-sensors",
    "Quessant harbour fits its grain silos with moisture sensors",
    "Tidewater Wire",
    "2024-04-10",
    (
        "The harbour authority of Quessant has fitted every grain silo on its eastern quay with "
        "wireless moisture sensors, after a damp winter spoiled nine thousand tonnes of barley "
        "waiting for export.",
        "Readings go to a control room every ten minutes, and dock workers are warned when a silo "
        "needs ventilating, the authority said in a statement on Wednesday.",
        "Farmers' groups welcomed the sensors but said the harbour still charges too much for "
        "storage, and asked for the savings to be passed on.",
    ),
)
# The same story, syndicated under another publisher's name (word for word, another address).
GRANARY_COPY = Story(
    "granary-sensors-syndicated",
    GRANARY.title,
    "Coastline Daily",
    GRANARY.date,
    GRANARY.paragraphs,
)
LANTERN = Story(
    "lantern-festival",
    "Marrow Bay lights its lantern festival with recycled solar panels",
    "Tidewater Wire",
    "2024-04-12",
    (
        "Organisers of the Marrow Bay lantern festival said this year's lanterns were lit by "
        "solar panels taken from a decommissioned rooftop array, the first time the festival has "
        "run without diesel generators.",
        "The panels charge batteries during the day and power four thousand lanterns along the "
        "promenade after dark, the organisers said, adding that the batteries were donated by a "
        "local ferry company.",
        "Residents told the town council that the quieter nights without generators were the "
        "best change in years, and asked for the panels to stay after the festival ends.",
    ),
)

Mode = Literal["ok", "error", "html", "hang"]


def rss(base: str, stories: list[Story]) -> str:
    items = "\n".join(
        f"""<item><title>{escape(s.title)}</title><link>{base}/articles/{s.slug}.html</link>
<guid>{base}/articles/{s.slug}.html</guid>
<pubDate>{format_datetime(datetime.fromisoformat(s.date).replace(hour=8, tzinfo=UTC))}</pubDate>
<source url="{base}/">{escape(s.publisher)}</source>
<content:encoded><![CDATA[{"".join(f"<p>{p}</p>" for p in s.paragraphs)}]]></content:encoded></item>"""
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Tidewater Wire</title><link>{base}/</link><description>Harbour news</description>
<language>en</language>
{items}
</channel></rss>"""


def page(story: Story) -> str:
    body = "".join(f"<p>{p}</p>" for p in story.paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(story.title)}</title><meta property="og:title" content="{escape(story.title)}">
<meta property="og:site_name" content="{escape(story.publisher)}">
<meta property="article:published_time" content="{story.date}T08:00:00Z"></head>
<body><article><h1>{escape(story.title)}</h1>{body}</article></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        server = self.server
        path = self.path.split("?", 1)[0]
        with server.lock:
            server.requests.append((path, dict(self.headers.items())))
            mode, version, stories = server.mode, server.version, list(server.stories)
        if path == "/feed.xml":
            if mode == "hang":
                time.sleep(server.hang_seconds)
            if mode == "error":
                self._send(500, b"<h1>upstream broke</h1>", "text/html")
                return
            if mode == "html":
                self._send(200, b"<!DOCTYPE html><html><body><p>We moved.</p></body></html>", "text/html")
                return
            etag = f'"v{version}"'
            modified = format_datetime(
                datetime(2024, 4, 1, tzinfo=UTC).replace(day=min(version, 28)), usegmt=True
            )
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            headers = {"ETag": etag, "Last-Modified": modified}
            self._send(200, rss(server.base, stories).encode(), "application/rss+xml", headers)
            return
        slug = path.removeprefix("/articles/").removesuffix(".html")
        story = next((s for s in server.catalogue if s.slug == slug), None)
        if story is None:
            self._send(404, b"not found", "text/plain")
        else:
            self._send(200, page(story).encode(), "text/html; charset=utf-8")


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stories: list[Story]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.lock = threading.Lock()
        self.stories = list(stories)
        self.catalogue = [VELDORIA, GRANARY, GRANARY_COPY, LANTERN]
        self.version = 1
        self.mode: Mode = "ok"
        self.hang_seconds = 3.0
        self.requests: list[tuple[str, dict[str, str]]] = []

    @property
    def feed_url(self) -> str:
        return f"{self.base}/feed.xml"

    def publish(self, *stories: Story) -> None:
        """Add entries: the feed's version (ETag) changes."""
        with self.lock:
            self.stories += stories
            self.version += 1

    def feed_requests(self) -> list[dict[str, str]]:
        with self.lock:
            return [headers for path, headers in self.requests if path == "/feed.xml"]

    def __enter__(self) -> FeedServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
