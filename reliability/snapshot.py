"""Print what the configured store holds, as JSON: ``python -m reliability.snapshot``.

Run in its own process by the suite so that no client cache can hide what is on disk. Exit 3
when the store module has not landed. With ``RELIABILITY_LIBRARY=<server id>``, that Discord
server's library instead of the base library.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Any


def _keyword_count(store: Any) -> int:
    for name in ("keyword_count", "count_keyword", "fts_count"):
        method = getattr(store, name, None)
        if callable(method):
            return int(method())
    keyword = getattr(store, "keyword", None)
    for name in ("count_chunks", "count"):
        if keyword is not None and callable(getattr(keyword, name, None)):
            return int(getattr(keyword, name)())
    return -1


def main() -> int:
    try:
        from vectorstore.store import build_store
    except ImportError as exc:
        print(f"vectorstore.store has not landed ({exc})", file=sys.stderr)
        return 3
    from ingest.settings import IngestAppSettings
    from vectorstore.config import load_config

    settings = load_config(IngestAppSettings).vectorstore
    server = os.environ.get("RELIABILITY_LIBRARY")
    if server:
        from vectorstore.libraries import Libraries

        store = Libraries(settings).own(int(server))
    else:
        store = build_store(settings)
    chunks = store.get()
    per_article: dict[str, int] = {}
    for rec in chunks:
        aid = str(rec.metadata.get("article_id", rec.id.rsplit(":", 1)[0]))
        per_article[aid] = per_article.get(aid, 0) + 1
    articles = {
        a.id: {
            "content_hash": a.content_hash,
            "chunk_count": a.chunk_count,
            "chunks_seen": per_article.get(a.id, 0),
            "origins": [dict(o) for o in a.origins],
            "title": a.title,
        }
        for a in store.list_articles()
    }
    out = {
        "articles": articles,
        "chunks": {rec.id: hashlib.sha1(rec.text.encode()).hexdigest() for rec in chunks},
        "dense_count": store.count(),
        "keyword_count": _keyword_count(store),
    }
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
