"""Postings numpy can read: Whoosh 3's codec with each term's postings kept as small little-endian
arrays in place of Whoosh's pickled blocks.

Whoosh keeps a term's postings in blocks of 128, each a zlib-compressed pickle of its document
numbers, weights and positions together: scoring a word unpickles and decompresses every block, the
positions too (at 41,578 articles, 4.5 s of 200 two- and three-word queries, 30% of their time, went
to reading blocks). Here each term's postings are one chunk of the segment's postings file (extension
ARRAYS_EXT, in place of Whoosh's .pst), found through Whoosh's own term entry (its offset and length,
beside the statistics Whoosh keeps, which are written as Whoosh writes them): a term's scores are
`np.frombuffer` and vector arithmetic (postings._term_scores), a phrase is checked for all its
candidate documents at once, and a page's snippets take where their words stand without a block
decoded. Every Whoosh reader, matcher and merge still works: a term's matcher (ArrayMatcher) hands
out the same document numbers, weights and values Whoosh's would. Segments written before (Whoosh's
.pst beside them) are read by Whoosh's own code.

A chunk, all little-endian: two flag bytes (below), then the gaps between the term's document
numbers (the first is in Whoosh's term entry) in 1, 2 or 4 bytes, the smallest that holds them; each
posting's count (positions, or Whoosh's frequency) in 0 (every count 1), 1, 2 or 4 bytes; the weights
as float32 where they are not count x the field's boost (token boosts); that boost as float64 where it
is not 1; every posting's positions one after another (uint16, or uint32 for a document longer than
65,535 words) for a field with positions; for any other format, each posting's value as Whoosh encodes
it (uint32 lengths, then the bytes). At 41,578 articles the postings take 71 MB where Whoosh's
blocks took 220 (docs/benchmarks.md, step 5): gaps of 1 byte cover the common words.
"""

from __future__ import annotations

import logging
import mmap
import operator
import pickle
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import formats
from whoosh.codec import base, whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import OverlayStorage
from whoosh.matching import ListMatcher, ReadTooFar

logger = logging.getLogger(__name__)

ARRAYS_EXT = ".arp"
MAGIC = b"NSARP004"  # the postings file's last 8 bytes; another layout is another program version's
WHOOSH_BLOCK = 128  # W3Codec's blocklimit: Whoosh sums a term's weights a block of this many at a time

_WIDTHS = (1, 2, 4)
_UNSIGNED = {1: "<u1", 2: "<u2", 4: "<u4"}
_TYPECODES = {1: "B", 2: "H", 4: "I"}
# First flag byte: gaps' width (bits 0-1, index into _WIDTHS), counts' width (bits 2-3: 0 = every
# count is 1, else _WIDTHS[n - 1]), positions (bits 4-5: 0 none, 1 uint16, 2 uint32), raw weights
# (bit 6), raw values (bit 7). Second: a boost is stored (bit 0).
_RAW_WEIGHTS, _RAW_VALUES, _BOOSTED = 0x40, 0x80, 0x01

_POSITIONS, _FREQUENCY, _EXISTENCE, _OTHER = range(4)


def _kind(format_: Any) -> int:
    """How a field's values are kept: as positions, as counts alone, as nothing, or as Whoosh's bytes."""
    kind = type(format_)
    if kind is formats.Positions:
        return _POSITIONS
    if kind is formats.Frequency:
        return _FREQUENCY
    if kind is formats.Existence:
        return _EXISTENCE
    return _OTHER


def _width(largest: int) -> int:
    return next(width for width in _WIDTHS if largest < 1 << (8 * width))


class ArrayCodec(whoosh3.W3Codec):
    """Whoosh 3's codec writing and reading each term's postings as arrays (see the module)."""

    def field_writer(self, storage: Any, segment: Any) -> ArrayFieldWriter:
        return ArrayFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # a term vector's postings (none in our schema): Whoosh's
            return super().postings_writer(dbfile, byteids=True)
        return ArrayPostingsWriter(dbfile, self._blocklimit)

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        if storage.file_exists(segment.make_filename(self.POSTS_EXT)):  # written before: Whoosh's blocks
            return super().terms_reader(storage, segment)
        name = segment.make_filename(self.TERMS_EXT)
        terms = storage.open_file(name)
        arrays = SegmentArrays(_mapped(storage, segment.make_filename(ARRAYS_EXT)))
        return ArrayTermsReader(self, terms, storage.file_length(name), arrays)


