"""The `search` command: index a folder of articles, query it from the terminal.

Only this module talks to the user: it turns the library's exceptions into one-line
messages with exit code 2, and maps "no hits" to exit code 1, like grep.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from . import wire
from .config import ENV_VARIABLES, Settings, load_settings
from .errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    MassRemovalError,
    SearchError,
)
from .models import ACTOR_TYPES, IndexReport, SkippedFile
from .rendering import (
    render_actor_counts,
    render_clean,
    render_clean_diff,
    render_document,
    render_facets,
    render_index_report,
    render_stats,
    render_text,
    render_total,
    render_unknown_actor,
    terminal_safe,
)
from .searching import MAX_LIMIT, SORTS, open_index

EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR = 0, 1, 2
# What the CLI adds to a library error: the flag that acts on it (the library speaks of no flags).
# What to do, in the CLI's words, after the library's message of what is wrong (exact types: a
# NotAnIndexError is an IndexDamagedError that no rebuild may touch).
HINTS: dict[type[SearchError], str] = {
    MassRemovalError: "; if that is right, run again with --allow-mass-removal",
    IndexNotFoundError: ": run 'search index' first",
    IndexDamagedError: "; run 'search index --rebuild'",
    IndexNeedsRebuildError: "; run 'search index --rebuild'",
    IndexLockedError: ", or wait longer with --wait",
}
F = TypeVar("F", bound=Callable[..., Any])


def say(line: str) -> None:
    """One line on stderr, with anything in it that would steer the terminal spelled out (a file's name)."""
    click.echo(terminal_safe(line), err=True)


class SearchGroup(click.Group):
    """A command group that reports the library's errors as one line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SearchError as error:
            say(f"search: error: {error}{HINTS.get(type(error), '')}")
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            say("search: interrupted")
            ctx.exit(130)


class _OneLineFormatter(logging.Formatter):
    """Log records as the CLI's own messages: 'search: warning: ...'."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_safe(f"search: {record.levelname.lower()}: {record.getMessage()}")


def index_dir_option(command: F) -> F:
    """The --index-dir option, shared by every command that reads or writes the index."""
    return click.option(
        "--index-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Folder of the index. [default: ${ENV_VARIABLES['index_dir']}, else ./index]",
    )(command)


def color_option(command: F) -> F:
    """The --color option, shared by every command that can highlight its output."""
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour the output; 'auto' colours on a terminal unless NO_COLOR is set.",
    )(command)


ACTOR_OPTION = click.option(
    "--actor",
    "actors",
    multiple=True,
    metavar="NAME",
    help="Only documents naming this actor (id, name or alias; repeat for several).",
)
SINCE_OPTION = click.option(
    "--since", metavar="DATE", help="Only documents dated on or after DATE (2012, 2012-03 or 2012-03-23)."
)
UNTIL_OPTION = click.option("--until", metavar="DATE", help="Only documents dated on or before DATE.")


def filter_options(command: F) -> F:
    """--actor, --since and --until, shared by every command that narrows documents."""
    return ACTOR_OPTION(SINCE_OPTION(UNTIL_OPTION(command)))


def limit_option(default: int, help: str) -> Callable[[F], F]:
    """The --limit/-n option, shared by every command that lists results."""
    return click.option(
        "--limit", "-n", type=click.IntRange(1, MAX_LIMIT), default=default, show_default=True, help=help
    )


