"""Reading on past a passage's chunk: a figure announced at a chunk's end ("He added: …")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.answer.service import build_answer_service
from bot.answer.types import Question
from bot.settings import AnswerSettings, Secrets, Settings
from ingest.pipeline import run_ingest
from ingest.settings import IngestAppSettings, IngestSettings
from vectorstore.settings import VectorStoreSettings
from vectorstore.store import build_store

pytestmark = pytest.mark.integration

# Written for this test. Small chunks without overlap put the speaker's quote at the end of one
# chunk and the figure they go on to give at the start of the next.
TERMINAL = """Title: Island ferry terminal rebuild pushed back by three years
Date: 2024-03-11
Publisher: Northsea Gazette

The rebuild of the Kettleness ferry terminal will open three years later than planned, the \
islands' council confirmed on Monday, after its chosen contractor withdrew from the project. The \
postponement is the second since the scheme was approved.

The terminal handles most of the freight that reaches the islands, including fuel, building \
materials and the fish landed for export. Its two berths date from the 1970s and one of them has \
been closed since a storm damaged its ramp last winter. Hauliers say queues at the remaining \
berth already stretch into the evening on busy days.

Councillors voted in January to seek a new contractor, and the tender will reopen in the summer. \
Officials expect the first piles to be driven no earlier than the spring of 2026, and the new \
berths to open a year after that if the weather allows.

Ivo Marsh, who chairs the council's transport committee, told the Gazette that the islands could \
not afford the delay, which Marsh called an economic hit to the islands. Marsh said: "This is an \
economic hit that every family business on the islands will feel, and they will feel it for \
years."

He added: "Independent modelling by Tidewater Analytics puts the cost of the delay at £3.7bn \
across the region, most of it in lost trade."

The council says it will publish the modelling in full next month. Ferry operators have asked \
for a temporary pontoon to keep the second berth working while they wait, and the harbour master \
has offered space beside the lifeboat station. Fishing crews want the pontoon reserved for \
landings in the early morning, when the catch must reach the mainland market.

Marsh's committee meets again in April to weigh the pontoon plan. Ivo Marsh has chaired it since \
2019 and has called the terminal the islands' lifeline in every budget debate since; he has said \
the economic hit from the delay will be on the agenda until the berths open.

The economic case for the rebuild was first made in 2017, when the council's own study found \
that freight costs on the islands ran at nearly twice the mainland rate. Shopkeepers say the hit \
shows up in the price of everything from bread to roofing slate.
"""

CAUSEWAY = """Title: Causeway repairs finish ahead of schedule
Date: 2024-02-02
Publisher: Northsea Gazette

Repairs to the causeway linking the two largest islands finished a month early, the roads \
department said. The work cost £4m, less than the £5m set aside, and the road reopened to \
lorries on Friday.
"""

QUESTION = "How big did Ivo Marsh say the economic hit from the delay would be?"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    corpus = tmp_path_factory.mktemp("read_on_corpus")
    (corpus / "terminal.md").write_text(TERMINAL, encoding="utf-8")
    (corpus / "causeway.md").write_text(CAUSEWAY, encoding="utf-8")
    path = tmp_path_factory.mktemp("read_on_store")
    chunking = IngestSettings(chunk_tokens=64, chunk_overlap_sentences=0)
    settings = IngestAppSettings(vectorstore=VectorStoreSettings(path=path), ingest=chunking)
    store = build_store(settings.vectorstore)
    try:
        assert run_ingest([corpus], settings, store=store, embedder=embedder).ok
    finally:
        store.close()
    return path


@pytest.mark.parametrize("read_on", [0, 2])
def test_the_figure_after_the_matched_chunk_is_read_on(store_path: Path, embedder: Any, read_on: int) -> None:
    answer_settings = AnswerSettings(top_k=2, max_per_article=2, read_on=read_on)
    settings = Settings(vectorstore=VectorStoreSettings(path=store_path), answer=answer_settings)
    service = build_answer_service(settings, Secrets(), embedder=embedder)
    found = service.retriever.retrieve(QUESTION)
    assert not any("£3.7bn" in p.text for p in found)  # retrieval alone leaves the figure out

    traced = service.ask_traced(Question(QUESTION))
    read = [p.text for p in traced.passages]
    if read_on:
        added = [text for text in read if text not in {p.text for p in found}]
        assert len(added) == 1 and added[0].startswith("He added") and "£3.7bn" in added[0]
        assert "£3.7bn" in traced.answer.text.split("\n")[0]
        assert not traced.answer.abstained
    else:
        assert [p.text for p in found] == read
        assert "£3.7bn" not in traced.answer.text
