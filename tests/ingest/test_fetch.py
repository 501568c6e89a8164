"""The guarded fetcher: refuses what it must before connecting, bounds time and size.

Every test runs inside the ``net`` fixture: a connection to any address outside loopback
raises and is recorded, so a broken guard fails the test instead of reaching the network.
"""

from __future__ import annotations

import ipaddress
import ssl
import time

import httpx
import pytest
import trustme

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
from ingest.fetch import Fetcher, PinnedTransport
from ingest.settings import IngestSettings
from tests.ingest.conftest import PUBLIC, Net
from tests.ingest.site import SiteServer

pytestmark = pytest.mark.unit


def _settings(**overrides: object) -> IngestSettings:
    base: dict[str, object] = {"fetch_timeout": 1.0, "fetch_deadline": 5.0}
    return IngestSettings.model_validate(base | overrides)


def _fetch(url: str, **overrides: object):
    with Fetcher(_settings(**overrides)) as fetcher:
        return fetcher.fetch(url)


def _refused(net: Net, url: str, *expected: str, **overrides: object) -> str:
    with pytest.raises(RefusedURL) as info:
        _fetch(url, **overrides)
    message = str(info.value)
    assert message.startswith(f"{url}: "), message
    for part in expected:
        assert part in message, message
    assert net.blocked == [], f"a connection was attempted: {net.blocked}"
    return message


# --- refused before any connection -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.5/", "private address 10.0.0.5"),
        ("http://172.16.9.9/", "private address 172.16.9.9"),
        ("http://192.168.0.1:8080/", "private address 192.168.0.1"),
        ("http://127.0.0.1/", "loopback address 127.0.0.1"),
        ("http://127.9.9.9/", "loopback address 127.9.9.9"),
        ("http://169.254.1.1/", "link-local address 169.254.1.1"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata address 169.254.169.254"),
        ("http://100.64.0.7/", "carrier-grade NAT address 100.64.0.7"),
        ("http://0.0.0.0/", "unspecified address 0.0.0.0"),
        ("http://224.0.0.1/", "multicast address 224.0.0.1"),
        ("http://240.0.0.1/", "reserved address 240.0.0.1"),
        ("http://[::1]/", "loopback address ::1"),
        ("http://[fc00::1]/", "private address fc00::1"),
        ("http://[fd00:ec2::254]/", "cloud metadata address fd00:ec2::254"),
        ("http://[fe80::1]/", "link-local address fe80::1"),
        ("http://[::ffff:10.0.0.1]/", "private address ::ffff:10.0.0.1"),
        ("http://[::ffff:127.0.0.1]/", "loopback address ::ffff:127.0.0.1"),
        ("http://[::ffff:169.254.169.254]/", "cloud metadata address"),
        ("http://[64:ff9b::a00:1]/", "private address 64:ff9b::a00:1"),
        ("http://[2002:a00:1::1]/", "private address 2002:a00:1::1"),
        ("http://[::]/", "unspecified address"),
        ("http://2130706433/", "2130706433 resolves to loopback address 127.0.0.1"),
        ("http://0x7f000001/", "resolves to loopback address 127.0.0.1"),
        ("http://0x7f.1/", "resolves to loopback address 127.0.0.1"),
        ("http://017700000001/", "resolves to loopback address 127.0.0.1"),
        ("http://167772165/", "resolves to private address 10.0.0.5"),
        ("http://localhost:9/", "localhost resolves to loopback address"),
        ("http://internal.test/", "internal.test resolves to private address 10.0.0.5"),
        ("http://metadata.test/", "metadata.test resolves to cloud metadata address 169.254.169.254"),
        ("http://cgnat.test/", "carrier-grade NAT address 100.64.3.4"),
        ("http://ula.test/", "private address fd12:3456::1"),
    ],
)
def test_non_public_addresses_are_refused_before_connecting(net: Net, url: str, reason: str) -> None:
    _refused(net, url, reason)


