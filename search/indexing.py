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
from pathlib import Path
from typing import IO, Any

from . import engine
from .boilerplate import RULE_NAME, RepetitionCounter
from .cleaning import CLEANER_VERSION, CleanText, Piece, clean
from .corpus import check_corpus_dir, discover, read_source
from .errors import IndexNotFoundError
from .metadata import extract_title
from .models import Document, IndexReport, SkippedFile, SourceFile

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


def make_document(source: SourceFile, cleaned: CleanText) -> Document | SkippedFile:
    """A document from a source file's metadata and its clean text; no text left means skipped."""
    if not cleaned.lines:
        return SkippedFile(source.path, "no text left after cleaning")
    return Document(
        id=source.path,
        path=source.path,
        title=extract_title(cleaned),
        body=cleaned.text,
        size=source.size,
        mtime=source.mtime,
        content_hash=source.content_hash,
    )


def cleaner_state(learned: frozenset[str]) -> dict[str, Any]:
    """What the index records of its cleaning, so later updates clean the same way."""
    return {"version": CLEANER_VERSION, "repeated_lines": sorted(learned)}


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


def preview_file(
    path: Path,
    *,
    learned: frozenset[str] = frozenset(),
    max_file_bytes: int = 20 * 1024 * 1024,
    explain: bool = False,
) -> Preview | SkippedFile:
    """Clean one file exactly as indexing would, with the chrome an index has learned."""
    source = read_source(path, path.parent, max_file_bytes)
    if isinstance(source, SkippedFile):
        return replace(source, path=str(path))
    cleaned = clean(source, explain).without(learned, RULE_NAME)
    document = make_document(replace(source, path=str(path)), cleaned)
    if isinstance(document, SkippedFile):
        return document
    return Preview(document, cleaned.pieces)


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
    progress: ProgressCallback | None = None,
) -> IndexReport:
    """Index every article file under corpus_dir into index_dir, replacing what it held."""
    started = time.perf_counter()
    root = check_corpus_dir(corpus_dir)
    paths = discover(root)
    skipped: list[SkippedFile] = []
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
            document = make_document(source, cleaned.without(learned, RULE_NAME))
            if isinstance(document, SkippedFile):
                skipped.append(document)
            else:
                build.add(document)
        build.cleaner = cleaner_state(learned)
    for item in skipped:
        log.debug("skipped %s: %s", item.path, item.reason)
    return IndexReport(
        indexed=build.count,
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        seconds=time.perf_counter() - started,
    )
