"""A small news site served on 127.0.0.1 for the fetch and feed tests.

Pages are written for these tests (invented events, our own words). Besides articles and
feeds it serves every way a fetch can go wrong: 404, 500, a slow answer, a body that trickles
or never ends, an oversized body, an image, redirect chains and redirects to private addresses.
"""

from __future__ import annotations

import ssl
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ARTICLES: dict[str, dict[str, Any]] = {
    "chips": {
        "title": "Northland opens its first wafer plant after two years of delays",
        "author": "Mara Quint",
        "date": "2024-03-14",
        "paragraphs": [
            "The government of Northland opened a semiconductor wafer plant on Thursday in the port "
            "city of Velm, the first such factory in the country and a project that slipped twice "
            "because of equipment shortages.",
            "Officials said the plant will make mature-node chips for cars and industrial machines, "
            "not the leading-edge processors used in phones, and that output should reach full "
            "capacity by the end of next year.",
            "The trade ministry described the factory as a hedge against export controls imposed by "
            "larger economies, arguing that supply of basic chips should not depend on a single "
            "foreign partner.",
            "Critics in parliament questioned the subsidy of nearly four billion crowns and asked "
            "whether a small market can keep such a plant busy once global demand cools.",
        ],
    },
    "cables": {
        "title": "Coastal states agree on joint patrols to protect undersea data cables",
        "author": "Ilya Brenner",
        "date": "2024-05-02",
        "paragraphs": [
            "Five coastal states signed an agreement on Monday to share surveillance data and run "
            "joint naval patrols along the undersea cables that carry most of their internet traffic.",
            "The pact follows two incidents last winter in which cables were cut by dragged anchors, "
            "leaving islands in the region with slow connections for several weeks.",
            "Under the deal, each navy will report unusual ship movements near cable routes to a "
            "shared centre, and repair vessels will be allowed to cross borders without waiting for "
            "permits.",
            "Telecom operators welcomed the move but said more spare cable and repair ships were "
            "needed, because a patrol cannot stop every accident at sea.",
        ],
    },
    "satellites": {
        "title": "Regional space agency delays launch of its weather satellite fleet",
        "author": "Tomas Ferrer",
        "date": "2024-06-21",
        "paragraphs": [
            "The regional space agency postponed the launch of three weather satellites by six "
            "months, citing problems with a supplier of solar panels.",
            "The satellites are meant to replace ageing instruments that forecasters rely on for "
            "storm warnings, and the agency said the old craft can keep working until the new ones "
            "are in orbit.",
            "Member governments have argued for years about how to share the cost of the fleet, "
            "and the delay is likely to reopen that debate at the next budget meeting.",
            "An agency spokesperson said the rockets are ready and that the only open question is "
            "when the panels pass their final vacuum tests.",
        ],
    },
}

SUMMARIES = {
    "chips": "Northland's first wafer plant opened in Velm.",
    "cables": "Five states will patrol undersea cables together.",
    "satellites": "Three weather satellites will launch six months late.",
}


