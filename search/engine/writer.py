"""Writing the index: a run's writer (IndexBuild), batched commits, and what a failed run leaves
(nothing).
"""

from __future__ import annotations

import logging
import shutil
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from types import MappingProxyType
from typing import Any

import whoosh.filedb.filestore
import whoosh.index
import whoosh.writing
from whoosh.writing import CLEAR

from ..errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexNeedsRebuildError,
)
from ..models import COPY_THRESHOLD, CatalogEntry, CleanerState, Document, Signature
from . import patches
from .actornames import ActorTable, write_actor_names
from .analysis import PreparedDocument, _to_fields, build_schema, prepare
from .catalog import Catalog, read_catalog, write_catalog
from .codec import ArrayCodec
from .folder import (
    ALERTS_NAME,
    ALIASES_NAME,
    DAMAGE_ERRORS,
    WRITE_ERRNOS,
    CopyTable,
    _check_not_foreign,
    _damaged,
    _manifest_path,
    _not_writable,
    _run_lock,
    _write_json,
    _write_manifest,
    alias_key,
    read_actor_aliases,
    read_copy_table,
    read_manifest,
    write_copy_table,
)

log = logging.getLogger(__name__)


def _open_or_create_for_writing(index_dir: Path) -> whoosh.index.Index:
    """Open our index for writing; create it in a new or empty folder, or over a broken one of ours."""
    _check_not_foreign(index_dir)
    if _manifest_path(index_dir).is_file():
        try:
            read_manifest(index_dir)
            return whoosh.index.open_dir(str(index_dir))
        except (IndexDamagedError, IndexNeedsRebuildError, *DAMAGE_ERRORS) as error:
            log.warning("rebuilding the index at %s from scratch: %s", index_dir, error)
    index_dir.mkdir(parents=True, exist_ok=True)
    _write_manifest(index_dir, None, complete=False)
    return whoosh.index.create_in(str(index_dir), build_schema())


def _remove_unfinished(index_dir: Path) -> None:
    """Remove the files of segments and tables of contents that no committed generation uses: what a
    writer left when its run failed (on a full disk, they hold the space the next run needs)."""
    name = whoosh.index._DEF_INDEX_NAME
    storage = whoosh.filedb.filestore.FileStorage(str(index_dir))
    with suppress(*DAMAGE_ERRORS):  # a table of contents that cannot be read: touch nothing
        if any(index_dir.glob(f"_{name}_*.toc")):
            toc = whoosh.index.TOC.read(storage, name)
            whoosh.index.clean_files(storage, name, toc.generation, toc.segments)
        else:  # no commit yet: no segment is in use
            whoosh.index.clean_files(storage, name, -2, [])
    for temporary in index_dir.glob("*.tmp"):  # our JSON written aside; Whoosh's writer's folder (MAIN.tmp)
        with suppress(OSError):
            shutil.rmtree(temporary) if temporary.is_dir() else temporary.unlink()


# Whoosh's estimate of the postings a writer holds before it spills a sorted run to disk (its
# default, 128, held ~250 MB in each worker process: Python's tuples are larger than it counts).
POOL_MB = 32
FRESH_KEPT = 2_000  # new documents a run keeps as prepared, for the saved searches (a few MB)


