"""The index folder itself: its manifest, catalog and actor table, the run lock, atomic writes, and
the one-line errors for a folder that is damaged, foreign or cannot be written.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import pickle
import struct
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import whoosh.index

from ..errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    IndexNotWritableError,
    NotAnIndexError,
)
from ..models import Alert, CleanerState, IndexManifest

_log = logging.getLogger(__name__)

# 12: no field of unstemmed words (`words`, once for spelling suggestions). An index of 11 still reads
# and updates (its field is no longer read nor filled) and is marked 12 by its next run, so that a
# program of 11, which would fill the field, asks for a rebuild instead of failing on a document.
# 13: postings kept as arrays in place of Whoosh's blocks (codec.py). Segments of 11 and 12 are still
# read with Whoosh's own code; a program of 12 cannot read the new segments, so it asks for a rebuild.
SCHEMA_VERSION = 13
READABLE_SCHEMAS = frozenset({11, 12, SCHEMA_VERSION})
MANIFEST_NAME = "search-index.json"

ACTORS_NAME = "actors.json"  # id -> [name, type]: indexes written before actornames.py's table
ALIASES_NAME = "actor-aliases.json"  # alias_key() of those actors' names and aliases -> id and name
ALERTS_NAME = "alerts.json"  # the saved searches (search/alerts.py) and their new documents
ALERTS_LOCK_NAME = ".alerts.lock"  # held while the saved searches are read and rewritten
COPIES_NAME = "copies.json"  # the copy groups (copies.py), by document id

RUN_LOCK_NAME = ".indexing.lock"  # made before the manifest, in a folder that is still empty
# What may stand in a folder before our manifest does: our lock and half-written manifest (a first run
# killed early), and a placeholder that keeps an empty folder in version control (this project's index/).
# And the socket of a serving or watching process (search.resident) that was killed.
OWN_LOOSE_FILES = frozenset(
    {RUN_LOCK_NAME, "search-index.tmp", "query.sock", ".gitignore", ".gitkeep", ".keep"}
)
MANIFEST_FORMAT = "news-search index"

# What a write to the index folder fails with when the folder cannot take it: a full disk or quota, a
# read-only file system, permissions or an immutable flag, a file where a folder should be.
WRITE_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENOTDIR,
        errno.EEXIST,
    }
)
# Errors Whoosh raises when the files of an index are missing, truncated or garbled.
DAMAGE_ERRORS = (
    whoosh.index.IndexError, OSError, EOFError, ValueError, KeyError, struct.error,
    pickle.UnpicklingError,
)  # fmt: skip


def _manifest_path(index_dir: Path) -> Path:
    return index_dir / MANIFEST_NAME


def _is_our_manifest(path: Path) -> bool:
    """True when a manifest file is ours: JSON naming this product's index format, or a damaged copy
    of one that still starts as we write it (cut short by a full disk, say), which a rebuild repairs."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
        manifest = json.loads(text)
    except OSError:
        return False
    except json.JSONDecodeError:
        return text.startswith(f'{{\n "format": "{MANIFEST_FORMAT}"')
    return isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT


def _check_not_foreign(index_dir: Path) -> None:
    """Refuse any folder but a missing one, an empty one, or one holding our own manifest.

    A user's folder is never written into or 'repaired', whatever it holds: their own
    search-index.json, a .git folder, a single .env file.
    """
    if index_dir.exists() and not index_dir.is_dir():
        raise NotAnIndexError(f"{index_dir} is a file, not an index folder")
    if not index_dir.is_dir():
        return
    if _manifest_path(index_dir).is_file():
        if _is_our_manifest(_manifest_path(index_dir)):
            return
        raise NotAnIndexError(
            f"{index_dir} holds a {MANIFEST_NAME} that is not a search index's; nothing was written: "
            "give an empty folder or one of our index folders (if this was an index whose "
            f"{MANIFEST_NAME} was damaged, delete the folder and index again)"
        )
    others = sorted(p.name for p in index_dir.iterdir() if p.name not in OWN_LOOSE_FILES)
    if others:
        more = f" and {len(others) - 1} more" if len(others) > 1 else ""
        raise NotAnIndexError(
            f"{index_dir} is not a search index (it holds {others[0]!r}{more}); nothing was written: "
            "give an empty folder or one of our index folders"
        )