def test_ipv6_zone_ids_do_not_hide_a_link_local_address(net: Net) -> None:
    _refused(net, "http://[fe80::1%eth0]/", "link-local address fe80::1")


def test_proxy_variables_are_ignored(net: Net, site: SiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy would resolve and connect on our behalf, outside the guard.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://10.0.0.9:3128")
    page = _fetch(f"http://site.test:{site.server_address[1]}/notes.txt")
    assert page.text().startswith("A plain text note.")
    assert net.blocked == []


def test_one_private_address_among_public_ones_refuses_the_host(net: Net) -> None:
    _refused(net, "http://mixed.test/news", "mixed.test resolves to private address 192.168.1.20")
    assert "mixed.test" in net.resolved


@pytest.mark.parametrize(
    "url", ["http://metadata.google.internal/computeMetadata/v1/", "http://METADATA.GOOGLE.INTERNAL./"]
)
def test_metadata_host_names_are_refused_without_resolving(net: Net, url: str) -> None:
    _refused(net, url, "cloud metadata host name")
    assert not any("metadata" in name for name in net.resolved)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("ftp://example.org/pub/file.txt", "ftp"),
        ("gopher://127.0.0.1:70/_stats", "gopher"),
        ("dict://127.0.0.1:11211/stat", "dict"),
        ("javascript:alert(1)", "javascript"),
    ],
)
def test_other_schemes_are_refused(net: Net, url: str, scheme: str) -> None:
    _refused(net, url, f"scheme '{scheme}' is not fetched (only http and https)")
    assert net.resolved == []


def test_private_refusal_names_the_setting_that_allows_it(net: Net) -> None:
    _refused(net, "http://10.0.0.5/", "private address 10.0.0.5 (allow_private_urls is off)")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.test/",
        "http://0.0.0.0:1/",
        "http://224.0.0.1/",
    ],
)
def test_metadata_and_unspecified_stay_refused_when_private_urls_are_allowed(net: Net, url: str) -> None:
    message = _refused(net, url, allow_private_urls=True)
    assert "allow_private_urls" not in message


def test_the_test_net_itself_blocks_what_the_guard_lets_through(net: Net) -> None:
    # A public address passes the guard; the fixture must then stop the connection, which
    # is what makes every refusal test above meaningful.
    with pytest.raises(FetchFailed, match="cannot connect"):
        _fetch("http://public.test/")
    assert [str(a[0]) for a in net.blocked] == [PUBLIC]  # type: ignore[index]


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("10.255.255.255", "private address"),
        ("172.31.0.1", "private address"),
        ("172.32.0.1", None),
        ("192.0.2.10", "reserved address"),
        ("198.18.0.1", "reserved address"),
        ("255.255.255.255", "reserved address"),
        ("fec0::1", "private address"),
        ("ff02::1", "multicast address"),
        ("2001:db8::1", "reserved address"),
    ],
)
def test_address_classes(ip: str, kind: str | None) -> None:
    verdict = url_guard.classify(ipaddress.ip_address(ip))
    assert (verdict.kind if verdict else None) == kind


# --- loopback allowed for local use --------------------------------------------------------


def test_loopback_is_refused_by_default(net: Net, site: SiteServer) -> None:
    _refused(net, f"{site.base}/articles/chips.html", "loopback address 127.0.0.1")


def test_loopback_is_fetched_when_private_urls_are_allowed(net: Net, site: SiteServer) -> None:
    page = _fetch(f"{site.base}/articles/chips.html", allow_private_urls=True)
    assert page.media_type == "text/html"
    assert page.charset == "utf-8"
    assert b"Velm" in page.body
    assert net.blocked == []


def test_numeric_host_forms_reach_the_address_they_mean_when_allowed(net: Net, site: SiteServer) -> None:
    port = site.server_address[1]
    page = _fetch(f"http://2130706433:{port}/notes.txt", allow_private_urls=True)
    assert page.text().startswith("A plain text note.")


