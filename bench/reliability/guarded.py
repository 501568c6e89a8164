"""Run the real ``geobot`` CLI with the loopback-only network guard installed.

python -m bench.reliability.guarded ingest URL...
"""

from __future__ import annotations

import sys

from bench.reliability import netguard

if __name__ == "__main__":
    netguard.install()
    from bot.cli import main

    sys.argv = ["geobot", *sys.argv[1:]]
    main()
