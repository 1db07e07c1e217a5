"""The name and type of each actor an index's documents name, for facets and the alias table: an SQLite
database beside the index (actors.sqlite3), written after each commit as the rows that changed.

They were a JSON file (actors.json) read whole by every run and rewritten whole by nearly every update
(the tagger's name or type for an actor it found varies from document to document): at a million
articles 24 MB for 352,000 actors, 1.6 + 7.2 s of an update of 100 files (cProfile). An index written
then is read from that file until its next run copies it into the table, in the transaction that
writes the run's own rows, and removes it. A table that is damaged, or gone with no file to copy, is
made again whole from the index's documents by the next run that writes names.

Readers open the database read-only, and it keeps SQLite's rollback journal (not the catalog's WAL,
whose read-only readers leave a -wal and -shm file they cannot remove): a query process writes to the
index folder only to roll back what a writer that died mid-transaction left (_reading).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable, Collection, Mapping
from contextlib import closing, suppress
from pathlib import Path

from .catalog import sqlite_damaged, sqlite_errno
from .folder import ACTORS_NAME, read_json_table

log = logging.getLogger(__name__)

ACTOR_TABLE_NAME = "actors.sqlite3"
_TABLE = (
    "CREATE TABLE IF NOT EXISTS actors (id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL) "
    "WITHOUT ROWID"
)
LOOKED_UP_AT_ONCE = 500  # ids one SELECT ... IN (...) names (SQLite before 3.32 took 999 parameters)

ActorTable = dict[str, tuple[str, str]]  # actor id -> name and type


def table_files(index_dir: Path) -> list[Path]:
    """The table's files as they may stand in the folder (the database and its rollback journal)."""
    path = index_dir / ACTOR_TABLE_NAME
    return [path, path.with_name(path.name + "-journal")]


def table_version(index_dir: Path) -> tuple[int, ...]:
    """Changes whenever a run writes the names (the database's identity and the count of writes kept in
    it; else actors.json's mtime and size): a reader keeps what it read while this stays the same."""
    path = index_dir / ACTOR_TABLE_NAME
    with suppress(OSError, sqlite3.Error):
        status = path.stat()
        with closing(_reading(path)) as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            return (status.st_dev, status.st_ino, status.st_ctime_ns, version)
    with suppress(OSError):
        status = (index_dir / ACTORS_NAME).stat()
        return (status.st_mtime_ns, status.st_size)
    return ()


def read_actor_names(index_dir: Path, ids: Collection[str] | None = None) -> ActorTable | None:
    """The name and type of each actor the index's documents were written with (of the ids asked for,
    when given), from the table; None when the index keeps none (one written before it, or whose
    first write of it failed: see read_old_actor_names), {} when it cannot be read (facets then name
    an actor from a document)."""
    path = index_dir / ACTOR_TABLE_NAME
    if not path.is_file():
        return None
    try:
        with closing(_reading(path)) as connection:
            return _rows(connection, ids) if _has_table(connection) else None
    except sqlite3.Error:
        return {}


def read_old_actor_names(index_dir: Path) -> ActorTable:
    """actors.json, as indexes written before the table keep it: id -> [name, type]; {} if none."""
    raw = read_json_table(index_dir / ACTORS_NAME)
    return {actor_id: (e[0], e[1]) for actor_id, e in raw.items() if isinstance(e, list) and len(e) == 2}


def write_actor_names(
    index_dir: Path,
    names: Mapping[str, tuple[str, str]],
    whole: bool,
    every: Callable[[], ActorTable],
    wanted: Collection[str] = (),
) -> ActorTable:
    """Record the names and types a run wrote its documents' actors with, and give the wanted ids'
    names as the table then holds them (for the alias table). Whole (a rebuild): these rows alone; else
    those of them that differ from the table's or are new, in one transaction, after the names before
    the run when the table is new: actors.json's, or every() (the names the index's documents give)
    when there is no such file or the table could not be read. A write the folder cannot take (a full
    disk, a read-only folder) is an OSError with its errno, as the index's other writes fail."""
    path = index_dir / ACTOR_TABLE_NAME
    if not names and not whole and not wanted and path.is_file():
        return {}
    try:
        try:
            found = _write(path, index_dir, names, whole, every, wanted)
        except sqlite3.DatabaseError as error:
            if not sqlite_damaged(error):
                raise
            log.warning("the actor table at %s is damaged: made again from the index", path)
            for stale in table_files(index_dir):
                with suppress(FileNotFoundError):
                    stale.unlink()
            found = _write(
                path, index_dir, dict(names) if whole else {**every(), **names}, True, every, wanted
            )
    except sqlite3.Error as error:
        raise OSError(sqlite_errno(error) or errno.EIO, str(error), str(path)) from None
    with suppress(FileNotFoundError):
        (index_dir / ACTORS_NAME).unlink()
    return found


def _write(
    path: Path,
    index_dir: Path,
    names: Mapping[str, tuple[str, str]],
    whole: bool,
    every: Callable[[], ActorTable],
    wanted: Collection[str],
) -> ActorTable:
    with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as connection:
        # Begun before the table is looked for and made: a run that fails copying the old names in
        # leaves no empty table behind for the next run to take as complete.
        connection.execute("BEGIN IMMEDIATE")
        try:
            new = not _has_table(connection)
            connection.execute(_TABLE)
            if whole:
                connection.execute("DELETE FROM actors")
                changed = dict(names)
            else:
                if new:
                    old = index_dir / ACTORS_NAME
                    _insert(connection, read_old_actor_names(index_dir) if old.is_file() else every())
                recorded = _rows(connection, names.keys())
                changed = {key: value for key, value in names.items() if recorded.get(key) != value}
            _insert(connection, changed)
            if new or whole or changed:  # (readers keep what they read while the version stays)
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                connection.execute(f"PRAGMA user_version = {int(version) + 1}")
            found = _rows(connection, wanted)
            connection.execute("COMMIT")
        except BaseException:
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
    return found


def _reading(path: Path) -> sqlite3.Connection:
    """A connection that reads the table: read-only, unless a writer that died mid-transaction left a
    hot journal, which a read-only connection cannot roll back ('attempt to write a readonly
    database'): then one that can, as any SQLite reader would (the one write a query process makes)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        connection.execute("SELECT 1 FROM sqlite_master").fetchall()
    except sqlite3.OperationalError:
        connection.close()
        return sqlite3.connect(path, timeout=30)
    return connection


def _has_table(connection: sqlite3.Connection) -> bool:
    found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'actors'"
    return connection.execute(found).fetchone() is not None


def _rows(connection: sqlite3.Connection, ids: Collection[str] | None) -> ActorTable:
    if ids is None:
        rows = connection.execute("SELECT id, name, type FROM actors")
        return {key: (name, kind) for key, name, kind in rows}
    found: ActorTable = {}
    wanted = list(ids)
    for start in range(0, len(wanted), LOOKED_UP_AT_ONCE):
        chunk = wanted[start : start + LOOKED_UP_AT_ONCE]
        marks = ", ".join("?" * len(chunk))
        rows = connection.execute(f"SELECT id, name, type FROM actors WHERE id IN ({marks})", chunk)
        found.update((key, (name, kind)) for key, name, kind in rows)
    return found


def _insert(connection: sqlite3.Connection, names: Mapping[str, tuple[str, str]]) -> None:
    rows = ((key, name, kind) for key, (name, kind) in names.items())
    connection.executemany("INSERT OR REPLACE INTO actors VALUES (?, ?, ?)", rows)
