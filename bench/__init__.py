"""Benchmarks and quality evaluations, run on demand as `python -m bench.NAME`; see docs/benchmarks.md.

The data they read is found by bench.data.
"""
