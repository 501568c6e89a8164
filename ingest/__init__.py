"""Articles in, chunks out: read, clean, deduplicate, chunk and embed into the store."""
