"""Several indexes searched as one (indexset.IndexSet) rank, count and find as one index holding all their
documents does: BM25 with the union's statistics, one top k, facets and timelines summed."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from search import (
    AmbiguousDocumentError,
    BadInputError,
    DocumentNotFoundError,
    IndexDamagedError,
    SearchIndex,
    open_index,
)
from search.models import Actor, Document

from .conftest import MALI, US, WORDS, random_documents, write

NIGER = Actor("niger", "Niger", "country")
QUERIES = [
    "oil price",
    "opec crude barrel",
    '"crude barrel"',
    "coup OR mali",
    "rare7 rare12 trade",
    "title:bank",
]


def dated(documents: list[Document], seed: int) -> list[Document]:
    """The documents with dates, outlets and actors, so that facets and timelines have something to count."""
    rng = random.Random(seed)
    return [
        Document(
            id=document.id,
            path=document.path,
            title=document.title,
            body=document.body,
            date=datetime(rng.randint(2001, 2004), rng.randint(1, 12), 1) if rng.random() < 0.9 else None,
            source=rng.choice(["Reuters", "AP", "Le Monde"]),
            actors=tuple(rng.sample([MALI, US, NIGER], rng.randint(0, 2))),
        )
        for document in documents
    ]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchIndex, SearchIndex]:
    """One index of 600 documents, and the same documents in three indexes (400, 150 and 50) opened as one."""
    root = tmp_path_factory.mktemp("indexset")
    parts = [
        dated(random_documents(seed, count, prefix), seed)
        for seed, count, prefix in [(1, 400, "a"), (2, 150, "b"), (3, 50, "c")]
    ]
    write(root / "whole", [document for part in parts for document in part])
    for n, part in enumerate(parts):
        write(root / f"part{n}", part)
    return open_index(root / "whole"), open_index([root / f"part{n}" for n in range(3)])


def scores(index: SearchIndex, query: str) -> dict[str, float]:
    return {
        hit.id: hit.score for hit in index.search(query, limit=1000, all_copies=True, feedback=False).hits
    }


@pytest.mark.parametrize("query", QUERIES)
def test_every_hit_scores_as_in_one_index_of_all_the_documents(
    indexes: tuple[SearchIndex, SearchIndex], query: str
) -> None:
    whole, several = indexes
    expected, found = scores(whole, query), scores(several, query)
    assert expected and found.keys() == expected.keys()
    assert all(abs(found[i] - expected[i]) <= 1e-9 for i in expected)


@pytest.mark.parametrize("query", QUERIES[:3])
def test_the_top_ten_is_the_top_ten_of_all_the_documents(
    indexes: tuple[SearchIndex, SearchIndex], query: str
) -> None:
    whole, several = indexes
    expected = whole.search(query, limit=10, feedback=False)
    found = several.search(query, limit=10, feedback=False)
    assert found.total == expected.total
    assert sorted(round(hit.score, 9) for hit in found.hits) == sorted(
        round(hit.score, 9) for hit in expected.hits
    )
    assert [hit.score for hit in found.hits] == sorted((hit.score for hit in found.hits), reverse=True)


def test_facets_and_timelines_count_every_index(indexes: tuple[SearchIndex, SearchIndex]) -> None:
    whole, several = indexes
    for query in [None, "oil"]:
        expected = whole.search(query, facets=["actor", "source", "year"], all_copies=True)
        found = several.search(query, facets=["actor", "source", "year"], all_copies=True)
        assert found.total == expected.total
        assert found.facets == expected.facets
        assert several.timeline(query, by="year", split_by="actor") == whole.timeline(
            query, by="year", split_by="actor"
        )
    narrowed = several.search("oil", actors=["Niger"], since="2003", sources=["AP"], limit=1000)
    assert (
        narrowed.hits
        and narrowed.total == whole.search("oil", actors=["Niger"], since="2003", sources=["AP"]).total
    )
    assert all(hit.source == "AP" and any(a.id == "niger" for a in hit.actors) for hit in narrowed.hits)


def test_documents_are_found_in_whichever_index_holds_them(indexes: tuple[SearchIndex, SearchIndex]) -> None:
    whole, several = indexes
    assert several.document("c7.txt") == whole.document("c7.txt")
    assert len(several) == len(whole) == 600
    assert several.stats().documents == 600
    assert {word for word in WORDS if several.search(word).total} == {
        word for word in WORDS if whole.search(word).total
    }
    with pytest.raises(DocumentNotFoundError, match="the indexes at"):
        several.document("z1.txt")


def test_an_id_two_indexes_hold_is_ambiguous_not_the_first_found(tmp_path: Path) -> None:
    """Each folder's ids are paths within it: two projects may each have an a.txt."""
    first, second = random_documents(1, 3, "a"), random_documents(2, 3, "a")
    write(tmp_path / "one", first)
    write(tmp_path / "two", second)
    several = open_index([tmp_path / "one", tmp_path / "two"])
    both = re.escape(f"({tmp_path / 'one'}, {tmp_path / 'two'})")
    with pytest.raises(AmbiguousDocumentError, match=f"in indexes 1 and 2 of the 2 searched together {both}"):
        several.document("a1.txt")
    assert several.search("oil OR price OR opec OR crude OR trade OR bank OR the", limit=100).total == 6


