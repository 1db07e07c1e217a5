"""Quality floors measured by bench/, pinned so that they never slip back (see docs/benchmarks.md)."""

from __future__ import annotations

import pytest

from bench import metadata as metadata_bench
from bench.cleaning import DEFAULT_DIR, load_pages, ours
from bench.metadata import REUTERS
from bench.scoring import PageCounts, aggregate, page_counts

# Measured 0.976 (P 0.968, R 0.983) with `python bench/cleaning.py` on 2026-11-22.
CLEANING_F1_FLOOR = 0.97


def test_shingle_scoring_follows_the_benchmark_rules() -> None:
    assert page_counts("a b c d e", "a b c d e") == PageCounts(1.0, 0.0, 0.0)
    counts = page_counts("a b c d x", "a b c d e")  # 1 shingle right, 1 extra, 1 missed
    assert (counts.tp, counts.fp, counts.fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert page_counts("", "") == PageCounts(0.0, 0.0, 0.0)
    scores = aggregate([PageCounts(1.0, 0.0, 0.0), PageCounts(0.0, 0.0, 1.0)])  # a perfect page, a missed one
    assert (scores.precision, scores.recall) == (1.0, 0.5)
    assert scores.f1 == pytest.approx(2 / 3)


@pytest.mark.skipif(
    not DEFAULT_DIR.is_dir(), reason="../shared/eval/article-extraction is not beside the project"
)
def test_whole_page_cleaning_keeps_its_f1_on_real_news_pages() -> None:
    pages = load_pages(DEFAULT_DIR)
    scores = aggregate([page_counts(ours(html), reference) for _, html, reference in pages])
    assert len(pages) == 91
    assert scores.f1 >= CLEANING_F1_FLOOR, scores


# Measured on Reuters-21578's TEST split with `python bench/metadata.py` on 2026-11-22:
# places 0.917 (P 0.912, R 0.922), orgs 0.872, people 0.662. The target is 0.90 for each.
ACTOR_F1_FLOORS = {"places": 0.91, "orgs": 0.86, "people": 0.65}


@pytest.mark.skipif(not REUTERS.is_file(), reason="../shared/corpora/reuters-21578 is not beside the project")
def test_actor_extraction_keeps_its_f1_on_reuters() -> None:
    tallies = metadata_bench.main(["--split", "TEST", "--show", "0"])
    for label, floor in ACTOR_F1_FLOORS.items():
        assert tallies[label].f1 >= floor, (label, tallies[label].f1)
