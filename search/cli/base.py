"""The `search` command's frame: the group, its settings and logging, the options commands share, and
the one place the library's errors become one line and exit status 2 (with the CLI's hints).
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click
from click.shell_completion import CompletionItem

from ..client import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, INTERRUPTED, stdout_to_devnull
from ..config import Settings, load_settings
from ..errors import (
    AmbiguousDocumentError,
    IndexDamagedError,
    IndexLockedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    MassRemovalError,
    SearchError,
)
from ..locations import ENV_VARIABLES
from ..models import MAX_LIMIT
from ..rendering import (
    terminal_safe,
)

if TYPE_CHECKING:
    from ..searching import SearchIndex

EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR = 0, 1, 2
# What to do, in the CLI's words, after the library's message of what is wrong (exact types: a
# NotAnIndexError is an IndexDamagedError that no rebuild may touch).
HINTS: dict[type[SearchError], str] = {
    MassRemovalError: "; if that is right, run again with --allow-mass-removal",
    IndexNotFoundError: ": run 'search index' first",
    IndexDamagedError: "; run 'search index --rebuild'",
    IndexNeedsRebuildError: "; run 'search index --rebuild'",
    IndexLockedError: ", or wait longer with --wait",
    AmbiguousDocumentError: " (name the file instead, or give that index's --index-dir alone)",
}
F = TypeVar("F", bound=Callable[..., Any])


def say(line: str) -> None:
    """One line on stderr, with anything in it that would steer the terminal spelled out (a file's name)."""
    click.echo(terminal_safe(line), err=True)


# The module of each command, imported when the command runs (every one for --help and completion):
# `search query` imports neither the indexing stages nor the saved searches.
COMMAND_MODULES = {
    "alert": "alerts", "batch": "exporting", "query": "reading", "actors": "reading",
    "sources": "reading", "show": "reading", "similar": "reading", "stats": "reading",
    "serve": "serving", "timeline": "timeline", "terms": "unusual", "network": "unusual",
    "index": "writing", "watch": "writing", "clean": "writing",
}  # fmt: skip


class SearchGroup(click.Group):
    """A command group that loads each command's module when it is asked for, and reports the library's
    errors as one line and exit code 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMAND_MODULES:
            importlib.import_module(f"{__package__}.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SearchError as error:
            say(f"search: error: {error}{HINTS.get(type(error), '')}")
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            say(INTERRUPTED)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`search query --all | head`): stop quietly, as `git log | head` does,
            # with nothing left for Python to fail flushing at exit.
            stdout_to_devnull()
            ctx.exit(EXIT_BROKEN_PIPE)


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


def index_dirs_option(command: F) -> F:
    """The --index-dir option of the commands that only read: given more than once, the indexes are
    searched as one (an index per project or per year)."""
    return click.option(
        "--index-dir",
        "index_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=(
            "Folder of the index; give it again to search several indexes as one."
            f" [default: ${ENV_VARIABLES['index_dir']}, else ./index]"
        ),
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


MAX_COMPLETIONS = 200


def _index_names(kind: str) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    """A shell completion of --actor or --source values from the index the command line names (or the
    settings'); none when there is no index to read, as a shell expects: never an error."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            from ..searching import open_index

            given = ctx.params.get("index_dirs") or ctx.params.get("index_dir")
            index = open_index(given or load_settings().index_dir)
            names = index.actor_names() if kind == "actor" else index.source_names()
        except (SearchError, OSError):
            return []
        start = incomplete.casefold()
        return [CompletionItem(name) for name in names if name.casefold().startswith(start)][:MAX_COMPLETIONS]

    return complete


ACTOR_OPTION = click.option(
    "--actor",
    "actors",
    multiple=True,
    metavar="NAME",
    help="Only documents naming this actor (id, name or alias; repeat for several).",
    shell_complete=_index_names("actor"),
)
SOURCE_OPTION = click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Only documents from this outlet (any case, or words of its name; repeat for any of several).",
    shell_complete=_index_names("source"),
)
SINCE_OPTION = click.option(
    "--since", metavar="DATE", help="Only documents dated on or after DATE (2012, 2012-03 or 2012-03-23)."
)
UNTIL_OPTION = click.option("--until", metavar="DATE", help="Only documents dated on or before DATE.")


TYPE_OPTION = click.option(
    "--type",
    "doc_types",
    multiple=True,
    metavar="TYPE",
    help="Only documents of this type: statement (press statements and releases), article, or a type "
    "your sidecars give (repeat for any of several).",
)


def filter_options(command: F) -> F:
    """--actor, --source, --since, --until and --type, shared by every command that narrows documents."""
    return ACTOR_OPTION(SOURCE_OPTION(SINCE_OPTION(UNTIL_OPTION(TYPE_OPTION(command)))))


def limit_option(default: int, help: str) -> Callable[[F], F]:
    """The --limit/-n option, shared by every command that lists results."""
    return click.option(
        "--limit", "-n", type=click.IntRange(1, MAX_LIMIT), default=default, show_default=True, help=help
    )


def json_option(help: str = "Print one JSON document on stdout.") -> Callable[[F], F]:
    """The --json option, shared by every command that can print JSON."""
    return click.option("--json", "as_json", is_flag=True, help=help)


PAGER_OPTION = click.option(
    "--no-pager", "no_pager", is_flag=True, help="Print straight to the terminal, without a pager."
)
# What git gives less when LESS is unset: quit if one screen (F), colours (R), no screen clearing (X).
DEFAULT_LESS = "FRX"


def echo_paged(text: str, colored: bool, no_pager: bool) -> None:
    """Print text, through a pager when stdout is a terminal and text is longer than the screen, as git
    does: $PAGER (else less, else more), with LESS=FRX unless LESS is set; PAGER=cat turns it off."""
    out = sys.stdout
    height = shutil.get_terminal_size().lines
    if no_pager or not out.isatty() or text.count("\n") < height - 1:
        click.echo(text, color=colored, nl=False)
        return
    os.environ.setdefault("LESS", DEFAULT_LESS)
    click.echo_via_pager(text, color=colored)


def stop_on_sigterm_as_on_ctrl_c() -> None:
    """A long-running command stopped by SIGTERM (kill, a service manager) ends as Ctrl-C ends it,
    tidily: its resident socket removed (search.resident), its last words said."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)


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


def open_from_settings(ctx: click.Context, index_dir: Path | tuple[Path, ...] | None) -> SearchIndex:
    """The index of --index-dir (or the indexes of several, searched as one), else the settings',
    ranking as the settings say: answered by the `search serve` or `search watch` process that holds
    them open, when one does (search.resident), else opened here (which imports the engine)."""
    from ..resident import connect

    settings = _settings(ctx)
    given = index_dir if isinstance(index_dir, tuple) else (index_dir,) if index_dir else ()
    # Each folder once, by the first name given for it, as SearchIndex names them (~/idx and
    # /home/u/idx are one folder).
    named: dict[str, Path] = {}
    for folder in given:
        named.setdefault(os.path.realpath(folder), folder)
    folders = tuple(named.values()) or (Path(settings.index_dir),)

    def opened() -> SearchIndex:
        from ..searching import open_index

        return open_index(folders, settings.ranking)

    remote = connect(folders, settings.ranking, opened)
    return cast("SearchIndex", remote) if remote is not None else opened()


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
    if not isinstance(ctx.obj, Settings):  # (a resident process running a client's command line gives
        ctx.obj = load_settings()  # the settings of the client's environment: cli.captured)


class ProgressBar:
    """A progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
