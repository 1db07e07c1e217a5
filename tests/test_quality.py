"""Quality floors measured by bench/, pinned so that they never slip back (see docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench import metadata as metadata_bench
from bench.cleaning import DEFAULT_DIR, load_pages, ours
from bench.data import SHARED
from bench.metadata import REUTERS
from bench.relevance import EVAL_DIR, Ours, load_collection
from bench.scoring import PageCounts, aggregate, page_counts
from bench.trec import average_precision, ndcg_at, recall_at

# Measured 0.976 (P 0.968, R 0.983) with `python -m bench.cleaning` on 2026-11-22.
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


# Aboutness: each type's three heaviest actors against Reuters-21578's topic labels, TEST split, measured
# with `python -m bench.metadata` on 2026-11-30: places 0.892 (P 0.862, R 0.925), orgs 0.535 (P 0.384:
# every organisation a story names is an actor now, the labels hold a few), people 0.640.
ACTOR_F1_FLOORS = {"places": 0.88, "orgs": 0.51, "people": 0.61}


@pytest.mark.parametrize(
    ("ours", "code", "same"),
    [("gerhard-stoltenberg", "stoltenberg", True), ("baker", "james-baker", True),
     ("barend-du-plessis", "du-plessis", True), ("richard-von-weizsaecker", "von-weizsaecker", True),
     ("howard-baker", "james-baker", False), ("jan-plessis", "du-plessis", False)],
)  # fmt: skip
def test_a_person_matches_a_reuters_code_by_surname_with_its_particles(
    ours: str, code: str, same: bool
) -> None:
    assert metadata_bench.same_person(ours, code) is same


@pytest.mark.skipif(not REUTERS.is_file(), reason="../shared/corpora/reuters-21578 is not beside the project")
def test_actor_extraction_keeps_its_f1_on_reuters() -> None:
    tallies = metadata_bench.main(["--split", "TEST", "--show", "0", "--passes", "0"])
    for label, floor in ACTOR_F1_FLOORS.items():
        assert tallies[label].f1 >= floor, (label, tallies[label].f1)


CONLL = SHARED / "eval" / "conll2003"
# Document-level F1 of persons, organisations and countries on the CoNLL-2003 dev split (216 stories the
# tagger never saw), by the scorer beside the data through `search clean --json`, measured 2026-11-30:
# 0.951, 0.858, 0.984 (`python score.py --split dev --product-python .venv/bin/python`). The issue's
# targets are 0.90, 0.85 and 0.92.
CONLL_F1_FLOORS = "0.93,0.85,0.97"


@pytest.mark.skipif(
    not (CONLL / "score.py").is_file(), reason="../shared/eval/conll2003 is not beside the project"
)
def test_actors_keep_their_f1_on_the_conll_dev_split() -> None:
    scored = subprocess.run(
        [sys.executable, str(CONLL / "score.py"), "--split", "dev", "--product-python", sys.executable,
         "--summary", "--min-f1", CONLL_F1_FLOORS],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stdout[-3000:] + scored.stderr[-3000:]


# nDCG@10 over every judged query, the first page as the CLI asks it (limit 10), measured 2026-11-30 with
# the defaults chosen by leave-one-collection-out (issue 17): Cranfield 0.396, CISI 0.406, NPL 0.466, LISA
# 0.508 (`python -m bench.relevance`, 100 hits a query: 0.396 / 0.407 / 0.466 / 0.508; the runs are in
# docs/benchmarks.md). The floors stand above the targets, the best reference system's + 0.01:
# Cranfield 0.388 (Whoosh), CISI 0.396 (bm25s), NPL 0.447 (tantivy), LISA 0.486 (bm25s). (The first 80
# Cranfield queries alone moved by 0.01 with a change that raised the whole collection: a subset is too
# noisy to pin.)
RELEVANCE_FLOORS = {"cranfield": 0.39, "cisi": 0.40, "npl": 0.46, "lisa": 0.50}


@pytest.mark.parametrize("name", sorted(RELEVANCE_FLOORS))
def test_ranking_keeps_its_ndcg_on_the_development_collections(name: str) -> None:
    folder = EVAL_DIR / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is not beside the project")
    collection = load_collection(folder)
    ours = Ours()
    ours.build(collection.docs)
    floor = RELEVANCE_FLOORS[name]
    queries = collection.judged_queries()
    total = 0.0
    for query_id, text in queries:
        ranked = [hit.id.removesuffix(".txt") for hit in ours.index.search(text, limit=10).hits]
        total += ndcg_at(ranked, collection.qrels[query_id], 10)
    ours.close()
    assert total / len(queries) >= floor, (name, total / len(queries))


def test_trec_metrics() -> None:
    grades = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b", "c"], grades, 10) == pytest.approx(1.0)
    assert 0 < ndcg_at(["c", "b", "a"], grades, 10) < 1
    assert ndcg_at([], grades, 10) == 0.0
    assert average_precision(["a", "x", "b"], {"a", "b"}, 100) == pytest.approx((1 + 2 / 3) / 2)
    assert recall_at(["a", "x"], {"a", "b"}, 100) == 0.5
