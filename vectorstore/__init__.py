"""Storage and retrieval: Chroma, the embedding model, the keyword index and hybrid search."""
