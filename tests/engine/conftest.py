"""Shared by the engine's tests: two small documents, and an index of several segments with deletions
for the differential tests, which compare our block-wise code with Whoosh's own matchers.

The tests use public names but for these seams, all under tests/engine/: postings._word_scores,
_term_scores, _TermScores and _scored_by_word_scores (test_postings: scores equal Whoosh's matchers),
EngineIndex._current_searcher (test_feedback, test_postings: the searcher those seams read),
highlight._to_fragment and _merge_touching (test_highlight: to snap and merge Whoosh's own passages
as ours are, for comparison), patches._ViewFile (test_patches), analysis._stem and _folded_words (test_analysis: the
stemmer keeps first letters, which the snippet code relies on), WordsText._postings (test_analysis: the
same postings as Whoosh's tokens make).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest

from search import engine
from search.models import Actor, Document

MALI = Actor("mali", "Mali", "country")


US = Actor("united-states", "United States", "country")


DOCS = [
    Document(id="a.txt", path="a.txt", title="Coup in Mali", body="Soldiers staged a coup in Bamako."),
    Document(id="b.txt", path="b.txt", title="Elections", body="Touré condemns the junta.",
             date=datetime(2012, 3, 23), actors=(MALI, US)),
]  # fmt: skip


def write(index_dir: Path, documents: Iterable[Document]) -> None:
    with engine.writing(index_dir, index_dir.parent, timeout=0.1, rebuild=True) as build:
        for document in documents:
            build.add(document)


def build(index_dir: Path, documents: list[Document] = DOCS) -> engine.EngineIndex:
    write(index_dir, documents)
    return engine.EngineIndex(index_dir)


WORDS = [
    "oil",
    "price",
    "opec",
    "crude",
    "barrel",
    "market",
    "rise",
    "falls",
    "trade",
    "deal",
    "bank",
    "rates",
    "coup",
    "mali",
    "the",
]


VOCABULARY = WORDS + [f"rare{n}" for n in range(400)]


FREQUENCIES = [40] * len(WORDS) + [1] * 400


def random_documents(seed: int, count: int, prefix: str) -> list[Document]:
    """Documents of common words drawn again and again (their postings span several blocks) and rare ones."""
    rng = random.Random(seed)
    return [
        Document(
            id=f"{prefix}{n}.txt",
            path=f"{prefix}{n}.txt",
            title=" ".join(rng.choices(WORDS, k=3)),
            body=" ".join(rng.choices(VOCABULARY, FREQUENCIES, k=rng.randint(3, 200))),
        )
        for n in range(count)
    ]


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory: pytest.TempPathFactory) -> engine.EngineIndex:
    """An index of several segments, one of them with deleted documents."""
    index_dir = tmp_path_factory.mktemp("segmented") / "index"
    write(index_dir, random_documents(1, 400, "a"))
    for batch, documents in enumerate([random_documents(2, 150, "b"), []]):
        with engine.writing(index_dir, index_dir.parent, timeout=0.1, rebuild=False) as update:
            for document in documents:
                update.add(document)
            for n in range(batch, 400, 7):
                update.delete(f"a{n}.txt")
    return engine.EngineIndex(index_dir)
