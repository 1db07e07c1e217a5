from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from search import (
    BadInputError,
    CorpusNotFoundError,
    Document,
    IndexNeedsRebuildError,
    IndexNotWritableError,
    MassRemovalError,
    NotAnIndexError,
    SkippedFile,
    engine,
    index_corpus,
    indexing,
    open_index,
    workers,
)
from search.corpus import file_signature

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


def test_sidecar_and_front_matter_override_what_is_found(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "a.txt": "Found headline here\nMarch 26, 2012\nMali and ECOWAS met in Bamako today.",
            "a.meta.json": '{"title": "Given title", "date": "2013-01-19", "actors": ["ECOWAS", "Jane Doe"], "source": "DW", "url": "https://dw.com/a"}',
            "b.txt": "---\ntitle: Front matter title\ndate: 2011-05-02\n---\nBody about Gao and the market.",
        },
    )
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    a = index.document("a.txt")
    assert (a.title, a.date.date().isoformat(), a.source, a.url) == (
        "Given title",
        "2013-01-19",
        "DW",
        "https://dw.com/a",
    )
    assert [(actor.id, actor.type) for actor in a.actors] == [
        ("ecowas", "organisation"),
        ("jane-doe", "person"),
    ]
    b = index.document("b.txt")
    assert (b.title, b.date.date().isoformat(), b.body) == (
        "Front matter title",
        "2011-05-02",
        "Body about Gao and the market.",
    )


def test_a_warning_about_many_files_is_said_once_with_their_number(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"{n}.txt": f"Headline number {n}\nBody." for n in range(5)}
    files |= {f"{n}.txt.meta.json": '{"title": "Given", "colour": "red"}' for n in range(5)}
    report = index_corpus(write_corpus(tmp_path / "corpus", files), tmp_path / "index")
    assert [w for w in report.warnings if "colour" in w] == [
        "sidecars: unknown key 'colour' ignored (known: title, date, actors, authors, source, url, type) (5 files)"
    ]


def test_a_malformed_sidecar_is_named_in_a_warning_and_the_document_still_indexed(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {"a.txt": "Headline of the story\nBody.", "a.meta.json": "{not json", "b.txt": "Another headline here\nBody.",
         "b.txt.meta.json": '{"date": "someday", "colour": "red"}'},
    )  # fmt: skip
    report = index_corpus(corpus, tmp_path / "index")
    assert report.indexed == 2
    assert any(w.startswith("a.meta.json: not readable as JSON") for w in report.warnings)
    assert any(w.startswith("sidecars: unknown key 'colour' ignored") for w in report.warnings)
    assert "b.txt: given date 'someday' not understood or implausible; ignored" in report.warnings
    assert open_index(tmp_path / "index").document("a.txt").title == "Headline of the story"


def test_no_date_stays_empty_unless_the_mtime_is_asked_for(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Undated headline here\nBody."})
    os.utime(corpus / "a.txt", (1_331_856_000, 1_331_856_000))  # 2012-03-16
    index_corpus(corpus, tmp_path / "index")
    assert open_index(tmp_path / "index").document("a.txt").date is None
    with pytest.raises(IndexNeedsRebuildError, match="dates from file times"):
        index_corpus(corpus, tmp_path / "index", date_from_mtime=True)
    index_corpus(corpus, tmp_path / "index", date_from_mtime=True, rebuild=True)
    assert open_index(tmp_path / "index").document("a.txt").date.date().isoformat() == "2012-03-16"  # type: ignore[union-attr]


def test_the_users_actors_file_at_the_corpus_root_adds_actors(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "actors.toml": '[[actor]]\nname = "Assimi Goïta"\naliases = ["Goita", "Colonel Goita"]\n',
            "a.txt": "Goita speaks\nColonel Goita said the junta would hold talks.\nGoita also met envoys.",
        },
    )
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    assert [a.name for a in index.document("a.txt").actors] == ["Assimi Goïta"]
    assert [hit.id for hit in index.search("junta", actors=["Goita"]).hits] == ["a.txt"]


