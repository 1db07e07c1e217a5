from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from search import index_corpus, open_index
from search.corpus import check_corpus_dir, file_signature, read_source, relative_id, survey
from search.errors import CorpusNotFoundError
from search.models import SkippedFile, SourceFile

from .conftest import write_corpus


def test_survey_finds_article_files_recursively_in_stable_order(tmp_path: Path) -> None:
    write_corpus(
        tmp_path,
        {
            "b.txt": "b", "a.html": "a", "sub/c.HTM": "c", "sub/deeper/d.txt": "d",
            "notes.md": "no", "image.png": b"\x89PNG", ".hidden/e.txt": "no", ".f.txt": "no",
        },
    )  # fmt: skip
    found = [Path(p).relative_to(tmp_path).as_posix() for p in survey(tmp_path).paths]
    assert found == ["a.html", "b.txt", "sub/c.HTM", "sub/deeper/d.txt"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"PK\x03\x04\x00\x00binary", "binary file"),
    ],
)
def test_unusable_files_are_skipped_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(content)
    assert read_source(path, tmp_path, max_bytes=1000) == SkippedFile("x.txt", reason)


def test_too_large_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 100)
    result = read_source(path, tmp_path, max_bytes=100)
    assert isinstance(result, SkippedFile) and result.reason.startswith("too large")


def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    result = read_source(tmp_path / "dangling.txt", tmp_path, max_bytes=1000)
    assert isinstance(result, SkippedFile) and result.reason.startswith("unreadable")


def test_special_files_are_skipped_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    assert read_source(tmp_path / "pipe.txt", tmp_path, max_bytes=1000) == SkippedFile(
        "pipe.txt", "not a regular file"
    )


def test_source_file_records_what_incremental_indexing_needs(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"sub/a.txt": "Hello Mali"})
    source = read_source(tmp_path / "sub/a.txt", tmp_path, max_bytes=1000)
    assert isinstance(source, SourceFile)
    assert (source.path, source.text, source.size, source.is_html) == ("sub/a.txt", "Hello Mali", 10, False)
    assert len(source.content_hash) == 32 and source.mtime > 0


def test_html_pages_are_recognised_by_content_too(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"page.txt": "<!DOCTYPE html><html><body><p>Hi there</p></body></html>"})
    source = read_source(tmp_path / "page.txt", tmp_path, max_bytes=1000)
    assert isinstance(source, SourceFile) and source.is_html


@pytest.mark.parametrize(
    "make", [lambda p: p / "missing", lambda p: write_corpus(p, {"f.txt": "x"}) / "f.txt"]
)
def test_check_corpus_dir_refuses_what_is_not_a_folder(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CorpusNotFoundError):
        check_corpus_dir(make(tmp_path))


@pytest.mark.parametrize(
    ("sidecar", "title", "authors"),
    [
        (
            '{"title": "\'Genocide\' charged", "authors": ["Jane Doe", "John Roe"]}',
            "'Genocide' charged",
            ("Jane Doe", "John Roe"),
        ),
        (
            '{"title": "\\"No collusion,\\" he said", "author": "Jane Doe"}',
            '"No collusion," he said',
            ("Jane Doe",),
        ),
        ('{"title": "  Spaced \\n  out  "}', "Spaced out", None),
    ],
)
def test_a_sidecar_is_read_as_given(
    tmp_path: Path, sidecar: str, title: str, authors: tuple[str, ...] | None
) -> None:
    write_corpus(tmp_path, {"a.txt": "Body text of the story.", "a.meta.json": sidecar})
    source = read_source(tmp_path / "a.txt", tmp_path, 10_000)
    assert isinstance(source, SourceFile)
    assert (source.given.title, source.given.authors, source.warnings) == (title, authors, ())


FRONT_MATTER = """---
title: 'Barr ''assigns prosecutor'' to review inquiry'
date: 2019-05-14 09:30:00 -0400
source: "Fox News"
authors:
  - Jane Doe
  - "John Roe"
tags: [politics, justice]
---
Body text of the story.
"""


@pytest.mark.parametrize(
    ("block", "title", "authors"),
    [
        (FRONT_MATTER, "Barr 'assigns prosecutor' to review inquiry", ("Jane Doe", "John Roe")),
        (
            '---\ntitle: "\\"Lock her up\\": the chant returns"\nauthors: [Jane Doe, "Roe, John"]\n---\nBody.\n',
            '"Lock her up": the chant returns',
            ("Jane Doe", "Roe, John"),
        ),
        (
            "---\ntitle: Trump: the interview\nauthor: Jane Doe\n---\nBody.\n",
            "Trump: the interview",
            ("Jane Doe",),
        ),
        ("---\ntitle: 'Genocide' charged in Myanmar\n---\nBody.\n", "'Genocide' charged in Myanmar", None),
    ],
)
def test_front_matter_is_read_as_yaml_writes_it(
    tmp_path: Path, block: str, title: str, authors: tuple[str, ...] | None
) -> None:
    write_corpus(tmp_path, {"a.txt": block})
    source = read_source(tmp_path / "a.txt", tmp_path, 10_000)
    assert isinstance(source, SourceFile)
    assert (source.given.title, source.given.authors) == (title, authors)
    assert source.text.strip() in ("Body text of the story.", "Body.")
    if block == FRONT_MATTER:
        assert (source.given.date, source.given.source, source.given.given_by) == (
            "2019-05-14 09:30:00 -0400",
            "Fox News",
            "front-matter",
        )


