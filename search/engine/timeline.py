"""Timelines: how many matching documents fall in each day, week, month or year.

Counted from the date column with numpy (columns.py), never by loading hits: a timeline of every
document of a large index costs one array lookup and one bincount.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import BadInputError
from ..models import Timeline, TimelineSeries
from .columns import Columns, IntArray, as_date
from .facets import ActorNames, FacetRequest, facet_counts
from .filters import term_documents
from .sources import SOURCE_FIELD

# A timeline longer than this is refused: 50,000 days is 137 years, more than any archive's dates span
# (a date given in a sidecar is read from 1900 on), so only dates asked for far apart can reach it.
MAX_PERIODS = 50_000
Days = npt.NDArray[np.datetime64]


def period_starts(days: Days, by: str) -> Days:
    """The first day of the period each day falls in (weeks start on Monday, as ISO weeks do)."""
    days = days.astype("datetime64[D]")
    if by == "day":
        return days
    if by == "week":
        # 1970-01-01, day 0, was a Thursday: (day + 3) % 7 is the weekday counted from Monday.
        weekday = (days.astype(np.int64) + 3) % 7
        return days - weekday.astype("timedelta64[D]")
    unit = "datetime64[M]" if by == "month" else "datetime64[Y]"
    return days.astype(unit).astype("datetime64[D]")


def period_range(first: np.datetime64, last: np.datetime64, by: str) -> Days:
    """The first day of every period from first's to last's, none skipped."""
    if by in ("day", "week"):
        step = 1 if by == "day" else 7
        count = (int((last - first).astype(np.int64)) // step) + 1
        _check_length(count, by, first, last)
        return first + (np.arange(count) * step).astype("timedelta64[D]")
    unit = "datetime64[M]" if by == "month" else "datetime64[Y]"
    start, end = first.astype(unit), last.astype(unit)
    _check_length(int((end - start).astype(np.int64)) + 1, by, first, last)
    return np.arange(start, end + 1).astype("datetime64[D]")


def _check_length(count: int, by: str, first: np.datetime64, last: np.datetime64) -> None:
    if count > MAX_PERIODS:
        raise BadInputError(
            f"a timeline by {by} from {as_date(first)} to {as_date(last)} would have {count:,} periods, "
            f"more than {MAX_PERIODS:,}: count by a longer period or narrow the dates"
        )


def _counts(columns: Columns, docs: IntArray, starts: Days, by: str) -> tuple[tuple[int, ...], int]:
    """Documents per period of starts, and how many have no date."""
    dated = columns.dated(docs)
    undated = len(docs) - len(dated)
    if not len(starts):
        return (), undated
    periods = period_starts(dated, by)
    where = np.searchsorted(starts, periods)
    inside = (where < len(starts)) & (starts[np.minimum(where, len(starts) - 1)] == periods)
    counts = np.bincount(where[inside], minlength=len(starts))
    return tuple(int(n) for n in counts), undated


def _series_keys(
    searcher: Any, columns: Columns, docs: IntArray, split_by: str, top: int, actors: ActorNames
) -> list[tuple[str, str, str]]:
    """The `top` actors or outlets most frequent among docs: (field, key, name), most first."""
    counts = facet_counts(searcher, columns, docs, split_by, actors, FacetRequest(limit=top))
    field = "actors" if split_by == "actor" else SOURCE_FIELD
    return [(field, count.value, count.name or count.value) for count in counts]


def count_timeline(
    searcher: Any,
    columns: Columns,
    docs: IntArray,
    *,
    query: str,
    by: str,
    since: date | None,
    until: date | None,
    split_by: str | None,
    top: int,
    actors: ActorNames,
    notes: tuple[str, ...],
) -> Timeline:
    """The timeline of docs: from since (else the first dated match) to until (else the last), by
    period; with split_by, also for the `top` most frequent actors or outlets among them."""
    dated = columns.dated(docs).astype("datetime64[D]")
    first = np.datetime64(since, "D") if since else (dated.min() if len(dated) else None)
    last = np.datetime64(until, "D") if until else (dated.max() if len(dated) else None)
    if first is None or last is None or first > last:
        starts: Days = np.array([], dtype="datetime64[D]")
    else:
        starts = period_range(period_starts(np.array([first]), by)[0], last, by)
    counts, undated = _counts(columns, docs, starts, by)
    series = []
    for field, key, name in _series_keys(searcher, columns, docs, split_by, top, actors) if split_by else ():
        among = np.intersect1d(docs, term_documents(searcher, field, key), assume_unique=True)
        key_counts, key_undated = _counts(columns, among, starts, by)
        series.append(TimelineSeries(key, name, key_counts, key_undated, len(among)))
    return Timeline(
        query=query,
        by=by,
        periods=tuple(as_date(start) for start in starts),
        counts=counts,
        undated=undated,
        total=len(docs),
        split_by=split_by or "",
        series=tuple(series),
        notes=notes,
    )
