"""Filters (actors, outlets, types, dates) evaluated with arrays instead of Whoosh's matchers.

Whoosh's docs_for_query() hands out a posting a call (5 us each): listing every story naming the
United States (30,330 of 41,578 articles) took 50 ms before the first hit was read. Here a term's
postings are read as arrays (term_documents), a date range is one comparison over
the date column, and AND/OR are numpy's sorted-set operations. A clause of another kind returns
None and the caller asks Whoosh.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.query import And, DateRange, Every, NullQuery, Or, Query, Term, WrappingQuery
from whoosh.util.times import datetime_to_long

from .analysis import MISSING_DATE
from .columns import Columns, IntArray
from .postings import _segment_postings


def term_documents(searcher: Any, fieldname: str, text: str) -> npt.NDArray[np.int64]:
    """The documents holding a term (deleted ones left out), ascending, read as arrays: a filter's, or
    a timeline series' (Whoosh's docs_for_query: 5 us a posting)."""
    btext = searcher.schema[fieldname].to_bytes(text)
    parts = [np.zeros(0, dtype=np.int64)]
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (fieldname, btext) in reader:
            parts.append(_segment_postings(reader, fieldname, btext)[0] + offset)
    return np.concatenate(parts)


def filter_documents(searcher: Any, columns: Columns, query: Query) -> IntArray | None:
    """The live documents a filter keeps, ascending; None when it holds a clause read otherwise."""
    if isinstance(query, WrappingQuery):
        return filter_documents(searcher, columns, query.child)
    if type(query) is Term:
        return term_documents(searcher, query.fieldname, query.text)  # deleted documents left out
    if isinstance(query, DateRange) and query.fieldname == "date":
        dates = columns.dates[columns.live]
        kept = dates != np.uint64(MISSING_DATE)
        if query.startdate is not None:
            start = np.uint64(datetime_to_long(query.startdate))
            kept &= (dates > start) if query.startexcl else (dates >= start)
        if query.enddate is not None:
            end = np.uint64(datetime_to_long(query.enddate))
            kept &= (dates < end) if query.endexcl else (dates <= end)
        return columns.live[kept]
    if isinstance(query, Every) and not query.fieldname:
        return columns.live
    if query is NullQuery:
        return columns.live[:0]
    if isinstance(query, (And, Or)):
        parts = [filter_documents(searcher, columns, child) for child in query.children()]
        known = [part for part in parts if part is not None]
        if len(known) < len(parts) or not known:
            return None
        if isinstance(query, And):
            return reduce(lambda kept, part: np.intersect1d(kept, part, assume_unique=True), known)
        return np.unique(np.concatenate(known))  # one sort for any number of ORed terms
    return None