class IndexBuild:
    """An indexing run's writes: documents in, documents out, committed in batches (or once, rebuilding)."""

    def __init__(
        self, index: Any, index_dir: Path, timeout: float, clear: bool, copy_threshold: float | None = None
    ) -> None:
        self._index = index
        self._index_dir = index_dir
        self._timeout = timeout
        self._clear = clear
        self._catalog = Catalog() if clear else read_catalog(index_dir)
        self._catalog_changes: set[str] = set()  # the ids whose rows the next save writes
        # The name and type each actor was written with by this run (the last document's), recorded
        # after each commit where they differ from the actor table's (actornames.py).
        self._actor_names: dict[str, tuple[str, str]] = {}
        self._aliases: Mapping[str, str] | None = None  # the gazetteer's, once a run records them
        self._aliases_written = {} if clear else read_actor_aliases(index_dir)
        self._cleaning = CleanerState()
        self._pending = 0
        self._copy_threshold = copy_threshold  # None: the one the index's groups were made with
        self._generation = index.latest_generation()  # the generation the copy groups should be of
        self._copy_changes: set[str] = set()  # the documents added, replaced or removed since
        # Which documents are new is only wanted for saved searches: without them, a rebuild reads no old
        # catalog and a run keeps no prepared document. Else each document's text as the index held it
        # before the run (its hash), and the documents whose text the run added or changed, in order,
        # the first FRESH_KEPT as prepared.
        self._tracks_fresh = (index_dir / ALERTS_NAME).is_file()
        before = (read_catalog(index_dir) if clear else self._catalog) if self._tracks_fresh else Catalog()
        self._hashes_before = before.hashes()
        self._fresh: dict[str, PreparedDocument | None] = {}
        self._parts: list[object] = []  # segments written by SegmentParts (a rebuild on several cores)
        self._writer = self._new_writer()

    @property
    def catalog(self) -> Mapping[str, CatalogEntry]:
        """What the index holds of each document's source, with this run's writes."""
        return MappingProxyType(self._catalog)

    def catalog_now(self) -> Catalog:
        """A copy of the catalog as it stands: what the index held before the run, until it writes."""
        return self._catalog.copy()

    @property
    def pending(self) -> int:
        """Documents added or removed since the last commit."""
        return self._pending

    @property
    def fresh(self) -> tuple[tuple[str, PreparedDocument | None], ...]:
        """The documents this run added or whose text it changed (not those only touched, re-tagged,
        or written again unchanged by a rebuild), in the order they were written: each id, with the
        document as prepared for the first FRESH_KEPT of them (saved searches check them at once).
        None are tracked when the index has no saved searches."""
        return tuple(self._fresh.items())

    @property
    def cleaning(self) -> CleanerState:
        return self._cleaning

    def record_aliases(self, aliases: Mapping[str, str]) -> None:
        """The names and aliases of the known actors (name -> id): those of the index's actors are kept
        beside it, so that a query's words can name an actor without the gazetteer being loaded."""
        self._aliases = aliases

    def record_cleaning(self, state: CleanerState) -> None:
        """How this run's documents were cleaned and tagged: written to the manifest when the run ends."""
        self._cleaning = state

    def _new_writer(self) -> Any:
        try:
            return self._index.writer(timeout=self._timeout, codec=ArrayCodec(), limitmb=POOL_MB)
        except whoosh.index.LockError:
            raise IndexLockedError(
                f"index at {self._index_dir} is locked by another indexing run; try again when it ends"
            ) from None
        except OSError as error:
            # Whoosh's SegmentWriter takes the write lock, then makes its files: when that fails (a full
            # disk, a read-only folder) the half-made writer keeps the lock, and a long-running process
            # (search watch, an app) could never write again.
            for frame, _ in traceback.walk_tb(error.__traceback__):
                _release_write_lock(frame.f_locals.get("self"))
            raise

    def add(self, document: Document | PreparedDocument, signature: Signature | None = (0, 0, 0)) -> None:
        """Add a document, or replace the one with its id; analysed here unless it was prepared. A
        signature of None marks a document an app added (no file behind it)."""
        prepared = document if isinstance(document, PreparedDocument) else prepare(document)
        fields = _to_fields(prepared)
        if self._clear:
            self._writer.add_document(**fields)
        else:
            self._writer.update_document(**fields)
        self.record(prepared, signature)

    def new_part(self) -> SegmentPart:
        """A writer of one more segment of this rebuild, for a worker process (forked after this build
        began): it writes what record() is then told of, and the build commits its segment."""
        if not self._clear:
            raise ValueError("only a rebuild is written in parts")
        return SegmentPart(self._index)

    def adopt(self, segment: object) -> None:
        """A segment a SegmentPart finished: committed with this build's own, in the order adopted."""
        self._parts.append(segment)

    def record(self, prepared: PreparedDocument, signature: Signature | None) -> None:
        """What the run keeps of a document written to the index (by add(), or by a SegmentPart)."""
        document = prepared.document
        self._catalog[document.id] = CatalogEntry(signature, document.content_hash)
        if not self._clear:  # (a rebuild writes every row and groups every copy: a million ids less held)
            self._catalog_changes.add(document.id)
            self._copy_changes.add(document.id)
        if self._tracks_fresh and self._hashes_before.get(document.id) != document.content_hash:
            self._fresh[document.id] = prepared if len(self._fresh) < FRESH_KEPT else None
        for actor in document.actors:
            self._actor_names[actor.id] = (actor.name, actor.type)
        self._pending += 1

    def delete(self, document_id: str) -> None:
        """Remove a document from the index."""
        self._writer.delete_by_term("id", document_id)
        self._catalog.pop(document_id, None)
        self._catalog_changes.add(document_id)
        self._copy_changes.add(document_id)
        self._fresh.pop(document_id, None)
        self._pending += 1

    def touch(self, document_id: str, signature: Signature | None) -> None:
        """Record a new signature for an unchanged document (its file was touched, not edited)."""
        self._catalog[document_id] = CatalogEntry(signature, self._catalog[document_id].content_hash)
        self._catalog_changes.add(document_id)

    def commit_batch(self) -> None:
        """Make what was written so far durable and searchable (updates only; a rebuild commits once)."""
        if self._clear or not self._pending:
            return
        self._writer.commit()
        self._save_copies()
        self._save_catalog()
        self._pending = 0
        self._writer = self._new_writer()

    def _finish(self) -> None:
        if self._parts:
            _commit_with(self._writer, self._parts)
        elif self._clear or self._pending:
            self._writer.commit(mergetype=CLEAR) if self._clear else self._writer.commit()
        else:
            # Nothing written since the last commit: no commit, which would make an empty generation
            # and have the copy groups written again for it (a no-op run of 41,578 files did both).
            self._cancel()
            _remove_unfinished(self._index_dir)
        self._save_copies()
        self._save_catalog()

    def _save_copies(self) -> None:
        """Bring the copy groups up to the commit just made: only those the run's changes can touch,
        unless the groups written are not of the generation before it (a run that stopped after its
        commit), of another threshold, or this run rebuilt the index. Written before the catalog: a
        run that stops between the two leaves files to index again, and their groups are made again."""
        previous = None if self._clear else read_copy_table(self._index_dir)
        threshold = self._copy_threshold or (previous.threshold if previous is not None else COPY_THRESHOLD)
        generation = self._index.latest_generation()
        if previous is not None and (
            previous.generation != self._generation or previous.threshold != threshold
        ):
            previous = None
        if previous is not None and not self._copy_changes and previous.generation == generation:
            return  # (no commit since the groups were written, and no other threshold)
        with self._index.searcher() as searcher:
            from .copies import copy_groups, group_numbers  # (a query process never imports copies)

            if previous is not None and not self._copy_changes:
                groups = previous.groups
            else:
                groups = copy_groups(searcher, threshold, previous, self._copy_changes)
            numbers, numbered = group_numbers(searcher, groups, previous, self._copy_changes)
        write_copy_table(self._index_dir, CopyTable(threshold, generation, groups, numbers, numbered))
        self._generation = generation
        self._copy_changes = set()

    def _save_catalog(self) -> None:
        """Record the committed files; written after each commit, so never ahead of the index."""
        write_catalog(self._index_dir, self._catalog, None if self._clear else self._catalog_changes)
        self._catalog_changes = set()
        wanted = set(self._aliases.values()) if self._aliases is not None else set()
        named = write_actor_names(
            self._index_dir, self._actor_names, self._clear, self._named_in_index, wanted
        )
        self._actor_names = {}
        if self._aliases is not None:
            kept = {
                alias_key(alias): (actor_id, named[actor_id][0])
                for alias, actor_id in self._aliases.items()
                if actor_id in named
            }
            if kept != self._aliases_written:
                _write_json(self._index_dir / ALIASES_NAME, kept)
                self._aliases_written = kept

    def _named_in_index(self) -> ActorTable:
        """The name and type of each actor as the index's documents give them (each document's stored
        actors, the last document's name kept): what the actor table is made again from."""
        names: ActorTable = {}
        with self._index.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                for info in fields.get("actor_info") or ():
                    names[info[0]] = (info[1], info[2])
        return names

    def _cancel(self) -> None:
        try:
            self._writer.cancel()
        finally:  # cancel fails midway on a full disk, before it lets the lock go
            _release_write_lock(self._writer)