def article_html(slug: str, base: str) -> str:
    art = ARTICLES[slug]
    paras = "\n".join(f"<p>{p}</p>" for p in art["paragraphs"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{art["title"]} | Harbor Ledger</title>
<meta property="og:title" content="{art["title"]}">
<meta property="og:site_name" content="Harbor Ledger">
<meta name="author" content="{art["author"]}">
<meta property="article:published_time" content="{art["date"]}T09:00:00Z">
<link rel="canonical" href="{base}/articles/{slug}.html">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/tech">Tech</a></nav>
<article><h1>{art["title"]}</h1><p class="byline">By {art["author"]}</p>
{paras}
</article>
<footer>Harbor Ledger. All rights reserved.</footer>
</body></html>"""


def _rfc822(date: str) -> str:
    return format_datetime(datetime.fromisoformat(date).replace(hour=9, tzinfo=UTC))


def rss_feed(base: str, slugs: list[str] | None = None) -> str:
    """An RSS 2.0 feed whose entries carry only a one-line summary and a link."""
    items = "\n".join(
        f"""<item><title>{ARTICLES[s]["title"]}</title><link>{base}/articles/{s}.html</link>
<guid>{base}/articles/{s}.html</guid><pubDate>{_rfc822(ARTICLES[s]["date"])}</pubDate>
<description>{SUMMARIES[s]}</description></item>"""
        for s in (slugs or list(ARTICLES))
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbor Ledger</title><link>{base}/</link>
<description>Technology and world news</description><language>en</language>
{items}
</channel></rss>"""


def atom_feed(base: str) -> str:
    """An Atom feed whose entries carry the full text, so nothing needs fetching."""
    entries = "\n".join(
        f"""<entry><title>{a["title"]}</title><link href="{base}/articles/{s}.html"/>
<id>{base}/articles/{s}.html</id><updated>{a["date"]}T09:00:00Z</updated>
<author><name>{a["author"]}</name></author>
<content type="html"><![CDATA[{"".join(f"<p>{p}</p>" for p in a["paragraphs"])}]]></content></entry>"""
        for s, a in ARTICLES.items()
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbor Ledger</title>
<id>{base}/</id><updated>2024-06-21T09:00:00Z</updated>
{entries}
</feed>"""


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


class Handler(BaseHTTPRequestHandler):
    server: SiteServer

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def _send(self, status: int, body: bytes, content_type: str | None, extra: dict[str, str] | None = None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"Location": location})

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.server.hosts.append(self.headers.get("Host", ""))
        base = self.server.base
        path = self.path.split("?", 1)[0]
        slug = path.removeprefix("/articles/").removesuffix(".html")
        if path.startswith("/articles/") and slug in ARTICLES:
            self._send(200, article_html(slug, base).encode(), "text/html; charset=utf-8")
        elif path == "/feed.xml":
            self._send(200, rss_feed(base).encode(), "application/rss+xml")
        elif path == "/feed-partial.xml":  # one entry's link is a 404
            body = rss_feed(base, ["chips"]).replace("</channel>", _broken_item(base) + "</channel>")
            self._send(200, body.encode(), "application/rss+xml")
        elif path == "/atom":  # served as generic XML: the reader must sniff it
            self._send(200, atom_feed(base).encode(), "text/xml")
        elif path == "/feed-untyped":  # no Content-Type at all
            self._send(200, rss_feed(base).encode(), None)
        elif path == "/catalog.xml":  # XML, but no feed
            self._send(200, b'<?xml version="1.0"?><catalog><item>bolt</item></catalog>', "application/xml")
        elif path == "/empty-feed.xml":
            empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
            self._send(200, empty, "application/rss+xml")
        elif path == "/feed-hostile-links.xml":  # summary-only entries linking to forbidden places
            self._send(200, _hostile_feed().encode(), "application/rss+xml")
        elif path == "/notes.txt":
            self._send(200, b"A plain text note.\n\nIt has two paragraphs of text.", "text/plain")
        elif path == "/host":
            self._send(200, self.headers.get("Host", "").encode(), "text/plain")
        elif path == "/missing":
            self._send(404, b"<h1>not here</h1>", "text/html")
        elif path == "/broken":
            self._send(500, b"<h1>oops</h1>", "text/html")
        elif path == "/slow":
            time.sleep(self.server.slow_seconds)
            self._send(200, article_html("chips", base).encode(), "text/html")
        elif path == "/trickle":  # each byte arrives in time, the whole never does
            self._stream(b"<p>.", pause=0.05)
        elif path == "/endless":  # no Content-Length, never ends
            self._stream(b"<p>" + b"x" * 16384 + b"</p>\n", pause=0)
        elif path == "/big":
            self._send(200, b"<p>" + b"y" * (3 * 1024 * 1024) + b"</p>", "text/html")
        elif path == "/image.png":
            self._send(200, PNG, "image/png")
        elif path == "/report.pdf":
            self._send(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
        elif path == "/binary":  # claims HTML, is not
            self._send(200, b"\x00\x01\x02\x03" * 100, "text/html")
        elif path.startswith("/redirect/"):  # /redirect/N: N more hops, then the article
            left = int(path.rsplit("/", 1)[1])
            self._redirect(f"/redirect/{left - 1}" if left > 1 else "/articles/chips.html")
        elif path == "/to-private":
            self._redirect("http://10.1.2.3/")
        elif path == "/to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif path == "/redirect-to-loopback":
            self._redirect(f"{base}/articles/chips.html")
        elif path == "/to-internal-name":
            self._redirect("http://internal.test/admin")
        else:
            self._send(404, b"not found", "text/plain")

    def _stream(self, piece: bytes, pause: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        deadline = time.monotonic() + 60  # the client gives up long before; never hang a test run
        try:
            while time.monotonic() < deadline and not self.server.stopping.is_set():
                self.wfile.write(piece)
                self.wfile.flush()
                if pause:
                    time.sleep(pause)
        except OSError:  # the client hung up, as it should
            pass
        self.close_connection = True


def _hostile_feed() -> str:
    links = ["http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "http://internal.test/"]
    items = "".join(
        f"<item><title>Teaser {i}</title><link>{link}</link>"
        f"<description>Teaser number {i}.</description></item>"
        for i, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Odd Links</title>{items}</channel></rss>'


def _broken_item(base: str) -> str:
    return f"""<item><title>A story that was taken down</title><link>{base}/missing</link>
<description>Only this line is left of it.</description></item>"""


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.base = f"{scheme}://127.0.0.1:{self.server_address[1]}"
        self.paths: list[str] = []
        self.hosts: list[str] = []
        self.slow_seconds = 3.0
        self.stopping = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
