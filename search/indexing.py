"""Build the index from a corpus folder: read, clean, learn the corpus's chrome, write.

Two passes: the first reads and cleans every file and counts its lines across the
corpus, spooling the cleaned text to a temporary file (memory stays bounded); the second
removes the lines learned as chrome and writes the documents.
"""

from __future__ import annotations

import logging
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from . import engine
from .actors import Gazetteer, load_gazetteer
from .boilerplate import RULE_NAME, RepetitionCounter
from .cleaning import CLEANER_VERSION, CleanText, Piece, clean
from .corpus import check_corpus_dir, discover, read_source
from .errors import BadInputError, IndexNotFoundError
from .metadata import extract_metadata
from .models import Document, IndexReport, SkippedFile, SourceFile

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
USER_ACTORS_FILE = "actors.toml"


@dataclass(frozen=True)
class MetadataOptions:
    """What metadata extraction needs beyond the document: the gazetteer, and the mtime choice."""

    gazetteer: Gazetteer
    date_from_mtime: bool = False


def make_document(
    source: SourceFile, cleaned: CleanText, options: MetadataOptions
) -> tuple[Document | SkippedFile, tuple[str, ...]]:
    """A document from a source file and its clean text, with any warnings; no text left means skipped."""
    if not cleaned.lines:
        return SkippedFile(source.path, "no text left after cleaning"), source.warnings
    mtime_date = datetime.fromtimestamp(source.mtime).date() if options.date_from_mtime else None
    metadata = extract_metadata(
        cleaned, source.given, options.gazetteer, document=source.path, fallback_date=mtime_date
    )
    document = Document(
        id=source.path,
        path=source.path,
        title=metadata.title,
        body=cleaned.text,
        date=metadata.date,
        actors=metadata.actors,
        source=metadata.source,
        url=metadata.url,
        size=source.size,
        mtime=source.mtime,
        content_hash=source.content_hash,
    )
    return document, source.warnings + metadata.warnings


def gazetteer_files(corpus_root: Path | None, actors_file: Path | None) -> list[Path]:
    """The user's gazetteer files: actors.toml at the corpus root, then the one named explicitly."""
    files = [corpus_root / USER_ACTORS_FILE] if corpus_root else []
    if actors_file is not None:
        if not actors_file.is_file():
            raise BadInputError(f"actors file not found: {actors_file}")
        files.append(actors_file)
    return files


def cleaner_state(learned: frozenset[str], gazetteer: Gazetteer, actors_files: list[Path]) -> dict[str, Any]:
    """What the index records of its cleaning and metadata, so later updates and searches agree."""
    return {
        "version": CLEANER_VERSION,
        "repeated_lines": sorted(learned),
        "gazetteer": gazetteer.version,
        "actors_files": [str(path.resolve()) for path in actors_files],
    }


def learned_chrome(index_dir: Path) -> frozenset[str]:
    """The lines an existing index learned as the corpus's chrome; none if there is no index."""
    try:
        manifest = engine.read_manifest(index_dir)
    except IndexNotFoundError:
        return frozenset()
    return frozenset(manifest.get("cleaner", {}).get("repeated_lines", ()))


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
    max_file_bytes: int = 20 * 1024 * 1024,
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


def _read_back(spool: IO[bytes]) -> Iterator[tuple[SourceFile, CleanText]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def index_corpus(
    corpus_dir: Path,
    index_dir: Path,
    *,
    lock_timeout: float = 5.0,
    max_file_bytes: int = 20 * 1024 * 1024,
    actors_file: Path | None = None,
    date_from_mtime: bool = False,
    progress: ProgressCallback | None = None,
) -> IndexReport:
    """Index every article file under corpus_dir into index_dir, replacing what it held.

    Actors come from our gazetteer, extended by actors.toml at the corpus root and by
    actors_file. Documents with no date found are undated, unless date_from_mtime says
    to take the file's modification date.
    """
    started = time.perf_counter()
    root = check_corpus_dir(corpus_dir)
    actors_files = gazetteer_files(root, actors_file)
    options = MetadataOptions(load_gazetteer(actors_files), date_from_mtime)
    paths = discover(root)
    skipped: list[SkippedFile] = []
    warnings: list[str] = []
    repetition = RepetitionCounter()
    with engine.rebuilding(index_dir, root, lock_timeout) as build, tempfile.TemporaryFile() as spool:
        for done, path in enumerate(paths, start=1):
            source = read_source(path, root, max_file_bytes)
            if isinstance(source, SourceFile):
                cleaned = clean(source)
                repetition.add(source.path, cleaned.lines)
                pickle.dump((replace(source, text=""), cleaned), spool, pickle.HIGHEST_PROTOCOL)
            else:
                skipped.append(source)
            if progress is not None:
                progress(done, len(paths))
        learned = repetition.learned()
        for source, cleaned in _read_back(spool):
            document, document_warnings = make_document(source, cleaned.without(learned, RULE_NAME), options)
            warnings.extend(document_warnings)
            if isinstance(document, SkippedFile):
                skipped.append(document)
            else:
                build.add(document)
        build.cleaner = cleaner_state(learned, options.gazetteer, actors_files)
    for item in skipped:
        log.debug("skipped %s: %s", item.path, item.reason)
    return IndexReport(
        indexed=build.count,
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
    )
