"""Settings of the [ingest] section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ingest.publishers import ProfileOverride
from vectorstore.settings import EmbeddingSettings, Section, VectorStoreSettings


class CsvColumns(Section):
    title: str = Field("Title", description="column holding the headline (a URL here is a URL)")
    text: str = Field("Article", description="column holding the article body")
    publisher: str = Field("Source", description="column holding the publisher")
    author: str = Field("Author", description="column holding the author(s)")
    published: str = Field("Date Published", description="column holding the publication date")
    url: str = Field("", description="column holding the article URL, if any")


class IngestSettings(Section):
    max_file_mb: float = Field(20.0, gt=0, description="files larger than this are refused")
    chunk_tokens: int = Field(
        200, ge=32, le=256, description="target chunk size in model tokens (title included)"
    )
    chunk_overlap_sentences: int = Field(
        1, ge=0, le=5, description="sentences repeated at the start of the next chunk"
    )
    near_duplicate_threshold: float = Field(
        0.8, gt=0, le=1, description="Jaccard similarity of word shingles above which articles merge"
    )
    allow_private_urls: bool = Field(
        False, description="allow fetching loopback/private/link-local addresses (local use only)"
    )
    fetch_timeout: float = Field(15.0, gt=0, description="seconds to connect and to read a URL")
    max_download_mb: float = Field(10.0, gt=0, description="responses larger than this are cut off")
    fetch_deadline: float = Field(
        60.0, gt=0, description="seconds a whole URL fetch may take, redirects included"
    )
    max_redirects: int = Field(5, ge=0, description="redirects followed when fetching a URL")
    user_agent: str = Field("geotech-bot/0.1", description="User-Agent sent when fetching URLs")
    write_batch_chunks: int = Field(
        256,
        ge=1,
        description="chunks written to the store per call, as they are embedded (Chroma's cost is per call)",
    )
    processes: int = Field(
        0, ge=0, description="worker processes that chunk and embed (0: one per core; 1: none, in-process)"
    )
    csv: CsvColumns = Field(default_factory=CsvColumns, description="CSV column mapping")


class PublishersSettings(Section):
    profiles: list[ProfileOverride] = Field(
        default_factory=list,
        description="publisher profiles to add to ingest/publishers.toml, or to change by id "
        "(its fields; a changed label needs its basis)",
    )


class IngestAppSettings(BaseModel):
    """What the ingest pipeline needs (the bot's Settings hold these sections and more); loaded
    on its own (``load_config``), it ignores the sections of the other parts."""

    model_config = ConfigDict(extra="ignore")

    vectorstore: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    publishers: PublishersSettings = Field(default_factory=PublishersSettings)
