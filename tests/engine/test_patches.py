"""The Whoosh patches: in-place buffer files, applied when an index opens."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from search import index_corpus, indexing, open_index
from search.engine import patches

from ..conftest import write_corpus


def test_the_view_file_reads_as_bytesio_does_without_copying() -> None:
    data = b"first line\nsecond\n\x00\x01binary tail"
    view, copy = patches._ViewFile(memoryview(data)), io.BytesIO(data)
    steps = [("read", (4,)), ("readline", ()), ("tell", ()), ("seek", (3,)), ("read", (2,)), ("seek", (-4, 2)),
             ("read", ()), ("read", (5,)), ("seek", (2, 1)), ("tell", ()), ("seek", (0,)), ("readline", (3,))]  # fmt: skip
    for name, args in steps:
        assert getattr(view, name)(*args) == getattr(copy, name)(*args), (name, args)


def test_opening_an_index_makes_whooshs_buffer_files_read_in_place(sample_index: Path) -> None:
    from whoosh.filedb.structfile import BufferFile

    from search import open_index

    open_index(sample_index)  # the patches are applied when an index opens, not when a module loads
    buffered = BufferFile(memoryview(b"\x00\x00\x00\x05rest"))
    assert (
        isinstance(buffered.file, patches._ViewFile)
        and buffered.read_int() == 5
        and buffered.read() == b"rest"
    )


def test_a_column_reads_across_segments_when_one_of_them_lacks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild on two workers writes two segments; when none (or only the first) holds a dated
    document, Whoosh's column across segments read the wrong segment or none (IndexError)."""
    story = "Convoy reaches Kidal\nThe convoy reached Kidal on Monday after a week on the road from Gao."
    files = {f"{n:02}.txt": f"Report {n}\nThe market of Gao opened, report number {n}." for n in range(60)}
    files |= {"40.txt": story, "41.txt": story}  # copies of one story: folding them reads their dates
    corpus = write_corpus(tmp_path / "corpus", files)
    monkeypatch.setattr(indexing, "PARALLEL_MIN_DOCS", 1)
    index_corpus(corpus, tmp_path / "index")
    assert len(list((tmp_path / "index").glob("*.seg"))) >= 2
    results = open_index(tmp_path / "index").search("convoy kidal")
    assert (results.total, [len(hit.copies) for hit in results.hits]) == (2, [1])
    later = write_corpus(
        corpus, {"99.txt": "---\ndate: 2012-03-22\n---\nMarket day\nThe market of Gao opened."}
    )
    index_corpus(later, tmp_path / "index")  # a segment with the date column after ones without it
    assert [str(hit.date)[:10] for hit in open_index(tmp_path / "index").search("market day").hits][:1] == [
        "2012-03-22"
    ]


def _postings(index_dir: Path) -> list[tuple[str, bytes, list[tuple[int, float, bytes]]]]:
    """Every term of the index with each of its postings (document, weight, value), in order."""
    import whoosh.index

    found = []
    with whoosh.index.open_dir(str(index_dir)).reader() as reader:
        for fieldname, term in reader.all_terms():
            matcher, postings = reader.postings(fieldname, term), []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            found.append((fieldname, term, postings))
    return found


def test_a_writer_spilling_runs_a_block_at_a_time_writes_the_postings_whoosh_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pool of a few KB spills dozens of runs: merged from marshal blocks, they make the same postings as
    Whoosh's own runs of pickles."""
    import whoosh.externalsort
    import whoosh.writing

    from .conftest import random_documents, write

    spilled: list[int] = []
    init, save = whoosh.writing.PostingPool.__init__, whoosh.writing.PostingPool.save

    def small_pool(self: whoosh.writing.PostingPool, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)
        self.limit = 20_000

    def counted_save(self: whoosh.writing.PostingPool) -> None:
        spilled.append(len(self.current))
        save(self)

    monkeypatch.setattr(whoosh.writing.PostingPool, "__init__", small_pool)
    monkeypatch.setattr(whoosh.writing.PostingPool, "save", counted_save)
    documents = random_documents(5, 300, "d")
    patches.apply()
    assert whoosh.writing.PostingPool._write_run is patches._write_run_in_blocks
    write(tmp_path / "blocks", documents)
    assert len(spilled) > 20
    monkeypatch.setattr(whoosh.writing.PostingPool, "_write_run", whoosh.externalsort.SortingPool._write_run)
    monkeypatch.setattr(whoosh.writing.PostingPool, "_read_run", whoosh.externalsort.SortingPool._read_run)
    write(tmp_path / "pickles", documents)
    assert _postings(tmp_path / "blocks") == _postings(tmp_path / "pickles")
