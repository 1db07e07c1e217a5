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

from .analysis import _every_folded_word
from .columns import Columns, IntArray
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
from .folder import CopyTable

log = logging.getLogger(__name__)

# An estimate this far or farther from the threshold decides a pair alone: 0.15 is more than four
# standard errors of a 128-number signature's estimate near 0.8 (fingerprints.PERMUTATIONS). Nearer,
# the pair's shingles are compared exactly (all the groups of the 41,578-article folder: 0.58 s).
ESTIMATE_MARGIN = 0.15


class _Pairs:
    """Whether two documents of a searcher are copies: by their signatures' estimate when it is clear,
    else by their shingles compared exactly (read from the stored body, once a document)."""

    def __init__(self, searcher: Any, threshold: float) -> None:
        self._searcher = searcher
        self._threshold = threshold
        self._shingles: dict[int, U64] = {}
        self.exact_comparisons = 0

    def copies(self, first: int, second: int, first_row: U32, second_row: U32) -> bool:
        estimate = estimated_resemblance(first_row, second_row)
        if abs(estimate - self._threshold) >= ESTIMATE_MARGIN:
            return estimate >= self._threshold
        self.exact_comparisons += 1
        return resemblance(self._shingles_of(first), self._shingles_of(second)) >= self._threshold

    def _shingles_of(self, docnum: int) -> U64:
        if docnum not in self._shingles:
            body = self._searcher.stored_fields(docnum).get("body", "")
            self._shingles[docnum] = shingle_hashes(_every_folded_word(body))
        return self._shingles[docnum]


class _Fingerprints:
    """The signatures of a searcher's live documents that have one, and their band keys."""

    def __init__(self, searcher: Any) -> None:
        columns = Columns(searcher)
        fingerprints = columns.fingerprints
        live = columns.live
        lengths = fingerprints.ends[live] - fingerprints.starts[live]
        self.docs: IntArray = live[lengths == SIGNATURE_BYTES]
        self.rows: U32 = signatures(fingerprints.values(self.docs))
        self.keys: U64 = band_keys(self.rows)
        self.place = {docnum: place for place, docnum in enumerate(self.docs.tolist())}


def _components(places: IntArray, prints: _Fingerprints, pairs: _Pairs) -> list[list[int]]:
    """The copy groups (two or more documents) among the documents at `places` of prints: documents
    joined when a band of theirs agrees and pairs says they are copies."""
    parent = list(range(len(places)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    rows, docs = prints.rows[places], prints.docs[places]
    keys = prints.keys[places]
    decided: dict[tuple[int, int], bool] = {}
    for band in range(BANDS):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], len(ordered)]
        for start, end in zip(
            starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist(), strict=True
        ):
            _join_bucket(order[start:end].tolist(), rows, docs, pairs, decided, parent, root)
    groups: dict[int, list[int]] = {}
    for node in range(len(places)):
        groups.setdefault(root(node), []).append(int(docs[node]))
    return [members for members in groups.values() if len(members) > 1]


def _join_bucket(
    bucket: list[int],
    rows: U32,
    docs: IntArray,
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
            decided[key] = pairs.copies(int(docs[node]), int(docs[other]), rows[node], rows[other])
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
    pairs = _Pairs(searcher, threshold)
    if previous is None:
        places = np.arange(len(prints.docs))
        kept: list[tuple[str, ...]] = []
    else:
        places, kept = _affected(searcher, prints, previous, set(changed))
    found = _components(places, prints, pairs)
    log.debug(
        "copy groups: %d documents compared, %d pairs compared exactly", len(places), pairs.exact_comparisons
    )
    made = [tuple(sorted(searcher.stored_fields(docnum)["id"] for docnum in group)) for group in found]
    return tuple(sorted(kept + made))


def _affected(
    searcher: Any, prints: _Fingerprints, previous: CopyTable, changed: set[str]
) -> tuple[IntArray, list[tuple[str, ...]]]:
    """The places (in prints) of the documents whose groups the changes can touch, and the previous
    groups they cannot touch."""

    def docnums(ids: Iterable[str]) -> list[int]:
        found = (searcher.document_number(id=doc_id) for doc_id in ids)
        return [docnum for docnum in found if docnum is not None and docnum in prints.place]

    seeds = [prints.place[docnum] for docnum in docnums(changed)]
    sharing = np.zeros(len(prints.docs), dtype=bool)
    if seeds:
        seed_keys = prints.keys[seeds]
        for band in range(BANDS):
            sharing |= np.isin(prints.keys[:, band], seed_keys[:, band])
    affected = set(np.flatnonzero(sharing).tolist())
    kept = []
    for group in previous.groups:
        members = [prints.place[docnum] for docnum in docnums(group)]
        if changed.intersection(group) or affected.intersection(members):
            affected.update(members)
        else:
            kept.append(group)
    return np.array(sorted(affected), dtype=np.int64), kept
