"""Writing a search's hits out: as text for a terminal, or as JSON, JSON Lines or CSV for other programs,
one page at a time (an export of every hit holds one page, whatever the number of hits); and `search
batch`, many searches written out at once."""

from __future__ import annotations

import csv
import itertools
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import click

from .. import wire
from ..models import Hit, Results
from ..rendering import render_facets, render_hit
from .base import EXIT_NO_MATCH, cli, filter_options, index_dirs_option, limit_option, open_from_settings, say

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
    if fmt in ("csv", "jsonl"):
        for line in wire.export_lines(hits, fmt):
            out.write(line)
    elif fmt == "json":
        for piece in wire.streamed_results_json(first, hits):
            out.write(piece)
    else:
        for rank, hit in enumerate(hits):
            out.write(("\n" if rank else "") + render_hit(hit, colored))
        if first.facets:
            out.write(render_facets(first))
    out.flush()


def progress_stream() -> TextIO | None:
    """stderr when it is a terminal (a long export says how far it is), else None."""
    return sys.stderr if sys.stderr.isatty() else None


@cli.command("batch")
@click.argument("queries_file", type=click.Path(dir_okay=False, path_type=Path))
@index_dirs_option
@limit_option(10, "How many hits to write for each query.")
@filter_options
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "jsonl")), default="csv", show_default=True,
    help="csv: a row a hit, led by the query's name, text and total; jsonl: a line a query.",
)  # fmt: skip
@click.pass_context
def batch_command(
    ctx: click.Context,
    queries_file: Path,
    index_dirs: tuple[Path, ...],
    limit: int,
    actors: tuple[str, ...],
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    doc_types: tuple[str, ...],
    fmt: str,
) -> None:
    """Run every query of QUERIES_FILE, one a line, and write each one's total and best hits.

    A line may name its query: name<TAB>query. Blank lines and lines starting with # are skipped.
    A query that cannot be read is said on its row, and the others still run. Exit status 0 when
    at least one query matched, 1 when none did.

    \b
    Examples:
      search batch watchlist.txt > hits.csv
      search batch watchlist.txt --since 2019 --limit 3 --format jsonl
    """
    from ..searching import read_batch  # (the engine: only when no resident process answers)

    queries = read_batch(queries_file)
    if not queries:
        raise click.UsageError(f"{queries_file} holds no query (blank lines and # comments are skipped)")
    index = open_from_settings(ctx, index_dirs)
    out = sys.stdout
    progress = progress_stream()
    writer = csv.writer(out)
    if fmt == "csv":
        writer.writerow(wire.BATCH_CSV_COLUMNS)
    matched = failed = 0
    results = index.batch(
        queries, limit=limit, actors=actors, sources=sources, since=since, until=until, types=doc_types
    )
    for done, result in enumerate(results, 1):
        if fmt == "csv":
            writer.writerows(wire.batch_csv_rows(result))
        else:
            out.write(wire.dumps_line(wire.batch_json(result)) + "\n")
        matched += bool(result.results and result.results.total)
        failed += bool(result.error)
        if progress is not None and (done % 100 == 0 or done == len(queries)):
            progress.write(f"\rsearch: {done:,} of {len(queries):,} queries run")
            progress.flush()
    out.flush()
    if progress is not None:
        progress.write("\n")
    could_not = f", {failed:,} could not be read (said on their rows)" if failed else ""
    say(f"search: {matched:,} of {len(queries):,} queries matched{could_not}")
    if not matched:
        ctx.exit(EXIT_NO_MATCH)
