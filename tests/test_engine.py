from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import whoosh.index

from search import engine
from search.errors import IndexDamagedError, IndexLockedError, IndexNeedsRebuildError, IndexNotFoundError
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


def terms(text: str) -> list[str]:
    return [t.text for t in engine.text_analyzer()(text)]


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("Touré", "Toure"),
        ("condemns", "condemn"),
        ("The ELECTIONS", "election"),
        ("Sévaré Mali’s", "Sevare mali"),
    ],
)
def test_analyzer_folds_accents_lowercases_stems_and_drops_stop_words(text: str, same_as: str) -> None:
    assert terms(text) == terms(same_as) != []


def test_schema_has_the_fields_later_stages_rely_on() -> None:
    schema = engine.build_schema()
    assert set(schema.names()) >= {
        "id",
        "path",
        "title",
        "body",
        "date",
        "actors",
        "size",
        "mtime",
        "content_hash",
    }
    assert schema["body"].stored and schema["actors"].scorable and schema["date"].column_type is not None


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


def test_manifest_records_format_and_schema_version(tmp_path: Path) -> None:
    build(tmp_path / "index")
    manifest = engine.read_manifest(tmp_path / "index")
    assert manifest["schema_version"] == engine.SCHEMA_VERSION
    assert manifest["corpus_root"] == str(tmp_path)


def test_manifest_records_the_cleaner_state_set_on_the_build(tmp_path: Path) -> None:
    with engine.writing(tmp_path / "index", tmp_path, timeout=0.1, rebuild=True) as build:
        build.add(DOCS[0])
        build.cleaner = {"version": 7, "repeated_lines": ["Share this"]}
    assert engine.read_manifest(tmp_path / "index")["cleaner"] == {
        "version": 7,
        "repeated_lines": ["Share this"],
    }


def test_missing_or_empty_folder_has_no_index(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".gitignore").write_text("*\n")
    for folder in (tmp_path / "missing", tmp_path / "empty"):
        with pytest.raises(IndexNotFoundError, match="run 'search index' first"):
            engine.EngineIndex(folder)


def test_a_foreign_folder_is_never_written_to(tmp_path: Path) -> None:
    precious = tmp_path / "thesis.txt"
    precious.write_text("years of work")
    with pytest.raises(IndexDamagedError, match="not a search index"):
        write(tmp_path, DOCS)
    with pytest.raises(IndexDamagedError, match="not a search index"):
        engine.EngineIndex(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.txt"]


def test_damaged_index_is_reported_then_rebuilt(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(IndexDamagedError, match="search index"):
        engine.EngineIndex(index_dir)
    assert build(index_dir).document_count() == 2


def test_garbled_manifest_is_damage_not_foreignness(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    (index_dir / engine.MANIFEST_NAME).write_text("{not json")
    with pytest.raises(IndexDamagedError, match="is damaged"):
        engine.EngineIndex(index_dir)
    assert build(index_dir).document_count() == 2


def test_old_schema_version_needs_a_rebuild(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    manifest_path = index_dir / engine.MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "schema_version": 0}))
    with pytest.raises(IndexNeedsRebuildError, match="schema version 0"):
        engine.EngineIndex(index_dir)


def test_a_held_write_lock_gives_index_locked(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    other_writer = whoosh.index.open_dir(str(index_dir)).writer()
    try:
        with pytest.raises(IndexLockedError, match="locked by another indexing run"):
            write(index_dir, DOCS)
    finally:
        other_writer.cancel()
    assert build(index_dir).document_count() == 2


def test_a_failed_run_leaves_the_previous_index_searchable(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)

    def failing_documents():  # type: ignore[no-untyped-def]
        yield Document(id="c.txt", title="New", body="new text")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write(index_dir, failing_documents())
    index = engine.EngineIndex(index_dir)
    assert index.document_count() == 2
    assert index.search(engine.SearchRequest("coup", limit=5)).hits[0].id == "a.txt"


ANALYZER_TEXTS = [
    "Touré's al-Shabaab fighters e-mailed the U.S. envoy at 3.5 p.m. on Mali's border.",
    "I a an the of: A Coup! Coups, couping; COUPED? Ünïcödé wörds and 2012-03-23.",
    "",
    "the a an",
]


@pytest.mark.parametrize("text", ANALYZER_TEXTS)
def test_fast_body_terms_are_the_analyzers_terms(text: str) -> None:
    assert engine.body_terms(text) == Counter(token.text for token in engine.text_analyzer()(text))


@pytest.mark.parametrize("text", ANALYZER_TEXTS)
def test_fast_body_tokens_are_the_analyzers_tokens_for_highlighting(text: str) -> None:
    def shape(tokens: Iterable[Any]) -> list[tuple[object, ...]]:
        return [(t.text, t.pos, t.startchar, t.endchar, t.stopped) for t in tokens]

    expected = engine.text_analyzer()(text, positions=True, chars=True, mode="index", removestops=False)
    assert shape(engine.body_tokens(text, frozenset())) == shape(expected)
    assert [t.startchar for t in engine.body_tokens(text, frozenset({"coup"})) if t.matched] == [
        m.start() for m in re.finditer(r"(?i)coup", text)
    ]


def test_the_view_file_reads_as_bytesio_does_without_copying() -> None:
    data = b"first line\nsecond\n\x00\x01binary tail"
    view, copy = engine._ViewFile(memoryview(data)), io.BytesIO(data)
    steps = [("read", (4,)), ("readline", ()), ("tell", ()), ("seek", (3,)), ("read", (2,)), ("seek", (-4, 2)),
             ("read", ()), ("read", (5,)), ("seek", (2, 1)), ("tell", ()), ("seek", (0,)), ("readline", (3,))]  # fmt: skip
    for name, args in steps:
        assert getattr(view, name)(*args) == getattr(copy, name)(*args), (name, args)


def test_whooshs_buffer_files_read_in_place() -> None:
    from whoosh.filedb.structfile import BufferFile

    buffered = BufferFile(memoryview(b"\x00\x00\x00\x05rest"))
    assert (
        isinstance(buffered.file, engine._ViewFile)
        and buffered.read_int() == 5
        and buffered.read() == b"rest"
    )
