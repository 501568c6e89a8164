"""Reliability and security suite: hostile input, faults and load against the real product."""
