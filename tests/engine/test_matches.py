"""Matches as arrays give what dictionaries and heapq gave: the same sums, the same order, ties too."""

from __future__ import annotations

import heapq
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.engine.matches import NO_DOCUMENTS, DocumentSet, Scores, shared, summed


def scores_of(pairs: dict[int, float]) -> Scores:
    docnums = sorted(pairs)
    return Scores(np.array(docnums, dtype=np.int64), np.array([pairs[n] for n in docnums]))


def as_dict(scores: Scores) -> dict[int, float]:
    return dict(zip(scores.docnums.tolist(), scores.scores.tolist(), strict=True))


score_maps = st.dictionaries(
    st.integers(0, 300), st.sampled_from([0.5, 1.25, 2.0, 3.1, 1e-3, 7.75]), max_size=80
)


# Documents spread over a wide range: few postings for their range, summed by sorting; over a narrow
# one, many: summed in one slot a document (matches.DENSE_SUM_SHARE).
sparse_score_maps = st.dictionaries(
    st.sampled_from(range(0, 10**6, 9973)), st.sampled_from([0.5, 1.25, 2.0, 3.1, 1e-3, 7.75]), max_size=80
)


@given(st.lists(score_maps, min_size=1, max_size=5) | st.lists(sparse_score_maps, min_size=1, max_size=5))
def test_sums_are_those_a_dictionary_adds_part_after_part(parts: list[dict[int, float]]) -> None:
    expected: dict[int, float] = {}
    for part in parts:
        for docnum, score in part.items():
            expected[docnum] = expected.get(docnum, 0.0) + score
    assert as_dict(summed([scores_of(part) for part in parts])) == expected


@given(st.lists(score_maps, min_size=1, max_size=4) | st.lists(sparse_score_maps, min_size=1, max_size=4))
def test_shared_documents_sum_as_python_sums_them(parts: list[dict[int, float]]) -> None:
    common = set(parts[0]).intersection(*parts[1:])
    expected = {docnum: sum(part[docnum] for part in parts) for docnum in common}
    assert as_dict(shared([scores_of(part) for part in parts])) == expected


@given(score_maps, st.integers(0, 100))
def test_the_best_are_heapqs_best_ties_in_document_order(pairs: dict[int, float], depth: int) -> None:
    expected = heapq.nsmallest(depth, pairs.items(), key=lambda pair: (-pair[1], pair[0]))
    assert scores_of(pairs).best(depth) == expected


def test_scores_within_at_and_get() -> None:
    scores = scores_of({2: 1.0, 5: 2.0, 9: 3.0})
    assert as_dict(scores.within(np.array([1, 5, 9]))) == {5: 2.0, 9: 3.0}
    assert scores.at(np.array([9, 2])).tolist() == [3.0, 1.0]
    assert scores.get(np.array([0, 5, 10])).tolist() == [0.0, 2.0, 0.0]
    assert scores_of({}).get(np.array([3])).tolist() == [0.0]
    assert scores.scaled(2.0).scores.tolist() == [2.0, 4.0, 6.0]


def test_a_document_set_is_a_set() -> None:
    rng = random.Random(7)
    a, b = set(rng.sample(range(1000), 300)), set(rng.sample(range(1000), 300))
    docs_a, docs_b = DocumentSet.of(a), DocumentSet.of(b)
    assert len(docs_a) == len(a) and set(docs_a) == a and list(docs_a) == sorted(a)
    assert all((n in docs_a) == (n in a) for n in range(-2, 1002))
    assert "7" not in docs_a and 7.5 not in docs_a
    assert set(docs_a & docs_b) == a & b and set(docs_a & b) == a & b
    assert (docs_a & docs_b) <= docs_a and not docs_a <= docs_b
    assert DocumentSet.of([3, 1]) <= {1, 2, 3} and not NO_DOCUMENTS
    assert len(NO_DOCUMENTS) == 0


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_no_scores_have_no_best(depth: int) -> None:
    assert scores_of({}).best(depth) == []
