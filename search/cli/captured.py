"""A client's command line run inside a resident process (search.resident), its output captured.

The resident process answers from one thread while others serve HTTP or watch the corpus; click
writes to sys.stdout and sys.stderr. Both are replaced once, in this process, by streams that write
to the answering thread's buffers while it runs a command line, and to the real streams otherwise.
"""

from __future__ import annotations

import codecs
import io
import sys
import threading
from typing import Any, TextIO

from ..config import load_settings
from ..errors import SearchError

_captured = threading.local()  # .stdout, .stderr: this thread's buffers while it runs a command line


class _Routed:
    """sys.stdout or sys.stderr: this thread's buffer while it runs a client's command line, else the
    real stream (every other attribute is the one of whichever it is now).

    Its encoding is UTF-8 whatever the stream's: click keeps, for good, the stream it writes to, and
    one it finds misconfigured (ASCII) it replaces by its .buffer wrapped anew, which would be the
    first client's buffer for every client after it. Clients send only UTF-8 (client.py)."""

    encoding = "utf-8"

    def __init__(self, name: str, real: TextIO) -> None:
        self._name, self._real = name, real

    def _current(self) -> TextIO:
        found: TextIO | None = getattr(_captured, self._name, None)
        return found if found is not None else self._real

    def write(self, text: str) -> int:
        return self._current().write(text)

    def flush(self) -> None:
        self._current().flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current(), name)


def run_captured(
    argv: list[str], env: dict[str, str], encodings: tuple[str, str, str, str]
) -> tuple[bytes, bytes, int] | None:
    """Run `search ARGV` here as a process with environment env would (the settings read from it),
    writing stdout and stderr with the client's encodings and error handlers (stdout's, then
    stderr's): what it wrote on each and its exit status. None when the settings cannot be read
    (the client runs the command itself and says what is wrong)."""
    from .base import cli

    if any(codecs.lookup(encoding).name != "utf-8" for encoding in encodings[::2]):
        return None
    try:
        settings = load_settings(env)
    except SearchError:
        return None
    for name in ("stdout", "stderr"):
        if not isinstance(getattr(sys, name), _Routed):
            setattr(sys, name, _Routed(name, getattr(sys, name)))
    out, err = io.BytesIO(), io.BytesIO()
    _captured.stdout = io.TextIOWrapper(out, encoding=encodings[0], errors=encodings[1], write_through=True)
    _captured.stderr = io.TextIOWrapper(err, encoding=encodings[2], errors=encodings[3], write_through=True)
    status = 0
    try:
        cli.main(args=argv, prog_name="search", obj=settings)
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    finally:
        for stream in (_captured.stdout, _captured.stderr):
            stream.flush()
            stream.detach()  # (a wrapper dropped would close its buffer)
        _captured.stdout = _captured.stderr = None
    return out.getvalue(), err.getvalue(), status