class ArrayFieldWriter(whoosh3.W3FieldWriter):
    """Whoosh's field writer with the postings file of arrays in place of Whoosh's .pst."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:  # W3FieldWriter's, but the file
        self._codec, self._storage, self._segment = codec, storage, segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = filetables.OrderedHashWriter(self._create_file(whoosh3.W3Codec.TERMS_EXT))
        self._fieldmap: dict[str, int] = {}
        self._tindex.extras["fieldmap"] = self._fieldmap
        self._postfile = self._create_file(ARRAYS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        super().add_postings(schema, _FieldLengths(lengths) if lengths else None, items)

    def close(self) -> None:
        self._postfile.write(MAGIC)
        super().close()


class _FieldLengths:
    """The new segment's field lengths as Whoosh's writer asks for them, a posting at a time, each
    field's read once into a list (Whoosh reads its column for every posting: 20% of writing the
    postings of 2,000 articles)."""

    def __init__(self, lengths: Any) -> None:
        self._lengths = lengths
        self._fields: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str) -> int | None:
        if fieldname not in self._fields:
            self._fields[fieldname] = self._read(fieldname)
        table = self._fields[fieldname]
        if table is None:  # a field without lengths: Whoosh's default
            return 0
        if docnum < len(table):
            return table[docnum]
        return self._lengths.doc_field_length(docnum, fieldname)

    def _read(self, fieldname: str) -> list[int | None] | None:
        lengths = self._lengths
        column = lengths._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if column is None:
            return None
        # As W3PerDocReader.doc_field_length: a length byte of 0 is None.
        return [
            whoosh3.byte_to_length(byte) if byte else None
            for byte in map(column.__getitem__, range(lengths._doccount))
        ]


class ArrayPostingsWriter(base.PostingsWriter):
    """Gathers a term's postings as they come (4 bytes an entry, never a Python object a posting
    beyond the call) and writes them as one chunk when the term ends."""

    def __init__(self, postfile: Any, blocklimit: int = WHOOSH_BLOCK) -> None:
        self._postfile, self._blocklimit = postfile, blocklimit
        self._terminfo: Any = None

    def written(self) -> bool:
        return False

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        self._format, self._terminfo = format_, terminfo
        self._kind = _kind(format_)
        self._boost = float(getattr(format_, "field_boost", 1.0))
        self._ids, self._weights = array("I"), array("f")
        self._counts, self._lengths, self._positions = array("I"), array("I"), array("I")
        self._values: list[bytes] = []

    def add_posting(self, id_: int, weight: float, vbytes: bytes, length: int | None = None) -> None:
        self._ids.append(id_)
        self._weights.append(weight)
        self._lengths.append(length or 0)
        if self._kind == _POSITIONS:
            found = decode_positions(vbytes)
            self._counts.append(len(found))
            self._positions.extend(found)
        elif self._kind == _FREQUENCY:
            self._counts.append(int.from_bytes(vbytes[:4], "big"))
        elif self._kind == _EXISTENCE:
            self._counts.append(1)
        else:
            self._values.append(vbytes)

    def finish_postings(self) -> Any:
        terminfo, ids, weights = self._terminfo, self._ids, self._weights
        _record_statistics(terminfo, ids, weights, self._lengths, self._blocklimit)
        # Plain arrays and builtins, each a C loop over the term: numpy's ~2 us a call outweighs them
        # for the many terms of a few postings (a build of 2,000 articles: 53,000 terms).
        gaps = array("I", map(operator.sub, ids[1:], ids[:-1]))
        id_width = _width(max(gaps, default=0))
        parts = [_little(gaps, id_width)]
        flags, more = _WIDTHS.index(id_width), 0
        if self._kind != _OTHER:
            counts = self._counts
            if counts.count(1) != len(counts):  # (a count of 0 is stored too: it is no 1)
                count_width = _width(max(counts))
                flags |= (_WIDTHS.index(count_width) + 1) << 2
                parts.append(_little(counts, count_width))
            if _weights_of(counts, self._boost) != weights:
                flags |= _RAW_WEIGHTS
                parts.append(_little(weights, 4))
            elif self._boost != 1.0:
                more |= _BOOSTED
                parts.append(struct.pack("<d", self._boost))
            if self._kind == _POSITIONS:
                wide = max(self._positions, default=0) >= 1 << 16
                flags |= (2 if wide else 1) << 4
                parts.append(_little(self._positions, 4 if wide else 2))
        else:
            flags |= _RAW_WEIGHTS | _RAW_VALUES
            parts.append(_little(weights, 4))
            parts.append(_little(array("I", map(len, self._values)), 4))
            parts.extend(self._values)
        offset = self._postfile.tell()
        self._postfile.write(bytes((flags, more)))
        for part in parts:
            self._postfile.write(part)
        terminfo.set_extent(offset, self._postfile.tell() - offset)
        self._terminfo = None
        return terminfo


def _little(values: array[Any], width: int) -> bytes:
    """An array's values as little-endian bytes, width bytes each (floats: 4, as they are)."""
    narrowed = values if values.itemsize == width else array(_TYPECODES[width], values)
    if sys.byteorder != "little":
        narrowed = array(narrowed.typecode, narrowed)
        narrowed.byteswap()
    return narrowed.tobytes()


