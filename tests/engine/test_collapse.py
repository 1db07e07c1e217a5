"""Copy groups: how many matches folding hides, counted as arrays, is each group's matches but one."""

from __future__ import annotations

import random

import pytest

from search.engine.collapse import CopyGroups
from search.engine.matches import DocumentSet


def groups_of(seed: int) -> list[tuple[int, ...]]:
    rng = random.Random(seed)
    docnums = rng.sample(range(5_000), 900)
    groups, start = [], 0
    while start < len(docnums):
        size = rng.choice((1, 2, 2, 3, 5))
        groups.append(tuple(sorted(docnums[start : start + size])))
        start += size
    return groups


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hidden_matches_are_each_groups_matches_but_one(seed: int) -> None:
    groups = groups_of(seed)
    copies = CopyGroups(None, groups)
    rng = random.Random(seed)
    for share in (0.0, 0.1, 0.5, 1.0):
        matched = {n for n in range(5_000) if rng.random() < share}
        expected = sum(
            max(len([m for m in group if m in matched]) - 1, 0) for group in groups if len(group) > 1
        )
        assert copies.hidden(DocumentSet.of(matched)) == expected
        assert copies.hidden(matched) == expected
    assert copies.hidden(None) == sum(len(group) - 1 for group in groups if len(group) > 1) > 0
