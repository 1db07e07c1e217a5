"""Commands that read an index: query, actors, show, similar, stats."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import wire
from ..models import ACTOR_TYPES, EXPORT_PAGE, SORTS, Results
from ..rendering import (
    render_actor_counts,
    render_document,
    render_source_counts,
    render_stats,
    render_text,
    render_total,
    render_unknown_actor,
)
from .base import (
    ACTOR_OPTION,
    EXIT_NO_MATCH,
    PAGER_OPTION,
    SINCE_OPTION,
    SOURCE_OPTION,
    UNTIL_OPTION,
    cli,
    color_option,
    echo_paged,
    filter_options,
    index_dirs_option,
    json_option,
    limit_option,
    open_from_settings,
    say,
    use_color,
)
from .exporting import FORMATS, progress_stream, write_results
from .unusual import actors_with

if TYPE_CHECKING:
    from ..searching import SearchIndex

MAIN_OPTION = click.option(
    "--main", "main", is_flag=True, help="Count only the documents where each actor is a main actor."
)


@cli.command("query")
@click.argument("words", nargs=-1)
@index_dirs_option
@limit_option(10, "How many results to show.")
@click.option(
    "--offset", type=click.IntRange(0), default=0, show_default=True, help="Skip this many results first."
)
@filter_options
@click.option(
    "--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
    help="Order of results: relevance, date (oldest first), -date (newest first) or title (A to Z); "
    "undated or untitled last.",
)  # fmt: skip
@click.option(
    "--facets", metavar="actor,source,year", help="Also count matches per actor, outlet and/or year."
)
@MAIN_OPTION
@click.option(
    "--feedback/--no-feedback", default=None,
    help="Pseudo-relevance feedback on or off for this search (default: on, for the queries it is "
    "likely to help; the config file's [ranking] feedback may turn it off).",
)  # fmt: skip
@click.option(
    "--all-copies", is_flag=True,
    help="List every copy of a story as a hit (default: copies are folded into the earliest dated one).",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS),
    help="text (the default), json (as --json), jsonl (a hit a line) or csv (a header, then a hit a row).",
)  # fmt: skip
@click.option(
    "--all", "every_hit", is_flag=True,
    help="Every hit, not a page (--limit and --offset do not apply): written a page at a time, for exports.",
)  # fmt: skip
@json_option("Print one JSON document on stdout (the same as --format json).")
@color_option
@PAGER_OPTION
@click.pass_context
def query_command(
    ctx: click.Context,
    words: tuple[str, ...],
    index_dirs: tuple[Path, ...],
    limit: int,
    offset: int,
    actors: tuple[str, ...],
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    doc_types: tuple[str, ...],
    sort: str,
    facets: str | None,
    main: bool,
    feedback: bool | None,
    all_copies: bool,
    fmt: str | None,
    every_hit: bool,
    as_json: bool,
    color: str,
    no_pager: bool,
) -> None:
    """Search the index for WORDS and print ranked results with highlighted snippets.

    Documents holding any of the words match; those holding all of them rank first.
    In the words, actor:NAME, source:NAME and date:2012 or date:[2012-01 to 2013-06] narrow too.
    Without words, the filters alone list every document they keep, newest first.

    \b
    Examples:
      search query coup
      search query junta elections Mali --limit 3
      search query coup --actor ecowas --since 2012-03 --until 2012
      search query --actor ecowas --since 2012
      search query --type statement --sort title
      search query election --source cnn --source fox --facets source
      search query 'peacekeeping date:2023' --sort -date --facets actor,year
      search query condemn --json
      search query coup --all --format csv > coup.csv
    """
    if not words and not (actors or sources or since or until or doc_types):
        raise click.UsageError(
            "give words to search for, or a filter (--actor, --source, --since, --until, --type) to list"
        )
    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json is --format json: it cannot go with --format {fmt}")
    fmt = "json" if as_json else fmt or "text"
    index = open_from_settings(ctx, index_dirs)
    query = " ".join(words) if words else None
    pages: Iterator[Results] = iter(())
    if every_hit:
        pages = index.pages(
            query, page_size=EXPORT_PAGE, actors=actors, sources=sources, since=since, until=until,
            types=doc_types, sort=sort, feedback=feedback, all_copies=all_copies,
        )  # fmt: skip
        results = next(pages)
    else:
        results = index.search(
            query, limit=limit, offset=offset, actors=actors, sources=sources, since=since, until=until,
            types=doc_types, sort=sort, main_actors=main, feedback=feedback, all_copies=all_copies,
            facets=[f.strip() for f in facets.split(",") if f.strip()] if facets else (),
        )  # fmt: skip
    for note in results.notes:
        say(f"search: note: {note}")
    out = sys.stdout
    colored = fmt == "text" and use_color(color, out)
    progress = progress_stream() if every_hit and fmt != "text" else None
    if fmt == "text" and not every_hit:  # a page of hits: through a pager when longer than the screen
        text = io.StringIO()
        write_results(results, pages, fmt, text, colored, progress)
        echo_paged(text.getvalue(), colored, no_pager)
    else:
        write_results(results, pages, fmt, out, colored, progress)
    if fmt != "json":
        for unknown in results.unknown_actors + results.unknown_sources:
            say(f"search: {render_unknown_actor(unknown)}")
    if fmt == "text" and not (results.unknown_actors or results.unknown_sources):
        # With --all every hit was shown: the total alone, not the first page's ranks.
        say(f"search: {render_total(replace(results, hits=()) if every_hit else results)}")
    for suggestion in results.suggestions:
        say(f"search: did you mean: {suggestion}")
    if results.total == 0:
        ctx.exit(EXIT_NO_MATCH)


@cli.command("actors")
@click.argument("words", nargs=-1)
@index_dirs_option
@click.option("--type", "actor_type", type=click.Choice(ACTOR_TYPES), help="Only actors of this type.")
@limit_option(50, "How many actors to list.")
@SINCE_OPTION
@UNTIL_OPTION
@MAIN_OPTION
@click.option(
    "--with", "with_actor", metavar="ACTOR",
    help="The actors named in the same documents as ACTOR, best associated first (JLH score).",
)  # fmt: skip
@SOURCE_OPTION
@click.option(
    "--min-count", type=click.IntRange(1), default=2, show_default=True,
    help="With --with: leave out actors named with it in fewer documents than this.",
)  # fmt: skip
@click.option("--merge", nargs=2, metavar="ACTOR OTHER", help="Join OTHER into ACTOR (any names or ids).")
@click.option("--rename", nargs=2, metavar="ACTOR NAME", help="Show ACTOR under NAME.")
@click.option("--not-actor", "not_actor", metavar="ACTOR", help="Mark ACTOR as no actor at all.")
@click.option(
    "--actors", "actors_file", type=click.Path(dir_okay=False, path_type=Path),
    help="The actors file to record a change in (default: the index's, else CORPUS/actors.toml).",
)  # fmt: skip
@json_option()
@click.option("--csv", "as_csv", is_flag=True, help="With --with: print CSV, a header, then a row an actor.")
@click.pass_context
def actors_command(
    ctx: click.Context,
    words: tuple[str, ...],
    index_dirs: tuple[Path, ...],
    actor_type: str | None,
    limit: int,
    since: str | None,
    until: str | None,
    main: bool,
    merge: tuple[str, str] | None,
    rename: tuple[str, str] | None,
    not_actor: str | None,
    actors_file: Path | None,
    as_json: bool,
    with_actor: str | None,
    sources: tuple[str, ...],
    min_count: int,
    as_csv: bool,
) -> None:
    """List the actors of all documents, or of those matching WORDS, with document counts.

    Every actor a document names counts; with --main, only documents where it is a main actor.
    With --with ACTOR, the actors named in the same documents as ACTOR: in how many of them, in how
    many of all (or of the matches), and how much more often than usual (JLH), best first.
    --merge, --rename and --not-actor record a correction in your actors file instead; the next
    `search index` applies it to the documents concerned (a running `search watch` does at once).

    \b
    Examples:
      search actors
      search actors --type person --main
      search actors coup --since 2012 --json
      search actors --with ecowas --min-count 3
      search actors coup --with "African Union" --csv
      search actors --merge "Brett Kavanaugh" Kavanaugh
      search actors --rename "Tuareg" "Tuareg rebels"
      search actors --not-actor "Feinstein Says"
    """
    if with_actor is None and (sources or as_csv):
        raise click.UsageError("--source and --csv go with --with")
    if with_actor is not None and main:
        raise click.UsageError("--main does not go with --with")
    if (merge or rename or not_actor) and len(set(index_dirs)) > 1:
        raise click.UsageError("--merge, --rename and --not-actor correct one index: give one --index-dir")
    index = open_from_settings(ctx, index_dirs)
    if merge or rename or not_actor:
        _correct_actors(index, merge, rename, not_actor, actors_file)
        return
    if with_actor is not None:
        actors_with(
            ctx, index, with_actor, words, sources=sources, since=since, until=until, actor_type=actor_type,
            limit=limit, min_count=min_count, as_json=as_json, as_csv=as_csv,
        )  # fmt: skip
        return
    counts = index.actors(
        " ".join(words) if words else None, type=actor_type, limit=limit, since=since, until=until, main=main
    )
    if as_json:
        click.echo(wire.dumps(wire.actor_counts_json(counts)))
    elif counts:
        click.echo(render_actor_counts(counts), nl=False)
    if not counts:
        where = f"the documents that match {' '.join(words)!r}" if words else "the index"
        say(f"search: no actors in {where}")
        ctx.exit(EXIT_NO_MATCH)


@cli.command("sources")
@click.argument("words", nargs=-1)
@index_dirs_option
@limit_option(50, "How many outlets to list.")
@ACTOR_OPTION
@SINCE_OPTION
@UNTIL_OPTION
@json_option()
@click.pass_context
def sources_command(
    ctx: click.Context,
    words: tuple[str, ...],
    index_dirs: tuple[Path, ...],
    limit: int,
    actors: tuple[str, ...],
    since: str | None,
    until: str | None,
    as_json: bool,
) -> None:
    """List the outlets of all documents, or of those matching WORDS, with document counts.

    \b
    Examples:
      search sources
      search sources election --since 2016 --until 2016
      search sources --actor "Donald Trump" --json
    """
    index = open_from_settings(ctx, index_dirs)
    counts = index.sources(
        " ".join(words) if words else None, limit=limit, actors=actors, since=since, until=until
    )
    if as_json:
        click.echo(wire.dumps(wire.source_counts_json(counts)))
    elif counts:
        click.echo(render_source_counts(counts), nl=False)
    if not counts:
        where = (
            f"the documents that match {' '.join(words)!r}"
            if words
            else "the documents the filters keep"
            if actors or since or until
            else "the index"
        )
        say(f"search: no outlets in {where}")
        ctx.exit(EXIT_NO_MATCH)


def _correct_actors(
    index: SearchIndex,
    merge: tuple[str, str] | None,
    rename: tuple[str, str] | None,
    not_actor: str | None,
    actors_file: Path | None,
) -> None:
    """Record the corrections asked for in the user's actors file, and say what to run next."""
    done = []
    if merge:
        target, joined, path = index.merge_actors(*merge, actors_file=actors_file)
        done.append(f"{joined.name} ({joined.id}) joins {target.name} ({target.id})")
    if rename:
        actor, path = index.rename_actor(*rename, actors_file=actors_file)
        done.append(f"{actor.name} ({actor.id}) is now shown as {rename[1].strip()}")
    if not_actor:
        actor, path = index.mark_not_actor(not_actor, actors_file=actors_file)
        done.append(f"{actor.name} ({actor.id}) is no actor")
    corpus = f" {index.corpus_root}" if index.corpus_root else ""
    say(f"search: {'; '.join(done)}: recorded in {path}")
    say(f"search: `search index{corpus}` applies it (a running `search watch` does so now)")


