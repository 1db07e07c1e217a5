"""The catalog: what the index holds of each document's source (its file's size, mtime and sidecar's
mtime, and its text's hash), so that an indexing run reads only the files that changed.

It is an SQLite database (the standard library's sqlite3, in WAL mode) beside the index. A run that
changes nothing reads it in one query and writes nothing; a run writes only the rows it changed, in one
transaction after each commit of the index, so the catalog is never ahead of what the index holds (a
run stopped between the two leaves files that are read again and found unchanged by their hash). It
was a JSON file (catalog.json) read and rewritten whole by every run: 0.6 s of a no-op run's 2.8 s at
41,578 articles, and by the projection about 34 s of one at a million. An index written then is read
from that file until its next run writes the catalog here, whole, and removes the file.
"""

from __future__ import annotations

import errno
import sqlite3
import struct
from collections.abc import Collection, Iterable, Iterator, Mapping, MutableMapping
from contextlib import closing, suppress
from pathlib import Path

from ..models import CatalogEntry
from .folder import read_json_table

CATALOG_NAME = "catalog.sqlite3"
OLD_CATALOG_NAME = "catalog.json"  # indexes written before the SQLite catalog
APP_DOCUMENT = (-1, -1, -1)  # how a row spells the signature of a document an app added (None)
_TABLE = (
    "CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, size INTEGER NOT NULL, "
    "mtime INTEGER NOT NULL, sidecar INTEGER NOT NULL, hash TEXT NOT NULL) WITHOUT ROWID"
)
# What SQLite says when the folder cannot take a write, as the errno the index's other writes fail with.
_WRITE_FAILURES = {"database or disk is full": errno.ENOSPC, "readonly database": errno.EROFS}


def catalog_files(index_dir: Path) -> list[Path]:
    """The catalog's files as they may stand in the folder (the database, its WAL and shared memory)."""
    path = index_dir / CATALOG_NAME
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


Row = tuple[str, int, int, int, str]  # id, size, mtime, sidecar's mtime, hash
_PACKED = struct.Struct("<qqq")  # a packed row: the signature's three numbers, then the hash's UTF-8


