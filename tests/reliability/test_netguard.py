"""The reliability suite's net guard: nothing it runs can reach past loopback.

The URL cases rely on it to prove the product's SSRF policy: a connection the policy should have
stopped is refused by the guard and counted. Checked in a child process, because the guard patches
the socket module for good.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

CHILD = r"""
import json, socket, sys
from reliability import netguard

netguard.install(fake_dns={"news.test": ["93.184.216.34"]}, route={"93.184.216.34": "127.0.0.1"},
                 netlog=sys.argv[1])
out = {}
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(4)
port = server.getsockname()[1]
for name, addr in (("private", ("10.255.255.1", 80)), ("metadata", ("169.254.169.254", 80)),
                   ("public", ("8.8.8.8", 53))):
    s = socket.socket()
    try:
        s.connect(addr)
        out[name] = "connected"
    except ConnectionRefusedError:
        out[name] = "refused"
    finally:
        s.close()
try:
    socket.getaddrinfo("example.org", 80)
    out["dns"] = "resolved"
except socket.gaierror:
    out["dns"] = "refused"
routed = socket.create_connection(("news.test", port), timeout=5)
out["routed"] = routed.getpeername()[0]
routed.close()
loop = socket.create_connection(("127.0.0.1", port), timeout=5)
out["loopback"] = "connected"
loop.close()
print(json.dumps(out))
"""


@pytest.mark.unit
def test_guard_refuses_and_records_every_non_loopback_connect(tmp_path: Path) -> None:
    netlog = tmp_path / "netlog.txt"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(netlog)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    assert out == {
        "private": "refused",
        "metadata": "refused",
        "public": "refused",
        "dns": "refused",
        "routed": "127.0.0.1",
        "loopback": "connected",
    }
    logged = netlog.read_text().splitlines()
    assert logged == [
        "connect 10.255.255.1:80",
        "connect 169.254.169.254:80",
        "connect 8.8.8.8:53",
        "dns example.org",
    ]