TEASER = (
    "More in Media Room\nStrikes in Somalia\nStrikes in Somalia\nAirstrikes on Jan. 14, 2026.\nRead more\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Statement headline here\nBy a spokesperson, Mar 23, 2012\nThe statement.\n" + TEASER * 3,
            "2012-03-23",
        ),
        ("Statement headline here\nThe statement, undated.\nMore of it.\n" + TEASER * 3, None),
    ],
)
def test_a_date_inside_a_teaser_block_never_counts(tmp_path: Path, text: str, expected: str | None) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": text})
    index_corpus(corpus, tmp_path / "index")
    found = open_index(tmp_path / "index").document("a.txt").date
    assert (found.date().isoformat() if found else None) == expected


# --- incremental runs -------------------------------------------------------------------------

QUERIES = ["coup", "junta elections Mali", "peacekeeping", "soldiers", "Toure", "ECOWAS", "Bamako airport"]


def snapshot(index_dir: Path) -> tuple[dict[str, set[str]], dict[str, object]]:
    """Per query the set of hits, and every document as stored: what a user can get of an index.

    Hit order may differ in near ties: until segments merge, Whoosh keeps the statistics of a
    replaced document's old copy.
    """
    index = open_index(index_dir)
    hits = {q: {h.id for h in index.search(q, limit=20).hits} for q in QUERIES}
    ids = set().union(*hits.values(), {h.id for h in index.search("mali", limit=100).hits})
    documents = {i: replace(index.document(i), mtime=0.0, size=0) for i in sorted(ids)}
    return hits, documents


def assert_same_as_a_fresh_build(corpus: Path, index_dir: Path, tmp_path: Path) -> None:
    fresh = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    index_corpus(corpus, fresh)
    assert snapshot(index_dir) == snapshot(fresh)
    assert len(open_index(index_dir)) == len(open_index(fresh))


def test_add_modify_delete_rename_cycles_match_a_fresh_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    index_dir = tmp_path / "index"
    assert index_corpus(corpus, index_dir).added == 5

    write_corpus(corpus, {"new/extra.txt": "Bamako airport reopens\nFlights to Bamako resumed on Monday."})
    report = index_corpus(corpus, index_dir)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 0, 0, 5)
    assert_same_as_a_fresh_build(corpus, index_dir, tmp_path)

    dw = corpus / "004_42382a47a79cec6e.txt"
    dw.write_text(dw.read_text() + "\nSoldiers also seized the airport in Bamako.\n")
    report = index_corpus(corpus, index_dir)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 5)
    assert_same_as_a_fresh_build(corpus, index_dir, tmp_path)

    (corpus / "000_45a78b254a50a030.txt").unlink()
    report = index_corpus(corpus, index_dir)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 1, 5)
    assert_same_as_a_fresh_build(corpus, index_dir, tmp_path)

    (corpus / "new" / "extra.txt").rename(corpus / "renamed.txt")
    report = index_corpus(corpus, index_dir)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 0, 1, 4)
    assert_same_as_a_fresh_build(corpus, index_dir, tmp_path)


def test_a_run_where_nothing_changed_reads_no_file_and_builds_no_gazetteer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    index_corpus(corpus, tmp_path / "index")
    aliases = (tmp_path / "index" / "actor-aliases.json").read_bytes()
    reads: list[Path] = []
    original = indexing.read_source
    monkeypatch.setattr(indexing, "read_source", lambda path, *a: reads.append(path) or original(path, *a))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"read {self}"))
    monkeypatch.setattr(indexing, "load_gazetteer", lambda *a: pytest.fail("built the gazetteer"))
    report = index_corpus(corpus, tmp_path / "index")
    assert (report.unchanged, report.added, report.updated, report.removed, reads) == (5, 0, 0, 0, [])
    monkeypatch.undo()
    assert (tmp_path / "index" / "actor-aliases.json").read_bytes() == aliases