@cli.command("show")
@click.argument("document")
@index_dirs_option
@json_option()
@PAGER_OPTION
@click.pass_context
def show_command(
    ctx: click.Context, document: str, index_dirs: tuple[Path, ...], as_json: bool, no_pager: bool
) -> None:
    """Print one indexed document: its metadata, the documents that are copies of its story, and its
    clean text.

    DOCUMENT is its id (its path relative to the corpus root, as `search query` shows it)
    or a path to the file.

    \b
    Examples:
      search show 004_42382a47a79cec6e.txt
      search show corpus/004_42382a47a79cec6e.txt --json
    """
    index, found_id, position = _holding(ctx, index_dirs, document)
    found = index.document(found_id, index=position)
    copies = index.copies(found.id, index=position)
    if as_json:
        click.echo(wire.dumps(wire.document_json(found, copies)))
    else:
        echo_paged(render_document(found, copies) + "\n", False, no_pager)


@cli.command("similar")
@click.argument("document")
@index_dirs_option
@limit_option(10, "How many documents to list.")
@json_option()
@color_option
@click.pass_context
def similar_command(
    ctx: click.Context, document: str, index_dirs: tuple[Path, ...], limit: int, as_json: bool, color: str
) -> None:
    """List the documents most like DOCUMENT (by the key terms of its text).

    DOCUMENT is an id, as `search query` shows it, or a path to the file.

    \b
    Examples:
      search similar 004_42382a47a79cec6e.txt
      search similar corpus/004_42382a47a79cec6e.txt --limit 3 --json
    """
    index, found_id, position = _holding(ctx, index_dirs, document)
    results = index.similar(found_id, limit=limit, index=position)
    if as_json:
        click.echo(wire.dumps(wire.results_json(results)))
    elif results.hits:
        colored = use_color(color, sys.stdout)
        click.echo(render_text(results, colored), color=colored, nl=False)
    if not results.hits:
        if not as_json:
            say(f"search: no documents like {document!r}")
        ctx.exit(EXIT_NO_MATCH)


