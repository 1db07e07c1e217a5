"""Three patches to Whoosh 2.7.5's reading: column readers cached per segment, buffer files that read
through memoryviews instead of copying, and a column read across segments when one of them lacks it.

They replace private methods, so they are applied (by apply(), when an index is opened or written)
only to the Whoosh version they were written against; any other version runs unpatched, slower.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import whoosh
from whoosh import columns, reading
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


@functools.cache
def apply() -> None:
    """Patch Whoosh, the first time an index is opened or written, if it is the version the patches were
    written for (said once otherwise)."""
    if tuple(whoosh.__version__[:3]) != PATCHED_VERSION:
        log.info(
            "Whoosh %s is not %s: its file reading is left unpatched", whoosh.versionstring(), PATCHED_VERSION
        )
        return
    whoosh3.W3PerDocReader._cached_reader = _cached_column_reader
    structfile.BufferFile.__init__ = _buffer_file_init
    reading.MultiReader.column_reader = _multi_column_reader
