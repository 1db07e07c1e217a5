"""Per-document columns read whole, as arrays: dates, the actors each document names, its outlet.

Counting matches per actor, outlet, year or period must not read every hit's stored fields, nor walk
every actor's postings as Whoosh's overlapping facets do (7.5 s a search with the actor facet at
41,578 articles: 133,000 posting lists opened). Each segment keeps the values in columns written at
indexing (analysis.build_schema); they are read once a searcher, into one byte string and arrays of
offsets, and counted with numpy over the matching documents.
"""

from __future__ import annotations

import heapq
import mmap
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.filedb.filestore import OverlayStorage
from whoosh.util.times import datetime_to_long

from .analysis import ACTOR_IDS_COLUMN, MAIN_MARK, MISSING_DATE, TITLE_KEY_COLUMN
from .matches import DocumentSet
from .sources import SOURCE_FIELD

IntArray = npt.NDArray[np.int64]
_MAIN_ID_RE = re.compile(b" " + re.escape(MAIN_MARK) + rb"(\S+)")
# Whoosh keeps a date as microseconds since 0001-01-01; numpy counts from 1970-01-01.
_EPOCH_OFFSET_US = datetime_to_long(datetime(1970, 1, 1))


@dataclass(frozen=True)
class BytesColumn:
    """A column of byte strings for every document number of a searcher: value d is
    data[starts[d]:ends[d]] (empty for a document without one)."""

    data: bytes
    starts: IntArray
    ends: IntArray

    def values(self, docs: IntArray) -> list[bytes]:
        data = self.data
        starts, ends = self.starts[docs].tolist(), self.ends[docs].tolist()
        return [data[start:end] for start, end in zip(starts, ends, strict=True)]


# From this many documents, actors are counted from ActorCodes (made once a commit: 0.15 s at 41,578
# articles, 724,000 ids) rather than as bytes (about 13 ms a 1,000 documents: 218 ms for the 16,714
# articles naming "president", 12 ms with the codes).
CODED_FROM = 5_000


@dataclass(frozen=True)
class ActorCodes:
    """Every document's actor ids as numbers, for counting many documents with one np.bincount: the
    codes of all documents end to end (document d's are codes[starts[d] : starts[d] + lengths[d]]),
    whether each is a main actor of its document, and the id of each code."""

    ids: tuple[str, ...]
    codes: npt.NDArray[np.int32]
    main: npt.NDArray[np.bool_]
    starts: IntArray
    lengths: IntArray

    @classmethod
    def of(cls, column: BytesColumn) -> ActorCodes:
        # Every loop is a map() run in C (0.15 s for 724,000 ids; 0.8 s as generator expressions).
        values = column.values(np.arange(len(column.starts), dtype=np.int64))
        lengths = np.fromiter(map(len, map(bytes.split, values)), dtype=np.int64, count=len(values))
        joined = b" " + b" ".join(values)
        written = joined.split()
        marked = map(bytes.startswith, written, repeat(MAIN_MARK))
        main = np.fromiter(marked, dtype=np.bool_, count=len(written))
        ids = joined.replace(b" " + MAIN_MARK, b" ").split()
        numbers = {key: number for number, key in enumerate(dict.fromkeys(ids))}
        codes = np.fromiter(map(numbers.__getitem__, ids), dtype=np.int32, count=len(ids))
        starts = np.cumsum(lengths) - lengths
        return cls(tuple(key.decode() for key in numbers), codes, main, starts, lengths)

    def per_code(self, docs: IntArray, main_only: bool = False) -> IntArray:
        """How many of docs name each code's actor (as a main actor, with main_only)."""
        lengths = self.lengths[docs]
        # The positions of docs' codes: each document's start repeated for each of its codes, plus
        # 0, 1, 2... within the document.
        firsts = np.cumsum(lengths) - lengths
        at = np.repeat(self.starts[docs] - firsts, lengths) + np.arange(int(lengths.sum()))
        codes = self.codes[at[self.main[at]]] if main_only else self.codes[at]
        return np.bincount(codes, minlength=len(self.ids))

    def counts(self, docs: IntArray, main_only: bool = False) -> Counter[str]:
        """Documents per actor id among docs (as Columns.actor_counts counts them as bytes)."""
        per_code, ids = self.per_code(docs, main_only), self.ids
        return Counter({ids[code]: int(per_code[code]) for code in np.flatnonzero(per_code).tolist()})

    def most(
        self, docs: IntArray, limit: int | None, main_only: bool, keep: Callable[[str], bool] | None
    ) -> list[tuple[str, int]]:
        """most_counted(counts(docs, main_only), limit, keep), without making a count of every actor:
        only those counted at least as often as the limit-th are named and sorted."""
        per_code = self.per_code(docs, main_only)
        if keep is not None:
            per_code *= np.fromiter(map(keep, self.ids), dtype=np.bool_, count=len(self.ids))
        counted = np.flatnonzero(per_code)
        if limit is not None and len(counted) > limit:
            least = np.partition(per_code[counted], len(counted) - limit)[len(counted) - limit]
            counted = counted[per_code[counted] >= least]
        return most_counted({self.ids[code]: int(per_code[code]) for code in counted.tolist()}, limit)


