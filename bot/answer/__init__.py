"""Turning a question into a short answer whose every sentence cites its source."""