def read_manifest(index_dir: Path) -> IndexManifest:
    """The index's manifest, checked: raises if there is no index or it is not ours."""
    _check_not_foreign(index_dir)
    path = _manifest_path(index_dir)
    if not path.is_file():
        raise IndexNotFoundError(f"no index at {index_dir}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(index_dir, error) from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise _damaged(index_dir, ValueError(f"{MANIFEST_NAME} is not ours"))
    if manifest.get("schema_version") not in READABLE_SCHEMAS:
        raise IndexNeedsRebuildError(
            f"index at {index_dir} has schema version {manifest.get('schema_version')}, "
            f"this program needs {SCHEMA_VERSION}"
        )
    try:
        return _manifest_from_json(manifest)
    except (TypeError, ValueError) as error:
        raise _damaged(index_dir, error) from None


def _manifest_from_json(data: dict[str, Any]) -> IndexManifest:
    cleaner = data.get("cleaner") or {}
    return IndexManifest(
        schema_version=int(data["schema_version"]),
        corpus_root=str(data["corpus_root"]) if data.get("corpus_root") else None,
        updated=str(data["updated"]) if data.get("updated") else None,
        cleaner=CleanerState(
            version=cleaner.get("version"),
            repeated_lines=tuple(cleaner.get("repeated_lines", ())),
            gazetteer=cleaner.get("gazetteer"),
            actors_files=tuple(cleaner.get("actors_files", ())),
            date_from_mtime=bool(cleaner.get("date_from_mtime", False)),
        ),
        complete=bool(data.get("complete", True)),
    )


def _write_manifest(
    index_dir: Path, corpus_root: Path | None, cleaner: CleanerState | None = None, complete: bool = True
) -> None:
    """Record what this index is and how its documents were cleaned, atomically.

    A new index is marked incomplete until its first build commits: a first build that was killed
    leaves a folder that the next run builds again (rather than one whose cleaning it cannot check).
    """
    cleaner = cleaner or CleanerState()
    manifest = {
        "format": MANIFEST_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "corpus_root": str(corpus_root) if corpus_root else None,
        "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cleaner": {
            "version": cleaner.version,
            "repeated_lines": list(cleaner.repeated_lines),
            "gazetteer": cleaner.gazetteer,
            "actors_files": list(cleaner.actors_files),
            "date_from_mtime": cleaner.date_from_mtime,
        },
        "complete": complete,
    }
    _write_json(_manifest_path(index_dir), manifest)


def read_json_table(path: Path) -> dict[str, Any]:
    """A JSON object the index keeps beside it (a table by key); {} when the file is missing, cannot be
    read, or holds something else: each table is made again by the next indexing run."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return raw if isinstance(raw, dict) else {}


def read_actor_aliases(index_dir: Path) -> dict[str, tuple[str, str]]:
    """The names and aliases by which a query's words may name one of the index's actors: alias_key()
    -> the actor's id and name (kept together, so a query reads this small file and not the table of
    every actor)."""
    raw = read_json_table(index_dir / ALIASES_NAME)
    return {
        key: (value[0], value[1])
        for key, value in raw.items()
        if isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)
    }


def alias_key(text: str) -> str:
    """A name as a query and the alias table both write it: lower case, no accents, one space between
    words ("Économie  Ouest" and "economie ouest" are one key)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_PUNCTUATION))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


_PUNCTUATION = str.maketrans({**dict.fromkeys("’‘ʼ`´", "'"), **dict.fromkeys("‐‑‒–—", "-")})


def _write_json(path: Path, data: Any) -> None:
    """Write a JSON file atomically: aside first, then renamed over the old one."""
    temporary = path.with_suffix(".tmp")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        with suppress(OSError):
            temporary.unlink()
        raise


def _not_writable(index_dir: Path, error: OSError) -> IndexNotWritableError:
    """One line for a write that failed: a full disk, a read-only folder, a file in the way."""
    what = "no space left on device" if error.errno in (errno.ENOSPC, errno.EDQUOT) else error.strerror
    inside = str(Path(error.filename or index_dir).resolve()).startswith(str(index_dir.resolve()))
    where = "" if inside else f" ({error.filename})"  # a temporary file elsewhere, say
    return IndexNotWritableError(
        f"cannot write the index at {index_dir}{where}: {what}; the index keeps its last commit"
    )


@contextmanager
def _run_lock(index_dir: Path, timeout: float, name: str = RUN_LOCK_NAME) -> Iterator[None]:
    """Hold the index for one indexing run (or its saved searches, with ALERTS_LOCK_NAME); the lock
    dies with its process, so a killed run never blocks."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / name, "a+") as handle:
        deadline = monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if monotonic() >= deadline:
                    what = "indexing run" if name == RUN_LOCK_NAME else "change to its saved searches"
                    raise IndexLockedError(
                        f"index at {index_dir} is locked by another {what}; try again when it ends"
                    ) from None
                sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stamp(path: Path) -> tuple[int, int]:
    """A file's mtime and size, to notice that it was replaced; (0, 0) when it is missing."""
    try:
        status = path.stat()
    except OSError:
        return (0, 0)
    return (status.st_mtime_ns, status.st_size)


def _damaged(index_dir: Path | Sequence[Path], error: BaseException) -> IndexDamagedError:
    """The error of a damaged index; of several searched as one, which one cannot be told."""
    folders = (index_dir,) if isinstance(index_dir, Path) else tuple(index_dir)
    listed = ", ".join(str(folder) for folder in folders)
    where = f"index at {listed}" if len(folders) == 1 else f"one of the indexes at {listed}"
    return IndexDamagedError(f"{where} is damaged ({type(error).__name__}: {error})")


