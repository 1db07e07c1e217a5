"""Build the index from a corpus folder: read, clean, learn the corpus's chrome, write.

Two passes: the first reads and cleans every file and counts its lines across the
corpus, spooling the cleaned text to a temporary file (memory stays bounded); the second
removes the lines learned as chrome and writes the documents.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing
import pickle
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from . import engine
from .boilerplate import RULE_NAME, RepetitionCounter, folder_of
from .cleaning import CLEANER_VERSION, CleanText, clean
from .config import Settings
from .corpus import (
    check_corpus_dir,
    file_signature,
    read_source,
    survey,
)
from .errors import (
    BadInputError,
    IndexDamagedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    MassRemovalError,
)
from .gazetteer import gazetteer_version, load_gazetteer
from .lines import Piece
from .metadata import MetadataOptions, make_document, refreshed_actors
from .models import (
    CleanerState,
    Document,
    IndexManifest,
    IndexReport,
    Signature,
    SkippedFile,
    SourceFile,
)
from .workers import clean_file, cleaned_in_order, prepared_in_order, written_in_order

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
USER_ACTORS_FILE = "actors.toml"


def gazetteer_files(corpus_root: Path | None, actors_file: Path | None) -> list[Path]:
    """The user's gazetteer files: actors.toml at the corpus root, then the one named explicitly."""
    files = [corpus_root / USER_ACTORS_FILE] if corpus_root else []
    if actors_file is not None:
        if not actors_file.is_file():
            raise BadInputError(f"actors file not found: {actors_file}")
        files.append(actors_file)
    return files


def cleaner_state(
    learned: frozenset[str], options: MetadataOptions, actors_files: list[Path]
) -> CleanerState:
    """What the index records of its cleaning and metadata, so later updates and searches agree."""
    return CleanerState(
        version=CLEANER_VERSION,
        repeated_lines=tuple(sorted(learned)),
        gazetteer=options.gazetteer.version,
        actors_files=tuple(str(path.resolve()) for path in actors_files if path.is_file()),
        date_from_mtime=options.date_from_mtime,
    )


def learned_chrome(index_dir: Path) -> frozenset[str]:
    """The lines an existing index learned as the corpus's chrome; none if there is no index."""
    try:
        manifest = engine.read_manifest(index_dir)
    except IndexNotFoundError:
        return frozenset()
    return frozenset(manifest.cleaner.repeated_lines)


@dataclass(frozen=True)
class Preview:
    """What indexing a file would store, and the trace of what cleaning removed."""

    document: Document
    pieces: tuple[Piece, ...]
    warnings: tuple[str, ...] = ()


def preview_file(
    path: Path,
    *,
    learned: frozenset[str] = frozenset(),
    max_file_bytes: int = Settings.max_file_bytes,
    explain: bool = False,
    options: MetadataOptions | None = None,
) -> Preview | SkippedFile:
    """Clean one file exactly as indexing would, with the chrome an index has learned."""
    source = read_source(path, path.parent, max_file_bytes)
    if isinstance(source, SkippedFile):
        return replace(source, path=str(path))
    cleaned = clean(source, explain).without(learned, RULE_NAME)
    options = options or MetadataOptions(load_gazetteer())
    document, warnings = make_document(replace(source, path=str(path)), cleaned, options)
    if isinstance(document, SkippedFile):
        return document
    return Preview(document, cleaned.pieces, warnings)


