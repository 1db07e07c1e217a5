"""bench/copies.py: its exact pairs are every pair a brute force finds, and a smoke run on a few copies."""

from __future__ import annotations

import random
from itertools import combinations
from pathlib import Path

import pytest

from bench import copies, scale


def test_prefix_filtering_finds_exactly_the_pairs_a_brute_force_finds() -> None:
    rng = random.Random(3)
    base = [frozenset(rng.sample(range(400), rng.randint(5, 60))) for _ in range(40)]
    sets = {f"d{n}": s for n, s in enumerate(base)}
    for n, original in enumerate(base[:15]):  # near copies: a few elements swapped
        dropped = set(rng.sample(sorted(original), max(1, len(original) // rng.choice((5, 8, 12)))))
        sets[f"c{n}"] = frozenset(original - dropped) | {1000 + n}
    brute = {
        (a, b): j
        for a, b in combinations(sorted(sets), 2)
        if (j := len(sets[a] & sets[b]) / len(sets[a] | sets[b])) >= 0.8
    }
    assert copies.similar_pairs(sets, 0.8) == brute and len(brute) >= 5


@pytest.mark.skipif(not scale.ALLSIDES.is_file(), reason="../shared/corpora is not beside the project")
def test_the_synthetic_copies_are_indexed_and_scored(tmp_path: Path) -> None:
    rows = copies.synthetic_rows(14, tmp_path, 0.8)
    by_kind = {row["kind of copy"]: row for row in rows}
    assert by_kind["all kinds"]["copies"] == "14"
    assert by_kind["headline"]["recall there"] == "1.000" and by_kind["chrome"]["recall there"] == "1.000"
