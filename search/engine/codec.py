"""Postings numpy can read: Whoosh's own codec, plus a file a segment holding each term's document
numbers and term frequencies as plain little-endian arrays.

Whoosh keeps a term's postings in blocks of 128, each a zlib-compressed pickle of its document
numbers, weights and positions together: scoring a word unpickles and decompresses every block, the
positions too (at 41,578 articles, 4.5 s of 200 two- and three-word queries, 30% of their time, went
to reading blocks). The companion file (extension ARRAYS_EXT, one a segment, written as Whoosh writes
the segment and assembled into its compound file with the others) holds the same postings as two
arrays a term (and its positions), so that a term's scores are `np.frombuffer` and vector arithmetic
(postings._term_scores). Whoosh's own files are written unchanged: every Whoosh reader, matcher and
merge still works, and a segment without the companion (written before it existed) is read from
Whoosh's blocks instead. A word's positions are kept too, a flat array a term: a phrase is checked
for all its candidate documents at once (at 41,578 articles, 200 quoted title phrases spent 8 of
their 12 s decoding the Whoosh blocks of 'the', 'of' and the like), and a page's snippets take
where their words stand without a block decoded. Where each of a term's Whoosh blocks starts is
kept as well, to read a few documents' Whoosh values straight from their blocks.

Layout, all little-endian: each term's chunk (its document numbers as int32; its weights as
float32, the term frequencies Whoosh stores as array('f'); where each of its Whoosh blocks starts in
the postings file, int64; for a field with positions, every posting's positions one after another,
uint16 or uint32 (a posting holds its weight over the field's boost), padded to 8 bytes), then the table
(the terms' start offsets in Whoosh's postings file, ascending; their chunks' offsets; their
postings counts; the bytes a position of theirs takes, 0 for none: int64 each), then the footer
(the table's offset, the number of terms and the postings a block, int64 each, and MAGIC).
"""

from __future__ import annotations

import logging
import mmap
import pickle
import struct
from array import array
from itertools import accumulate
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import formats
from whoosh.codec import whoosh3
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import OverlayStorage

logger = logging.getLogger(__name__)

ARRAYS_EXT = ".arp"
MAGIC = b"NSARP003"
_FOOTER = struct.Struct("<qqq8s")


class ArrayCodec(whoosh3.W3Codec):
    """Whoosh 3's codec whose field writer also writes the segment's array postings."""

    def field_writer(self, storage: Any, segment: Any) -> ArrayFieldWriter:
        return ArrayFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> BlockRecordingPostingsWriter:
        return BlockRecordingPostingsWriter(
            dbfile, blocklimit=self._blocklimit, byteids=byteids, compression=self._compression,
            inlinelimit=self._inlinelimit,
        )  # fmt: skip


class BlockRecordingPostingsWriter(whoosh3.W3PostingsWriter):
    """Whoosh's postings writer, noting where each block of the current term starts."""

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        super().start_postings(format_, terminfo)
        self.block_starts = array("q")

    def _write_block(self, last: bool = False) -> None:
        # The term's first block follows a 4-byte header that Whoosh writes with it.
        self.block_starts.append(self._postfile.tell() + (0 if self._blockcount else 4))
        super()._write_block(last)


class ArrayFieldWriter(whoosh3.W3FieldWriter):
    """Whoosh's field writer, keeping each term's document numbers, weights and positions as it passes
    them on.

    A term's postings are held until it ends (one term, never the segment: a segment of 500,000
    documents has ~125 million postings), as arrays of 4 bytes an entry, then written as one chunk."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._arrays = self._create_file(ARRAYS_EXT)
        self._keys = array("q")
        self._chunks = array("q")
        self._counts = array("q")
        self._position_sizes = array("q")
        self._term_ids = array("i")
        self._term_weights = array("f")
        self._term_positions = array("I")
        self._term_positions_kept = True
        self._term_start = 0
        self._positional = False
        self._boost = 1.0

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        self._positional = type(fieldobj.format) is formats.Positions
        self._boost = float(getattr(fieldobj.format, "field_boost", 1.0))

    def start_term(self, btext: bytes) -> None:
        super().start_term(btext)
        self._term_start = self._postfile.tell()
        self._term_ids = array("i")
        self._term_weights = array("f")
        self._term_positions = array("I")
        self._term_positions_kept = self._positional

    def add(self, docnum: int, weight: float, vbytes: bytes, length: int) -> None:
        super().add(docnum, weight, vbytes, length)
        self._term_ids.append(docnum)
        self._term_weights.append(weight)
        if self._term_positions_kept:  # decoded as they come, 4 bytes each (not a Python int each)
            found = decode_positions(vbytes)
            # A posting holds weight / boost positions, unless a token boost made its weight otherwise.
            if self._term_weights[-1] == array("f", [len(found) * self._boost])[0]:
                self._term_positions.extend(found)
            else:
                self._term_positions_kept = False
                self._term_positions = array("I")

    def finish_term(self) -> None:
        super().finish_term()
        if self._postfile.tell() == self._term_start:  # inlined in the term's entry: nothing to key it by
            return
        self._keys.append(self._term_start)
        self._chunks.append(self._arrays.tell())
        self._counts.append(len(self._term_ids))
        self._arrays.write(np.asarray(self._term_ids, dtype="<i4").tobytes())
        self._arrays.write(np.asarray(self._term_weights, dtype="<f4").tobytes())
        self._arrays.write(np.asarray(self._postwriter.block_starts, dtype="<i8").tobytes())
        self._position_sizes.append(self._write_positions())

    def _write_positions(self) -> int:
        """The term's positions, flat; the bytes a position takes (0: none written, for a field without
        positions or a term a posting of which has a weight other than its positions times the field's
        boost, as a token boost would make it)."""
        if not self._term_positions_kept:
            return 0
        flat = np.frombuffer(self._term_positions, dtype=np.uint32)
        size = 2 if not len(flat) or flat.max() < 1 << 16 else 4
        data = flat.astype("<u2" if size == 2 else "<u4").tobytes()
        self._arrays.write(data + bytes(-len(data) % 8))
        return size

    def close(self) -> None:
        table = self._arrays.tell()
        for column in (self._keys, self._chunks, self._counts, self._position_sizes):
            self._arrays.write(np.asarray(column, dtype="<i8").tobytes())
        self._arrays.write(_FOOTER.pack(table, len(self._keys), self._codec._blocklimit, MAGIC))
        self._arrays.close()
        super().close()


class OtherLayoutError(ValueError):
    """An array postings file of another layout than this program's (another version wrote it)."""


