"""Fetch one URL safely: SSRF-guarded, pinned to vetted addresses, bounded in time and size.

Every hop (the URL and each redirect) is checked by ``ingest.url_guard`` before a connection
is made, and the connection goes to the vetted address itself while the request keeps the
original Host header and TLS server name, so certificates are still verified against the
host name. Redirects are followed here, not by httpx, so each one is checked and counted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from types import TracebackType

import httpx

from ingest import url_guard
from ingest.errors import (
    BadStatus,
    FetchError,
    FetchFailed,
    FetchTimeout,
    NotAnArticle,
    RefusedURL,
    ResponseTooLarge,
    TooManyRedirects,
)
from ingest.settings import IngestSettings

logger = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPTED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "text/plain",
        "application/json",
    }
)
ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, text/plain;q=0.8, */*;q=0.1"
)
_SNIFF_BYTES = 1024


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched response: the body and what is needed to read it."""

    url: str  # where the body came from, after redirects
    requested: str  # the URL asked for
    media_type: str  # e.g. "text/html"; "" when the server did not say
    charset: str | None
    body: bytes
    # Validators for a conditional GET of the same URL later (a followed feed's next poll).
    etag: str | None = None
    last_modified: str | None = None

    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 if none), bad bytes replaced."""
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # a charset name Python does not know
            return self.body.decode("utf-8", errors="replace")


class PinnedTransport(httpx.BaseTransport):
    """Connects only to vetted addresses of the request's host.

    The request URL's host is swapped for a vetted IP just before sending; the Host header
    (set from the original URL) and the ``sni_hostname`` extension keep naming the host,
    so virtual hosting and certificate checks work as usual.
    """

    def __init__(self, allow_private: bool, inner: httpx.BaseTransport | None = None) -> None:
        self._allow_private = allow_private
        self._inner = inner or httpx.HTTPTransport(trust_env=False, retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        reason = url_guard.check_scheme(url)
        if reason is not None:
            raise url_guard.Refused(reason)
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = url_guard.resolve(url.host, port, self._allow_private)
        request.extensions = {**request.extensions, "sni_hostname": url.host}
        error: httpx.ConnectError | None = None
        for address in addresses:  # the next vetted address if one cannot be reached
            request.url = url.copy_with(host=address)
            try:
                return self._inner.handle_request(request)
            except httpx.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    def close(self) -> None:
        self._inner.close()


def media_type(content_type: str) -> tuple[str, str | None]:
    """``text/html; charset=UTF-8`` -> ("text/html", "UTF-8")."""
    kind, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return kind.strip().lower(), charset


class Fetcher:
    """Fetches URLs under the ``[ingest]`` limits; one instance per ingest run, closed after."""

    def __init__(self, settings: IngestSettings, transport: httpx.BaseTransport | None = None) -> None:
        self._settings = settings
        self._max_bytes = int(settings.max_download_mb * 1024 * 1024)
        self._client = httpx.Client(
            transport=transport or PinnedTransport(settings.allow_private_urls),
            timeout=httpx.Timeout(settings.fetch_timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str) -> Page:
        """The page at ``url``; raises a ``FetchError`` subclass naming ``url`` and the reason."""
        page = self._fetch(url, {})
        assert page is not None  # only a conditional request is answered "not modified"
        return page

    def fetch_if_changed(self, url: str, etag: str | None, last_modified: str | None) -> Page | None:
        """The page at ``url``, or None when the server says it has not changed since the
        response that carried ``etag`` / ``last_modified`` (304 Not Modified: no body read)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._fetch(url, headers)

    def _fetch(self, url: str, headers: dict[str, str]) -> Page | None:
        deadline = time.monotonic() + self._settings.fetch_deadline
        try:
            current = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise RefusedURL(url, f"not a valid URL ({exc})") from exc
        for hop in range(self._settings.max_redirects + 1):
            what = "" if hop == 0 else f"redirect to {current} "
            response = self._open(url, current, what, deadline, headers)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    current = current.join(location)
                    logger.debug("%s: redirected to %s", url, current)
                    continue
                if response.status_code == 304 and headers:
                    return None
                return self._read(url, current, response, deadline)
            finally:
                response.close()
        raise TooManyRedirects(url, f"more than {self._settings.max_redirects} redirects (max_redirects)")

    def _open(
        self, source: str, current: httpx.URL, what: str, deadline: float, headers: dict[str, str]
    ) -> httpx.Response:
        reason = url_guard.check_scheme(current)
        if reason is not None:
            raise RefusedURL(source, f"{what}{reason}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._over_deadline(source)
        timeout = min(self._settings.fetch_timeout, remaining)
        try:
            request = self._client.build_request(
                "GET", current, headers=headers, timeout=httpx.Timeout(timeout)
            )
            return self._client.send(request, stream=True)
        except url_guard.Refused as exc:
            raise RefusedURL(source, f"{what}{exc}") from exc
        except url_guard.Unresolvable as exc:
            raise FetchFailed(source, f"{what}{exc}") from exc
        except httpx.ConnectTimeout as exc:
            raise FetchTimeout(source, f"{what}timed out after {timeout:g}s connecting") from exc
        except httpx.TimeoutException as exc:
            raise FetchTimeout(source, f"{what}timed out after {timeout:g}s waiting for a response") from exc
        except httpx.ConnectError as exc:
            raise FetchFailed(source, f"{what}cannot connect ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchFailed(source, f"{what}failed ({type(exc).__name__}: {exc})") from exc

    def _read(self, source: str, url: httpx.URL, response: httpx.Response, deadline: float) -> Page:
        if response.status_code >= 400:
            raise BadStatus(source, response.status_code, response.reason_phrase)
        if not 200 <= response.status_code < 300:
            raise FetchFailed(source, f"unexpected HTTP {response.status_code} {response.reason_phrase}")
        kind, charset = media_type(response.headers.get("content-type", ""))
        if kind and kind not in _ACCEPTED_TYPES:
            raise NotAnArticle(source, f"not an article: {kind}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise self._too_large(source, f"{int(declared) / 1024 / 1024:.1f} MB declared")
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self._max_bytes:
                    raise self._too_large(source, "cut off")
                if time.monotonic() > deadline:
                    raise self._over_deadline(source)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(
                source, f"timed out after {self._settings.fetch_timeout:g}s waiting for data"
            ) from exc
        except httpx.HTTPError as exc:
            raise FetchFailed(source, f"the download broke off ({type(exc).__name__}: {exc})") from exc
        if b"\x00" in body[:_SNIFF_BYTES] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise NotAnArticle(source, f"not an article: binary data ({kind or 'no content type'})")
        if not body.strip():
            raise NotAnArticle(source, "not an article: the response is empty")
        return Page(
            url=str(url),
            requested=source,
            media_type=kind,
            charset=charset,
            body=bytes(body),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    def _too_large(self, source: str, detail: str) -> FetchError:
        limit = self._settings.max_download_mb
        return ResponseTooLarge(source, f"too large: over max_download_mb = {limit:g} MB ({detail})")

    def _over_deadline(self, source: str) -> FetchError:
        limit = self._settings.fetch_deadline
        return FetchTimeout(source, f"timed out: the fetch took over fetch_deadline = {limit:g}s")


def fetch(url: str, settings: IngestSettings) -> Page:
    """One-off fetch; use a ``Fetcher`` to fetch several URLs over kept-alive connections."""
    with Fetcher(settings) as fetcher:
        return fetcher.fetch(url)
