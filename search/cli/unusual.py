"""`search terms` (what is unusual in a search's matches) and `search network` (who appears with whom);
`search actors --with` is written here too."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import wire
from ..models import MAX_NODES, Associations
from ..rendering import render_associations, render_unknown_actor
from .base import (
    EXIT_NO_MATCH,
    F,
    ProgressBar,
    cli,
    filter_options,
    index_dirs_option,
    json_option,
    limit_option,
    open_from_settings,
    say,
)

if TYPE_CHECKING:
    from ..searching import SearchIndex

CSV_OPTION = click.option("--csv", "as_csv", is_flag=True, help="Print CSV: a header, then a row each.")
NETWORK_FORMATS = ("json", "graphml", "csv")
PROGRESS_FROM = 20_000  # documents from which a network's counting says how far it is, on a terminal


def min_count_option(default: int, what: str) -> Callable[[F], F]:
    """--min-count, the fewest documents a value must be in to be listed."""
    return click.option(
        "--min-count", type=click.IntRange(1), default=default, show_default=True,
        help=f"Leave out {what} in fewer documents than this.",
    )  # fmt: skip


def _where(words: tuple[str, ...], filtered: bool) -> str:
    if words:
        return f"the documents that match {' '.join(words)!r}"
    return "the documents the filters keep" if filtered else "the index"


def echo_associations(
    ctx: click.Context, found: Associations, as_json: bool, as_csv: bool, summary: str, nothing: str
) -> None:
    """Print what is over-represented (a table, JSON or CSV), then the summary on stderr under a table;
    say why nothing is, and exit 1."""
    if as_json and as_csv:
        raise click.UsageError("--json and --csv cannot go together")
    for note in found.notes:
        say(f"search: note: {note}")
    if as_json:
        click.echo(wire.dumps(wire.associations_json(found)))
    elif as_csv:
        click.echo(wire.associations_csv(found), nl=False)
    elif found.items:
        click.echo(render_associations(found), nl=False)
        say(f"search: {summary}")
    for unknown in found.unknown_actors + found.unknown_sources:
        say(f"search: {render_unknown_actor(unknown)}")
    if not found.items:
        if not (found.unknown_actors or found.unknown_sources or as_json):
            say(f"search: {nothing}")
        ctx.exit(EXIT_NO_MATCH)


def actors_with(
    ctx: click.Context,
    index: SearchIndex,
    actor: str,
    words: tuple[str, ...],
    *,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    actor_type: str | None,
    limit: int,
    min_count: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    """`search actors --with ACTOR`: the actors named in the same documents, best associated first."""
    found = index.actors_with(
        actor, " ".join(words) if words else None, sources=sources, since=since, until=until,
        type=actor_type, limit=limit, min_count=min_count,
    )  # fmt: skip
    summary = (f"{found.documents:,} of {found.background:,} documents name {actor!r}: set = with it, "
               "all = in any of them, score = JLH")  # fmt: skip
    nothing = f"no actors are named with {actor!r} in {_where(words, False)}"
    echo_associations(ctx, found, as_json, as_csv, summary, nothing)


@cli.command("terms")
@click.argument("words", nargs=-1)
@index_dirs_option
@filter_options
@limit_option(20, "How many words, phrases or actors to list.")
@min_count_option(3, "words, phrases and actors")
@click.option("--actors", "of_actors", is_flag=True, help="List the actors that are unusual, not words.")
@json_option()
@CSV_OPTION
@click.pass_context
def terms_command(
    ctx: click.Context,
    words: tuple[str, ...],
    index_dirs: tuple[Path, ...],
    actors: tuple[str, ...],
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    doc_types: tuple[str, ...],
    limit: int,
    min_count: int,
    of_actors: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """List what is unusual in the documents matching WORDS (or the filters): the words and two-word
    phrases (with --actors, the actors) over-represented in them against the whole index.

    Scored by JLH, as Elasticsearch's significant_terms: (share in the matches - share in the index)
    x (share in the matches / share in the index). Words common everywhere ("said", "United States")
    score little; stop words and the query's own words never appear.

    \b
    Examples:
      search terms coup
      search terms --source reuters --since 2020 --limit 30
      search terms junta --actors --json
    """
    if not words and not (actors or sources or since or until or doc_types):
        raise click.UsageError(
            "give words to search for, or a filter: what is unusual compares them with the index"
        )
    index = open_from_settings(ctx, index_dirs)
    found = index.terms(
        " ".join(words) if words else None, actors=actors, sources=sources, since=since, until=until,
        types=doc_types, limit=limit, min_count=min_count, of="actors" if of_actors else "words",
    )  # fmt: skip
    summary = (f"{found.documents:,} of {found.background:,} documents match: set = in the matches, all = in "
               "the index, score = JLH")  # fmt: skip
    kind = "actors" if of_actors else "words or phrases"
    nothing = f"nothing unusual in {_where(words, True)}: no {kind} in {min_count} or more of them stand out"
    echo_associations(ctx, found, as_json, as_csv, summary, nothing)


@cli.command("network")
@click.argument("words", nargs=-1)
@index_dirs_option
@filter_options
@click.option(
    "--nodes", type=click.IntRange(2, MAX_NODES), default=100, show_default=True,
    help="How many actors: those most often named in the matches.",
)  # fmt: skip
@min_count_option(2, "pairs of actors named together")
@click.option(
    "--format", "fmt", type=click.Choice(NETWORK_FORMATS), default="json", show_default=True,
    help="json (networkx's node-link form), graphml (Gephi, yEd, networkx) or csv (an edge table).",
)  # fmt: skip
@click.pass_context
def network_command(
    ctx: click.Context,
    words: tuple[str, ...],
    index_dirs: tuple[Path, ...],
    actors: tuple[str, ...],
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    doc_types: tuple[str, ...],
    nodes: int,
    min_count: int,
    fmt: str,
) -> None:
    """Write who appears with whom in the documents matching WORDS (or the filters, or every document):
    the actors most often named, and each pair of them named together in at least --min-count
    documents, weighted by how many.

    \b
    Examples:
      search network coup --format graphml > coup.graphml
      search network --actor ecowas --nodes 50 --min-count 3
      search network election --since 2016 --format csv > edges.csv
    """
    index = open_from_settings(ctx, index_dirs)
    progress = ProgressBar("counting") if sys.stderr.isatty() else None
    try:
        network = index.network(
            " ".join(words) if words else None, actors=actors, sources=sources, since=since, until=until,
            types=doc_types, nodes=nodes, min_count=min_count,
            progress=(lambda done, total: progress(done, total) if total >= PROGRESS_FROM else None)
            if progress is not None else None,
        )  # fmt: skip
    finally:
        if progress is not None:
            progress.close()
    for note in network.notes:
        say(f"search: note: {note}")
    for unknown in network.unknown_actors + network.unknown_sources:
        say(f"search: {render_unknown_actor(unknown)}")
    if fmt == "json":
        click.echo(wire.dumps(wire.network_json(network)))
    else:
        click.echo(wire.network_graphml(network) if fmt == "graphml" else wire.network_csv(network), nl=False)
    say(f"search: {len(network.nodes):,} actors, {len(network.edges):,} pairs named together in "
        f"{min_count} or more of {network.documents:,} documents")  # fmt: skip
    if not network.edges:
        ctx.exit(EXIT_NO_MATCH)