def _record_statistics(
    terminfo: Any, ids: array[int], weights: array[float], lengths: array[int], blocklimit: int
) -> None:
    """The term's statistics as Whoosh's writer records them, a block of its postings at a time (its
    total weight is summed block by block, as floats: the same order gives the same float)."""
    total = 0.0
    for start in range(0, len(weights), blocklimit):
        total += sum(weights[start : start + blocklimit])
    terminfo._weight = total
    terminfo._df = len(ids)
    terminfo._minlength = min(filter(None, lengths), default=None)
    terminfo._maxlength = max(lengths, default=0)
    terminfo._maxweight = max(0.0, max(weights))
    terminfo._minid, terminfo._maxid = ids[0], ids[-1]


def _weights_of(counts: array[int], boost: float) -> array[float]:
    """Whoosh's weights for postings of these counts: count x boost in double precision, kept as float32."""
    return array("f", counts if boost == 1.0 else map(boost.__mul__, counts))


def _read_weights(counts: npt.NDArray[Any], boost: float) -> npt.NDArray[np.float32]:
    """_weights_of() for counts read back."""
    return (counts.astype(np.float64) * boost).astype(np.float32)


@dataclass(frozen=True)
class Chunk:
    """Where a term's arrays lie in the segment's postings file."""

    count: int
    first: int  # the first document number
    id_width: int
    gaps: int  # offsets in the file
    count_width: int  # 0: every count is 1
    counts: int
    weights: int | None  # raw float32 weights, or None: count x boost
    boost: float
    position_width: int  # 0: none
    positions: int
    values: int | None  # raw values' lengths, then the values
    end: int  # where the term's chunk ends


class ArrayTermsReader(whoosh3.W3TermsReader):
    """Whoosh's terms reader, its matchers reading the segment's array postings."""

    def __init__(self, codec: Any, dbfile: Any, length: int, arrays: SegmentArrays) -> None:
        super().__init__(codec, dbfile, length, None)
        self.arrays = arrays

    def matcher(self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None) -> Any:
        info = self.term_info(fieldname, tbytes)
        return term_matcher(self.arrays, info, format_, term=(fieldname, tbytes), scorer=scorer)

    def close(self) -> None:
        self._tindex.close()


def term_matcher(
    arrays: SegmentArrays, info: Any, format_: Any, term: Any = None, scorer: Any = None
) -> ArrayMatcher:
    """A Whoosh matcher of the term of this Whoosh term entry, from its arrays."""
    ids, weights = arrays.postings(info)
    values = _Values(arrays, info, format_)
    return ArrayMatcher(
        ids.tolist(), weights.tolist(), values, format_, scorer=scorer, term=term, terminfo=info
    )


