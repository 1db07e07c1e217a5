"""`search alert`: saved searches that say what is new at every indexing run."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import click

from .. import alerts as saved_searches
from .. import wire
from ..models import Alert, Results
from ..rendering import render_alert_status, render_total
from .base import (
    EXIT_NO_MATCH,
    PAGER_OPTION,
    _settings,
    cli,
    echo_paged,
    filter_options,
    index_dir_option,
    json_option,
    limit_option,
    open_from_settings,
    say,
)
from .exporting import FORMATS, progress_stream, write_results


@cli.group("alert")
def alert_group() -> None:
    """Saved searches that report what is new.

    Each `search index` (and each update of `search watch`) checks them against the documents it
    added or changed, and says on stderr which gained documents ("alert mali-coup: 3 new").

    \b
    Examples:
      search alert add mali-coup coup --actor Mali
      search alert list
      search alert show mali-coup --new --format jsonl
      search alert seen mali-coup
    """


@alert_group.command("add")
@click.argument("name")
@click.argument("words", nargs=-1)
@index_dir_option
@filter_options
@click.pass_context
def add_command(
    ctx: click.Context,
    name: str,
    words: tuple[str, ...],
    index_dir: Path | None,
    actors: tuple[str, ...],
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    doc_types: tuple[str, ...],
) -> None:
    """Save the search for WORDS (and the filters) as NAME: from the next indexing run on, the documents
    it adds or changes that match are NAME's new documents."""
    index = open_from_settings(ctx, index_dir)
    saved = saved_searches.add_alert(
        index, name, " ".join(words) if words else None, actors=actors, sources=sources, since=since,
        until=until, types=doc_types, lock_timeout=_settings(ctx).lock_timeout,
    )  # fmt: skip
    total = index.search(saved.query, limit=1, all_copies=True, actors=actors, sources=sources, since=since,
                         until=until, types=doc_types).total  # fmt: skip
    say(f"search: saved alert {name}: {total:,} documents match it now; the next runs report new ones")


@alert_group.command("list")
@index_dir_option
@json_option()
@click.pass_context
def list_command(ctx: click.Context, index_dir: Path | None, as_json: bool) -> None:
    """List the saved searches, each with how many documents match it and how many are new."""
    found = saved_searches.alerts(open_from_settings(ctx, index_dir))
    if as_json:
        click.echo(wire.dumps(wire.alerts_json(found)))
    elif found:
        click.echo("".join(render_alert_status(status) for status in found), nl=False)
    if not found:
        if not as_json:
            say("search: no alerts saved (search alert add NAME WORDS... saves one)")
        ctx.exit(EXIT_NO_MATCH)


@alert_group.command("show")
@click.argument("name")
@index_dir_option
@click.option("--new", "only_new", is_flag=True, help="Only the new documents (since `search alert seen`).")
@limit_option(10, "How many hits to show.")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
    help="text, json, jsonl (a hit a line) or csv (a header, then a hit a row).",
)  # fmt: skip
@click.option("--all", "every_hit", is_flag=True, help="Every hit, not a page (for exports and mail).")
@PAGER_OPTION
@click.pass_context
def show_command(
    ctx: click.Context,
    name: str,
    index_dir: Path | None,
    only_new: bool,
    limit: int,
    fmt: str,
    every_hit: bool,
    no_pager: bool,
) -> None:
    """Show the hits of the saved search NAME, ranked as `search query` ranks them; with --new, only
    its new documents. Exit status 1 when there are none: `search alert show NAME --new --format
    jsonl --all || true` in a cron job mails only what is new."""
    index = open_from_settings(ctx, index_dir)
    pages: Iterator[Results] = iter(())
    if every_hit:
        pages = saved_searches.alert_pages(index, name, new=only_new)
        results = next(pages)
    else:
        results = saved_searches.alert_results(index, name, new=only_new, limit=limit)
    if fmt == "text" and not every_hit:
        text = io.StringIO()
        write_results(results, pages, fmt, text, False, None)
        echo_paged(text.getvalue(), False, no_pager)
    else:
        write_results(results, pages, fmt, sys.stdout, False, progress_stream() if every_hit else None)
    if fmt == "text":
        shown = replace(results, hits=()) if every_hit else results
        say(f"search: alert {name}{' (new documents)' if only_new else ''}: {render_total(shown)}")
    if results.total == 0:
        ctx.exit(EXIT_NO_MATCH)


@alert_group.command("seen")
@click.argument("name")
@index_dir_option
@click.pass_context
def seen_command(ctx: click.Context, name: str, index_dir: Path | None) -> None:
    """Mark the saved search NAME seen: its new documents are those indexed from now on."""
    saved_searches.mark_seen(open_from_settings(ctx, index_dir), name, _settings(ctx).lock_timeout)
    say(f"search: alert {name} seen")


@alert_group.command("remove")
@click.argument("name")
@index_dir_option
@click.pass_context
def remove_command(ctx: click.Context, name: str, index_dir: Path | None) -> None:
    """Delete the saved search NAME."""
    removed: Alert = saved_searches.remove_alert(
        open_from_settings(ctx, index_dir), name, _settings(ctx).lock_timeout
    )
    say(f"search: removed alert {removed.name}")
