"""Benchmarks: `python -m bench.run [--quick] [--with-1m] [--out DIR]` (see bench/run.py)."""
