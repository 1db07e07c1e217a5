"""Documents an app adds to an index and removes, beside the corpus's files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from search import (
    BadInputError,
    DocumentNotFoundError,
    IndexNotFoundError,
    add_document,
    create_index,
    delete_document,
    index_corpus,
    open_index,
)

from .conftest import SAMPLE_CORPUS

WIRE = "BAMAKO, Mali (AP) - The junta freed the ministers on Tuesday, ECOWAS said.\nThe bloc welcomed it."


def test_an_app_adds_a_document_that_every_later_run_keeps(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    index_corpus(corpus, index_dir)
    stored = add_document(
        index_dir, "wire/1", "Junta frees ministers", WIRE, date="2012-04-03", actors=["Mali"]
    )
    assert (stored.date.isoformat(), [a.id for a in stored.actors]) == ("2012-04-03T00:00:00", ["mali"])
    index = open_index(index_dir)
    assert index.search("junta freed", actors=["mali"]).hits[0].id == "wire/1"
    assert index_corpus(corpus, index_dir).removed == 0  # not a file, yet not a deleted one
    assert index_corpus(corpus, index_dir, rebuild=True).added == 5
    assert index.document("wire/1").title == "Junta frees ministers"  # carried over the rebuild
    delete_document(index_dir, "wire/1")
    assert (index.search('"freed the ministers"').total, len(index)) == (0, 5)


def test_an_added_document_gets_its_actors_and_date_from_its_text_when_not_given(tmp_path: Path) -> None:
    create_index(tmp_path / "index")
    stored = add_document(tmp_path / "index", "a", "", "Mali junta meets ECOWAS\nMarch 26, 2012\n" + WIRE)
    assert stored.title == "Mali junta meets ECOWAS"
    assert stored.date is not None and stored.date.date().isoformat() == "2012-03-26"
    assert {"mali", "ecowas"} <= {a.id for a in stored.actors}


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda d: add_document(d, "", "t", WIRE), BadInputError),
        (lambda d: add_document(d, "a\n", "t", WIRE), BadInputError),
        (lambda d: add_document(d, "a", "t", "   "), BadInputError),
        (lambda d: add_document(d, "a", "t", WIRE, date="last week"), BadInputError),
        (lambda d: add_document(d, "000_45a78b254a50a030.txt", "t", WIRE), BadInputError),  # a corpus file
        (lambda d: delete_document(d, "000_45a78b254a50a030.txt"), BadInputError),
        (lambda d: delete_document(d, "never-added"), DocumentNotFoundError),
        (lambda d: create_index(d), BadInputError),
        (lambda d: add_document(d.parent / "nowhere", "a", "t", WIRE), IndexNotFoundError),
    ],
)
def test_bad_documents_and_ids_are_refused_and_the_index_stays_whole(
    tmp_path: Path, call: Callable[[Path], object], error: type[Exception]
) -> None:
    index_corpus(SAMPLE_CORPUS, tmp_path / "index")
    with pytest.raises(error):
        call(tmp_path / "index")
    assert len(open_index(tmp_path / "index")) == 5


def test_the_writing_functions_take_folders_written_as_strings(tmp_path: Path) -> None:
    """As open_index does: a Python user writes index_corpus("corpus", "index") (it was an AttributeError)."""
    report = index_corpus(str(SAMPLE_CORPUS), str(tmp_path / "index"), actors_file=None)
    assert report.indexed == 5
    create_index(str(tmp_path / "apps"))
    add_document(str(tmp_path / "apps"), "wire/1", "Convoy reaches Kidal", "The convoy reached Kidal.")
    assert open_index(str(tmp_path / "apps")).search("convoy").total == 1
    delete_document(str(tmp_path / "apps"), "wire/1")
    assert len(open_index(tmp_path / "apps")) == 0
