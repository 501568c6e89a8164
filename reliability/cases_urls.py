"""URL cases: hostile URLs handed to the real ``geobot ingest``, with the default SSRF policy on.

The product runs under the loopback-only net guard: ``news.reliability.test`` resolves to a
public-looking address that the guard routes to the hostile server on 127.0.0.1, so the product
believes it is fetching from the internet. Any connection attempt that its own SSRF policy should
have stopped (a private, link-local or metadata address) is refused by the guard *and counted*:
one such attempt fails the case.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from reliability.harness import Case, Observed, has_traceback, once
from reliability.hostile_server import HostileServer
from reliability.product import Run, Snapshot, Workspace, require_command

G = "urls"
PUBLIC_IP = "93.184.216.34"  # stands for "some public web server"; routed to 127.0.0.1 by netguard
HOST = "news.reliability.test"
# A host whose DNS answer mixes a public and a private address: every address must be checked.
MIXED_HOST = "mixed.reliability.test"
# A metadata host name that "resolves" to the metadata address.
META_HOST = "metadata.google.internal"

FETCH_ENV = {
    "GEOBOT_INGEST__FETCH_TIMEOUT": "2",
    "GEOBOT_INGEST__FETCH_DEADLINE": "6",
    "GEOBOT_INGEST__MAX_DOWNLOAD_MB": "2",
    "GEOBOT_INGEST__MAX_REDIRECTS": "5",
}


def dns_env(port: int) -> dict[str, str]:
    return {
        "RELIABILITY_FAKE_DNS": json.dumps(
            {HOST: [PUBLIC_IP], MIXED_HOST: [PUBLIC_IP, "10.20.30.40"], META_HOST: ["169.254.169.254"]}
        ),
        "RELIABILITY_ROUTE": json.dumps({PUBLIC_IP: "127.0.0.1"}),
    }


@dataclass(frozen=True, slots=True)
class HostileURL:
    cid: str
    title: str
    url: str  # {base} = http://news.reliability.test:PORT, {port} = the server's port
    reason: str  # regex for the refusal line
    forbidden_path: str = ""  # a server path that must never be requested


URLS: list[HostileURL] = [
    HostileURL("scheme_file", "file:// URL", "file:///etc/passwd", r"scheme|http"),
    HostileURL("scheme_ftp", "ftp:// URL", "ftp://{host}/pub/article.txt", r"scheme|http"),
    HostileURL("scheme_gopher", "gopher:// URL", "gopher://{host}:70/1", r"scheme|http"),
    HostileURL("scheme_data", "data: URL", "data:text/html,<p>hello</p>", r"scheme|http|url"),
    HostileURL("loopback", "loopback address", "http://127.0.0.1:{port}/article", r"loopback", "/article"),
    HostileURL("loopback_v6", "IPv6 loopback", "http://[::1]:{port}/article", r"loopback", "/article"),
    HostileURL(
        "loopback_decimal",
        "loopback written as a number",
        "http://2130706433:{port}/article",
        r"loopback",
        "/article",
    ),
    HostileURL(
        "unspecified", "0.0.0.0", "http://0.0.0.0:{port}/article", r"unspecified|loopback|refused", "/article"
    ),
    HostileURL("private_10", "private 10.x address", "http://10.0.0.7/article", r"private"),
    HostileURL("private_192", "private 192.168.x address", "http://192.168.1.1/admin", r"private"),
    HostileURL("private_172", "private 172.16.x address", "http://172.16.5.4/", r"private"),
    HostileURL("link_local", "link-local address", "http://169.254.10.10/", r"link-local"),
    HostileURL(
        "metadata_ip", "cloud metadata address", "http://169.254.169.254/latest/meta-data/", r"metadata"
    ),
    HostileURL(
        "metadata_name",
        "cloud metadata host name",
        "http://" + META_HOST + "/computeMetadata/v1/",
        r"metadata",
    ),
    HostileURL(
        "mixed_dns",
        "name resolving to a public and a private address",
        "http://" + MIXED_HOST + ":{port}/article",
        r"private",
        "/article",
    ),
    HostileURL(
        "redirect_private",
        "redirect to a private address",
        "{base}/redirect?to=http://10.1.2.3/secret",
        r"private",
    ),
    HostileURL(
        "redirect_metadata",
        "redirect to the metadata service",
        "{base}/redirect?to=http://169.254.169.254/latest/meta-data/iam",
        r"metadata",
    ),
    HostileURL(
        "redirect_loopback",
        "redirect to loopback",
        "{base}/redirect?to=http://127.0.0.1:{port}/canary",
        r"loopback",
        "/canary",
    ),
    HostileURL(
        "redirect_file", "redirect to file://", "{base}/redirect?to=file:///etc/shadow", r"scheme|http"
    ),
    HostileURL("redirect_loop", "endless redirects", "{base}/loop", r"redirect"),
    HostileURL("status_404", "404 Not Found", "{base}/status?code=404", r"404"),
    HostileURL("status_500", "500 Server Error", "{base}/status?code=500", r"500"),
    HostileURL("timeout", "server never answers", "{base}/slow?s=30", r"time"),
    HostileURL("trickle", "body trickles one byte a second", "{base}/trickle", r"time|deadline|slow"),
    HostileURL("endless", "response that never ends", "{base}/endless", r"large|MB|max_download|size|time"),
    HostileURL("oversized", "64 MB response (cap 2 MB)", "{base}/big?mb=64", r"large|MB|max_download|size"),
    HostileURL(
        "binary_type", "application/octet-stream", "{base}/binary", r"not an article|content|type|binary"
    ),
    HostileURL("image_type", "image/png", "{base}/image", r"not an article|content|type|image"),
    HostileURL(
        "scripts_page", "page that is all scripts", "{base}/scripts", r"no article|no text|empty|extract"
    ),
]


# Smoke mode: one refusal of each kind (scheme, loopback, private, link-local, metadata, mixed DNS,
# redirect, HTTP status, size cap, content type), all refused before anything is stored.
SMOKE = frozenset(
    {
        "scheme_file",
        "loopback",
        "private_10",
        "link_local",
        "metadata_ip",
        "mixed_dns",
        "redirect_private",
        "status_404",
        "oversized",
        "binary_type",
    }
)


class UrlBatch:
    def __init__(self, ws: Workspace, server: HostileServer, urls: list[HostileURL]) -> None:
        self.ws, self.server, self.urls = ws, server, urls
        self.env = {**FETCH_ENV, **dns_env(server.port)}

    def url(self, template: str) -> str:
        port = self.server.port
        return template.format(base=f"http://{HOST}:{port}", host=HOST, port=port)

    @once
    def refused(self) -> tuple[Run, Snapshot, Snapshot]:
        require_command("ingest")
        before = self.ws.snapshot()
        run = self.ws.geobot("ingest", *(self.url(u.url) for u in self.urls), env=self.env, timeout=600)
        return run, before, self.ws.snapshot()

    @once
    def good(self) -> tuple[Run, Snapshot, Snapshot]:
        require_command("ingest")
        before = self.refused()[2]
        canary = self.url("{base}/canary")
        urls = [self.url("{base}/article"), self.url("{base}/injection?canary=") + canary]
        run = self.ws.geobot("ingest", *urls, env=self.env, timeout=300)
        return run, before, self.ws.snapshot()


def _line_for(output: str, url: str) -> str:
    flat = re.sub(r"\s*\n\s*", " ", output)
    i = flat.find(url)
    return flat[i : i + len(url) + 220].split(" failed: ")[0] if i >= 0 else ""


def _refused_case(batch: UrlBatch, u: HostileURL) -> Case:
    def run() -> Observed:
        r, before, after = batch.refused()
        url = batch.url(u.url)
        line = _line_for(r.output, url)
        after_url = line[len(url) :]
        obs = Observed(line.strip()[:220] or f"no line names the URL (exit {r.code})")
        obs.check("refused with a line naming the URL", bool(line))
        obs.check("reason given", re.search(u.reason, after_url, re.I) is not None, f"/{u.reason}/")
        obs.check("no traceback", not has_traceback(r.output))
        obs.check("run finished, exit non-zero", r.code not in (0, None), f"exit {r.code}")
        obs.check("no connection left loopback", not r.netlog, "; ".join(r.netlog[:3]))
        if u.forbidden_path:
            obs.check(
                "forbidden target never requested",
                batch.server.hits[u.forbidden_path] == 0,
                f"{batch.server.hits[u.forbidden_path]} requests",
            )
        obs.check("store unchanged", after.identity() == before.identity() and not after.error, after.error)
        return obs

    return Case(f"urls.{u.cid}", G, u.title, f"refused before/at connect: /{u.reason}/; nothing stored", run)


def _good_case(batch: UrlBatch) -> Case:
    def run() -> Observed:
        r, before, after = batch.good()
        new = after.article_ids - before.article_ids
        obs = Observed(f"exit {r.code}; {len(new)} new article(s)")
        obs.check("both public articles stored", len(new) == 2, f"{len(new)} new")
        obs.check("exit 0", r.code == 0, r.output.strip()[-200:])
        obs.check("no connection left loopback", not r.netlog, "; ".join(r.netlog[:3]))
        obs.check(
            "link inside the article not fetched",
            batch.server.hits["/canary"] == 0,
            f"/canary requested {batch.server.hits['/canary']} times",
        )
        return obs

    return Case(
        "urls.public_article",
        G,
        "public article page, and one carrying a link and commands",
        "stored (2 articles); the link inside is never fetched",
        run,
    )


def cases(ws: Workspace, server: HostileServer, smoke: bool = False) -> list[Case]:
    """Smoke mode leaves out the public-article batch: refusals only, no extra model load."""
    urls = [u for u in URLS if not smoke or u.cid in SMOKE]
    batch = UrlBatch(ws, server, urls)
    return [*(_refused_case(batch, u) for u in urls), *([] if smoke else [_good_case(batch)])]
