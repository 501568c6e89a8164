"""A process-wide guard that lets no connection leave the loopback interface.

Installed in the bench process and in every product subprocess the suite starts
(``python -m reliability.guarded geobot ...``). It patches the socket module:

* name resolution answers only ``localhost`` and the fake names in ``RELIABILITY_FAKE_DNS``
  (JSON ``{"name": ["ip", ...]}``); every other name fails as if it did not exist, so no DNS
  query leaves the machine;
* ``connect`` to a loopback address or a Unix socket goes through; a connect to an address listed
  in ``RELIABILITY_ROUTE`` (JSON ``{"public ip": "127.0.0.1"}``) is sent to that loopback address
  on the same port — how a "public" test host is served from 127.0.0.1; any other connect
  raises ``ConnectionRefusedError`` and is appended to ``RELIABILITY_NETLOG``, so the suite can
  count every attempt the product's own SSRF guard should have stopped.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import threading
from typing import Any

_lock = threading.Lock()
_installed = False


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _record(netlog: str | None, what: str) -> None:
    if netlog:
        with _lock, open(netlog, "a", encoding="utf-8") as fh:
            fh.write(what + "\n")


def install(
    fake_dns: dict[str, list[str]] | None = None,
    route: dict[str, str] | None = None,
    netlog: str | None = None,
) -> None:
    """Patch the socket module (idempotent); arguments default to the RELIABILITY_* variables."""
    global _installed
    if _installed:
        return
    _installed = True
    fake_dns = fake_dns if fake_dns is not None else json.loads(os.environ.get("RELIABILITY_FAKE_DNS", "{}"))
    route = route if route is not None else json.loads(os.environ.get("RELIABILITY_ROUTE", "{}"))
    netlog = netlog if netlog is not None else os.environ.get("RELIABILITY_NETLOG")
    fake = {k.lower(): v for k, v in fake_dns.items()}
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name.lower() in ("localhost", "localhost.localdomain") or _is_ip(name):
            return real_getaddrinfo(host, port, family, type, proto, flags)
        addrs = fake.get(name.lower().rstrip("."))
        if addrs is None:
            _record(netlog, f"dns {name}")
            raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known (netguard: {name})")
        out = []
        for ip in addrs:
            fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
            if family not in (0, socket.AF_UNSPEC, fam):
                continue
            sockaddr: tuple[Any, ...] = (
                (ip, int(port or 0), 0, 0) if fam == socket.AF_INET6 else (ip, int(port or 0))
            )
            out.append((fam, type or socket.SOCK_STREAM, proto or socket.IPPROTO_TCP, "", sockaddr))
        return out

    def _target(self: socket.socket, address: Any) -> Any:
        if self.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
            return address
        host = str(address[0])
        if _loopback(host):
            return address
        if host in route:
            return (route[host], *address[1:]) if self.family == socket.AF_INET else address
        _record(netlog, f"connect {host}:{address[1]}")
        raise ConnectionRefusedError(111, f"netguard: connect to non-loopback {host} refused")

    def connect(self: socket.socket, address: Any) -> None:
        return real_connect(self, _target(self, address))

    def connect_ex(self: socket.socket, address: Any) -> int:
        return real_connect_ex(self, _target(self, address))

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]


def _is_ip(name: str) -> bool:
    """A literal address, including the forms inet_aton accepts (``2130706433``, ``0x7f.1``)."""
    try:
        ipaddress.ip_address(name.strip("[]").split("%")[0])
    except ValueError:
        try:
            socket.inet_aton(name)
        except OSError:
            return False
    return True