class SegmentPart:
    """One segment of a rebuild written in a worker process, beside the run's own writer (which holds
    the lock and commits): Whoosh's SegmentWriter without the lock, its segment finished but not
    committed. Its files are the run's until the commit names them; a run that fails removes them
    (_remove_unfinished), as it removes its own writer's."""

    def __init__(self, index: Any) -> None:
        self._writer = whoosh.writing.SegmentWriter(index, _lk=False, codec=ArrayCodec(), limitmb=POOL_MB)

    def add(self, prepared: PreparedDocument) -> None:
        self._writer.add_document(**_to_fields(prepared))

    def finish(self) -> object | None:
        """The segment written (a picklable Whoosh Segment), None if it holds no document. The
        writers' shared temporary folder is left for the run's own writer to remove."""
        return self.finished(self._writer)

    @staticmethod
    def finished(writer: Any) -> object | None:
        """A Whoosh SegmentWriter's segment finished (not committed), or its files closed and None if
        it holds no document: a part's, or the run's own writer's at a rebuild's commit."""
        if not writer._added:
            writer._close_segment()
            return None
        return writer._finalize_segment()

    def cancel(self) -> None:
        with suppress(Exception):
            self._writer._close_segment()


def _commit_with(writer: Any, parts: list[object]) -> None:
    """Commit a rebuild: the writer's own segment (if it holds documents) and the parts', in one table of
    contents that drops every older segment (SegmentWriter.commit with mergetype=CLEAR, plus parts)."""
    try:
        own = SegmentPart.finished(writer)
        writer._commit_toc([*([own] if own is not None else []), *parts])
    finally:
        writer._finish()


