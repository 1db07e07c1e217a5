"""Pseudo-relevance feedback: the Bo1 weights of the key terms of the best documents, and the
parameters of the expansion.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable

FEEDBACK_DOCS = 10  # pseudo-relevance feedback: the top documents whose key terms expand the query


FEEDBACK_TERMS = 10


FEEDBACK_WEIGHT = 0.3  # share of the expanded query's weight that goes to the expansion terms


FEEDBACK_CHARS = 4000  # the opening of each top document is where its key terms are read


RERANK_DEPTH = 30  # feedback reorders this many of the best documents, or three times the depth asked


def _bo1(weight_in_top: float, frequency: float, documents: int) -> float:
    """A term's Bo1 score (Whoosh's classify.Bo1Model): weight in the top documents against the collection."""
    f = frequency / documents
    return weight_in_top * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2)


def _expansion_terms(
    in_top: Counter[str],
    frequency: Callable[[str], float],
    documents: int,
    field_length: float,
    number: int = FEEDBACK_TERMS,
) -> list[tuple[str, float]]:
    """The number best expansion terms and their normalised weights, as Whoosh's Expander with Bo1 gives.

    Expander looks every word of the top documents up in the index; most are read once or twice
    there and cannot make the cut. A term of weight w in the top documents has a collection
    frequency between w and the field's length, and at a given w Bo1 falls then rises with the
    frequency, so its larger value at those two ends bounds the term; Bo1 and that bound grow with
    w. Terms are read heaviest first, and the reading stops when the bound falls below the
    number-th best score: no lighter term could reach it.
    """
    read: list[tuple[float, str]] = []  # (score, word) of every term looked up
    best: list[float] = []  # a min-heap of the number best scores so far
    for word, weight in sorted(in_top.items(), key=lambda item: -item[1]):
        bound = max(_bo1(weight, weight, documents), _bo1(weight, max(weight, field_length), documents))
        if len(best) == number and bound < best[0]:
            break
        cf = frequency(word)
        if not cf:  # a term the index does not hold (Expander skips it)
            continue
        score = _bo1(weight, cf, documents)
        read.append((score, word))
        if len(best) < number:
            heapq.heappush(best, score)
        elif score > best[0]:
            heapq.heapreplace(best, score)
    if not read:
        return []
    maxweight = max(score for score, _ in read)
    f = maxweight / documents
    norm = (maxweight * math.log((1.0 + f) / f) + math.log(1.0 + f)) / math.log(2.0)
    read.sort(key=lambda pair: (-pair[0], pair[1]))  # Expander's order: score, then word
    return [(word, score / norm) for score, word in read[:number]]
