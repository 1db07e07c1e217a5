"""Copy groups: the documents that are copies of one story (a wire story carried by ten outlets).

Two documents are copies when their resemblance (fingerprints.py) is at least a threshold and their
signatures share a band; a copy group is a set of documents joined by such pairs (single link). The
groups are a property of the documents alone, whatever order they came in: an update recomputes only
the groups it can change (those of the documents it added, changed or removed, and of the documents
that share a band with a new one), which gives the groups a full rebuild gives.

The groups are kept beside the index (copies.json: the ids of each group of two or more), written
after each commit and before the catalog, with the index generation they were computed for: a run
that finds them computed for another generation (a run that stopped between the two) computes them
all again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from .analysis import FINGERPRINT_COLUMN, _every_folded_word
from .columns import IntArray, SegmentBytes, live_documents, release_mapped_pages, segments_of
from .fingerprints import (
    BANDS,
    SIGNATURE_BYTES,
    U32,
    U64,
    band_keys,
    estimated_resemblance,
    resemblance,
    shingle_hashes,
    signatures,
)
from .folder import CopyTable, numbering, numbers_hold
from .matches import located

log = logging.getLogger(__name__)

# An estimate this far or farther from the threshold decides a pair alone: 0.15 is more than four
# standard errors of a 128-number signature's estimate near 0.8 (fingerprints.PERMUTATIONS). Nearer,
# the pair's shingles are compared exactly (all the groups of the 41,578-article folder: 0.58 s).
ESTIMATE_MARGIN = 0.15
KEYS_AT_ONCE = 65_536  # signatures read and hashed into band keys at once (~100 MB of temporaries)
AMONG_TABLE_BITS = 20  # low bits of a band key that _among() looks up first (a 1 MB table)
ROWS_KEPT = 65_536  # signatures of compared documents kept while groups are made (32 MB)
# Stored bodies' shingles kept while groups are made: let go between two band buckets once this many
# are (within a bucket each document is compared with those before it: clearing them there would read
# each body again for each comparison).
SHINGLES_KEPT = 4_096
# Documents read one at a time (a signature, a stored body) between two releases of the index's pages
# mapped into the process (columns.release_mapped_pages): each read maps its neighbouring pages too.
READS_BETWEEN_RELEASES = 4_096


class _Pairs:
    """Whether two documents of a searcher are copies: by their signatures' estimate when it is clear,
    else by their shingles compared exactly (read from the stored body, kept until SHINGLES_KEPT are,
    then let go when a bucket is done)."""

    def __init__(self, prints: _Fingerprints, threshold: float) -> None:
        self._prints = prints
        self._threshold = threshold
        self._shingles: dict[int, U64] = {}
        self.exact_comparisons = 0

    def copies(self, first: int, second: int) -> bool:
        """Whether the documents at these places of the fingerprints are copies."""
        estimate = estimated_resemblance(self._prints.row(first), self._prints.row(second))
        if abs(estimate - self._threshold) >= ESTIMATE_MARGIN:
            return estimate >= self._threshold
        self.exact_comparisons += 1
        docs = self._prints.docs
        return resemblance(self._shingles_of(int(docs[first])), self._shingles_of(int(docs[second]))) >= (
            self._threshold
        )

    def _shingles_of(self, docnum: int) -> U64:
        found = self._shingles.get(docnum)
        if found is None:
            body = self._prints.stored(docnum).get("body", "")
            found = self._shingles[docnum] = shingle_hashes(_every_folded_word(body))
        return found

    def bucket_done(self) -> None:
        """A band bucket's documents are joined: the shingles kept are let go if there are enough."""
        if len(self._shingles) >= SHINGLES_KEPT:
            self._shingles.clear()