def _release_write_lock(writer: object) -> None:
    """Let go of the write lock a Whoosh writer still holds, if it is one and holds it."""
    lock = getattr(writer, "writelock", None) if isinstance(writer, whoosh.writing.SegmentWriter) else None
    if lock is not None and getattr(lock, "fd", None) is not None:
        with suppress(OSError):
            lock.release()


@contextmanager
def writing(
    index_dir: Path,
    corpus_root: Path | None,
    timeout: float,
    rebuild: bool,
    copy_threshold: float | None = None,
) -> Iterator[IndexBuild]:
    """Write to the index, holding it for the whole run.

    Rebuilding replaces the contents in one commit (the old state serves until then); updating
    commits in batches, so a failure loses at most the batch under way and the next run resumes.
    The cleaner state set on the build is recorded in the manifest at the end. Documents are copies
    of one story from copy_threshold (None: the threshold the index's groups were made with).
    """
    _check_not_foreign(index_dir)  # before the lock file is made in a folder that is not ours
    patches.apply()
    try:
        with _run_lock(index_dir, timeout):
            build = None
            try:
                index = _open_or_create_for_writing(index_dir) if rebuild else _open_for_update(index_dir)
                build = IndexBuild(index, index_dir, timeout, clear=rebuild, copy_threshold=copy_threshold)
                yield build
                build._finish()
                _write_manifest(index_dir, corpus_root, build.cleaning)
            except BaseException as error:
                if build is not None:
                    with suppress(Exception):  # closing its files fails too on a full disk
                        build._cancel()
                # What our writer began (Whoosh's cancel leaves the new segment's files, and a writer that
                # failed half-made on a full disk leaves some too) is removed while the run lock is still
                # ours; when another writer holds Whoosh's lock, the files are its own.
                half_made = isinstance(error, OSError) and error.errno in WRITE_ERRNOS
                if build is not None or half_made:
                    _remove_unfinished(index_dir)
                raise
    except OSError as error:
        if error.errno not in WRITE_ERRNOS:
            raise
        raise _not_writable(index_dir, error) from None


def _open_for_update(index_dir: Path) -> Any:
    """The index, with every segment's files opened once: a truncated segment is found here, before a
    run reports "unchanged" over an index no query can read, or fails midway in Whoosh's writer."""
    read_manifest(index_dir)
    try:
        index = whoosh.index.open_dir(str(index_dir))
        with index.reader() as reader:
            reader.doc_count()
        return index
    except DAMAGE_ERRORS as error:
        raise _damaged(index_dir, error) from None