def test_links_leading_out_of_the_corpus_are_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "private"
    write_corpus(
        outside, {"secret.txt": "The password is swordfish.", "secret.meta.json": '{"title": "leak"}'}
    )
    corpus = write_corpus(
        tmp_path / "corpus", {"real.txt": "Oil rose on Monday.", "sub/kept.txt": "Cocoa fell."}
    )
    (corpus / "out.txt").symlink_to(outside / "secret.txt")
    (corpus / "proc.txt").symlink_to("/proc/self/status")
    (corpus / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "inside.txt").symlink_to(corpus / "sub" / "kept.txt")  # a link within the folder is followed
    (corpus / "real.meta.json").symlink_to(outside / "secret.meta.json")
    (corpus / "linked-folder").symlink_to(outside, target_is_directory=True)  # never walked into

    found = {Path(p).name for p in survey(corpus).paths}
    assert "secret.txt" not in found
    reasons = {name: read_source(corpus / name, corpus, max_bytes=10_000) for name in sorted(found)}
    for name in ("out.txt", "proc.txt", "dangling.txt"):
        assert reasons[name] == SkippedFile(name, "a link to a file outside the corpus folder")
    inside = reasons["inside.txt"]
    assert isinstance(inside, SourceFile) and inside.text.strip() == "Cocoa fell."
    real = reasons["real.txt"]
    assert isinstance(real, SourceFile) and real.given.title is None
    assert real.warnings == ("real.meta.json: a link to a file outside the corpus folder; ignored",)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.com/a", True),
        ("HTTP://example.com/b", True),
        ("javascript:alert(document.cookie)", False),
        (" JavaScript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("data:text/html,<script>x</script>", False),
        ("//example.com/c", False),
    ],
)
def test_only_web_addresses_are_kept_as_a_document_url(tmp_path: Path, url: str, kept: bool) -> None:
    write_corpus(tmp_path, {"a.txt": "Oil rose.", "a.meta.json": json.dumps({"url": url})})
    source = read_source(tmp_path / "a.txt", tmp_path, max_bytes=10_000)
    assert isinstance(source, SourceFile)
    assert (source.given.url == url.strip()) is kept
    assert bool(source.warnings) is not kept


def test_control_characters_are_not_kept_as_text(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Cocoa\x1b[2J rose\x07.\x0cPage two.\x0bEnd\x7f.\r\n\tTabbed.")
    source = read_source(tmp_path / "a.txt", tmp_path, max_bytes=10_000)
    assert isinstance(source, SourceFile)
    assert source.text == "Cocoa[2J rose.\nPage two.\nEnd.\r\n\tTabbed."


def test_a_surveyed_folder_gives_each_file_the_signature_its_own_stats_give(tmp_path: Path) -> None:
    """survey() notes which sidecars exist, so file_signature() stat()s only those: the same signatures
    (a sidecar of either name, none, one beside a file of another name), and the same ids as pathlib's."""
    write_corpus(
        tmp_path,
        {
            "a.txt": "A", "a.meta.json": "{}", "b.txt": "B", "b.txt.meta.json": "{}", "c.html": "<p>C</p>",
            "sub/d.txt": "D", "sub/d.meta.json": "{}", "sub/e.txt": "E", "f.meta.json": "{}",
            ".hidden/g.txt": "G",
        },
    )  # fmt: skip
    surveyed = survey(tmp_path)
    assert len(surveyed.paths) == 5
    assert surveyed.sidecars == {
        str(tmp_path / n) for n in ("a.meta.json", "b.txt.meta.json", "sub/d.meta.json", "f.meta.json")
    }
    for path, doc_id in zip(surveyed.paths, surveyed.ids, strict=True):
        assert file_signature(path, surveyed.sidecars) == file_signature(Path(path))
        assert doc_id == relative_id(Path(path), tmp_path) == Path(path).relative_to(tmp_path).as_posix()
    assert [file_signature(p)[2] > 0 for p in surveyed.paths] == [True, True, False, True, False]  # type: ignore[index]


def test_a_file_whose_name_is_not_utf8_gets_the_same_id_from_the_walk_as_from_its_path(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    odd = Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9.txt"))
    odd.write_text("Coffee prices", encoding="utf-8")
    surveyed = survey(tmp_path)
    assert surveyed.ids == (relative_id(odd, tmp_path),) == ("sub/caf\\xe9.txt",)
    assert index_corpus(tmp_path, tmp_path.parent / "index").added == 1
    assert index_corpus(tmp_path, tmp_path.parent / "index").unchanged == 1


def test_a_file_dated_past_what_64_bits_of_nanoseconds_hold_is_indexed_and_found_unchanged(
    tmp_path: Path,
) -> None:
    """A file dated after 2262 (a bad clock, a damaged archive) has a time past 64 bits of nanoseconds,
    which the catalog (SQLite's integers) cannot hold: the run stopped with a traceback after its commit."""
    corpus = write_corpus(
        tmp_path / "corpus", {"far.txt": "Oil prices rose in Mali.", "near.txt": "Cocoa fell."}
    )
    far = 2**63 + 10**15
    os.utime(corpus / "far.txt", ns=(far, far))
    if os.stat(corpus / "far.txt").st_mtime_ns != far:
        pytest.skip("this file system does not keep such a date")
    assert index_corpus(corpus, tmp_path / "index").added == 2
    again = index_corpus(corpus, tmp_path / "index")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert open_index(tmp_path / "index").search("oil", limit=5).total == 1
