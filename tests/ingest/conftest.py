"""Fixtures for the ingest tests: a loopback news site and a net that stops outside connections."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.ingest.site import SiteServer

# Names the tests resolve; anything else must be a numeric address (no DNS query ever leaves).
PUBLIC = "93.184.215.14"
# A public-looking address the test net carries to the loopback site, so default settings
# (loopback refused) can be tested end to end: the real connect only ever sees 127.0.0.1.
SITE_IP = "93.184.215.15"
FAKE_DNS: dict[str, list[str]] = {
    "localhost": ["127.0.0.1", "::1"],
    "internal.test": ["10.0.0.5"],
    "metadata.test": ["169.254.169.254"],
    "mixed.test": [PUBLIC, "192.168.1.20"],
    "public.test": [PUBLIC],
    "site.test": [SITE_IP],
    "news.test": ["127.0.0.1"],
    "cgnat.test": ["100.64.3.4"],
    "ula.test": ["fd12:3456::1"],
}


@pytest.fixture(scope="session")
def site() -> Iterator[SiteServer]:
    server = SiteServer()
    server.start()
    yield server
    server.stop()


@dataclass
class Net:
    """What the tests' network saw: connections attempted outside loopback, names resolved."""

    blocked: list[object] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    dns: dict[str, list[list[str]]] = field(default_factory=dict)

    def answer(self, name: str, *answers: list[str]) -> None:
        """Successive answers for ``name`` (the last one repeats): e.g. a rebinding resolver."""
        self.dns[name] = list(answers)


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        try:
            return ipaddress.ip_address(str(address[0]).split("%", 1)[0]).is_loopback
        except ValueError:
            return False
    return isinstance(address, str | bytes)  # AF_UNIX paths are local


@pytest.fixture
def net(monkeypatch: pytest.MonkeyPatch) -> Net:
    """Makes any connection outside loopback impossible, even if the guard under test were broken.

    ``socket.socket.connect``/``connect_ex`` raise (and record) on any non-loopback destination
    except ``SITE_IP``, which they connect to 127.0.0.1 instead; asyncio's socket connects go
    through the same methods. ``socket.getaddrinfo`` answers the
    names in ``FAKE_DNS`` (private and metadata addresses among them) and refuses to send a DNS
    query for anything else.
    """
    state = Net()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def route(address: object) -> object:
        if isinstance(address, tuple) and address and address[0] == SITE_IP:
            return ("127.0.0.1", *address[1:])
        if not _is_loopback(address):
            state.blocked.append(address)
            raise PermissionError(f"test net: connection to {address} blocked")
        return address

    def connect(self: socket.socket, address: object) -> None:
        real_connect(self, route(address))  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        return real_connect_ex(self, route(address))  # type: ignore[arg-type]

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else str(host)
        state.resolved.append(name)
        answers = state.dns.get(name)
        ips = (answers.pop(0) if len(answers) > 1 else answers[0]) if answers else FAKE_DNS.get(name)
        if ips is None:
            return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        out: list[tuple[object, ...]] = []
        for ip in ips:
            if ":" in ip:
                out.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, int(port or 0), 0, 0)))
            else:
                out.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port or 0))))
        return out

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return state
