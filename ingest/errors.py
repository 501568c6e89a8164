"""Errors of the ingest package."""

from __future__ import annotations

from collections.abc import Sequence


class IngestError(Exception):
    """Base of every ingest error."""


class InputError(IngestError):
    """One input (file, record or URL) cannot be ingested; the run goes on with the others.

    ``str()`` is the one line shown to the user: the input, then the reason.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class NothingToIngest(InputError):
    """A folder holds no file of a type ingest reads (hidden files and READMEs do not count)."""

    def __init__(self, source: str, suffixes: Sequence[str]) -> None:
        super().__init__(source, f"no articles found in {source} (looked for {' '.join(suffixes)})")

    def __str__(self) -> str:
        return self.reason  # it names the folder already


class FetchError(InputError):
    """A URL could not be fetched; ``source`` is the URL the user gave, ``reason`` says why."""


class RefusedURL(FetchError):
    """Refused before any connection: a scheme other than http(s), or a non-public address."""


class FetchTimeout(FetchError):
    """Connecting, waiting for data, or the whole fetch took too long."""


class BadStatus(FetchError):
    """The server answered with an HTTP error status."""

    def __init__(self, source: str, status: int, phrase: str) -> None:
        super().__init__(source, f"HTTP {status} {phrase}".rstrip())
        self.status = status


class ResponseTooLarge(FetchError):
    """The response is larger than ``[ingest] max_download_mb``."""


class NotAnArticle(FetchError):
    """The response is not text a reader can use (an image, a PDF, binary data)."""


class TooManyRedirects(FetchError):
    """More than ``[ingest] max_redirects`` redirects."""


class FetchFailed(FetchError):
    """The host cannot be resolved, the connection fails or the server breaks the protocol."""


class NotAFeed(InputError):
    """A URL given as a feed to follow answers with something that is not an RSS or Atom feed."""
