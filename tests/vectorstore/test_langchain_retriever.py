"""LangChainRetriever through LangChain's own retriever interface (invoke, ainvoke, batch, a
chain), with the real model over a real store built from data/sample; and the example in
docs/langchain.md, run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from tests.conftest import REPO
from vectorstore.errors import NoMatchingPublisher
from vectorstore.retrieval import Filters, HybridRetriever, LangChainRetriever
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import Store, build_store

pytestmark = pytest.mark.integration

SAMPLE = REPO / "data" / "sample"
UK = "The United Kingdom caps Huawei in January 2020, then bans it in July"
CHIPS = "US chip export controls in 2022 and the Dutch and Japanese restrictions that followed"
CANADA = "Canada bars Huawei and ZTE from its 5G networks in 2022"


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    """A folder whose data/store holds data/sample, as `geobot ingest data/sample` leaves it."""
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings

    folder = tmp_path_factory.mktemp("langchain")
    settings = IngestAppSettings(vectorstore=VectorStoreSettings(path=folder / "data" / "store"))
    store = build_store(settings.vectorstore)
    try:
        report = run_ingest([SAMPLE], settings, store=store, embedder=embedder)
    finally:
        store.close()
    assert report.ok and len(report.added) == len(list(SAMPLE.glob("*.md")))
    return folder


@pytest.fixture(scope="module")
def store(sample_folder: Path) -> Any:
    store = build_store(VectorStoreSettings(path=sample_folder / "data" / "store"))
    yield store
    store.close()


def langchain(store: Store, embedder: Any, **kw: Any) -> LangChainRetriever:
    return LangChainRetriever(retriever=HybridRetriever(store, embedder.embed_query, top_k=4), **kw)


def titles(docs: list[Document]) -> list[str]:
    return [d.metadata["title"] for d in docs]


async def test_invoke_returns_cited_documents_best_first(store: Store, embedder: Any) -> None:
    retriever = langchain(store, embedder)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("Which chip-making tools did the Netherlands and Japan restrict?")
    assert len(docs) == 4 and titles(docs)[0] == CHIPS
    first = docs[0]
    assert first.id == f"{first.metadata['article_id']}:0"
    assert "Dutch" in first.page_content or "Netherlands" in first.page_content
    assert first.metadata["article_ids"] == [first.metadata["article_id"]]
    assert 0 < first.metadata["dense_score"] <= 1
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)
    assert await retriever.ainvoke("Which chip-making tools did the Netherlands and Japan restrict?") == docs


def test_batch_answers_each_query_as_invoke_does(store: Store, embedder: Any) -> None:
    retriever = langchain(store, embedder)
    queries = ["Which chip-making tools did the Netherlands and Japan restrict?", "Canada bars ZTE"]
    assert retriever.batch(queries) == [retriever.invoke(q) for q in queries]


def test_filters_and_k_narrow_what_comes_back(store: Store, embedder: Any) -> None:
    recent = langchain(store, embedder, filters=Filters(since=date(2022, 1, 1)), k=2)
    assert sorted(titles(recent.invoke("Huawei 5G networks"))) == sorted([CANADA, CHIPS])
    with pytest.raises(NoMatchingPublisher):
        langchain(store, embedder, filters=Filters(publisher="No Such Wire")).invoke("Huawei")


def test_a_chain_runs_the_retriever_then_the_next_runnable(store: Store, embedder: Any) -> None:
    def numbered(docs: list[Document]) -> list[str]:
        return [f"[{n}] {d.metadata['title']}" for n, d in enumerate(docs, 1)]

    chain = langchain(store, embedder, k=2) | RunnableLambda(numbered)
    lines = chain.invoke("When did the UK government ban Huawei from its 5G network?")
    assert len(lines) == 2 and lines[0].startswith("[1] ") and lines[1].startswith("[2] ")
    assert f"[1] {UK}" in lines or f"[2] {UK}" in lines
    assert chain.batch(["Canada bars ZTE", "Canada bars ZTE"]) == [chain.invoke("Canada bars ZTE")] * 2


def test_the_documented_example_runs(sample_folder: Path) -> None:
    text = (REPO / "docs" / "langchain.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(.*?)```", text, re.S)
    done = subprocess.run(
        [sys.executable, "-c", example],
        cwd=sample_folder,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 6, done.stdout
    assert all(re.match(r"\d\.\d{3}  \S", line) for line in lines[:4])
    assert UK in "\n".join(lines[:4])
    assert lines[4:] in ([f"[1] {CHIPS}", f"[2] {CANADA}"], [f"[1] {CANADA}", f"[2] {CHIPS}"])