@dataclass(frozen=True)
class CopyTable:
    """The copy groups of an index as written: each group's document ids, sorted; and each group's
    document numbers (in the order of its ids) as the segments `numbered` (id, documents) number
    them: a reader of the same generation whose first segments are those takes them as they are,
    where looking up each id took 2.9 s of every query process at a million articles (15,000 ids)."""

    threshold: float
    generation: int  # the index generation (Whoosh's table of contents) they were computed for
    groups: tuple[tuple[str, ...], ...] = ()
    numbers: tuple[tuple[int, ...], ...] = ()
    numbered: tuple[tuple[str, int], ...] = ()


def read_copy_table(index_dir: Path) -> CopyTable | None:
    """The index's copy groups; None when there are none yet or the file cannot be read (they are
    computed again by the next indexing run)."""
    try:
        data = json.loads((index_dir / COPIES_NAME).read_text(encoding="utf-8"))
        groups = tuple(tuple(str(i) for i in group) for group in data["groups"])
        numbers, numbered = _copy_numbers(data, groups)
        return CopyTable(
            threshold=float(data["threshold"]),
            generation=int(data["generation"]),
            groups=groups,
            numbers=numbers,
            numbered=numbered,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        if not isinstance(error, FileNotFoundError):
            _log.warning(
                "the copy groups at %s cannot be read (%s): the next indexing run makes them again",
                index_dir,
                error,
            )
        return None


def _copy_numbers(
    data: dict[str, Any], groups: tuple[tuple[str, ...], ...]
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[str, int], ...]]:
    """A copy table's numbers and numbering as written, or none (the ids are then looked up) unless
    they are whole: one number for each id, each within the documents its segments number."""
    try:
        numbered = tuple((str(name), int(count)) for name, count in data.get("numbered", ()))
        numbers = tuple(tuple(group) for group in data.get("numbers", ()))
    except (ValueError, TypeError):
        return (), ()
    documents = sum(count for _, count in numbered)
    whole = (
        bool(numbered)
        and [len(group) for group in numbers] == [len(group) for group in groups]
        and all(type(n) is int and 0 <= n < documents for group in numbers for n in group)
    )
    return (numbers, numbered) if whole else ((), ())


def write_copy_table(index_dir: Path, table: CopyTable) -> None:
    data = {
        "threshold": table.threshold,
        "generation": table.generation,
        "groups": table.groups,
        "numbers": table.numbers,
        "numbered": table.numbered,
    }
    _write_json(index_dir / COPIES_NAME, data)


def numbering(segments: Sequence[tuple[Any, int]]) -> tuple[tuple[str, int], ...]:
    """What document numbers depend on: each segment's id and document count, in order, of (segment
    reader, first document number) pairs as columns.segments_of gives them (an empty index's reader,
    which has no segment, numbers nothing)."""
    return tuple(
        (reader._segment.segment_id(), reader.doc_count_all())
        for reader, _ in segments
        if hasattr(reader, "_segment")
    )


def numbers_hold(table: CopyTable, segments: tuple[tuple[str, int], ...]) -> bool:
    """Whether a table's document numbers are those of an index whose segments are these: its
    numbering's segments come first (segments added since, or documents deleted, renumber nothing)."""
    return bool(table.numbers and table.numbered) and segments[: len(table.numbered)] == table.numbered


def copy_table_stamp(index_dir: Path) -> tuple[int, int]:
    """What tells a reader the groups were rewritten (the file's size and time)."""
    return _stamp(index_dir / COPIES_NAME)


def read_alerts(index_dir: Path) -> tuple[Alert, ...]:
    """The index's saved searches, in the order they were saved; none when there are none. A file that
    cannot be read is an IndexDamagedError: saved searches are the user's work, never dropped quietly."""
    path = index_dir / ALERTS_NAME
    if not path.is_file():
        return ()
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))["alerts"]
        return tuple(
            Alert(**{**entry, **{key: tuple(entry.get(key) or ()) for key in _ALERT_TUPLES}})
            for entry in saved
        )
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise IndexDamagedError(
            f"the saved searches of the index at {index_dir} cannot be read ({ALERTS_NAME}: {error}); "
            "mend or remove that file"
        ) from None


_ALERT_TUPLES = ("actors", "sources", "types", "new")


@contextmanager
def changing_alerts(index_dir: Path, timeout: float) -> Iterator[list[Alert]]:
    """The saved searches as a list to change, written back (atomically) when the block ends, the
    saved searches held meanwhile: a run recording new documents and a user adding an alert never
    lose each other's change."""
    with _run_lock(index_dir, timeout, ALERTS_LOCK_NAME):
        alerts = list(read_alerts(index_dir))
        yield alerts
        _write_json(index_dir / ALERTS_NAME, {"alerts": [asdict(alert) for alert in alerts]})