def test_a_hit_says_which_index_holds_it_and_that_index_finds_it(tmp_path: Path) -> None:
    """Two projects' a1.txt: each hit names its index (from 1), and the id with that number opens it."""
    first, second = random_documents(1, 3, "a"), random_documents(2, 3, "a")
    copy = replace(second[0], id="a9.txt", path="a9.txt", body=second[0].body * 4)
    second = [replace(second[0], body=copy.body), *second[1:], copy]  # a story and its copy, in two
    write(tmp_path / "one", first)
    write(tmp_path / "two", second)
    several = open_index([tmp_path / "one", tmp_path / "two"])
    hits = several.search("oil OR price OR opec OR crude OR trade OR bank OR the", limit=100).hits
    assert sorted((hit.id, hit.index) for hit in hits) == sorted(
        [(d.id, 1) for d in first] + [(d.id, 2) for d in second if d.id != "a9.txt"]
    )
    for hit in hits:
        assert several.document(hit.id, index=hit.index).body == next(
            d.body for d in (first if hit.index == 1 else second) if d.id == hit.id
        )
        assert all(like.index in (1, 2) for like in several.similar(hit.id, index=hit.index).hits)
    folded = next(hit for hit in hits if hit.copies)
    assert (folded.id, folded.index, [(c.id, c.index) for c in folded.copies]) == (
        "a0.txt",
        2,
        [("a9.txt", 2)],
    )
    assert [(c.id, c.index) for c in several.copies("a0.txt", index=2)] == [("a9.txt", 2)]
    assert several.copies("a0.txt", index=1) == ()
    with pytest.raises(BadInputError, match="index 3 names none of the 2 searched"):
        several.document("a1.txt", index=3)
    with pytest.raises(BadInputError, match="index must be a number, not '2'"):
        several.document("a1.txt", index="2")  # type: ignore[arg-type]
    with pytest.raises(DocumentNotFoundError):
        several.document("a9.txt", index=1)
    assert {hit.index for hit in open_index(tmp_path / "two").search("the OR oil", limit=100).hits} == {1}


def test_a_damaged_or_missing_index_among_several_is_said_so(tmp_path: Path) -> None:
    write(tmp_path / "one", random_documents(1, 3, "a"))
    with pytest.raises(Exception, match="no index") as missing:
        open_index([tmp_path / "one", tmp_path / "nothing"])
    assert "nothing" in str(missing.value)
    write(tmp_path / "two", random_documents(2, 3, "b"))
    for segment in (tmp_path / "two").glob("*.seg"):
        segment.write_bytes(b"\0" * 64)
    with pytest.raises(IndexDamagedError):
        open_index([tmp_path / "one", tmp_path / "two"]).search("oil")


def test_an_empty_index_among_several_keeps_the_searcher_open_between_calls(tmp_path: Path) -> None:
    """An index without a segment reads as generation None: the searcher must still count as current."""
    from search import create_index, engine

    write(tmp_path / "one", random_documents(1, 30, "a"))
    create_index(tmp_path / "empty")
    several = engine.EngineIndex([tmp_path / "one", tmp_path / "empty"])
    with several._current_searcher() as first, several._current_searcher() as second:
        assert first is second and first.up_to_date()
    assert (
        open_index([tmp_path / "one", tmp_path / "empty"]).search("oil").total
        == open_index(tmp_path / "one").search("oil").total
    )


def test_a_folder_named_twice_or_two_ways_is_searched_once(tmp_path: Path) -> None:
    write(tmp_path / "one", random_documents(1, 30, "a"))
    (tmp_path / "link").symlink_to(tmp_path / "one")
    for folders in ([tmp_path / "one", tmp_path / "one"], [tmp_path / "one", tmp_path / "link"]):
        index = open_index(folders)
        assert index.index_dirs == (tmp_path / "one",) and len(index) == 30
    assert len(SearchIndex(str(tmp_path / "one"))) == len(SearchIndex([str(tmp_path / "one")])) == 30


def test_several_indexes_have_no_one_actors_file_to_correct(tmp_path: Path) -> None:
    write(tmp_path / "one", random_documents(1, 3, "a"))
    write(tmp_path / "two", random_documents(2, 3, "b"))
    with pytest.raises(BadInputError, match="no one actors file"):
        open_index([tmp_path / "one", tmp_path / "two"]).user_actors_file()
