"""placeholder"""
from __future__ import annotations
def cases(*a): return []
