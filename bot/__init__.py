"""Answering questions with citations, and the faces of it: the CLI and the Discord bot."""
