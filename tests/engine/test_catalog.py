"""The catalog in SQLite (engine/catalog.py): what is written is what is read, a run writes only the rows
it changed and a run that changes nothing writes nothing, an index written with catalog.json is read
from it and moved over at its next write, and a damaged catalog is made again."""

from __future__ import annotations

import errno
import json
import os
import random
import sqlite3
import tracemalloc
from contextlib import closing
from pathlib import Path

import pytest

from search import index_corpus, open_index
from search.engine.catalog import (
    APP_DOCUMENT,
    CATALOG_NAME,
    OLD_CATALOG_NAME,
    Catalog,
    catalog_files,
    read_catalog,
    sqlite_damaged,
    sqlite_errno,
    write_catalog,
)
from search.models import CatalogEntry

from ..conftest import write_corpus


def entries(count: int, seed: int) -> dict[str, CatalogEntry]:
    rng = random.Random(seed)
    return {
        f"{n:04d}/é {n}.txt": CatalogEntry(
            None if n % 7 == 0 else (rng.randint(0, 10**6), rng.randint(0, 2**62), rng.choice([0, 2**61])),
            f"{rng.getrandbits(64):016x}",
        )
        for n in range(count)
    }


def test_what_is_written_is_read_back(tmp_path: Path) -> None:
    catalog = entries(500, 1)
    write_catalog(tmp_path, catalog)
    assert read_catalog(tmp_path) == catalog
    assert sum(not entry.is_file for entry in read_catalog(tmp_path).values()) == 72  # apps' documents


def test_an_update_writes_the_rows_it_changed_and_only_those(tmp_path: Path) -> None:
    rng = random.Random(2)
    catalog = entries(300, 3)
    write_catalog(tmp_path, catalog)
    for _ in range(20):
        changed = set(rng.sample(sorted(catalog), 15))
        for doc_id in changed:
            if rng.random() < 0.3:
                del catalog[doc_id]
            else:
                catalog[doc_id] = CatalogEntry((1, 2, 3), "changed")
        new = f"new-{rng.random()}.txt"
        catalog[new] = CatalogEntry((4, 5, 6), "new")
        write_catalog(tmp_path, catalog, changed | {new})
        assert read_catalog(tmp_path) == catalog
    # Rows outside changed are left as they are, whatever the mapping says of them.
    some = next(iter(catalog))
    write_catalog(tmp_path, {**catalog, some: CatalogEntry((9, 9, 9), "not written")}, set())
    assert read_catalog(tmp_path)[some] == catalog[some]


def test_an_index_written_with_catalog_json_is_read_from_it_and_moved_over(tmp_path: Path) -> None:
    old = {"a.txt": [10, 20, 0, "aa"], "app-doc": [-1, -1, -1, "bb"], "bad": [1, 2]}
    (tmp_path / OLD_CATALOG_NAME).write_text(json.dumps(old), encoding="utf-8")
    expected = {"a.txt": CatalogEntry((10, 20, 0), "aa"), "app-doc": CatalogEntry(None, "bb")}
    assert read_catalog(tmp_path) == expected
    # The first write (an update's, naming one row) writes the whole catalog, and the old file goes.
    write_catalog(tmp_path, {**expected, "c.txt": CatalogEntry((1, 1, 1), "cc")}, {"c.txt"})
    assert not (tmp_path / OLD_CATALOG_NAME).exists()
    assert read_catalog(tmp_path) == {**expected, "c.txt": CatalogEntry((1, 1, 1), "cc")}


def test_a_damaged_catalog_reads_as_empty_and_is_made_again_whole(tmp_path: Path) -> None:
    catalog = entries(50, 4)
    write_catalog(tmp_path, catalog)
    (tmp_path / CATALOG_NAME).write_bytes(b"\x80garbled\x00" * 10)
    assert read_catalog(tmp_path) == {}
    write_catalog(tmp_path, catalog, {next(iter(catalog))})
    assert read_catalog(tmp_path) == catalog


def test_a_full_disk_is_an_os_error_with_its_errno_and_only_damage_is_remade() -> None:
    assert sqlite_errno(sqlite3.OperationalError("database or disk is full")) == errno.ENOSPC
    assert sqlite_errno(sqlite3.OperationalError("attempt to write a readonly database")) == errno.EROFS
    assert sqlite_errno(sqlite3.OperationalError("no such table: documents")) is None


def test_only_a_damaged_database_is_taken_for_damage(tmp_path: Path) -> None:
    """A database that is not one is made again; one locked past the timeout is an error, not damage
    (the catalog and the actor table would be thrown away and made again from nothing)."""
    garbled = tmp_path / "garbled.sqlite3"
    garbled.write_bytes(b"\x80garbled\x00" * 100)
    with pytest.raises(sqlite3.DatabaseError) as damaged, closing(sqlite3.connect(garbled)) as connection:
        connection.execute("SELECT * FROM sqlite_master").fetchall()
    assert sqlite_damaged(damaged.value)
    locked = tmp_path / "locked.sqlite3"
    with closing(sqlite3.connect(locked, isolation_level=None)) as holder:
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN EXCLUSIVE")
        with (
            pytest.raises(sqlite3.OperationalError) as busy,
            closing(sqlite3.connect(locked, timeout=0)) as other,
        ):
            other.execute("SELECT * FROM t").fetchall()
    assert not sqlite_damaged(busy.value) and "locked" in str(busy.value)