def _read_back(spool: IO[bytes]) -> Iterator[tuple[SourceFile, CleanText, Signature]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


BATCH_SIZE = 500  # documents written between commits when updating


def _check_compatible(
    index_dir: Path, manifest: IndexManifest, date_from_mtime: bool, actors_files: list[Path]
) -> bool:
    """An update must clean documents as the index's were, or a rebuild is needed. Returns whether
    the actors must be found again (the gazetteer or the actors files changed): an update does that
    from the stored text."""
    cleaner = manifest.cleaner
    reasons = []
    if cleaner.version != CLEANER_VERSION:
        reasons.append(f"the cleaner changed (version {cleaner.version} -> {CLEANER_VERSION})")
    if cleaner.date_from_mtime != date_from_mtime:
        reasons.append("dates from file times were asked for on one run and not the other")
    if reasons:
        raise IndexNeedsRebuildError(
            f"index at {index_dir} needs a rebuild: {'; '.join(reasons)}",
            reason="; ".join(reasons),
        )
    return cleaner.gazetteer != gazetteer_version(actors_files) or list(cleaner.actors_files) != [
        str(p.resolve()) for p in actors_files if p.is_file()
    ]


def index_corpus(
    corpus_dir: Path | str,
    index_dir: Path | str,
    *,
    rebuild: bool = False,
    lock_timeout: float = Settings.lock_timeout,
    max_file_bytes: int = Settings.max_file_bytes,
    actors_file: Path | str | None = None,
    date_from_mtime: bool = False,
    progress: ProgressCallback | None = None,
    allow_mass_removal: bool = False,
    copy_threshold: float = Settings.copy_threshold,
) -> IndexReport:
    """Bring index_dir up to date with the article files under corpus_dir.

    Incremental by default: new files are added, changed ones (size or mtime, confirmed by
    the content hash) reindexed, deleted ones removed, unchanged ones not even read. A full
    build (rebuild, or no index yet) also relearns the corpus's chrome. Actors come from our
    gazetteer, extended by actors.toml at the corpus root and by actors_file. Documents with
    no date found are undated, unless date_from_mtime says to take the file's mtime. An update that
    would remove more than half of the index's files raises MassRemovalError unless allow_mass_removal.
    Documents whose resemblance is at least copy_threshold are grouped as copies of one story.
    """
    started = time.perf_counter()
    root, index_dir = check_corpus_dir(Path(corpus_dir)), Path(index_dir)
    actors_files = gazetteer_files(root, Path(actors_file) if actors_file is not None else None)

    @functools.cache
    def options() -> MetadataOptions:  # loaded once a file must be read: a run may find none changed
        return MetadataOptions(load_gazetteer(actors_files), date_from_mtime)

    manifest = None
    if not rebuild:  # a rebuild must work on a damaged index: it is how one is repaired
        with contextlib.suppress(IndexNotFoundError):
            manifest = engine.read_manifest(index_dir)
    if manifest is not None and not manifest.complete:
        manifest = None  # a first build that did not finish: build again, from the start
    if rebuild or manifest is None:
        if rebuild and not allow_mass_removal:  # a rebuild replaces the index: it may not empty it either
            _check_removals(root, engine.read_catalog(index_dir), set(survey(root).ids))
        counts = _full_build(
            root, index_dir, options(), actors_files, lock_timeout, max_file_bytes, progress, copy_threshold
        )
    else:
        refresh = _check_compatible(index_dir, manifest, date_from_mtime, actors_files)
        cleaner = manifest.cleaner
        if refresh:
            cleaner = cleaner_state(frozenset(cleaner.repeated_lines), options(), actors_files)
        counts = _update(
            root,
            index_dir,
            options,
            cleaner,
            lock_timeout,
            max_file_bytes,
            progress,
            allow_mass_removal,
            refresh_actors=refresh,
            copy_threshold=copy_threshold,
        )
    added, updated, removed, unchanged, skipped, warnings, changes, fresh = counts
    warnings = merged_warnings(warnings)
    try:
        alerts = _percolated(index_dir, fresh, lock_timeout)
    except IndexDamagedError as error:  # the saved searches cannot be read: the run itself stands
        alerts, warnings = (), [*warnings, f"saved searches not checked: {error}"]
    return IndexReport(
        added=added,
        updated=updated,
        removed=removed,
        unchanged=unchanged,
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
        rebuilt=rebuild or manifest is None,
        changes=tuple(changes),
        alerts=alerts,
    )


def _percolated(
    index_dir: Path, fresh: tuple[tuple[str, engine.PreparedDocument | None], ...], lock_timeout: float
) -> tuple[tuple[str, int], ...]:
    """Check the saved searches against the documents this run added or whose text it changed (a
    rebuild's documents indexed before, unchanged, are not new), and record what they gain."""
    if not fresh:  # (none are tracked without saved searches: IndexBuild.fresh)
        return ()
    from .alerts import percolate

    opened = engine.EngineIndex(index_dir)
    gained: Counter[str] = Counter()
    for start in range(0, len(fresh), PERCOLATED_AT_ONCE):  # (a rebuild may make every document new)
        chunk = fresh[start : start + PERCOLATED_AT_ONCE]
        documents = [prepared or opened.document(doc_id) for doc_id, prepared in chunk]
        gained.update(dict(percolate(index_dir, [d for d in documents if d is not None], lock_timeout)))
    return tuple(gained.items())


PERCOLATED_AT_ONCE = 2_000  # documents checked against the saved searches at once (memory stays bounded)


# added, updated, removed, unchanged, skipped, warnings, changes, and the documents whose text is new
# (IndexBuild.fresh)
Counts = tuple[
    int, int, int, int, list[SkippedFile], list[str], list[tuple[str, str]],
    tuple[tuple[str, engine.PreparedDocument | None], ...],
]  # fmt: skip


def merged_warnings(warnings: list[str]) -> list[str]:
    """The warnings in order, each said once: one given for several files ends with their number."""
    counts = Counter(warnings)
    return [f"{w} ({counts[w]} files)" if counts[w] > 1 else w for w in dict.fromkeys(warnings)]


def _full_build(
    root: Path,
    index_dir: Path,
    options: MetadataOptions,
    actors_files: list[Path],
    lock_timeout: float,
    max_file_bytes: int,
    progress: ProgressCallback | None,
    copy_threshold: float,
) -> Counts:
    """Index every file anew, learning the corpus's chrome first (two passes, spooled to disk)."""
    warnings: list[str] = []
    changes: list[tuple[str, str]] = []
    with (
        engine.writing(index_dir, root, lock_timeout, rebuild=True, copy_threshold=copy_threshold) as build,
        tempfile.TemporaryFile() as spool,
    ):
        learned, skipped, files = _spool_cleaned(root, max_file_bytes, spool, progress)
        for kept in engine.added_documents(index_dir):  # what apps added is not in the folder: keep it
            build.add(kept, None)
        parallel = _in_parallel(files - len(skipped))
        prepared = (
            written_in_order(_read_back(spool), learned, options, build)  # written by the workers
            if parallel
            else prepared_in_order(_read_back(spool), learned, options)
        )
        # Closed before the run's failure is handled: the workers are stopped before what they wrote
        # is removed, not when the generator is collected.
        with contextlib.closing(prepared):
            for document, document_warnings, signature in prepared:
                warnings.extend(document_warnings)
                if isinstance(document, SkippedFile):
                    skipped.append(document)
                else:
                    build.record(document, signature) if parallel else build.add(document, signature)
                    changes.append(("added", document.document.id))
        build.record_cleaning(cleaner_state(learned, options, actors_files))
        build.record_aliases(options.gazetteer.names_now())
        added = len(changes)
    return added, 0, 0, 0, skipped, warnings, changes, build.fresh


def _spool_cleaned(
    root: Path, max_file_bytes: int, spool: IO[bytes], progress: ProgressCallback | None
) -> tuple[frozenset[str], list[SkippedFile], int]:
    """A rebuild's first pass: every file read and cleaned (on worker processes when there are enough)
    and spooled; returns the chrome learned across the corpus, the files skipped and how many files
    there were. The list of files lives as long as this pass, not through the second."""
    paths, files_a_folder = _files_and_folders(root)
    repetition = RepetitionCounter(expected=files_a_folder)
    skipped: list[SkippedFile] = []
    cleaned_files = (
        cleaned_in_order(paths, root, max_file_bytes)
        if _in_parallel(len(paths))
        else (clean_file(path, root, max_file_bytes) for path in paths)
    )
    with contextlib.closing(cleaned_files):  # its workers stopped before a failure is handled
        for done, (signature, source, cleaned) in enumerate(cleaned_files, start=1):
            if isinstance(source, SourceFile) and signature is not None and cleaned is not None:
                repetition.add(source.path, cleaned.lines, source.given.source or cleaned.page_site)
                pickle.dump((source, cleaned, signature), spool, pickle.HIGHEST_PROTOCOL)
            elif isinstance(source, SkippedFile):
                skipped.append(source)
            if progress is not None:
                progress(done, len(paths))
    return repetition.learned(), skipped, len(paths)


def _files_and_folders(root: Path) -> tuple[tuple[str, ...], Counter[str]]:
    """Every article file under root as a path string, in survey()'s order, and how many files each
    folder holds. Strings, not a Path a file: at a million files the Paths held ~220 MB more through
    the whole rebuild."""
    surveyed = survey(root)
    return surveyed.paths, Counter(map(folder_of, surveyed.ids))


PARALLEL_MIN_DOCS = 200  # below this, worker processes cost more than they save


def _in_parallel(files: int) -> bool:
    """Whether a rebuild's pass over so many files runs on worker processes."""
    return files >= PARALLEL_MIN_DOCS and "fork" in multiprocessing.get_all_start_methods()


def _document_of(
    source: SourceFile | SkippedFile, learned: frozenset[str], options: MetadataOptions
) -> tuple[Document | SkippedFile, tuple[str, ...]]:
    """The document a file makes, cleaned with the chrome the index learned; or why it is skipped."""
    if isinstance(source, SkippedFile):
        return source, ()
    return make_document(source, clean(source).without(learned, RULE_NAME), options)


def _check_removals(root: Path, known: engine.Catalog, found: set[str]) -> None:
    """Refuse an update that would remove more than MAX_REMOVED_SHARE of the index's files (all of them,
    say, from a corpus folder on a drive that is not mounted): nothing is removed until allowed."""
    files = known.file_ids()
    gone = len(files - found)
    if files and gone and (gone == len(files) or gone > MAX_REMOVED_SHARE * len(files)):
        raise MassRemovalError(
            f"this update would remove {gone:,} of the index's {len(files):,} documents: the corpus folder "
            f"{root} holds {len(found):,} article files now (a drive not mounted? a folder moved?); "
            "nothing was removed"
        )


MAX_REMOVED_SHARE = 0.5  # an update removing more than this share of the index's files must be allowed


def _update(
    root: Path,
    index_dir: Path,
    load_options: Callable[[], MetadataOptions],
    cleaner: CleanerState,
    lock_timeout: float,
    max_file_bytes: int,
    progress: ProgressCallback | None,
    allow_mass_removal: bool = False,
    refresh_actors: bool = False,
    copy_threshold: float = Settings.copy_threshold,
) -> Counts:
    """Index what changed since the last run, reading no file whose size and mtime are the same.

    cleaner is the index's recorded cleaning state: its learned chrome cleans the new files too.
    load_options gives the gazetteer, loaded only when a file must be read (0.2-0.5 s).
    With refresh_actors (the user's actors files changed), every other document's actors are found
    again from its stored text, and the documents whose actors changed are updated.
    """
    learned = frozenset(cleaner.repeated_lines)
    surveyed = survey(root)
    paths, ids, sidecars = surveyed.paths, surveyed.ids, surveyed.sidecars
    skipped: list[SkippedFile] = []
    warnings: list[str] = []
    added = updated = unchanged = 0
    changes: list[tuple[str, str]] = []
    seen: set[str] = set()
    with engine.writing(index_dir, root, lock_timeout, rebuild=False, copy_threshold=copy_threshold) as build:
        build.record_cleaning(cleaner)

        @functools.cache
        def options() -> MetadataOptions:
            loaded = load_options()
            build.record_aliases(loaded.gazetteer.names_now())  # what new documents' actors are called
            return loaded

        if refresh_actors:
            options()  # the actors files changed: their names are recorded though no document changes
        known = build.catalog_now()
        if not allow_mass_removal:
            _check_removals(root, known, set(ids))
        for done, (path, document_id) in enumerate(zip(paths, ids, strict=True), start=1):
            seen.add(document_id)
            signature = file_signature(path, sidecars)
            if signature is not None and known.unchanged(document_id, signature):
                unchanged += 1
            else:
                before = known.get(document_id)
                source = read_source(Path(path), root, max_file_bytes)
                if (
                    isinstance(source, SourceFile)
                    and before is not None
                    and before.content_hash == source.content_hash
                ):
                    build.touch(document_id, signature or before.signature)
                    unchanged += 1
                else:
                    document, document_warnings = _document_of(source, learned, options())
                    warnings.extend(document_warnings)
                    if isinstance(document, SkippedFile):
                        skipped.append(document)
                        if before is not None:
                            build.delete(document_id)  # the file can no longer be read: its old text goes
                            changes.append(("removed", document_id))
                    else:
                        build.add(document, signature or (0, 0, 0))
                        added, updated = (added, updated + 1) if before is not None else (added + 1, updated)
                        changes.append(("updated" if before is not None else "added", document_id))
                    if build.pending >= BATCH_SIZE:
                        build.commit_batch()
            if progress is not None:
                progress(done, len(paths))
        removed = 0
        files_gone = known.file_ids() - seen
        for document_id in sorted(files_gone):
            build.delete(document_id)
            changes.append(("removed", document_id))
            removed += 1
        if refresh_actors:
            done_here = {document_id for _, document_id in changes}
            for document in engine.EngineIndex(index_dir).documents():  # as committed before this run
                if document.id in done_here or document.id not in known:
                    continue
                actors = refreshed_actors(document, options().gazetteer)
                if actors != document.actors:
                    # (the signature this run recorded: a file touched, not edited, was touch()ed)
                    build.add(replace(document, actors=actors), build.catalog[document.id].signature)
                    changes.append(("updated", document.id))
                    updated, unchanged = updated + 1, unchanged - (document.id in seen)
                    if build.pending >= BATCH_SIZE:
                        build.commit_batch()
    return added, updated, removed, unchanged, skipped, warnings, changes, build.fresh