def most_counted(counts: Mapping[str, int], limit: int | None) -> list[tuple[str, int]]:
    """The `limit` largest counts (None: all), most first, equal counts by key."""

    def order(item: tuple[str, int]) -> tuple[int, str]:
        return -item[1], item[0]

    return (
        sorted(counts.items(), key=order)
        if limit is None
        else heapq.nsmallest(limit, counts.items(), key=order)
    )


class SharedCodes:
    """An index's ActorCodes, shared by the threads that search it (a server answers each request on a
    thread of a pool, each with its own searcher and columns): made once a commit, by the first thread
    that needs them, while the others wait for them rather than make them again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: tuple[int, ActorCodes] | None = None

    def ready(self, generation: int) -> bool:
        made = self._made
        return made is not None and made[0] == generation

    def get(self, generation: int, column: Callable[[], BytesColumn]) -> ActorCodes:
        with self._lock:
            if self._made is None or self._made[0] != generation:
                self._made = (generation, ActorCodes.of(column()))
            return self._made[1]


class Columns:
    """A searcher's columns, each read whole at its first use and kept (the caller keeps this until
    the next commit): each document's date (Whoosh's long, MISSING_DATE when undated), its actors,
    its outlet and its title's sort key; and the live (not deleted) document numbers. A command that
    filters by actor reads no column of titles."""

    def __init__(self, searcher: Any, shared: SharedCodes | None = None) -> None:
        self._reader = searcher.reader()
        self._segments = segments_of(self._reader)
        self._shared = shared if shared is not None else SharedCodes()
        self._generation: int = self._reader.generation()

    @cached_property
    def dates(self) -> npt.NDArray[np.uint64]:
        dates = [_fixed_u64(segment, "date", MISSING_DATE) for segment, _ in self._segments]
        return np.concatenate(dates) if dates else np.zeros(0, dtype=np.uint64)

    @cached_property
    def actors(self) -> BytesColumn:
        return _joined(var_bytes(segment, ACTOR_IDS_COLUMN) for segment, _ in self._segments)

    @cached_property
    def sources(self) -> BytesColumn:
        return _joined(var_bytes(segment, SOURCE_FIELD) for segment, _ in self._segments)

    @cached_property
    def titles(self) -> BytesColumn:
        """The keys titles sort by (analysis.title_key)."""
        return _joined(var_bytes(segment, TITLE_KEY_COLUMN) for segment, _ in self._segments)

    @cached_property
    def live(self) -> IntArray:
        """The document numbers not deleted, ascending (from each segment's deletions: Whoosh's
        all_doc_ids() asks of each document whether it is deleted, 6.4 s at 1,000,000 articles)."""
        parts = [live_documents(segment) + offset for segment, offset in self._segments]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def documents(self, matched: DocumentSet | None) -> IntArray:
        """The document numbers of a match (None: every document), ascending."""
        return self.live if matched is None else matched.docnums

    @property
    def actor_codes(self) -> ActorCodes:
        """The actor column as numbers (ActorCodes), made at the first count of many documents."""
        return self._shared.get(self._generation, lambda: self.actors)

    def _coded(self, docs: IntArray) -> bool:
        """True when docs' actors are best counted as numbers: many documents, or the codes made."""
        return len(docs) >= CODED_FROM or self._shared.ready(self._generation)

    def actor_counts(self, docs: IntArray, main_only: bool = False) -> Counter[str]:
        """Documents per actor id among docs: every actor each names, or its main actors only."""
        if self._coded(docs):
            return self.actor_codes.counts(docs, main_only)
        # Counted as bytes (in C: 330,000 ids of 10,000 stories in 30 ms), then decoded once an id.
        joined = b" " + b" ".join(self.actors.values(docs))
        ids = _MAIN_ID_RE.findall(joined) if main_only else joined.replace(b" " + MAIN_MARK, b" ").split()
        return Counter({key.decode(): count for key, count in Counter(ids).items()})

    def most_named(
        self,
        docs: IntArray,
        limit: int | None,
        main_only: bool = False,
        keep: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, int]]:
        """The `limit` actor ids (None: all) most often named among docs (as main actors, with main_only;
        those `keep` keeps), with their counts, most first, equal counts by id."""
        if self._coded(docs):
            return self.actor_codes.most(docs, limit, main_only, keep)
        counts = self.actor_counts(docs, main_only)
        return most_counted(counts if keep is None else {k: n for k, n in counts.items() if keep(k)}, limit)

    def ordered(self, docs: IntArray, sort: str, depth: int) -> IntArray:
        """The first `depth` of docs by date (sort 'date': oldest first; '-date': newest first) or by
        title ('title', A to Z), undated or untitled last, equal keys in index order."""
        if sort == "title":
            keys = self.titles.values(docs)
            return docs[sorted(range(len(docs)), key=keys.__getitem__)[:depth]]
        dates = self.dates[docs]
        undated = dates == np.uint64(MISSING_DATE)
        key = np.where(undated, 0, dates).astype(np.int64)
        return docs[np.lexsort((docs, -key if sort == "-date" else key, undated))[:depth]]

    def source_counts(self, docs: IntArray) -> Counter[str]:
        """Documents per outlet among docs (a document without one counts for none)."""
        return Counter(value.decode() for value in self.sources.values(docs) if value)

    def dated(self, docs: IntArray) -> npt.NDArray[np.datetime64]:
        """The dates of those of docs that have one, as numpy microseconds."""
        values = self.dates[docs]
        values = values[values != np.uint64(MISSING_DATE)]
        return (values.astype(np.int64) - _EPOCH_OFFSET_US).astype("datetime64[us]")


