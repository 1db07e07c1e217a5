"""Four patches to Whoosh 2.7.5: column readers cached per segment, buffer files that read through
memoryviews instead of copying, a column read across segments when one of them lacks it, and a
writer's sorting runs written a block at a time.

They replace private methods, so they are applied (by apply(), when an index is opened or written)
only to the Whoosh version they were written against; any other version runs unpatched, slower.
"""

from __future__ import annotations

import functools
import itertools
import logging
import marshal
from collections.abc import Iterable, Iterator
from typing import Any

import whoosh
from whoosh import columns, reading, writing
from whoosh.codec import whoosh3
from whoosh.filedb import structfile

log = logging.getLogger(__name__)

PATCHED_VERSION = (2, 7, 5)


def _cached_column_reader(self: Any, fieldname: str, column: Any) -> Any:
    """Whoosh 2.7.5's W3PerDocReader._cached_reader, remembering columns that do not exist too.

    The original stats the disk for every posting of a field without a lengths column (an id, a
    keyword field): 40% of a commit's time. A segment's files never change once written.
    """
    if fieldname not in self._readers:
        exists = self.has_column(fieldname)
        self._readers[fieldname] = self.column_reader(fieldname, column) if exists else None
    return self._readers[fieldname]


class _ViewFile:
    """A read-only file over a memoryview of the index's mmap, without copying it.

    Whoosh 2.7.5's BufferFile wraps each file of a compound segment in BytesIO(view), which
    copies the whole file (the postings too) every time a searcher opens it: 90 ms of a query
    at 41,000 articles, and that much memory again per open searcher.
    """

    def __init__(self, view: memoryview) -> None:
        self._view, self._position = view, 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._position = end
        return bytes(self._view[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        line = bytearray()
        while size is None or size < 0 or len(line) < size:
            byte = self.read(1)
            line += byte
            if not byte or byte == b"\n":
                break
        return bytes(line)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._position, len(self._view))[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._view = memoryview(b"")


def _buffer_file_init(self: Any, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
    """whoosh.filedb.structfile.BufferFile.__init__, reading its buffer in place (see _ViewFile)."""
    self._buf, self._name, self.onclose = buf, name, onclose
    self.file = _ViewFile(buf)
    self.is_real = False
    self.is_closed = False


def _multi_column_reader(
    self: Any, fieldname: str, column: Any = None, reverse: bool = False, translate: bool = True
) -> Any:
    """whoosh.reading.MultiReader.column_reader, with every segment in it.

    The original leaves out the segments that have no file for the column, but keeps the others'
    offsets as they are: every document after such a segment was read from the wrong one, and a
    document of an index whose first segment had no dated document could not be read at all
    (IndexError). A segment without the file reads the column's default value, as it does alone.
    """
    readers = [
        r.column_reader(fieldname, column=column, reverse=reverse, translate=translate) for r in self.readers
    ]
    return columns.MultiColumnReader(readers, list(self.doc_offsets))


RUN_BLOCK = 4096  # postings a marshal call writes or reads in a writer's sorting run
_LENGTH_BYTES = 8  # the little-endian length written before each block


def _write_run_in_blocks(self: Any, f: Any, items: Iterable[Any]) -> None:
    """PostingPool._write_run: the sorted postings (field, term, document, weight, value) a block at a
    time with marshal, each block after its length, where Whoosh pickles each one. A run is what the
    writer spills when its pool is full (every writer.POOL_MB of postings, by Whoosh's count); pickling
    each posting there and reading it back one at a time was a sixth of a build of 3,000 articles in
    one process (52.4 s against 43.1 s with no run spilled, when the pool was Whoosh's 128 MB)."""
    items = iter(items)
    while block := list(itertools.islice(items, RUN_BLOCK)):
        data = marshal.dumps(block)
        f.write(len(data).to_bytes(_LENGTH_BYTES, "little"))
        f.write(data)
    f.close()


def _read_run_in_blocks(self: Any, path: str) -> Iterator[Any]:
    """PostingPool._read_run: a run's postings as _write_run_in_blocks wrote them, one after another;
    the file is removed once read (or given up), as Whoosh's own does. Each block is read whole, then
    unmarshalled: marshal.load() of a file reads it a few bytes a call (18 times slower; 7% of a
    one-process rebuild of 2,000 articles)."""
    f = self._open_run(path)
    try:
        while size := f.read(_LENGTH_BYTES):
            yield from marshal.loads(f.read(int.from_bytes(size, "little")))
    finally:
        f.close()
        self._remove_run(path)


@functools.cache
def apply() -> None:
    """Patch Whoosh, the first time an index is opened or written, if it is the version the patches were
    written for (said once otherwise)."""
    if tuple(whoosh.__version__[:3]) != PATCHED_VERSION:
        log.info("Whoosh %s is not %s: it is left unpatched", whoosh.versionstring(), PATCHED_VERSION)
        return
    whoosh3.W3PerDocReader._cached_reader = _cached_column_reader
    structfile.BufferFile.__init__ = _buffer_file_init
    reading.MultiReader.column_reader = _multi_column_reader
    writing.PostingPool._write_run = _write_run_in_blocks
    writing.PostingPool._read_run = _read_run_in_blocks
