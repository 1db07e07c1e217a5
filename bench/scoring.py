"""Scoring rules of the article-extraction benchmark (see ../shared/README.md).

Tokens are \\w+ matches; per page, multisets of n-token shingles of the extracted text and
of the reference give TP, FP and FN, normalised by their sum so that long pages weigh no
more than short ones. Precision is the mean over pages with TP+FP > 0, recall the mean
over pages with TP+FN > 0 (a page with FP = FN = 0 scores 1), F1 their harmonic mean.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class PageCounts:
    """Normalised true positives, false positives and false negatives of one page."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


@dataclass(frozen=True)
class Scores:
    f1: float
    precision: float
    recall: float


def shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    """The multiset of n-token shingles of text (one shorter shingle for a short text)."""
    tokens = TOKEN_RE.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_counts(extracted: str, reference: str, n: int = 4) -> PageCounts:
    """Compare one page's extracted text with its reference body."""
    got, want = shingles(extracted, n), shingles(reference, n)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    return PageCounts(tp / total, fp / total, fn / total) if total else PageCounts(0.0, 0.0, 0.0)


def aggregate(pages: Sequence[PageCounts]) -> Scores:
    """Mean precision and recall over the pages that count, and their harmonic mean."""
    precisions = [p.precision for p in pages if p.tp + p.fp > 0]
    recalls = [p.recall for p in pages if p.tp + p.fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(f1, precision, recall)