def test_connection_goes_to_the_vetted_address_with_the_original_host_header(
    net: Net, site: SiteServer
) -> None:
    port = site.server_address[1]
    page = _fetch(f"http://news.test:{port}/host", allow_private_urls=True)
    assert page.text() == f"news.test:{port}"


def test_dns_rebinding_cannot_switch_the_address_after_the_check(net: Net, site: SiteServer) -> None:
    # First answer passes the check, every later answer points at a private address: the
    # fetcher must connect to the address it checked, not ask again.
    port = site.server_address[1]
    net.answer("rebind.test", ["127.0.0.1"], ["10.9.9.9"])
    page = _fetch(f"http://rebind.test:{port}/host", allow_private_urls=True)
    assert page.text() == f"rebind.test:{port}"
    assert net.resolved.count("rebind.test") == 1
    assert net.blocked == []


# --- redirects -----------------------------------------------------------------------------


def test_redirect_chain_is_followed(net: Net, site: SiteServer) -> None:
    page = _fetch(f"{site.base}/redirect/3", allow_private_urls=True)
    assert page.url == f"{site.base}/articles/chips.html"
    assert page.requested == f"{site.base}/redirect/3"
    assert b"wafer plant" in page.body


def test_too_many_redirects(net: Net, site: SiteServer) -> None:
    url = f"{site.base}/redirect/4"
    with pytest.raises(TooManyRedirects, match=r"more than 2 redirects"):
        _fetch(url, allow_private_urls=True, max_redirects=2)
    assert _fetch(url, allow_private_urls=True, max_redirects=4).url.endswith("/articles/chips.html")


def _site(site: SiteServer) -> str:
    """The loopback site under a public-looking name, reachable with the default settings."""
    return f"http://site.test:{site.server_address[1]}"


def test_a_public_host_is_fetched_with_default_settings(net: Net, site: SiteServer) -> None:
    page = _fetch(f"{_site(site)}/redirect/2")
    assert page.url == f"{_site(site)}/articles/chips.html"
    assert net.blocked == []


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-private", "redirect to http://10.1.2.3/ refused: private address 10.1.2.3"),
        (
            "/to-metadata",
            "redirect to http://169.254.169.254/latest/meta-data/ refused: cloud metadata address",
        ),
        ("/to-internal-name", "refused: internal.test resolves to private address 10.0.0.5"),
        ("/to-file", "refused: scheme 'file' is not fetched"),
        ("/redirect-to-loopback", "redirect to http://127.0.0.1:"),
    ],
)
def test_every_redirect_hop_is_checked_again(net: Net, site: SiteServer, path: str, reason: str) -> None:
    site.paths.clear()
    _refused(net, f"{_site(site)}{path}", reason)
    assert site.paths == [path]  # the first hop was fetched, the refused one never requested


# --- limits and failures -------------------------------------------------------------------


def test_http_errors_name_the_status(net: Net, site: SiteServer) -> None:
    with pytest.raises(BadStatus) as info:
        _fetch(f"{_site(site)}/missing")
    assert str(info.value) == f"{_site(site)}/missing: HTTP 404 Not Found"
    assert info.value.status == 404
    with pytest.raises(BadStatus, match=r"/broken: HTTP 500 Internal Server Error$"):
        _fetch(f"{_site(site)}/broken")


