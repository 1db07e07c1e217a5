"""Ranking metrics with the trec_eval definitions, as pure functions over one query's ranking.

A ranking is a sequence of document ids, best first; grades map the query's judged document
ids to their grade (grade >= 1 is relevant, unjudged documents count as not relevant). A
document id listed twice in a ranking counts only where it first appears.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence


def _first_k(ranked_ids: Iterable[str], k: int) -> list[str]:
    """The first k distinct ids of a ranking, in order."""
    seen: set[str] = set()
    top: list[str] = []
    for doc_id in ranked_ids:
        if len(top) >= k:
            break
        if doc_id not in seen:
            seen.add(doc_id)
            top.append(doc_id)
    return top


def relevant_ids(grades: Mapping[str, int]) -> frozenset[str]:
    """The ids judged relevant (grade >= 1) among a query's judgements."""
    return frozenset(doc_id for doc_id, grade in grades.items() if grade >= 1)


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain of gains listed by rank: sum of gain / log2(rank + 1), rank from 1."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at(ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains (gain = grade, 0 for unjudged or grade <= 0), as trec_eval's ndcg_cut.

    The ideal DCG ranks the query's judged documents by grade, best first. 0.0 when the query
    has no relevant document or the ranking is empty.
    """
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg(max(grades.get(doc_id, 0), 0) for doc_id in _first_k(ranked_ids, k)) / ideal


def average_precision(ranked_ids: Sequence[str], relevant: Collection[str], k: int = 100) -> float:
    """Average precision over the top k (trec_eval's map_cut.k).

    The sum of the precision at the rank of each relevant document retrieved in the top k,
    divided by the total number of relevant documents of the query (retrieved or not). 0.0
    when there is no relevant document.
    """
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc_id in enumerate(_first_k(ranked_ids, k), start=1):
        if doc_id in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def recall_at(ranked_ids: Sequence[str], relevant: Collection[str], k: int = 100) -> float:
    """Recall@k: the share of the query's relevant documents found in the top k (0.0 if none is relevant)."""
    if not relevant:
        return 0.0
    return sum(1 for doc_id in _first_k(ranked_ids, k) if doc_id in relevant) / len(relevant)