def test_a_touched_but_unchanged_file_is_hashed_not_reindexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    index_corpus(corpus, tmp_path / "index")
    os.utime(corpus / "000_45a78b254a50a030.txt", (2_000_000_000, 2_000_000_000))
    report = index_corpus(corpus, tmp_path / "index")
    assert (report.unchanged, report.updated) == (5, 0)
    assert index_corpus(corpus, tmp_path / "index").unchanged == 5  # its new mtime was recorded


def test_an_edited_sidecar_reindexes_its_document(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Headline of the story\nBody."})
    index_corpus(corpus, tmp_path / "index")
    write_corpus(corpus, {"a.meta.json": '{"title": "Given title"}'})
    assert index_corpus(corpus, tmp_path / "index").updated == 1
    assert open_index(tmp_path / "index").document("a.txt").title == "Given title"


def test_updates_commit_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"seed.txt": "Seed story headline\nBody."})
    index_corpus(corpus, tmp_path / "index")
    write_corpus(corpus, {f"{n}.txt": f"Story number {n} headline\nBody {n}." for n in range(7)})
    monkeypatch.setattr(indexing, "BATCH_SIZE", 3)
    commits: list[int] = []
    original = engine.IndexBuild.commit_batch
    monkeypatch.setattr(
        engine.IndexBuild, "commit_batch", lambda self: commits.append(self.pending) or original(self)
    )
    assert index_corpus(corpus, tmp_path / "index").added == 7
    assert commits == [3, 3]
    assert len(open_index(tmp_path / "index")) == 8


def test_a_changed_actors_file_updates_only_the_documents_it_concerns(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "a.txt": "Junta leader speaks\nColonel Goita met envoys in Bamako.",
            "b.txt": "Rain\nIt rained all day.",
        },
    )
    index_corpus(corpus, tmp_path / "index")
    assert "goita" in {a.id for a in open_index(tmp_path / "index").document("a.txt").actors}
    write_corpus(corpus, {"actors.toml": '[[actor]]\nname = "Assimi Goita"\naliases = ["Goita"]\n'})
    report = index_corpus(corpus, tmp_path / "index")  # no rebuild: the actors are found again, no file read
    assert (report.rebuilt, report.updated, report.unchanged, report.changes) == (
        False, 1, 1, (("updated", "a.txt"),)
    )  # fmt: skip
    actors = {a.id: a.name for a in open_index(tmp_path / "index").document("a.txt").actors}
    assert actors.get("assimi-goita") == "Assimi Goita" and "goita" not in actors
    assert index_corpus(corpus, tmp_path / "index").updated == 0  # applied once


def test_a_file_touched_while_the_actors_file_changed_keeps_its_new_signature(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Junta leader speaks\nColonel Goita met envoys."})
    index_corpus(corpus, tmp_path / "index")
    write_corpus(corpus, {"actors.toml": '[[actor]]\nname = "Assimi Goita"\naliases = ["Goita"]\n'})
    os.utime(corpus / "a.txt", ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))  # touched only
    assert index_corpus(corpus, tmp_path / "index").updated == 1  # its actors found again
    # The refresh wrote the signature from before the run, so the next run read the file again.
    catalog = engine.read_catalog(tmp_path / "index")
    assert catalog["a.txt"].signature == file_signature(corpus / "a.txt")


def test_searches_answer_from_the_last_commit_while_an_indexing_run_writes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir)
    with engine.writing(index_dir, corpus, timeout=1, rebuild=False) as build:
        build.add(
            Document(
                id="new.txt", title="Convoy reaches Kidal", body="Convoy reaches Kidal\nThe convoy arrived."
            )
        )
        during = open_index(index_dir)
        assert (during.search("convoy").total, during.search("coup").total) == (0, 3)
    assert open_index(index_dir).search("convoy").total == 1


