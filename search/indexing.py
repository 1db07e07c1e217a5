"""Build the index from a corpus folder: read, clean, extract metadata, write."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from . import engine
from .cleaning import clean
from .corpus import check_corpus_dir, discover, read_source
from .metadata import extract_title
from .models import Document, IndexReport, SkippedFile, SourceFile

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


def make_document(source: SourceFile) -> Document | SkippedFile:
    """Clean a source file and read its metadata; a file with no text left is skipped."""
    cleaned = clean(source)
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

    def documents() -> Iterator[Document]:
        for done, path in enumerate(paths, start=1):
            source = read_source(path, root, max_file_bytes)
            result = make_document(source) if isinstance(source, SourceFile) else source
            if isinstance(result, SkippedFile):
                log.debug("skipped %s: %s", result.path, result.reason)
                skipped.append(result)
            else:
                yield result
            if progress is not None:
                progress(done, len(paths))

    indexed = engine.replace_all(index_dir, documents(), root, lock_timeout)
    return IndexReport(indexed=indexed, skipped=tuple(skipped), seconds=time.perf_counter() - started)
