"""Writing a search's hits out: as text for a terminal, or as JSON, JSON Lines or CSV for other programs,
one page at a time (an export of every hit holds one page, whatever the number of hits)."""

from __future__ import annotations

import csv
import itertools
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from .. import wire
from ..models import Hit, Results
from ..rendering import render_facets, render_hit

FORMATS = ("text", "json", "jsonl", "csv")


def _hits(first: Results, rest: Iterable[Results], progress: TextIO | None) -> Iterator[Hit]:
    """The hits of every page; with progress (a terminal's stderr), how many are out so far."""
    written = 0
    for page in itertools.chain([first], rest):
        yield from page.hits
        written += len(page.hits)
        if progress is not None:
            progress.write(f"\rsearch: {written:,} of {first.total:,} hits written")
            progress.flush()
    if progress is not None and written:
        progress.write("\n")


def write_results(
    first: Results, rest: Iterable[Results], fmt: str, out: TextIO, colored: bool, progress: TextIO | None
) -> None:
    """Write the hits of first and of the pages after it (rest) in fmt, one page held at a time; with
    text, first's facets after them."""
    hits = _hits(first, rest, progress)
    if fmt == "json":
        for piece in wire.streamed_results_json(first, hits):
            out.write(piece)
    elif fmt == "jsonl":
        for hit in hits:
            out.write(wire.hit_jsonl(hit) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(wire.CSV_COLUMNS)
        for hit in hits:
            writer.writerow(wire.hit_csv_row(hit))
    else:
        for rank, hit in enumerate(hits):
            out.write(("\n" if rank else "") + render_hit(hit, colored))
        if first.facets:
            out.write(render_facets(first))
    out.flush()


def progress_stream() -> TextIO | None:
    """stderr when it is a terminal (a long export says how far it is), else None."""
    return sys.stderr if sys.stderr.isatty() else None
