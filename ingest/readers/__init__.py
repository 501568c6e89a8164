"""Readers: one per input format, each yielding ``RawArticle``s."""
