"""EngineIndex: documents round-trip, and titles weigh more than bodies."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from search import engine
from search.models import Document

from .conftest import (
    MALI,
    US,
    build,
)


def test_documents_round_trip_through_the_index(tmp_path: Path) -> None:
    index = build(tmp_path / "index")
    hit = index.search(engine.SearchRequest("junta", limit=5)).hits[0]
    assert (hit.id, hit.title, hit.date, hit.actors) == (
        "b.txt",
        "Elections",
        datetime(2012, 3, 23),
        (MALI, US),
    )
    assert index.document_count() == 2


def test_a_word_in_the_title_outranks_the_same_word_in_the_body(tmp_path: Path) -> None:
    # As the indexer builds documents, the body holds the headline too.
    index = build(tmp_path / "index", [
        Document(id="body.txt", title="Other news", body="Other news\nSahel report from the region"),
        Document(id="title.txt", title="Sahel report", body="Sahel report\nOther news from the region"),
    ])  # fmt: skip
    assert [hit.id for hit in index.search(engine.SearchRequest("sahel", limit=5)).hits] == [
        "title.txt",
        "body.txt",
    ]
