"""`search timeline`: how many documents match, period by period, as a bar chart, JSON or CSV."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from .. import wire
from ..models import MAX_SERIES, PERIODS, SPLITS
from ..rendering import render_timeline, render_timeline_total, render_unknown_actor
from .base import (
    EXIT_NO_MATCH,
    cli,
    filter_options,
    index_dirs_option,
    json_option,
    open_from_settings,
    say,
)

NOT_A_TERMINAL_WIDTH = 80  # what a chart fits when the output is not a terminal (a file, a pipe)


@cli.command("timeline")
@click.argument("words", nargs=-1)
@index_dirs_option
@filter_options
@click.option(
    "--by", type=click.Choice(PERIODS), default="month", show_default=True, help="Count per this period."
)
@click.option(
    "--split-by", type=click.Choice(SPLITS),
    help="Also count the matches of each of the actors or outlets most frequent among them.",
)  # fmt: skip
@click.option(
    "--top", type=click.IntRange(1, MAX_SERIES), default=5, show_default=True,
    help="How many actors or outlets --split-by counts.",
)  # fmt: skip
@click.option(
    "--ascii", "ascii_only", is_flag=True, help="Draw bars with '#' (the default when not a terminal)."
)
@json_option()
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: a row a period, a column a series.")
@click.pass_context
def timeline_command(
    ctx: click.Context,
    words: tuple[str, ...],
    index_dirs: tuple[Path, ...],
    actors: tuple[str, ...],
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    doc_types: tuple[str, ...],
    by: str,
    split_by: str | None,
    top: int,
    ascii_only: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Count the documents matching WORDS (or the filters alone, or every document) per day, week,
    month or year, and draw them as a bar chart.

    Every period from --since (else the first dated match) to --until (else the last) is shown,
    empty ones as 0; documents without a date are counted apart. The counts come from the index's
    dates, so a timeline of a whole archive is quick.

    \b
    Examples:
      search timeline coup
      search timeline junta --by year
      search timeline --actor ecowas --since 2012 --until 2013 --by week
      search timeline election --split-by source --top 3 --csv > election.csv
      search timeline 'peacekeeping' --split-by actor --json
    """
    if as_json and as_csv:
        raise click.UsageError("--json and --csv cannot go together")
    index = open_from_settings(ctx, index_dirs)
    timeline = index.timeline(
        " ".join(words) if words else None, actors=actors, sources=sources, since=since, until=until,
        types=doc_types, by=by, split_by=split_by, top=top,
    )  # fmt: skip
    for note in timeline.notes:
        say(f"search: note: {note}")
    if as_json:
        click.echo(wire.dumps(wire.timeline_json(timeline)))
    elif as_csv:
        click.echo(wire.timeline_csv(timeline), nl=False)
    else:
        terminal = sys.stdout.isatty()
        width = shutil.get_terminal_size().columns if terminal else NOT_A_TERMINAL_WIDTH
        click.echo(render_timeline(timeline, width, ascii=ascii_only or not terminal), nl=False)
    for unknown in timeline.unknown_actors + timeline.unknown_sources:
        say(f"search: {render_unknown_actor(unknown)}")
    if not (as_json or timeline.unknown_actors or timeline.unknown_sources):
        say(f"search: {render_timeline_total(timeline)}")
    if not timeline.total:
        ctx.exit(EXIT_NO_MATCH)
