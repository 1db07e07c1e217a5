"""The index folder: manifest, foreign and damaged folders, schema versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search import engine
from search.errors import (
    IndexDamagedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    NotAnIndexError,
)
from search.models import CleanerState

from .conftest import (
    DOCS,
    build,
    write,
)


def test_manifest_records_format_and_schema_version(tmp_path: Path) -> None:
    build(tmp_path / "index")
    manifest = engine.read_manifest(tmp_path / "index")
    assert manifest.schema_version == engine.SCHEMA_VERSION and manifest.complete
    assert manifest.corpus_root == str(tmp_path)
    on_disk = json.loads((tmp_path / "index" / engine.MANIFEST_NAME).read_text())
    assert on_disk["format"] == "news-search index" and on_disk["schema_version"] == engine.SCHEMA_VERSION


def test_manifest_records_the_cleaner_state_set_on_the_build(tmp_path: Path) -> None:
    state = CleanerState(version=7, repeated_lines=("Share this",), gazetteer="g1", date_from_mtime=True)
    with engine.writing(tmp_path / "index", tmp_path, timeout=0.1, rebuild=True) as build:
        build.add(DOCS[0])
        build.record_cleaning(state)
    assert engine.read_manifest(tmp_path / "index").cleaner == state


def test_missing_or_empty_folder_has_no_index(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".gitignore").write_text("*\n")
    for folder in (tmp_path / "missing", tmp_path / "empty"):
        with pytest.raises(IndexNotFoundError, match="no index at"):
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
    with pytest.raises(IndexDamagedError, match="is damaged"):
        engine.EngineIndex(index_dir)
    assert build(index_dir).document_count() == 2


def test_a_garbled_manifest_cannot_be_told_from_someone_elses_file_and_is_never_overwritten(
    tmp_path: Path,
) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    (index_dir / engine.MANIFEST_NAME).write_text("{not json")
    with pytest.raises(NotAnIndexError, match="delete the folder and index again"):
        engine.EngineIndex(index_dir)
    with pytest.raises(NotAnIndexError):
        build(index_dir)
    assert (index_dir / engine.MANIFEST_NAME).read_text() == "{not json"


def test_old_schema_version_needs_a_rebuild(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    manifest_path = index_dir / engine.MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "schema_version": 0}))
    with pytest.raises(IndexNeedsRebuildError, match="schema version 0"):
        engine.EngineIndex(index_dir)


@pytest.mark.parametrize("older", [11, 12])
def test_an_older_index_reads_updates_and_is_marked_current_so_older_programs_rebuild(
    tmp_path: Path, older: int
) -> None:
    """Schema 12 dropped the field of unstemmed words, 13 writes postings as arrays: an index of 11 or
    12 needs no rebuild, but once this program wrote documents without that field or segments of
    arrays, a program of 11 or 12 must not update or read it."""
    index_dir = tmp_path / "index"
    build(index_dir)
    manifest_path = index_dir / engine.MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "schema_version": older}))
    assert engine.EngineIndex(index_dir).document_count() >= 1
    with engine.writing(index_dir, None, timeout=1, rebuild=False):
        pass
    assert json.loads(manifest_path.read_text())["schema_version"] == engine.SCHEMA_VERSION == 13