def test_a_run_that_changes_nothing_writes_nothing_and_an_edit_writes_its_row(tmp_path: Path) -> None:
    """A no-op run commits no generation to the index, writes no copy groups and no catalog row (only
    the manifest says when it ran); an edit and a removal write their rows."""
    stories = {f"{n}.txt": f"Story {n}\nMali talks {n}.\n" for n in range(30)}
    corpus = write_corpus(tmp_path / "corpus", stories)
    index_dir = tmp_path / "index"
    index_corpus(corpus, index_dir)

    def written() -> dict[str, int]:
        kept = [*catalog_files(index_dir), index_dir / "copies.json", *index_dir.glob("_MAIN_*.toc")]
        return {path.name: path.stat().st_mtime_ns for path in kept if path.exists()}

    before = written()
    assert not (index_dir / OLD_CATALOG_NAME).exists() and CATALOG_NAME in before and "copies.json" in before
    assert index_corpus(corpus, index_dir).unchanged == 30
    assert written() == before
    assert open_index(index_dir).search("talks").total == 30
    (corpus / "3.txt").write_text("Story 3\nMali talks, edited.\n", encoding="utf-8")
    os.utime(corpus / "3.txt", ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    (corpus / "4.txt").unlink()
    report = index_corpus(corpus, index_dir)
    assert (report.updated, report.removed) == (1, 1)
    catalog = read_catalog(index_dir)
    assert "4.txt" not in catalog and catalog["3.txt"].signature[1] == 1_700_000_000_000_000_000  # type: ignore[index]
    assert len(catalog) == 29


@pytest.mark.parametrize("entries_count", [0, 1])
def test_an_empty_catalog_is_a_catalog(tmp_path: Path, entries_count: int) -> None:
    catalog = entries(entries_count, 5)
    write_catalog(tmp_path, catalog)
    assert read_catalog(tmp_path) == catalog


def test_a_catalog_read_answers_without_making_an_entry_a_row(tmp_path: Path) -> None:
    """What a run that changes nothing asks (unchanged, file_ids) agrees with the entries, and the entries
    with what was written, an app's documents apart."""
    written = entries(300, 3)
    write_catalog(tmp_path, written)
    catalog = read_catalog(tmp_path)
    files = {doc_id for doc_id, entry in written.items() if entry.signature is not None}
    assert catalog.file_ids() == files and set(catalog.app_ids()) == set(written) - files
    assert catalog.hashes() == {doc_id: entry.content_hash for doc_id, entry in written.items()}
    for doc_id, entry in written.items():
        if entry.signature is not None:
            assert catalog.unchanged(doc_id, entry.signature)
            assert not catalog.unchanged(doc_id, (entry.signature[0] + 1, *entry.signature[1:]))
        assert not catalog.unchanged(doc_id, (-1, -1, -1))
    assert not catalog.unchanged("missing.txt", (1, 2, 3))
    copied = catalog.copy()
    del copied["0001/é 1.txt"]
    copied["new.txt"] = CatalogEntry((1, 2, 3), "ab")
    assert "0001/é 1.txt" in catalog and "new.txt" not in catalog and copied["new.txt"].signature == (1, 2, 3)


def _made_anew(entry: CatalogEntry) -> CatalogEntry:
    """The entry with numbers and a hash of its own, made here as a run makes them (kept by the row)."""
    if entry.signature is None:
        return CatalogEntry(None, entry.content_hash[::-1])
    size, mtime, sidecar = entry.signature
    return CatalogEntry((size + 2**40, mtime + 1, sidecar + 2**40), entry.content_hash[::-1])


def test_rows_a_run_writes_are_kept_packed_and_read_back_as_written(tmp_path: Path) -> None:
    """A run's rows are kept in ~90 bytes each (a million in a rebuild's parent), and answer as the
    entries they were made from, beside rows read from the database."""
    write_catalog(tmp_path, entries(50, 6))
    catalog = read_catalog(tmp_path)
    read = dict(catalog)
    given = entries(2_000, 5)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for doc_id, entry in given.items():
        catalog[doc_id] = _made_anew(entry)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert held / 2_000 < 150  # (tuples of five: ~265 bytes a row with their numbers and hash)
    written = {doc_id: _made_anew(entry) for doc_id, entry in given.items()}
    assert dict(catalog) == read | written
    assert all(catalog.unchanged(d, e.signature) for d, e in written.items() if e.signature is not None)
    assert not any(catalog.unchanged(d, (1, 1, 1)) for d in written)
    assert not catalog.unchanged("0007/é 7.txt", APP_DOCUMENT)  # (an app's document has no file)
    assert catalog.file_ids() == {d for d, e in (read | written).items() if e.signature is not None}
    assert sorted(catalog.app_ids()) == sorted(d for d, e in (read | written).items() if e.signature is None)
    assert catalog.hashes() == {d: e.content_hash for d, e in (read | written).items()}
    write_catalog(tmp_path, catalog)
    assert dict(read_catalog(tmp_path)) == dict(catalog) and isinstance(catalog.copy(), Catalog)