@cli.command("stats")
@index_dirs_option
@json_option()
@click.pass_context
def stats_command(ctx: click.Context, index_dirs: tuple[Path, ...], as_json: bool) -> None:
    """Show what the index holds: documents, distinct terms, size, last update, versions.

    \b
    Examples:
      search stats
      search stats --json --index-dir ~/news-index
    """
    stats = open_from_settings(ctx, index_dirs).stats()
    click.echo(wire.dumps(wire.stats_json(stats)) if as_json else render_stats(stats))


def _holding(
    ctx: click.Context, index_dirs: tuple[Path, ...], document: str
) -> tuple[SearchIndex, str, int | None]:
    """The indexes to look a document up in, its id, and which of them holds it (from 1) when a file
    given by its path says: its id (its path within that index's corpus) may be another index's too."""
    index = open_from_settings(ctx, index_dirs)
    if len(index.index_dirs) > 1 and Path(document).exists():
        for position, folder in enumerate(index.index_dirs, 1):
            corpus_root = open_from_settings(ctx, folder).corpus_root
            found = _within(document, corpus_root) if corpus_root else None
            if found is not None:
                return index, found, position
    return index, document_id(document, index.corpus_roots), None


def _within(given: str, corpus_root: str) -> str | None:
    """The id of a file under a corpus root (its path there); None if it is not under it."""
    with contextlib.suppress(ValueError, OSError):
        return Path(given).resolve().relative_to(Path(corpus_root)).as_posix()
    return None


def document_id(given: str, corpus_roots: tuple[str, ...]) -> str:
    """A document id from what a user typed: an id, or a path to a file under a corpus root (the first
    that holds it, of the indexes searched)."""
    if Path(given).exists():
        for corpus_root in corpus_roots:
            found = _within(given, corpus_root)
            if found is not None:
                return found
    return given.replace("\\", "/")
