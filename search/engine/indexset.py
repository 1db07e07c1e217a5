"""Several index folders searched as one: an analyst's index per project or per year, or one corpus in
shards.

Whoosh already searches one index as several segments: a MultiReader puts the segments' documents one
after another and sums their statistics (documents, each word's document frequency, field lengths).
An IndexSet hands it the segments of every index, so BM25's idf and average lengths are the union's, a
top k is ranked over all documents at once, and facets and timelines count every index's documents:
the same scores, to the last bit, as one index holding them all (tests/engine/test_indexset.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import whoosh.index
import whoosh.reading
import whoosh.scoring
import whoosh.searching

from .folder import DAMAGE_ERRORS, _damaged


class SetReader(whoosh.reading.MultiReader):
    """Whoosh's MultiReader over the segments of several indexes, knowing which documents are whose."""

    def __init__(
        self, segments: list[Any], generations: tuple[int, ...], index_ranges: tuple[tuple[int, int], ...]
    ) -> None:
        super().__init__(segments, generation=generations)
        self.index_ranges = index_ranges  # each index's first document number and the one after its last


def index_position(reader: Any, docnum: int) -> int:
    """Which index, counted from 1, holds a document of a reader (1 of a reader of one index)."""
    ranges: tuple[tuple[int, int], ...] = getattr(reader, "index_ranges", ())
    return bisect_right([end for _, end in ranges], docnum) + 1 if ranges else 1


class IndexSet:
    """The Whoosh indexes of several folders, read as one (the part of whoosh.index.Index a search uses:
    searcher(), reader(), doc_count() and latest_generation(), which is each index's generation)."""

    def __init__(self, index_dirs: Sequence[Path]) -> None:
        self.index_dirs = tuple(index_dirs)
        self._indexes = []
        for index_dir in self.index_dirs:
            try:
                self._indexes.append(whoosh.index.open_dir(str(index_dir)))
            except DAMAGE_ERRORS as error:
                raise _damaged(index_dir, error) from None

    def latest_generation(self) -> tuple[int, ...]:
        return tuple(index.latest_generation() for index in self._indexes)

    def reader(self) -> SetReader:
        """One reader of every index's segments, in the order the folders were given."""
        segments: list[Any] = []
        generations, ranges = [], []
        try:
            for index_dir, index in zip(self.index_dirs, self._indexes, strict=True):
                try:
                    latest = index.latest_generation()
                    reader = index.reader()
                except DAMAGE_ERRORS as error:
                    raise _damaged(index_dir, error) from None
                leaves = [leaf for leaf, _ in reader.leaf_readers()]
                start = sum(segment.doc_count_all() for segment in segments)
                ranges.append((start, start + sum(leaf.doc_count_all() for leaf in leaves)))
                segments.extend(leaves)
                # An index without a segment (made empty, or emptied) reads as generation None, which
                # would never equal its latest: every call would open every index again.
                generation = reader.generation()
                generations.append(latest if generation is None else generation)
        except BaseException:
            for segment in segments:
                segment.close()
            raise
        return SetReader(segments, tuple(generations), tuple(ranges))

    def searcher(self, weighting: Any = whoosh.scoring.BM25F) -> Any:
        """A searcher over every index; up_to_date() until any of them commits."""
        return whoosh.searching.Searcher(self.reader(), weighting=weighting, fromindex=self)

    def doc_count(self) -> int:
        return sum(int(index.doc_count()) for index in self._indexes)
