"""search serve: the web page and the JSON HTTP API over an index."""

from __future__ import annotations

from pathlib import Path

import click

from .base import (
    _settings,
    cli,
    index_dirs_option,
    say,
    stop_on_sigterm_as_on_ctrl_c,
)


@cli.command("serve")
@index_dirs_option
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
@click.option("--no-ui", is_flag=True, help="Serve the JSON API only, without the web page at /.")
@click.pass_context
def serve_command(
    ctx: click.Context,
    index_dirs: tuple[Path, ...],
    host: str,
    port: int,
    allowed_hosts: tuple[str, ...],
    no_ui: bool,
) -> None:
    """Serve the index until Ctrl-C: a web page to search and read it at /, and a JSON HTTP API (search,
    document, similar, actors, sources, timeline, export, stats, health). Given --index-dir more than
    once, the indexes are served as one.

    Open the address it prints in a browser. The API's OpenAPI description is at /openapi.json,
    browsable at /docs.

    \b
    Examples:
      search serve
      curl 'http://127.0.0.1:8000/search?q=mali&actor=ecowas&limit=3'
    """
    from ..resident import ResidentServer
    from ..searching import open_index
    from ..server import (  # only this command
        address_of,
        create_app,
        host_names_for,
        listening_socket,
        loopback_only,
        serve,
        warm_up,
    )
    from .captured import run_captured

    settings = _settings(ctx)
    folders = tuple(dict.fromkeys(index_dirs)) or (Path(settings.index_dir),)
    app = create_app(
        folders[0] if len(folders) == 1 else folders,
        request_timeout=settings.request_timeout,
        host_names=host_names_for(host, allowed_hosts),
        ranking=settings.ranking,
        ui=not no_ui,
    )
    sock = listening_socket(host, port)
    if not loopback_only(host):
        say(
            f"search: warning: listening on {host}: anyone who can reach this machine on the network can "
            "read every document of the index (--host 127.0.0.1 keeps it to this machine)"
        )
    warm_up(app)
    what = "the API" if no_ui else "the page and the API"
    click.echo(
        f"search: serving {len(app.state.index)} documents on {address_of(sock)} ({what}; Ctrl-C stops)",
        err=True,
    )
    # The read commands on these indexes (the same folders, in the same order) ask this process
    # (search.resident) while it serves.
    stop_on_sigterm_as_on_ctrl_c()
    resident = ResidentServer(
        folders,
        lambda ranking: app.state.index if ranking == settings.ranking else open_index(folders, ranking),
        run_captured,
    )
    resident.start()
    try:
        serve(app, sock)
    finally:
        resident.close()
    say("search: stopped serving")
