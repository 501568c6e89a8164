"""Run the real ``geobot`` CLI with the loopback-only network guard installed.

    python -m reliability.guarded ingest URL...

``RELIABILITY_FSIZE_LIMIT`` (bytes) caps the size of any file the process writes: the
disk-full fault's stand-in where a small tmpfs cannot be mounted.
"""

from __future__ import annotations

import os
import resource
import sys

from reliability import netguard

if __name__ == "__main__":
    netguard.install()
    if limit := os.environ.get("RELIABILITY_FSIZE_LIMIT"):
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
    from bot.cli import main

    sys.argv = ["geobot", *sys.argv[1:]]
    main()