def test_a_build_on_worker_processes_stores_what_a_build_in_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both passes: files read and cleaned (the chrome they share learned as in one process), then
    documents prepared and written."""
    stories = {f"s/{n:03}.txt": f"Convoy {n} reaches Kidal\nMarch {n % 28 + 1}, 2012\nMali's army and ECOWAS "
               f"troops escorted convoy {n} from Gao, Touré said. Story {n}.\nThe Sahel Desk, Bamako edition"
               for n in range(60)}  # fmt: skip
    corpus = write_corpus(tmp_path / "corpus", {**stories, "s/binary.txt": b"\x00\x01" * 100})
    monkeypatch.setattr(indexing, "PARALLEL_MIN_DOCS", 1)
    in_parallel = index_corpus(corpus, tmp_path / "parallel")
    monkeypatch.setattr(indexing, "PARALLEL_MIN_DOCS", 10**9)
    in_one = index_corpus(corpus, tmp_path / "serial")
    assert in_parallel.skipped == in_one.skipped and len(in_one.skipped) == 1
    parallel, serial = open_index(tmp_path / "parallel"), open_index(tmp_path / "serial")
    assert parallel.stats().learned_chrome_lines == serial.stats().learned_chrome_lines == 1
    assert len(parallel) == len(serial) == 60
    assert [parallel.document(doc_id) for doc_id in sorted(stories)] == [
        serial.document(d) for d in sorted(stories)
    ]
    for query in ("convoy kidal", '"escorted convoy 7"', "toure", "title:convoy"):
        assert parallel.search(query) == serial.search(query)
    # Each worker wrote a segment of its own, committed together: the same index from run to run.
    assert len(list((tmp_path / "parallel").glob("*.seg"))) == (os.cpu_count() or 2)
    monkeypatch.setattr(indexing, "PARALLEL_MIN_DOCS", 1)
    index_corpus(corpus, tmp_path / "again")
    again = open_index(tmp_path / "again")
    assert [h.id for h in again.search("convoy", limit=60).hits] == [
        h.id for h in parallel.search("convoy", limit=60).hits
    ]
    # A worker starts a new segment every SEGMENT_DOCS documents: the same documents and rankings.
    monkeypatch.setattr(workers, "SEGMENT_DOCS", 7)
    index_corpus(corpus, tmp_path / "bounded")
    bounded = open_index(tmp_path / "bounded")
    assert len(list((tmp_path / "bounded").glob("*.seg"))) >= 60 // 7  # (each worker's last one not full)
    assert [bounded.document(d) for d in sorted(stories)] == [serial.document(d) for d in sorted(stories)]
    for query in ("convoy kidal", '"escorted convoy 7"', "toure", "title:convoy"):
        assert bounded.search(query) == serial.search(query)


def _indexed_before_a_parallel_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> tuple[Path, list[str]]:
    """A corpus of `count` stories indexed, and the index folder's files; rebuilds from here on run on
    worker processes whatever their size."""
    corpus = write_corpus(
        tmp_path / "corpus", {f"{n:03}.txt": f"Story {n}\nThe convoy {n} left Gao." for n in range(count)}
    )
    index_corpus(corpus, tmp_path / "index")
    monkeypatch.setattr(indexing, "PARALLEL_MIN_DOCS", 1)
    return corpus, sorted(p.name for p in (tmp_path / "index").iterdir())


def _rebuild_fails_leaving_the_old_index(
    corpus: Path, index_dir: Path, files: list[str], count: int, error: type[Exception], match: str
) -> None:
    """A rebuild that fails as said leaves the index's files as they were (what it wrote is removed),
    the old index answering, and no worker process."""
    with pytest.raises(error, match=match):
        index_corpus(corpus, index_dir, rebuild=True)
    assert sorted(p.name for p in index_dir.iterdir()) == files
    assert len(open_index(index_dir)) == count
    assert multiprocessing.active_children() == []


def test_a_worker_that_fails_to_write_fails_the_build_and_leaves_the_old_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, files = _indexed_before_a_parallel_rebuild(tmp_path, monkeypatch, 40)

    def full_disk(self: object, prepared: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(engine.writer.SegmentPart, "add", full_disk)  # in the workers, forked after this
    _rebuild_fails_leaving_the_old_index(
        corpus, tmp_path / "index", files, 40, IndexNotWritableError, "no space left on device"
    )


def test_a_worker_that_fails_to_clean_a_file_fails_the_build_and_leaves_the_old_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, files = _indexed_before_a_parallel_rebuild(tmp_path, monkeypatch, 40)

    def failing(source: object) -> None:
        raise ValueError("cleaning failed")

    monkeypatch.setattr(workers, "clean", failing)  # in the workers, forked after this
    _rebuild_fails_leaving_the_old_index(
        corpus, tmp_path / "index", files, 40, RuntimeError, "ValueError: cleaning failed"
    )


def test_a_rebuild_failing_in_the_parent_stops_its_workers_before_removing_what_they_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, files = _indexed_before_a_parallel_rebuild(tmp_path, monkeypatch, 200)
    recorded: list[str] = []

    def record_until_the_hundredth(
        self: object, prepared: engine.PreparedDocument, signature: object
    ) -> None:
        recorded.append(prepared.document.id)
        if len(recorded) == 100:
            raise RuntimeError("the parent failed")

    monkeypatch.setattr(engine.IndexBuild, "record", record_until_the_hundredth)
    _rebuild_fails_leaving_the_old_index(
        corpus, tmp_path / "index", files, 200, RuntimeError, "the parent failed"
    )


def test_given_authors_are_stored_shown_and_searchable_and_each_date_says_where_it_came_from(
    tmp_path: Path,
) -> None:
    corpus = write_corpus(tmp_path / "corpus", {
        "side.txt": "The House passed the bill on Monday.",
        "side.meta.json": '{"title": "House passes bill", "date": "5/4/20", "authors": ["Claudia Grisales"]}',
        "front.txt": "---\ntitle: Senate stalls\ndate: 2020-05-06\nauthor: Jane Doe\n---\nThe Senate did not vote.",
        "byline.txt": "Court rules\nBy Nina Totenberg | May 7, 2020\n\nThe court ruled on Thursday.",
        "plain.txt": "Remembering the attacks\n\nSince Sept. 11, 2001, the country has spent trillions on wars abroad.",
    })  # fmt: skip
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    dated = {
        doc_id: index.document(doc_id) for doc_id in ("side.txt", "front.txt", "byline.txt", "plain.txt")
    }
    assert {
        doc_id: (d.date.date().isoformat() if d.date else None, d.date_source) for doc_id, d in dated.items()
    } == {
        "side.txt": ("2020-05-04", "sidecar"),
        "front.txt": ("2020-05-06", "front-matter"),
        "byline.txt": ("2020-05-07", "header"),
        "plain.txt": (None, ""),  # an event's date in the lead is not the publication date
    }
    assert dated["side.txt"].authors == ("Claudia Grisales",)
    assert [hit.id for hit in index.search("author:grisales").hits] == ["side.txt"]
    assert [hit.id for hit in index.search('bill author:"Claudia Grisales"').hits] == ["side.txt"]
    assert index.search("bill author:doe").total == 0  # a field clause filters
    assert dated["byline.txt"].title == "Court rules"


def _checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.mark.parametrize(
    "files",
    [
        {"search-index.json": '{"theme": "dark"}'},  # a user's own file of that name
        {"search-index.json": "not json at all"},
        {".git/config": "[core]\n"},  # hidden files only
        {".env": "TOKEN=x\n"},
        {"notes.txt": "mine"},
    ],
)
@pytest.mark.parametrize("rebuild", [False, True])
def test_a_folder_that_is_not_ours_is_never_written_rebuild_or_not(
    tmp_path: Path, files: dict[str, str], rebuild: bool
) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Oil rose\nOil prices rose on Monday."})
    foreign = write_corpus(tmp_path / "foreign", dict(files))
    before = _checksums(foreign)
    with pytest.raises(NotAnIndexError, match="nothing was written"):
        index_corpus(corpus, foreign, rebuild=rebuild)
    assert _checksums(foreign) == before
    with pytest.raises(NotAnIndexError):
        open_index(foreign)


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_run_that_would_empty_the_index_stops_unless_allowed(tmp_path: Path, rebuild: bool) -> None:
    files: dict[str, str | bytes] = {f"{n}.txt": f"Story number {n}\nOil rose on day {n}." for n in range(6)}
    corpus = write_corpus(tmp_path / "corpus", files)
    index_corpus(corpus, tmp_path / "index")
    for path in list(corpus.glob("*.txt"))[:4]:  # 4 of 6 gone: more than half (a drive half copied)
        path.unlink()
    with pytest.raises(MassRemovalError, match="would remove 4 of the index's 6 documents"):
        index_corpus(corpus, tmp_path / "index", rebuild=rebuild)
    assert len(open_index(tmp_path / "index")) == 6  # nothing removed
    for path in corpus.glob("*.txt"):
        path.unlink()  # all gone: an unmounted drive
    with pytest.raises(MassRemovalError, match="nothing was removed"):
        index_corpus(corpus, tmp_path / "index", rebuild=rebuild)
    assert index_corpus(corpus, tmp_path / "index", rebuild=rebuild, allow_mass_removal=True).removed == (
        0 if rebuild else 6
    )
    assert len(open_index(tmp_path / "index")) == 0


def test_a_run_removing_a_few_files_needs_no_permission(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"{n}.txt": f"Story number {n}\nOil rose on day {n}." for n in range(6)}
    corpus = write_corpus(tmp_path / "corpus", files)
    index_corpus(corpus, tmp_path / "index")
    for path in list(corpus.glob("*.txt"))[:3]:  # half: allowed
        path.unlink()
    assert index_corpus(corpus, tmp_path / "index").removed == 3


def test_a_sidecar_nested_a_thousand_deep_is_one_warning_and_the_run_goes_on(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {
        "a.txt": "Oil rose\nOil prices rose on Monday.", "a.meta.json": "[" * 1000 + "]" * 1000,
        "b.txt": "Gold fell\nGold prices fell on Tuesday.",
    })  # fmt: skip
    report = index_corpus(corpus, tmp_path / "index")
    assert report.indexed == 2 and "a.meta.json: nested too deeply to read; ignored" in report.warnings


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe[[actor]]", "cannot be read as UTF-8"),
        (b"actor = 5\n", "'actor' must be a list"),
        (b'[[actor]]\nname = "Jane"\naliases = "J"\n', "aliases must be a list of names (actor 1)"),
        (b"[[actor]]\nname = 7\n", "needs an id or a name"),
        (b"[[actor]\nname = 'x'\n", "line 1"),
    ],
)
def test_a_bad_actors_file_is_one_error_naming_it(tmp_path: Path, content: bytes, message: str) -> None:
    corpus = write_corpus(
        tmp_path / "corpus", {"a.txt": "Oil rose\nOil prices rose.", "actors.toml": content}
    )
    with pytest.raises(BadInputError, match=re.escape(message)) as raised:
        index_corpus(corpus, tmp_path / "index")
    assert "actors.toml" in str(raised.value)


def test_a_query_word_names_the_actor_an_alias_was_merged_into(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {
        "a.txt": "Trade talks\nThe European Union met in Brussels on trade.",
        "b.txt": "Farm talks\nThe European Economic Community met in Brussels on farming.",
        "actors.toml": '[[actor]]\nid = "european-union"\nmerge = ["european-community"]\n',
    })  # fmt: skip
    index_corpus(corpus, tmp_path / "index")
    # Both stories name the European Union now; 'EEC', an alias of the merged actor, names it too.
    results = open_index(tmp_path / "index").search("EEC")
    assert {hit.id for hit in results.hits} == {"a.txt", "b.txt"}