class Catalog(MutableMapping[str, CatalogEntry]):
    """Each document's CatalogEntry by id, kept as the rows the database holds: an entry is made when
    one is asked for. A run that finds nothing changed compares a million files' signatures with their
    rows (unchanged()) and makes no entry; making one a row was 2.4 s of such a run's 12.

    The rows read from the database are the tuples SQLite gives; a row a run writes is kept packed in
    one bytes object (~90 bytes, where a tuple of five with its numbers and hash took ~240: ~150 MB of
    a rebuild's parent process at a million files)."""

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        self._rows: dict[str, Row | bytes] = {row[0]: row for row in rows}

    def __getitem__(self, doc_id: str) -> CatalogEntry:
        _, size, mtime, sidecar, hashed = self._row(doc_id, self._rows[doc_id])
        signature = (size, mtime, sidecar)
        return CatalogEntry(None if signature == APP_DOCUMENT else signature, hashed)

    def __setitem__(self, doc_id: str, entry: CatalogEntry) -> None:
        size, mtime, sidecar = entry.signature or APP_DOCUMENT
        self._rows[doc_id] = _PACKED.pack(size, mtime, sidecar) + entry.content_hash.encode("utf-8")

    def __delitem__(self, doc_id: str) -> None:
        del self._rows[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._rows

    @staticmethod
    def _row(doc_id: str, row: Row | bytes) -> Row:
        if isinstance(row, bytes):
            size, mtime, sidecar = _PACKED.unpack_from(row)
            return doc_id, size, mtime, sidecar, row[_PACKED.size :].decode("utf-8")
        return row

    def unchanged(self, doc_id: str, signature: tuple[int, int, int]) -> bool:
        """Whether the catalog holds the file of this id with this signature."""
        row = self._rows.get(doc_id)
        if row is None or signature == APP_DOCUMENT:
            return False
        return (row[1:4] if isinstance(row, tuple) else _PACKED.unpack_from(row)) == signature

    def file_ids(self) -> set[str]:
        """The ids of the documents that are files (not those apps added)."""
        return {doc_id for doc_id, row in self._rows.items() if self._row(doc_id, row)[1:4] != APP_DOCUMENT}

    def app_ids(self) -> list[str]:
        """The ids of the documents apps added (no file behind them)."""
        return [doc_id for doc_id, row in self._rows.items() if self._row(doc_id, row)[1:4] == APP_DOCUMENT]

    def hashes(self) -> dict[str, str]:
        """Each document's text hash by id."""
        return {doc_id: self._row(doc_id, row)[4] for doc_id, row in self._rows.items()}

    def copy(self) -> Catalog:
        copied = Catalog()
        copied._rows = dict(self._rows)
        return copied

    def rows(self, ids: Iterable[str]) -> Iterator[Row]:
        return (self._row(doc_id, self._rows[doc_id]) for doc_id in ids)


def read_catalog(index_dir: Path) -> Catalog:
    """What the index holds of each document's source, without opening Whoosh; empty when the catalog
    is missing or cannot be read (every file is then read again, and kept where its hash is unchanged)."""
    path = index_dir / CATALOG_NAME
    if not path.is_file():
        return _read_old(index_dir)
    try:
        with closing(sqlite3.connect(path, timeout=30)) as connection:
            return Catalog(connection.execute("SELECT id, size, mtime, sidecar, hash FROM documents"))
    except sqlite3.Error:
        return Catalog()


def _read_old(index_dir: Path) -> Catalog:
    """The catalog of an index written before this one: id -> [size, mtime, sidecar mtime, hash]."""
    raw = read_json_table(index_dir / OLD_CATALOG_NAME)
    return Catalog(
        (doc_id, e[0], e[1], e[2], e[3]) for doc_id, e in raw.items() if isinstance(e, list) and len(e) == 4
    )


def write_catalog(
    index_dir: Path, catalog: Mapping[str, CatalogEntry], changed: Collection[str] | None = None
) -> None:
    """Record the catalog after a commit: the rows of the ids in changed (added, replaced, touched or
    removed: those catalog lacks), in one transaction; all of it when changed is None, or when the
    folder holds no catalog of ours yet, or a damaged one. A write the folder cannot take (a full disk,
    a read-only folder) is an OSError with its errno, as the index's other writes fail."""
    path = index_dir / CATALOG_NAME
    if changed is not None and not changed and path.is_file():
        return  # (a run that changed nothing writes nothing)
    try:
        try:
            _write(path, catalog, None if not path.is_file() else changed)
        except sqlite3.DatabaseError as error:
            if not sqlite_damaged(error):
                raise
            for stale in catalog_files(index_dir):  # damaged: made again, whole
                with suppress(FileNotFoundError):
                    stale.unlink()
            _write(path, catalog, None)
    except sqlite3.Error as error:
        raise OSError(sqlite_errno(error) or errno.EIO, str(error), str(path)) from None
    with suppress(FileNotFoundError):
        (index_dir / OLD_CATALOG_NAME).unlink()


def sqlite_damaged(error: sqlite3.Error) -> bool:
    """Whether SQLite says the database itself is damaged (not a database, malformed), not that it
    could not be written or was locked past the timeout: only that is made again from nothing."""
    code = getattr(error, "sqlite_errorcode", None)  # (Python 3.11+)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    message = str(error)
    return "file is not a database" in message or "malformed" in message


def sqlite_errno(error: sqlite3.Error) -> int | None:
    """The errno of a write SQLite could not make (a full disk, a read-only folder), else None."""
    message = str(error)
    return next((number for words, number in _WRITE_FAILURES.items() if words in message), None)


def _write(path: Path, catalog: Mapping[str, CatalogEntry], changed: Collection[str] | None) -> None:
    with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        # A transaction lost to a power cut only makes the next run hash those files again.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(_TABLE)
        connection.execute("BEGIN IMMEDIATE")
        try:
            if changed is None:
                connection.execute("DELETE FROM documents")
                ids: Collection[str] = catalog.keys()
            else:
                gone = [(doc_id,) for doc_id in changed if doc_id not in catalog]
                connection.executemany("DELETE FROM documents WHERE id = ?", gone)
                ids = [doc_id for doc_id in changed if doc_id in catalog]
            connection.executemany(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?)", _rows(catalog, ids)
            )
            connection.execute("COMMIT")
        except BaseException:
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise


def _rows(catalog: Mapping[str, CatalogEntry], ids: Collection[str]) -> Iterator[Row]:
    if isinstance(catalog, Catalog):
        yield from catalog.rows(ids)
        return
    for doc_id in ids:
        entry = catalog[doc_id]
        size, mtime, sidecar = entry.signature or APP_DOCUMENT
        yield doc_id, size, mtime, sidecar, entry.content_hash