class ArrayMatcher(ListMatcher):
    """Whoosh's matcher over a list of postings, for a term's arrays: found by bisection, its values
    encoded only when asked for, the whole term one block."""

    _i: int
    _ids: list[int]

    def skip_to(self, id_: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if id_ > self._ids[self._i]:
            self._i = bisect_left(self._ids, id_, self._i)

    def skip_to_quality(self, minquality: float) -> int:
        if self.is_active() and self.block_quality() <= minquality:
            self._i = len(self._ids)
            return 1
        return 0

    def block_max_weight(self) -> float:
        return float(self._terminfo.max_weight())

    def copy(self) -> ArrayMatcher:
        return ArrayMatcher(
            self._ids, self._weights, self._values, self._format, self._scorer, self._i,
            term=self._term, terminfo=self._terminfo,
        )  # fmt: skip


class _Values:
    """A term's values as Whoosh encodes them (what ListMatcher indexes and iterates), each made when
    asked for (a merge asks for all; a search, for a few)."""

    def __init__(self, arrays: SegmentArrays, info: Any, format_: Any) -> None:
        self._arrays, self._info, self._kind = arrays, info, _kind(format_)
        self._made: Any = None

    def __len__(self) -> int:
        return int(self._info.doc_frequency())

    def __getitem__(self, index: int) -> bytes | None:
        if self._kind == _EXISTENCE:  # as Whoosh's matcher gives it
            return None
        if self._made is None:
            self._made = self._arrays.value_maker(self._info, self._kind)
        return self._made(index)

    def __iter__(self) -> Iterator[bytes | None]:
        return (self[i] for i in range(len(self)))


class OtherLayoutError(ValueError):
    """An array postings file of another layout than this program's (another version wrote it)."""


class SegmentArrays:
    """A segment's array postings, read in place (a view of the segment's mapped file)."""

    def __init__(self, buffer: Any) -> None:
        view = memoryview(buffer)
        if len(view) < len(MAGIC):
            raise ValueError("array postings file is truncated")
        if view[len(view) - len(MAGIC) :] != MAGIC:
            raise OtherLayoutError(f"array postings of layout {bytes(view[-len(MAGIC) :])!r}, not {MAGIC!r}")
        self._view = view
        self._end = len(view) - len(MAGIC)

    def chunk(self, info: Any) -> Chunk:
        """Where the arrays of the term of this Whoosh term entry lie."""
        offset, length = info.extent()
        if isinstance(length, tuple):  # Whoosh 2.7.5 reads a term entry's length as struct's 1-tuple
            (length,) = length
        count, first = int(info.doc_frequency()), info.min_id()
        if offset is None or not 0 <= offset <= offset + length <= self._end or length < 2 or count < 1:
            raise ValueError("array postings file is damaged")
        flags, more = self._view[offset], self._view[offset + 1]
        if flags & 3 == 3 or flags >> 4 & 3 == 3 or first is None:
            raise ValueError("array postings file is damaged")
        id_width = _WIDTHS[flags & 3]
        count_width = _WIDTHS[(flags >> 2 & 3) - 1] if flags >> 2 & 3 else 0
        at = offset + 2 + id_width * (count - 1)
        counts, at = at, at + count_width * count
        weights = None
        if flags & _RAW_WEIGHTS:
            weights, at = at, at + 4 * count
        boosted, at = at, at + (8 if more & _BOOSTED else 0)
        if at > offset + length:  # what the entry's count says the term holds is not all there
            raise ValueError("array postings file is damaged")
        boost = struct.unpack_from("<d", self._view, boosted)[0] if more & _BOOSTED else 1.0
        position_width = (0, 2, 4)[flags >> 4 & 3]
        values = at if flags & _RAW_VALUES else None
        return Chunk(
            count,
            first,
            id_width,
            offset + 2,
            count_width,
            counts,
            weights,
            boost,
            position_width,
            at,
            values,
            offset + length,
        )

    def postings(self, info: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The term's document numbers (ascending) and weights (Whoosh's term frequencies)."""
        chunk = self.chunk(info)
        if chunk.weights is not None:
            weights = np.frombuffer(self._view, dtype="<f4", count=chunk.count, offset=chunk.weights)
            return self._ids(chunk), weights.astype(np.float32)
        return self._ids(chunk), _read_weights(self._counts(chunk), chunk.boost)

    def ids(self, info: Any) -> npt.NDArray[np.int64]:
        """The term's document numbers alone (ascending)."""
        return self._ids(self.chunk(info))

    def positions(self, info: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any]] | None:
        """Where each posting's positions start and end in the term's flat positions (n + 1 offsets),
        and those positions; None for a field without positions."""
        chunk = self.chunk(info)
        if not chunk.position_width:
            return None
        ends = np.zeros(chunk.count + 1, dtype=np.int64)
        np.cumsum(self._counts(chunk), out=ends[1:])
        if chunk.positions + chunk.position_width * int(ends[-1]) > chunk.end:
            raise ValueError("array postings file is damaged")
        kind = "<u2" if chunk.position_width == 2 else "<u4"
        # Left unaligned if it is: the caller gathers a few documents' runs of it (an aligned copy).
        return ends, np.frombuffer(self._view, dtype=kind, count=int(ends[-1]), offset=chunk.positions)

    def value_maker(self, info: Any, kind: int) -> Any:
        """A function giving the term's n-th posting's value as Whoosh's format encodes it."""
        if kind == _POSITIONS:
            held = self.positions(info)
            if held is None:  # the field's format keeps positions, the term's chunk none
                raise ValueError("array postings file is damaged")
            ends, flat = held
            return lambda n: encode_positions(flat[ends[n] : ends[n + 1]].tolist())
        chunk = self.chunk(info)
        if kind == _FREQUENCY:
            counts = self._counts(chunk)
            return lambda n: int(counts[n]).to_bytes(4, "big")
        # Any other format: its values as Whoosh encoded them.
        if chunk.values is None or chunk.values + 4 * chunk.count > chunk.end:
            raise ValueError("array postings file is damaged")
        lengths = np.frombuffer(self._view, dtype="<u4", count=chunk.count, offset=chunk.values)
        starts = chunk.values + 4 * chunk.count + np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
        if starts[-1] > chunk.end:
            raise ValueError("array postings file is damaged")
        return lambda n: bytes(self._view[int(starts[n]) : int(starts[n + 1])])

    def _ids(self, chunk: Chunk) -> npt.NDArray[np.int64]:
        gaps = np.frombuffer(
            self._view, dtype=_UNSIGNED[chunk.id_width], count=chunk.count - 1, offset=chunk.gaps
        )
        ids = np.empty(chunk.count, dtype=np.int64)
        ids[0] = chunk.first
        np.cumsum(gaps, out=ids[1:])
        ids[1:] += chunk.first
        return ids

    def _counts(self, chunk: Chunk) -> npt.NDArray[Any]:
        if not chunk.count_width:
            return np.ones(chunk.count, dtype=np.uint8)
        return np.frombuffer(
            self._view, dtype=_UNSIGNED[chunk.count_width], count=chunk.count, offset=chunk.counts
        )


def segment_arrays(reader: Any) -> SegmentArrays | None:
    """A segment reader's array postings, None for a segment written with Whoosh's blocks."""
    terms = reader._terms
    return terms.arrays if isinstance(terms, ArrayTermsReader) else None


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


def encode_positions(positions: list[int]) -> bytes:
    """Whoosh 2.7.5's Positions.encode: the count, then the pickled gaps between positions (the gap list
    made by map, and a lone position - most postings - as it is)."""
    if len(positions) == 1:
        return b"\0\0\0\1" + pickle.dumps(positions, 2)
    gaps = [positions[0], *map(operator.sub, positions[1:], positions[:-1])] if positions else []
    return len(positions).to_bytes(4, "big") + pickle.dumps(gaps, 2)