def deleted_mask(reader: Any) -> npt.NDArray[np.bool_]:
    """A segment's deleted documents as a mask, kept on its reader while their number stays the same
    (a writer's own reader sees its deletions grow; they never shrink)."""
    count = reader._segment.deleted_count()
    held = reader.__dict__.get("_search_deleted")
    if held is None or held[0] != count:
        mask = np.zeros(reader.doc_count_all(), dtype=np.bool_)
        mask[list(reader._perdoc.deleted_docs())] = True
        held = reader._search_deleted = (count, mask)
    return held[1]


def segments_of(reader: Any) -> list[tuple[Any, int]]:
    """A reader's segment readers with the document number each starts at."""
    if hasattr(reader, "readers"):
        return list(zip(reader.readers, reader.doc_offsets, strict=True))
    return [(reader, 0)]


def release_mapped_pages(reader: Any) -> None:
    """Let go of the pages of a reader's segment files this process has read through their maps: they
    stay in the kernel's page cache, and are mapped again from there when read again. Grouping the
    copies of a million articles read their signatures (512 MB) and thousands of stored bodies (each
    read maps its neighbouring pages too) through the maps, and held ~2 GB of the index's pages as
    the process's own memory by its end."""
    for segment, _ in segments_of(reader):
        storage = getattr(segment, "_storage", None)
        parts = (storage.a, storage.b) if isinstance(storage, OverlayStorage) else (storage,)
        for part in parts:
            source = getattr(part, "_source", None)
            if isinstance(source, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):  # (Linux, BSDs, macOS)
                source.madvise(mmap.MADV_DONTNEED)


