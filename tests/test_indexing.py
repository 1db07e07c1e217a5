from __future__ import annotations

from pathlib import Path

import pytest

from search import CorpusNotFoundError, SkippedFile, index_corpus, open_index

from .conftest import SAMPLE_CORPUS, write_corpus

PAGE = (
    "<html><head><title>Page title</title></head>"
    "<body><article><p>Bamako page text</p></article></body></html>"
)


def test_sample_corpus_indexes_every_document(tmp_path: Path) -> None:
    report = index_corpus(SAMPLE_CORPUS, tmp_path / "index")
    assert (report.indexed, report.skipped) == (5, ())
    assert len(open_index(tmp_path / "index")) == 5


def test_bad_files_are_skipped_with_reasons_and_the_rest_indexed(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "good.txt": "A good article about Mali",
            "sub/page.html": PAGE,
            "empty.txt": "",
            "binary.txt": b"\x00\x01\x02\x03",
            "tags-only.txt": "<p> </p><br/>",
        },
    )
    report = index_corpus(corpus, tmp_path / "index")
    assert report.indexed == 2
    assert set(report.skipped) == {
        SkippedFile("empty.txt", "empty file"),
        SkippedFile("binary.txt", "binary file"),
        SkippedFile("tags-only.txt", "no text left after cleaning"),
    }
    hit = open_index(tmp_path / "index").search("bamako").hits[0]
    assert (hit.id, hit.path, hit.title) == ("sub/page.html", "sub/page.html", "Page title")


def test_every_kind_of_bad_input_is_named_and_the_rest_indexed(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "cp1252.txt": "Touré met the “junta” in Bamako".encode("cp1252"),
            "broken.html": "<html><body><article><p>Unclosed <div><b>Kidal siege " + "words " * 150,
            "huge.txt": "Gao " * 400,
            "empty.htm": b"",
            "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00",
        },
    )
    report = index_corpus(corpus, tmp_path / "index", max_file_bytes=1000)
    assert report.indexed == 2
    assert {(s.path, s.reason.split(" (")[0]) for s in report.skipped} == {
        ("huge.txt", "too large"),
        ("empty.htm", "empty file"),
        ("image.txt", "binary file"),
    }
    index = open_index(tmp_path / "index")
    assert [hit.id for hit in index.search("Toure junta").hits] == ["cp1252.txt"]
    assert [hit.id for hit in index.search("Kidal").hits] == ["broken.html"]


def test_reindexing_reflects_added_and_deleted_files(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus", {"a.txt": "Timbuktu manuscripts saved", "b.txt": "Gao market reopens"}
    )
    index_corpus(corpus, tmp_path / "index")
    (corpus / "a.txt").unlink()
    write_corpus(corpus, {"c.txt": "Timbuktu library rebuilt"})
    index_corpus(corpus, tmp_path / "index")
    assert [hit.id for hit in open_index(tmp_path / "index").search("timbuktu").hits] == ["c.txt"]


def test_progress_is_reported_per_file(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    index_corpus(SAMPLE_CORPUS, tmp_path / "index", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 5) for n in range(1, 6)]


def test_missing_corpus_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFoundError, match="corpus folder not found"):
        index_corpus(tmp_path / "nope", tmp_path / "index")
    assert not (tmp_path / "index").exists()
