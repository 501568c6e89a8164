"""Which URLs and addresses the fetcher may connect to (the SSRF policy).

A URL is checked before any connection: its scheme, its host name, then every address the
host resolves to. One refused address refuses the whole host, because the connection could
otherwise land on it (DNS answers are ordered by the resolver, not by us). The fetcher then
connects to an address vetted here, never to the name, so a second DNS answer cannot
switch it to another address (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = frozenset({"http", "https"})

# Instance-metadata services hand out cloud credentials: refused even when private
# addresses are allowed for local use.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.123",  # AWS time sync
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
_METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_PRIVATE_V4 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_ULA = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why an address is not public; ``local`` ones are allowed by ``allow_private_urls``."""

    kind: str
    local: bool


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # IPv6 forms that carry an IPv4 destination: the IPv4 address decides.
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify(ip: IPAddress) -> Verdict | None:
    """None for a public unicast address, else what kind of address it is."""
    if isinstance(ip, ipaddress.IPv6Address) and (v4 := _embedded_v4(ip)) is not None:
        return classify(v4)
    if ip in _METADATA_ADDRESSES:
        return Verdict("cloud metadata address", local=False)
    if ip.is_unspecified:
        return Verdict("unspecified address", local=False)
    if ip.is_multicast:
        return Verdict("multicast address", local=False)
    if ip.is_loopback:
        return Verdict("loopback address", local=True)
    if ip.is_link_local:
        return Verdict("link-local address", local=True)
    if ip in _CGNAT:
        return Verdict("carrier-grade NAT address", local=True)
    if isinstance(ip, ipaddress.IPv4Address) and any(ip in net for net in _PRIVATE_V4):
        return Verdict("private address", local=True)
    if isinstance(ip, ipaddress.IPv6Address) and (ip in _ULA or ip.is_site_local):
        return Verdict("private address", local=True)
    if not ip.is_global or ip.is_reserved:
        return Verdict("reserved address", local=False)
    return None


def check_scheme(url: httpx.URL) -> str | None:
    """None if the scheme may be fetched, else the reason it is refused."""
    if url.scheme not in SCHEMES:
        shown = url.scheme or "(none)"
        return f"refused: scheme '{shown}' is not fetched (only http and https)"
    if not url.host:
        return "refused: the URL has no host"
    return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address ``host`` resolves to, all vetted; raises ``Refused`` naming the first bad one.

    ``socket.getaddrinfo`` also turns legacy numeric forms (``2130706433``, ``0x7f.1``) into
    the address they mean, so those are checked like any other.
    """
    name = host.rstrip(".").lower()
    if name in _METADATA_HOSTS:
        raise Refused(f"refused: {host} is a cloud metadata host name")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"cannot resolve host {host} ({exc})") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        ip = ipaddress.ip_address(text)
        verdict = classify(ip)
        if verdict is not None and not (verdict.local and allow_private):
            via = "" if ip == _literal(name) else f"{host} resolves to "
            hint = " (allow_private_urls is off)" if verdict.local else ""
            raise Refused(f"refused: {via}{verdict.kind} {text}{hint}")
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise Unresolvable(f"cannot resolve host {host} (no addresses)")
    return addresses


class Refused(Exception):
    """The URL or one of its addresses may not be fetched; the message is the reason."""


class Unresolvable(Exception):
    """The host name has no address."""