class _Fingerprints:
    """The live documents that have a signature (docs, ascending), each one's BANDS band keys, and each
    one's signature, read when a pair of them is compared.

    The signatures are read KEYS_AT_ONCE documents of a segment at a time, and only their band keys
    kept, 32 bits of each (the low half of band_keys()'s): at 1,000,000 articles the signatures are
    512 MB, and the parent of a rebuild held them whole, with their 64-bit keys and a copy in Python
    bytes, to ~5 GB as it grouped copies. Keys that agree in 64 bits agree in 32; the few pairs more
    that agree by chance are decided by their signatures, as every candidate pair is.
    """

    def __init__(self, searcher: Any) -> None:
        docs: list[IntArray] = []
        keys: list[U32] = [np.zeros((0, BANDS), dtype=np.uint32)]
        self._reader = searcher.reader()
        self._reads = 0
        segments = segments_of(self._reader)
        self._columns = [SegmentBytes(segment, FINGERPRINT_COLUMN) for segment, _ in segments]
        for (segment, offset), column in zip(segments, self._columns, strict=True):
            local = live_documents(segment)
            local = local[(column.ends - column.starts)[local] == SIGNATURE_BYTES]
            for first in range(0, len(local), KEYS_AT_ONCE):
                part = local[first : first + KEYS_AT_ONCE]
                keys.append(band_keys(signatures(column.values(part))).astype(np.uint32))
                release_mapped_pages(self._reader)
            docs.append(local + offset)
        self.docs: IntArray = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        self.keys: U32 = np.concatenate(keys)
        self._offsets = np.array([offset for _, offset in segments], dtype=np.int64)
        self._rows: dict[int, U32] = {}

    def places(self, docnums: Iterable[int]) -> list[int]:
        """The places of those of the documents that have a signature here."""
        places, here = located(self.docs, np.array(sorted(docnums), dtype=np.int64))
        return places[here].tolist()

    def row(self, place: int) -> U32:
        """The signature of the document at a place (kept until ROWS_KEPT are, then all let go)."""
        row = self._rows.get(place)
        if row is None:
            docnum = int(self.docs[place])
            number = int(np.searchsorted(self._offsets, docnum, side="right")) - 1
            local = np.array([docnum - int(self._offsets[number])], dtype=np.int64)
            if len(self._rows) >= ROWS_KEPT:
                self._rows.clear()
            self.read_one()
            row = self._rows[place] = signatures(self._columns[number].values(local))[0]
        return row

    def stored(self, docnum: int) -> dict[str, Any]:
        """A document's stored fields."""
        self.read_one()
        fields: dict[str, Any] = self._reader.stored_fields(docnum)
        return fields

    def read_one(self) -> None:
        """Count a document about to be read through the index's maps, letting their pages go every
        READS_BETWEEN_RELEASES."""
        self._reads += 1
        if self._reads % READS_BETWEEN_RELEASES == 0:
            release_mapped_pages(self._reader)