def _fixed_u64(segment: Any, name: str, default: int) -> npt.NDArray[np.uint64]:
    """A segment's column of 64-bit numbers (Whoosh's NumericColumn, big-endian) as an array."""
    count = segment.doc_count_all()
    values = np.full(count, default, dtype=np.uint64)
    if not segment.has_column(name):
        return values
    column = segment.column_reader(name, translate=False)
    written = getattr(column, "_count", None)
    if written is not None and getattr(column, "_fixedlen", 0) == 8:
        raw = column._dbfile.get(column._basepos, written * 8)
        values[:written] = np.frombuffer(raw, dtype=">u8")
    else:  # another column layout: read value by value
        values[:] = np.fromiter((int(v) for v in column), dtype=np.uint64, count=count)
    return values


class SegmentBytes:
    """A segment's column of byte strings (Whoosh's VarBytesColumn): each document's start and end in
    its data, and the data read a range at a time (the values of some documents: one read from the
    first of them to the last), not the whole column at once: the copy fingerprints of a segment of
    a million documents are 512 MB."""

    def __init__(self, segment: Any, name: str) -> None:
        count = segment.doc_count_all()
        self._column: Any = segment.column_reader(name, translate=False) if segment.has_column(name) else None
        self._data: bytes | None = None
        if self._column is None:
            self._data = b""
            self.starts, self.ends = np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
        elif hasattr(self._column, "_offsets") and hasattr(self._column, "_lengths"):
            self.starts = np.asarray(self._column._offsets, dtype=np.int64)
            self.ends = self.starts + np.asarray(self._column._lengths, dtype=np.int64)
        else:  # another column layout: read value by value, once
            values = [bytes(v) for v in self._column]
            lengths = np.array([len(v) for v in values], dtype=np.int64)
            self._data = b"".join(values)
            self.ends = np.cumsum(lengths, dtype=np.int64)
            self.starts = self.ends - lengths

    def read(self, start: int, end: int) -> bytes:
        """The column's data from start to end."""
        if self._data is not None:
            return self._data[start:end]
        return bytes(self._column._dbfile.get(self._column._basepos + start, end - start))

    def values(self, docs: IntArray) -> list[bytes]:
        """The values of these documents (the segment's own numbers)."""
        if not len(docs):
            return []
        starts, ends = self.starts[docs], self.ends[docs]
        first = int(starts.min())
        data = self.read(first, int(ends.max()))
        return [
            data[start - first : end - first]
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
        ]


def var_bytes(segment: Any, name: str) -> tuple[bytes, IntArray, IntArray]:
    """A segment's column of byte strings as its data and each document's start and end in it."""
    column = SegmentBytes(segment, name)
    size = int(column.ends.max()) if len(column.ends) else 0
    return column.read(0, size), column.starts, column.ends


def live_documents(segment: Any) -> IntArray:
    """A segment's documents not deleted (its own numbers), ascending."""
    if segment.has_deletions():
        return np.flatnonzero(~deleted_mask(segment)).astype(np.int64, copy=False)
    return np.arange(segment.doc_count_all(), dtype=np.int64)


def _joined(parts: Iterable[tuple[bytes, IntArray, IntArray]]) -> BytesColumn:
    data, starts, ends, base = [], [], [], 0
    for part_data, part_starts, part_ends in parts:
        data.append(part_data)
        starts.append(part_starts + base)
        ends.append(part_ends + base)
        base += len(part_data)
    if not data:
        empty = np.zeros(0, dtype=np.int64)
        return BytesColumn(b"", empty, empty)
    return BytesColumn(b"".join(data), np.concatenate(starts), np.concatenate(ends))


def as_date(value: np.datetime64) -> date:
    """A numpy day (or a coarser unit) as a date."""
    day = value.astype("datetime64[D]")
    return date.fromisoformat(str(day))
