"""Benchmarks and quality evaluations, run on demand; see docs/benchmarks.md."""

from pathlib import Path

# The test and benchmark data beside the project (../shared/); the product never reads it.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
REUTERS = SHARED / "corpora" / "reuters-21578" / "reuters-21578.jsonl.gz"
