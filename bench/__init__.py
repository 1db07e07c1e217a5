"""Benchmarks and quality evaluations, run on demand; see docs/benchmarks.md."""
