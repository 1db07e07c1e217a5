"""Commands that write or preview an index: index, watch, clean."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from .. import wire
from ..models import IndexReport, SkippedFile
from ..rendering import (
    render_clean,
    render_clean_diff,
    render_index_report,
    terminal_safe,
)
from .base import (
    EXIT_ERROR,
    ProgressBar,
    _settings,
    cli,
    color_option,
    index_dir_option,
    json_option,
    say,
    stop_on_sigterm_as_on_ctrl_c,
    use_color,
)


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
    progress = ProgressBar("indexing") if sys.stderr.isatty() and not quiet else None
    try:
        from ..indexing import index_corpus  # imported here: `search query` starts faster without it

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
            copy_threshold=settings.copy_threshold,
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
    for name, gained in report.alerts:
        say(f"{prefix}alert {name}: {gained:,} new")


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

    from ..resident import ResidentServer
    from ..searching import open_index
    from ..watching import watch_corpus  # imported here, as in `search index`
    from .captured import run_captured

    folder = index_dir or settings.index_dir
    # The read commands on this index ask this process (search.resident) once its first run made it.
    resident = ResidentServer((folder,), lambda ranking: open_index(folder, ranking), run_captured)
    stop_on_sigterm_as_on_ctrl_c()

    def report(done: IndexReport) -> None:
        _echo_report(done, prefix=datetime.now().strftime("%H:%M:%S "))
        if not resident.listening:
            resident.start()

    try:
        watch_corpus(
            corpus or settings.corpus_dir,
            folder,
            report,
            debounce_ms=debounce,
            lock_timeout=settings.lock_timeout if wait is None else wait,
            max_file_bytes=settings.max_file_bytes,
            copy_threshold=settings.copy_threshold,
        )
    finally:
        resident.close()
    say("search: stopped watching")


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
    from ..indexing import learned_chrome, preview_file  # imported here, as in `search index`

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
            click.echo(f"{'' if number == 0 else chr(10)}==> {terminal_safe(str(path))} <==")
        if diff:
            click.echo(render_clean_diff(preview.pieces, colored), color=colored, nl=False)
        else:
            click.echo(render_clean(preview.document), nl=False)
    if failed:
        ctx.exit(EXIT_ERROR)