def json_option(help: str = "Print one JSON document on stdout.") -> Callable[[F], F]:
    """The --json option, shared by every command that can print JSON."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def use_color(choice: str, stream: Any) -> bool:
    """Colour when asked to, or on a terminal unless NO_COLOR is set (https://no-color.org)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return not os.environ.get("NO_COLOR") and bool(getattr(stream, "isatty", lambda: False)())


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    assert settings is not None, "the group callback stores the settings"
    return settings


@click.group("search", cls=SearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="news-search", prog_name="search")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Full-text search for a folder of news articles and press statements.

    \b
    Index a folder once, then query it:
      search index corpus/
      search query coup Mali
      search query --json junta elections
      search clean --diff corpus/004_42382a47a79cec6e.txt

    Exit status: 0 when something matched, 1 when nothing did, 2 on an error.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    # Their warnings name no file ('discarding data: None'): a page they cannot read is ours to report.
    for library in ("trafilatura", "htmldate", "courlan", "justext", "readability"):
        logging.getLogger(library).setLevel(logging.ERROR)
    ctx.obj = load_settings()


class _ProgressBar:
    """A progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label="indexing", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@cli.command("index")
@click.argument("corpus", required=False, type=click.Path(path_type=Path))
@index_dir_option
@click.option(
    "--actors", "actors_file", type=click.Path(dir_okay=False, path_type=Path),
    help="A gazetteer file of your own, on top of ours and CORPUS/actors.toml.",
)  # fmt: skip
@click.option(
    "--rebuild", is_flag=True, help="Start over: reindex every file and relearn the corpus's chrome."
)
@click.option(
    "--wait", type=click.FloatRange(0), default=None, metavar="SECONDS",
    help="How long to wait for another indexing run to finish. [default: 5]",
)  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also name each document added, updated or removed.")
@click.option(
    "--date-from-mtime", is_flag=True,
    help="Date a document in which no date is found by its file's modification time.",
)  # fmt: skip
@click.option(
    "--allow-mass-removal", is_flag=True,
    help="Let this run remove more than half of the index's documents (their files are gone).",
)  # fmt: skip
@click.pass_context
def index_command(
    ctx: click.Context,
    corpus: Path | None,
    index_dir: Path | None,
    actors_file: Path | None,
    rebuild: bool,
    wait: float | None,
    quiet: bool,
    verbose: bool,
    date_from_mtime: bool,
    allow_mass_removal: bool,
) -> None:
    """Index every .txt, .html and .htm file under CORPUS, recursively.

    Incremental: a run adds new files, reindexes changed ones and removes deleted
    ones; unchanged files are not even read. --rebuild starts over. CORPUS defaults
    to $SEARCH_CORPUS_DIR, else ./corpus. Files that cannot be indexed (unreadable,
    binary, empty) are skipped with a warning naming them.
    Each document gets a title, a date and its actors; NAME.meta.json beside a
    document, or front matter at its top, overrides them.

    \b
    Example:
      search index ~/news --index-dir ~/news-index
    """
    settings = _settings(ctx)
    progress = _ProgressBar() if sys.stderr.isatty() and not quiet else None
    try:
        from .indexing import index_corpus  # imported here: `search query` starts faster without it

        report = index_corpus(
            corpus or settings.corpus_dir,
            index_dir or settings.index_dir,
            rebuild=rebuild,
            lock_timeout=settings.lock_timeout if wait is None else wait,
            max_file_bytes=settings.max_file_bytes,
            actors_file=actors_file,
            date_from_mtime=date_from_mtime,
            progress=progress,
            allow_mass_removal=allow_mass_removal,
        )
    finally:
        if progress is not None:
            progress.close()
    if quiet:
        return
    if verbose:
        for action, document in report.changes:
            say(f"{action} {document}")
    _echo_report(report)


def _echo_report(report: IndexReport, prefix: str = "") -> None:
    """An indexing run on stderr: its warnings, each skipped file with its reason, then the summary."""
    for warning in report.warnings:
        say(f"search: warning: {warning}")
    for skipped in report.skipped:
        say(f"search: warning: skipped {skipped.path}: {skipped.reason}")
    say(prefix + render_index_report(report))


@cli.command("watch")
@click.argument("corpus", required=False, type=click.Path(path_type=Path))
@index_dir_option
@click.option(
    "--debounce", type=click.IntRange(50), default=1000, show_default=True, metavar="MS",
    help="Changes this close together make one update.",
)  # fmt: skip
@click.option(
    "--wait",
    type=click.FloatRange(0),
    default=None,
    metavar="SECONDS",
    help="How long to wait for another indexing run.",
)
@click.pass_context
def watch_command(
    ctx: click.Context, corpus: Path | None, index_dir: Path | None, debounce: int, wait: float | None
) -> None:
    """Keep the index up to date while files under CORPUS change; Ctrl-C stops.

    Each update is reported on stderr, as `search index` reports a run.

    \b
    Example:
      search watch ~/news --index-dir ~/news-index
    """
    settings = _settings(ctx)

    from .watching import watch_corpus  # imported here, as in `search index`

    def report(done: IndexReport) -> None:
        _echo_report(done, prefix=datetime.now().strftime("%H:%M:%S "))

    watch_corpus(
        corpus or settings.corpus_dir,
        index_dir or settings.index_dir,
        report,
        debounce_ms=debounce,
        lock_timeout=settings.lock_timeout if wait is None else wait,
        max_file_bytes=settings.max_file_bytes,
    )
    say("search: stopped watching")


@cli.command("query")
@click.argument("words", nargs=-1, required=True)
@index_dir_option
@limit_option(10, "How many results to show.")
@click.option(
    "--offset", type=click.IntRange(0), default=0, show_default=True, help="Skip this many results first."
)
@filter_options
@click.option(
    "--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
    help="Order of results: relevance, date (oldest first) or -date (newest first); undated last.",
)  # fmt: skip
@click.option("--facets", metavar="actor,year", help="Also count matches per actor and/or per year.")
@json_option()
@color_option
@click.pass_context
def query_command(
    ctx: click.Context,
    words: tuple[str, ...],
    index_dir: Path | None,
    limit: int,
    offset: int,
    actors: tuple[str, ...],
    since: str | None,
    until: str | None,
    sort: str,
    facets: str | None,
    as_json: bool,
    color: str,
) -> None:
    """Search the index for WORDS and print ranked results with highlighted snippets.

    Documents holding any of the words match; those holding all of them rank first.
    In the words, actor:NAME and date:2012 or date:[2012-01 to 2013-06] narrow too.

    \b
    Examples:
      search query coup
      search query junta elections Mali --limit 3
      search query coup --actor ecowas --since 2012-03 --until 2012
      search query 'peacekeeping date:2023' --sort -date --facets actor,year
      search query condemn --json
    """
    index = open_index(index_dir or _settings(ctx).index_dir)
    results = index.search(
        " ".join(words),
        limit=limit,
        offset=offset,
        actors=actors,
        since=since,
        until=until,
        sort=sort,
        facets=[f.strip() for f in facets.split(",") if f.strip()] if facets else (),
    )
    for note in results.notes:
        say(f"search: note: {note}")
    if as_json:
        click.echo(wire.dumps(wire.results_json(results)))
    else:
        colored = use_color(color, sys.stdout)
        if results.hits:
            click.echo(render_text(results, colored), color=colored, nl=False)
        if results.facets:
            click.echo(render_facets(results), nl=False)
    if not as_json:
        for unknown in results.unknown_actors:
            say(f"search: {render_unknown_actor(unknown)}")
        if not results.unknown_actors:
            message = render_total(results) if results.total else f"no documents match {results.query!r}"
            say(f"search: {message}")
    for suggestion in results.suggestions:
        say(f"search: did you mean: {suggestion}")
    if results.total == 0:
        ctx.exit(EXIT_NO_MATCH)


@cli.command("clean")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@index_dir_option
@click.option("--diff", is_flag=True, help="Show every line, each removed one with the rule that removed it.")
@json_option("Print one JSON object per file, one a line.")
@color_option
@click.pass_context
def clean_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    index_dir: Path | None,
    diff: bool,
    as_json: bool,
    color: str,
) -> None:
    """Show the text and title that indexing would keep of each FILE.

    Lines an existing index learned as the corpus's chrome (see --index-dir) are removed
    too, so what you see is exactly what is indexed. A file that cannot be cleaned is
    named on stderr and the exit status is 2.

    \b
    Examples:
      search clean corpus/004_42382a47a79cec6e.txt
      search clean --diff page.html
      search clean --json corpus/*.txt > clean.jsonl
    """
    from .indexing import learned_chrome, preview_file  # imported here, as in `search index`

    settings = _settings(ctx)
    learned = learned_chrome(index_dir or settings.index_dir)
    colored = use_color(color, sys.stdout)
    failed = False
    for number, path in enumerate(files):
        preview = preview_file(path, learned=learned, max_file_bytes=settings.max_file_bytes, explain=diff)
        if isinstance(preview, SkippedFile):
            say(f"search: error: {preview.path}: {preview.reason}")
            failed = True
            continue
        if as_json:
            click.echo(json.dumps(wire.cleaned_json(preview.document), ensure_ascii=False))
            continue
        if len(files) > 1:
            click.echo(f"{'' if number == 0 else chr(10)}==> {path} <==")
        if diff:
            click.echo(render_clean_diff(preview.pieces, colored), color=colored, nl=False)
        else:
            click.echo(render_clean(preview.document), nl=False)
    if failed:
        ctx.exit(EXIT_ERROR)


@cli.command("actors")
@click.argument("words", nargs=-1)
@index_dir_option
@click.option("--type", "actor_type", type=click.Choice(ACTOR_TYPES), help="Only actors of this type.")
@limit_option(50, "How many actors to list.")
@SINCE_OPTION
@UNTIL_OPTION
@json_option()
@click.pass_context
def actors_command(
    ctx: click.Context,
    words: tuple[str, ...],
    index_dir: Path | None,
    actor_type: str | None,
    limit: int,
    since: str | None,
    until: str | None,
    as_json: bool,
) -> None:
    """List the actors of all documents, or of those matching WORDS, with document counts.

    \b
    Examples:
      search actors
      search actors --type person
      search actors coup --since 2012 --json
    """
    index = open_index(index_dir or _settings(ctx).index_dir)
    counts = index.actors(
        " ".join(words) if words else None, type=actor_type, limit=limit, since=since, until=until
    )
    if as_json:
        click.echo(wire.dumps(wire.actor_counts_json(counts)))
    elif counts:
        click.echo(render_actor_counts(counts), nl=False)
    if not counts:
        where = f"the documents that match {' '.join(words)!r}" if words else "the index"
        say(f"search: no actors in {where}")
        ctx.exit(EXIT_NO_MATCH)


@cli.command("show")
@click.argument("document")
@index_dir_option
@json_option()
@click.pass_context
def show_command(ctx: click.Context, document: str, index_dir: Path | None, as_json: bool) -> None:
    """Print one indexed document: its metadata and its clean text.

    DOCUMENT is its id (its path relative to the corpus root, as `search query` shows it)
    or a path to the file.

    \b
    Examples:
      search show 004_42382a47a79cec6e.txt
      search show corpus/004_42382a47a79cec6e.txt --json
    """
    index = open_index(index_dir or _settings(ctx).index_dir)
    found = index.document(document_id(document, index.corpus_root))
    click.echo(wire.dumps(wire.document_json(found)) if as_json else render_document(found))


@cli.command("similar")
@click.argument("document")
@index_dir_option
@limit_option(10, "How many documents to list.")
@json_option()
@color_option
@click.pass_context
def similar_command(
    ctx: click.Context, document: str, index_dir: Path | None, limit: int, as_json: bool, color: str
) -> None:
    """List the documents most like DOCUMENT (by the key terms of its text).

    DOCUMENT is an id, as `search query` shows it, or a path to the file.

    \b
    Examples:
      search similar 004_42382a47a79cec6e.txt
      search similar corpus/004_42382a47a79cec6e.txt --limit 3 --json
    """
    index = open_index(index_dir or _settings(ctx).index_dir)
    results = index.similar(document_id(document, index.corpus_root), limit=limit)
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
@index_dir_option
@json_option()
@click.pass_context
def stats_command(ctx: click.Context, index_dir: Path | None, as_json: bool) -> None:
    """Show what the index holds: documents, distinct terms, size, last update, versions.

    \b
    Examples:
      search stats
      search stats --json --index-dir ~/news-index
    """
    stats = open_index(index_dir or _settings(ctx).index_dir).stats()
    click.echo(wire.dumps(wire.stats_json(stats)) if as_json else render_stats(stats))


@cli.command("serve")
@index_dir_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only by default)."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free one).",
)
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests addressed to this host name (repeatable). By default a server on "
    "127.0.0.1 answers only to 127.0.0.1, localhost and ::1, which keeps web pages from reading it.",
)
@click.pass_context
def serve_command(
    ctx: click.Context, index_dir: Path | None, host: str, port: int, allowed_hosts: tuple[str, ...]
) -> None:
    """Serve the index as a JSON HTTP API until Ctrl-C: search, document, similar, actors, stats, health.

    The OpenAPI description is at /openapi.json, browsable at /docs.

    \b
    Examples:
      search serve
      curl 'http://127.0.0.1:8000/search?q=mali&actor=ecowas&limit=3'
    """
    from .server import address_of, create_app, host_names_for, listening_socket, serve  # only this command

    settings = _settings(ctx)
    app = create_app(
        index_dir or settings.index_dir,
        request_timeout=settings.request_timeout,
        host_names=host_names_for(host, allowed_hosts),
    )
    sock = listening_socket(host, port)
    click.echo(
        f"search: serving {len(app.state.index)} documents on {address_of(sock)} (Ctrl-C stops)", err=True
    )
    serve(app, sock)
    say("search: stopped serving")


def document_id(given: str, corpus_root: str | None) -> str:
    """A document id from what a user typed: an id, or a path to a file under the corpus root."""
    path = Path(given)
    if corpus_root and path.exists():
        try:
            return path.resolve().relative_to(Path(corpus_root)).as_posix()
        except ValueError:
            pass
    return given.replace("\\", "/")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="search")
