"""Results with copies folded: one document a copy group (copies.py), with the group's other matches.

The groups are few (474 of two or more documents among 41,578 articles), looked up by id once a
searcher; how many matches folding hides is counted over all of them at once, as arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np

from .analysis import MISSING_DATE
from .matches import DocumentSet

Ranked = list[tuple[int, float]]


@dataclass(frozen=True)
class Folded:
    """A ranking with copies folded: one (document, score) a group, and each shown document's copies
    among the matches (document numbers, oldest first)."""

    ranked: Ranked
    copies: dict[int, tuple[int, ...]]


class CopyGroups:
    """A searcher's copy groups, by document number (documents no longer in the index left out)."""

    def __init__(self, searcher: Any, groups: Iterable[tuple[int, ...]]) -> None:
        """The groups as document numbers (sorted), those of fewer than two documents left out."""
        self._dates: Any = None  # the date column (Whoosh's longs), read at the first fold
        self._searcher = searcher
        self.group_of: dict[int, int] = {}
        self.members: list[tuple[int, ...]] = []
        for docnums in groups:
            if len(docnums) > 1:
                for docnum in docnums:
                    self.group_of[docnum] = len(self.members)
                self.members.append(docnums)
        # Every grouped document and its group, as arrays: a query's hidden matches counted at once
        # (a membership test a member took 13 ms a query at 41,578 articles).
        self._grouped = np.fromiter(self.group_of, dtype=np.int64, count=len(self.group_of))
        self._group = np.fromiter(self.group_of.values(), dtype=np.int64, count=len(self.group_of))

    def matching(self, group: int, matched: AbstractSet[int] | None) -> tuple[int, ...]:
        members = self.members[group]
        return members if matched is None else tuple(m for m in members if m in matched)

    def hidden(self, matched: AbstractSet[int] | None) -> int:
        """How many matches folding hides: each group's matches but one."""
        if matched is None:
            return len(self._grouped) - len(self.members)
        docnums = matched.docnums if isinstance(matched, DocumentSet) else DocumentSet.of(matched).docnums
        found = self._group[np.isin(self._grouped, docnums)]
        return int(np.maximum(np.bincount(found, minlength=len(self.members)) - 1, 0).sum())

    def fold(self, ranked: Ranked, matched: AbstractSet[int] | None, wanted: int | None = None) -> Folded:
        """One entry a group, where its first match stands in `ranked`, with the group's score there,
        the first `wanted` entries (None: all). The document shown is the group's earliest dated match
        (the original, as a rule), else the first; the entries made depend on ranked's prefix alone."""
        kept: Ranked = []
        copies: dict[int, tuple[int, ...]] = {}
        seen: set[int] = set()
        for docnum, score in ranked:
            if wanted is not None and len(kept) >= wanted:
                break
            group = self.group_of.get(docnum)
            if group is None:
                kept.append((docnum, score))
                continue
            if group in seen:
                continue
            seen.add(group)
            members = self.matching(group, matched)
            dates = {member: self._date(member) for member in members}
            dated = sorted((when, member) for member, when in dates.items() if when is not None)
            shown = dated[0][1] if dated else docnum
            kept.append((shown, score))
            by_date = [member for _, member in dated] + [m for m in members if dates[m] is None]
            copies[shown] = tuple(member for member in by_date if member != shown)
        return Folded(kept, copies)

    def _date(self, docnum: int) -> int | None:
        """A document's date as the date column keeps it (a number that sorts as dates do), None if
        undated: read from the column, not from the stored fields (0.1 ms a document, body and all)."""
        if self._dates is None:
            self._dates = self._searcher.reader().column_reader("date", translate=False)
        when = self._dates[docnum]
        return None if when is None or when == MISSING_DATE else int(when)