class SegmentArrays:
    """A segment's array postings, read in place (a view of the segment's mapped file; a term's arrays
    copied only where the file lies unaligned)."""

    def __init__(self, buffer: Any) -> None:
        view = memoryview(buffer)
        if len(view) < _FOOTER.size:
            raise ValueError("array postings file is truncated")
        table, terms, self.block_size, magic = _FOOTER.unpack(view[len(view) - _FOOTER.size :])
        if magic != MAGIC:
            raise OtherLayoutError(f"array postings of layout {magic!r}, not {MAGIC!r}")
        if not 0 <= table <= len(view) - _FOOTER.size - 32 * terms or self.block_size < 1:
            raise ValueError("array postings file is damaged")
        self._view = view
        self._keys = self._array("<i8", terms, table)
        self._chunks = self._array("<i8", terms, table + 8 * terms)
        self._counts = self._array("<i8", terms, table + 16 * terms)
        self._position_sizes = self._array("<i8", terms, table + 24 * terms)

    def postings(self, key: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """The document numbers and term frequencies of the term whose Whoosh postings start at key."""
        chunk, count, _ = self._chunk(key)
        return self._array("<i4", count, chunk), self._array("<f4", count, chunk + 4 * count)

    def block_starts(self, key: int) -> npt.NDArray[np.int64]:
        """Where each Whoosh block of the term whose postings start at key starts in the postings file;
        posting i is in block i // block_size."""
        chunk, count, _ = self._chunk(key)
        return self._array("<i8", self._blocks(count), chunk + 8 * count)

    def positions(self, key: int, boost: float) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any]] | None:
        """Where each posting's positions start and end in the term's flat positions (n + 1 offsets),
        and those positions (a posting holds weight / boost, its field's); None when the term has none
        kept."""
        chunk, count, size = self._chunk(key)
        if not size:
            return None
        weights = self._array("<f4", count, chunk + 4 * count)
        ends = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(np.rint(weights / np.float32(boost)).astype(np.int64), out=ends[1:])
        start = chunk + 8 * count + 8 * self._blocks(count)
        kind = "<u2" if size == 2 else "<u4"
        # Left unaligned if it is: the caller gathers a few documents' runs of it (an aligned copy).
        return ends, np.frombuffer(self._view, dtype=kind, count=int(ends[-1]), offset=start)

    def _array(self, dtype: str, count: int, offset: int) -> npt.NDArray[Any]:
        """count values of dtype at offset, aligned in memory: the file lies in the compound segment
        wherever Whoosh put it, and numpy works on unaligned arrays through buffers (200 title queries
        at 41,578 articles: 12.2 ms mean against 7.8 with the arrays copied to aligned memory)."""
        found = np.frombuffer(self._view, dtype=dtype, count=count, offset=offset)
        return found if found.flags.aligned else found.copy()

    def _blocks(self, count: int) -> int:
        return -(-count // self.block_size)

    def _chunk(self, key: int) -> tuple[int, int, int]:
        found = int(np.searchsorted(self._keys, key))
        if found == len(self._keys) or self._keys[found] != key:
            raise KeyError(key)
        return int(self._chunks[found]), int(self._counts[found]), int(self._position_sizes[found])


def segment_arrays(reader: Any) -> SegmentArrays | None:
    """A segment reader's array postings (kept on the reader), None if its segment has none."""
    held = reader.__dict__.get("_search_arrays", False)
    if held is not False:
        return held
    arrays = None
    name = reader._segment.make_filename(ARRAYS_EXT)
    storage = reader._storage
    if storage.file_exists(name):
        try:
            arrays = SegmentArrays(_mapped(storage, name))
        except OtherLayoutError as error:  # another version's: read from Whoosh's blocks, as without one
            logger.debug("%s: %s", name, error)
    reader._search_arrays = arrays
    return arrays


def _mapped(storage: Any, name: str) -> Any:
    """The file's bytes in place: a slice of the compound segment's map, or the file mapped alone.

    A segment reader's storage is the compound segment overlaid on the index folder: read through
    it, the file would be copied whole (50 ms a segment of 20,000 articles, each process)."""
    if isinstance(storage, OverlayStorage):
        return _mapped(storage.a if storage.a.file_exists(name) else storage.b, name)
    if isinstance(storage, CompoundStorage):
        if storage._source is None:  # Whoosh could not map it: read the file out of it
            return storage.open_file(name).read()
        offset, length = storage.range(name)
        return memoryview(storage._source)[offset : offset + length]
    handle = storage.open_file(name)  # a file of its own (or a writer's storage in memory)
    try:
        if handle.is_real:
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return handle.read()
    finally:
        handle.close()


def decode_positions(value: bytes) -> list[int]:
    """Whoosh 2.7.5's Positions.decode_positions, with the running sum in C: a count, then the pickled
    gaps between positions."""
    return list(accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))
