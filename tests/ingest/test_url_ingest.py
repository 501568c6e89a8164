"""`geobot ingest <feed URL>` end to end: the real CLI, the loopback site, the real model and store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.ingest.site import ARTICLES, SiteServer
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _geobot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "COLUMNS": "200", **env}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        check=False,
    )


def _stored_urls(path: Path) -> list[str]:
    store = build_store(VectorStoreSettings(path=path))
    try:
        return sorted(a.url or "" for a in store.list_articles())
    finally:
        store.close()


def test_geobot_ingest_of_a_feed_url_stores_its_articles(site: SiteServer, tmp_path: Path) -> None:
    store_path = Path(os.environ["GEOBOT_VECTORSTORE__PATH"])
    feed = f"{site.base}/feed.xml"

    refused = _geobot("ingest", feed)  # loopback is refused by default
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "refused: loopback address 127.0.0.1" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr

    site.paths.clear()
    first = _geobot("ingest", feed, GEOBOT_INGEST__ALLOW_PRIVATE_URLS="true")
    assert first.returncode == 0, first.stdout + first.stderr
    assert sorted(site.paths) == sorted(["/feed.xml"] + [f"/articles/{s}.html" for s in ARTICLES])
    expected = sorted(f"{site.base}/articles/{slug}.html" for slug in ARTICLES)
    assert _stored_urls(store_path) == expected

    again = _geobot("ingest", feed, GEOBOT_INGEST__ALLOW_PRIVATE_URLS="true")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _stored_urls(store_path) == expected
