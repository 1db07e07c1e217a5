"""Pseudo-relevance feedback: the Bo1 weights of the key terms of the best documents, and the hits
reordered by them (its parameters and when it runs: search.models.Ranking).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from ..models import Ranking
from .analysis import body_terms, key_terms
from .postings import _TermScores

FEEDBACK_CHARS = 4000  # the opening of each top document is where its key terms are read


def _bo1(weight_in_top: float, frequency: float, documents: int) -> float:
    """A term's Bo1 score (Whoosh's classify.Bo1Model): weight in the top documents against the collection."""
    f = frequency / documents
    return weight_in_top * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2)


def _expansion_terms(
    in_top: Counter[str],
    frequency: Callable[[str], float],
    documents: int,
    field_length: float,
    number: int,
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


def feedback_terms(term_scores: _TermScores, docnums: list[int], number: int) -> list[tuple[str, float]]:
    """The number key terms (Bo1) of the openings of the given documents, with their weights."""
    searcher = term_scores.searcher
    in_top: Counter[str] = Counter()
    for docnum in docnums:
        in_top.update(body_terms(searcher.stored_fields(docnum).get("body", "")[:FEEDBACK_CHARS]))
    return _expansion_terms(
        in_top,
        lambda term: term_scores.frequency("body", term),
        searcher.doc_count_all(),
        searcher.reader().field_length("body"),
        number,
    )


def names_a_story(searcher: Any, words: set[str], docnum: int) -> bool:
    """True when the document's title holds every one of the query's words (terms), two or more: a
    headline, or the words of one, asks for that story. (One word is a subject, not a story: 'mali'
    in a title says nothing of what else the user wants.)

    Feedback steers a query towards what its best documents are about, and so pulls other stories on
    the subject above the one asked for: pasted AllSides headlines found their story first 187 times in
    200 with it, 197 without (bench/news.py). The four test collections' queries are questions, not
    titles; skipping these changed their nDCG@10 by less than 0.001 (docs/benchmarks.md).
    """
    return len(words) >= 2 and words <= set(key_terms(searcher.stored_fields(docnum).get("title", "")))


def rerank_with_feedback(
    searcher: Any, term_scores: _TermScores, hits: list[tuple[int, float]], ranking: Ranking
) -> list[tuple[int, float]]:
    """The hits (docnum, score) reordered by the query and its best documents' key terms
    (pseudo-relevance feedback).

    Each expansion term is added as a query word weighing feedback_weight times its Bo1 weight
    against the heaviest one's, beside the user's words weighing 1 each (Terrier's query expansion,
    with its beta). A short query is thus steered by its expansion; a long one, specific already,
    hardly: with a fixed 0.3 share of the weight instead, feedback lowered LISA, whose queries are
    questions of 20 words and more, by 0.016 nDCG@10; this way it raises it by 0.010
    (docs/benchmarks.md). Only these hits are scored again, so the documents that match, and their
    number, stay those of the user's words.
    """
    scores = dict(hits)
    top = [docnum for docnum, _ in hits[: ranking.feedback_documents]]
    expansion = feedback_terms(term_scores, top, ranking.feedback_terms)
    if expansion:
        heaviest = max(weight for _, weight in expansion)
        ordered = np.array(sorted(scores), dtype=np.int64)
        for text, weight in expansion:
            boost = ranking.feedback_weight * weight / heaviest
            found = term_scores.within("body", text, ordered)
            for docnum, score in zip(found.docnums.tolist(), found.scores.tolist(), strict=True):
                scores[docnum] += score * boost
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