def _components(places: IntArray, prints: _Fingerprints, pairs: _Pairs) -> list[list[int]]:
    """The copy groups (two or more documents) among the documents at `places` of prints: documents
    joined when a band of theirs agrees and pairs says they are copies."""
    parent = list(range(len(places)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    decided: dict[tuple[int, int], bool] = {}
    for band in range(BANDS):
        column = prints.keys[places, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], len(ordered)]
        for start, end in zip(
            starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist(), strict=True
        ):
            _join_bucket(order[start:end].tolist(), places, pairs, decided, parent, root)
            pairs.bucket_done()
    # The groups of two or more, as arrays: a list a document (every one its own group, as most are)
    # held ~150 MB at a million articles.
    roots = np.array([root(node) for node in range(len(places))], dtype=np.int64)
    grouped = np.flatnonzero(np.bincount(roots, minlength=len(places))[roots] > 1)
    by_root = grouped[np.argsort(roots[grouped], kind="stable")]
    if not len(by_root):
        return []
    docs = prints.docs[places]
    return [docs[group].tolist() for group in np.split(by_root, np.flatnonzero(np.diff(roots[by_root])) + 1)]


def _join_bucket(
    bucket: list[int],
    places: IntArray,
    pairs: _Pairs,
    decided: dict[tuple[int, int], bool],
    parent: list[int],
    root: Callable[[int], int],
) -> None:
    """Join the documents of one band bucket that are copies. A document is compared with the bucket's
    documents of each other group until one is a copy: a bucket of a thousand identical stubs costs a
    thousand comparisons, not half a million."""

    def copies(node: int, other: int) -> bool:
        key = (min(node, other), max(node, other))
        if key not in decided:
            decided[key] = pairs.copies(int(places[node]), int(places[other]))
        return decided[key]

    by_root: dict[int, list[int]] = {}  # the bucket's documents so far, by their group's root
    for node in bucket:
        mine = root(node)
        for other_root in list(by_root):
            if (
                other_root in by_root
                and other_root != mine
                and any(copies(node, other) for other in by_root[other_root])
            ):
                parent[mine] = other_root
                by_root[other_root].extend(by_root.pop(mine, []))
                mine = other_root
        by_root.setdefault(mine, []).append(node)


def copy_groups(
    searcher: Any, threshold: float, previous: CopyTable | None = None, changed: Collection[str] = ()
) -> tuple[tuple[str, ...], ...]:
    """The copy groups of a searcher's documents, each its ids sorted, the groups in order.

    With previous (the groups before the documents whose ids are `changed` were added, replaced or
    removed), only the groups those changes can touch are computed again: the groups of the changed
    documents and of every document that shares a band with a changed one; the rest are kept.
    Without previous, every group is computed.
    """
    prints = _Fingerprints(searcher)
    pairs = _Pairs(prints, threshold)
    if previous is None:
        places = np.arange(len(prints.docs))
        kept: list[tuple[str, ...]] = []
    else:
        places, kept = _affected(searcher, prints, previous, set(changed))
    found = _components(places, prints, pairs)
    log.debug(
        "copy groups: %d documents compared, %d pairs compared exactly", len(places), pairs.exact_comparisons
    )
    made = [tuple(sorted(prints.stored(docnum)["id"] for docnum in group)) for group in found]
    release_mapped_pages(searcher.reader())
    return tuple(sorted(kept + made))


def _affected(
    searcher: Any, prints: _Fingerprints, previous: CopyTable, changed: set[str]
) -> tuple[IntArray, list[tuple[str, ...]]]:
    """The places (in prints) of the documents whose groups the changes can touch, and the previous
    groups they cannot touch. Only the ids of the documents that share a band with a changed one are
    read, and the document numbers of the groups they touch (looking up every grouped id was 5.7 s of
    an update of 100 files at 1,000,000 articles)."""

    def places(ids: Iterable[str]) -> list[int]:
        found = (searcher.document_number(id=doc_id) for doc_id in ids)
        return prints.places(docnum for docnum in found if docnum is not None)

    seeds = places(changed)
    sharing = np.zeros(len(prints.docs), dtype=bool)
    for band in range(BANDS) if seeds else ():
        sharing |= _among(prints.keys[:, band], np.unique(prints.keys[seeds, band]))
    affected = set(np.flatnonzero(sharing).tolist())
    touching = changed | {prints.stored(int(prints.docs[place]))["id"] for place in affected}
    kept = []
    for group in previous.groups:
        if touching.intersection(group):
            affected.update(places(group))
        else:
            kept.append(group)
    return np.array(sorted(affected), dtype=np.int64), kept


def _among(values: U32, wanted: U32) -> npt.NDArray[np.bool_]:
    """Which values are among the wanted (ascending, distinct). A table of AMONG_TABLE_BITS bits of each
    wanted key picks the few values worth a binary search: np.isin sorted a million keys again for each
    band (3.7 s of an update of 100 files at 1,000,000 articles), a binary search each took 3.4 s, the
    table 0.2 s."""
    found = np.zeros(len(values), dtype=bool)
    if not len(wanted):
        return found
    mask = np.uint32((1 << AMONG_TABLE_BITS) - 1)
    table = np.zeros(1 << AMONG_TABLE_BITS, dtype=bool)
    table[wanted & mask] = True
    maybe = np.flatnonzero(table[values & mask])
    found[maybe] = located(wanted, values[maybe])[1]
    return found


def group_numbers(
    searcher: Any, groups: tuple[tuple[str, ...], ...], previous: CopyTable | None, changed: set[str]
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[str, int], ...]]:
    """Each group's document numbers in the searcher (in the order of its ids), and the segments that
    number them: a group the previous table numbered, none of whose documents changed, keeps its
    numbers while the segments it was numbered in come first; the others' ids are looked up."""
    segments = numbering(segments_of(searcher.reader()))
    known: dict[tuple[str, ...], tuple[int, ...]] = {}
    if previous is not None and numbers_hold(previous, segments):
        known = dict(zip(previous.groups, previous.numbers, strict=True))
    numbers = []
    for group in groups:
        held = known.get(group)
        if held is None or changed.intersection(group):
            held = tuple(searcher.document_number(id=document_id) for document_id in group)
        numbers.append(held)
    if any(number is None for group in numbers for number in group):
        return (), ()  # (a grouped document not found: readers look the ids up)
    return tuple(numbers), segments