def test_slow_server_times_out(net: Net, site: SiteServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"/slow: timed out after 0.5s waiting for a response"):
        _fetch(f"{_site(site)}/slow", fetch_timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_a_body_that_trickles_forever_hits_the_total_deadline(net: Net, site: SiteServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"/trickle: timed out: the fetch took over fetch_deadline = 1.5s"):
        _fetch(f"{_site(site)}/trickle", fetch_deadline=1.5)
    assert time.monotonic() - started < 3


def test_an_endless_body_without_length_is_cut_at_the_size_cap(net: Net, site: SiteServer) -> None:
    started = time.monotonic()
    with pytest.raises(
        ResponseTooLarge, match=r"/endless: too large: over max_download_mb = 0.5 MB \(cut off\)"
    ):
        _fetch(f"{_site(site)}/endless", max_download_mb=0.5)
    assert time.monotonic() - started < 3


def test_a_declared_length_over_the_cap_is_refused_before_reading(net: Net, site: SiteServer) -> None:
    with pytest.raises(ResponseTooLarge, match=r"too large: over max_download_mb = 1 MB \(3.0 MB declared\)"):
        _fetch(f"{_site(site)}/big", max_download_mb=1)
    assert len(_fetch(f"{_site(site)}/big", max_download_mb=4).body) > 3 * 1024 * 1024


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/image.png", "not an article: image/png"),
        ("/report.pdf", "not an article: application/pdf"),
        ("/binary", "not an article: binary data (text/html)"),
    ],
)
def test_non_article_content_is_refused(net: Net, site: SiteServer, path: str, reason: str) -> None:
    with pytest.raises(NotAnArticle) as info:
        _fetch(f"{_site(site)}{path}")
    assert str(info.value) == f"{_site(site)}{path}: {reason}"


def test_connection_refused_is_a_fetch_error(net: Net) -> None:
    with pytest.raises(FetchFailed, match="cannot connect"):
        _fetch("http://127.0.0.1:9/", allow_private_urls=True)


def test_unknown_host_is_a_fetch_error(net: Net) -> None:
    with pytest.raises(FetchFailed, match=r"cannot resolve host nowhere\.invalid"):
        _fetch("http://nowhere.invalid/")


def test_every_fetch_error_is_one_line_naming_the_url(net: Net, site: SiteServer) -> None:
    for path in ("/missing", "/image.png", "/to-private", "/slow"):
        url = f"{_site(site)}{path}"
        with pytest.raises(FetchError) as info:
            _fetch(url, fetch_timeout=0.3)
        assert str(info.value).startswith(f"{url}: ")
        assert "\n" not in str(info.value)


# --- TLS: pinned to the vetted address, still verified against the host name -------------


@pytest.fixture(scope="module")
def tls_ca() -> trustme.CA:
    return trustme.CA()


def _tls_site(ca: trustme.CA, name: str) -> tuple[SiteServer, list[str | None]]:
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(server_side)
    names: list[str | None] = []
    server_side.sni_callback = lambda _sock, sni, _ctx: names.append(sni)
    server = SiteServer(tls=server_side)
    server.start()
    return server, names


def _tls_fetcher(ca: trustme.CA) -> Fetcher:
    client_side = ssl.create_default_context()
    ca.configure_trust(client_side)
    inner = httpx.HTTPTransport(verify=client_side, trust_env=False, retries=0)
    return Fetcher(_settings(), transport=PinnedTransport(allow_private=False, inner=inner))


def test_https_connects_to_the_vetted_address_with_host_name_sni_and_verification(
    net: Net, tls_ca: trustme.CA
) -> None:
    server, names = _tls_site(tls_ca, "site.test")
    try:
        url = f"https://site.test:{server.server_address[1]}/host"
        with _tls_fetcher(tls_ca) as fetcher:
            page = fetcher.fetch(url)
        assert page.text() == f"site.test:{server.server_address[1]}"  # Host header kept
        assert names == ["site.test"]  # SNI names the host, not the pinned address
    finally:
        server.stop()
    assert net.blocked == []


def test_https_certificate_for_another_name_is_rejected(net: Net, tls_ca: trustme.CA) -> None:
    server, _ = _tls_site(tls_ca, "other.test")
    try:
        with _tls_fetcher(tls_ca) as fetcher, pytest.raises(FetchFailed, match="CERTIFICATE_VERIFY_FAILED"):
            fetcher.fetch(f"https://site.test:{server.server_address[1]}/host")
    finally:
        server.stop()
