"""search serve: the JSON HTTP API over an index."""

from __future__ import annotations

from pathlib import Path

import click

from .base import (
    _settings,
    cli,
    index_dir_option,
    say,
)


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
    """Serve the index as a JSON HTTP API until Ctrl-C: search, document, similar, actors, sources, stats,
    health.

    The OpenAPI description is at /openapi.json, browsable at /docs.

    \b
    Examples:
      search serve
      curl 'http://127.0.0.1:8000/search?q=mali&actor=ecowas&limit=3'
    """
    from ..server import address_of, create_app, host_names_for, listening_socket, serve  # only this command

    settings = _settings(ctx)
    app = create_app(
        index_dir or settings.index_dir,
        request_timeout=settings.request_timeout,
        host_names=host_names_for(host, allowed_hosts),
        ranking=settings.ranking,
    )
    sock = listening_socket(host, port)
    click.echo(
        f"search: serving {len(app.state.index)} documents on {address_of(sock)} (Ctrl-C stops)", err=True
    )
    serve(app, sock)
    say("search: stopped serving")
