"""The `search` command: index a folder of articles, query it from the terminal, serve it over HTTP.

Only this package talks to the user: it turns the library's exceptions into one-line messages with exit
status 2, and maps "no hits" to exit status 1, like grep. Each module registers its commands on the
group in base.py, imported when one of them runs (base.COMMAND_MODULES).
"""

from __future__ import annotations

from .base import cli, use_color

__all__ = ["cli", "main", "use_color"]


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="search")
