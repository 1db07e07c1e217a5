"""The `search` command's entry point, and the socket a resident process answers on.

A `search query` process spends most of its time starting: importing click, our records, Whoosh,
numpy, and opening the index. While a `search serve` or `search watch` process holds the index open
(search.resident), a query whose output goes to a pipe or a file (a script, an app, `> hits.json`) is
sent to it whole, as its command line and environment, and the process here only writes what comes
back: this module imports nothing but the standard library's own (and locations.py), so such a query
costs a Python start and a round trip. Anything else (a terminal, which may page; another command;
no resident process, or anything amiss) runs the full command line here (search.cli), which may
still send its index calls to the resident process.

Both ends are this program, run by one user: the socket file is mode 0600, each end checks the
other's uid, and the messages are the standard library's types in marshal's format (send()).
"""

from __future__ import annotations

import codecs
import marshal
import os
import socket
import struct
import sys
import zlib

from .locations import DEFAULT_INDEX_DIR, ENV_VARIABLES, user_config_path

TYPE_CHECKING = False  # typing and collections.abc take ~5 ms each to import: for the type checker only
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader went away
INTERRUPTED = "search: interrupted"
SOCKET_NAME = "query.sock"
CONNECT_SECONDS = 1.0  # a live process accepts at once; a stale socket refuses at once
ANSWER_SECONDS = 300.0  # a batch of queries may take minutes; a process that hangs longer is given up
COMMAND = "command"  # the tag of a whole command line sent to the resident process
# The commands sent whole: a page of results, printed at once. (--all streams an export page by page.)
SENT_WHOLE = frozenset({"query"})
_NOT_SENT_OPTIONS = frozenset({"--all", "--help", "-h"})
_LENGTH = struct.Struct(">Q")
_MARSHALLED, _PICKLED = b"m", b"p"  # a message's first byte: how the rest is written
_PEER = struct.Struct("3i")  # struct ucred: pid, uid, gid


def main() -> None:
    """Console-script entry point: the answer of the resident process when it can give it, else the
    full command line."""
    out, err = sys.stdout, sys.stderr
    answer = None
    try:
        if _sent_whole_to(out, err):
            streams = (out.encoding, out.errors or "strict", err.encoding, err.errors or "strict")
            answer = answered_by_resident(sys.argv[1:], os.environ, streams)
        if answer is not None:
            written, said, status = answer
            out.buffer.write(written)
            out.flush()
            err.buffer.write(said)
            err.flush()
    except KeyboardInterrupt:  # as the full command line ends (cli.base.SearchGroup)
        err.write(INTERRUPTED + "\n")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        stdout_to_devnull()
        sys.exit(EXIT_BROKEN_PIPE)
    if answer is None:
        from .cli import main as full_command_line

        full_command_line()
        return
    sys.exit(status)


def _sent_whole_to(out: Any, err: Any) -> bool:
    """Whether what a query prints may come back whole: stdout no terminal (which may page), both
    streams open and UTF-8 (the resident process writes the client's output in UTF-8, as click does
    for a stream it finds misconfigured), and not one file (a query interleaves its notes on stderr
    with its hits on stdout, which two buffers sent back would not)."""
    if out is None or err is None or out.isatty():
        return False
    if not all(codecs.lookup(stream.encoding).name == "utf-8" for stream in (out, err)):
        return False
    try:
        here, there = os.fstat(out.fileno()), os.fstat(err.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (here.st_dev, here.st_ino) != (there.st_dev, there.st_ino)


def stdout_to_devnull() -> None:
    """After the reader of stdout went away (`search query ... | head`): nothing left for Python to
    fail flushing at exit, as `git log | head` ends."""
    try:  # noqa: SIM105 - (contextlib is not imported here: only what a query sent whole needs)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def answered_by_resident(
    argv: Sequence[str], env: Mapping[str, str], streams: tuple[str, str, str, str]
) -> tuple[bytes, bytes, int] | None:
    """What the command line prints on stdout and stderr (written with the streams' encodings and
    error handlers: stdout's, then stderr's) and its exit status, as the resident process holding its
    index ran it; None when it is not sent (see the module's docstring) or not answered."""
    if not argv or argv[0] not in SENT_WHOLE or not available():
        return None
    words = argv[: argv.index("--")] if "--" in argv else argv
    if _NOT_SENT_OPTIONS.intersection(words):
        return None
    found = index_dirs_of(argv, env)
    if found is None:
        return None
    index_dirs, argv = found
    address = socket_address(index_dirs)
    if not os.path.exists(address):
        return None
    try:
        answer = ask(address, (COMMAND, code_stamp(), argv, dict(env), streams))
    except NOT_ANSWERED:
        return None
    if not (isinstance(answer, tuple) and len(answer) == 3 and isinstance(answer[2], int)):
        return None
    out, err, status = answer
    return (out, err, status) if isinstance(out, bytes) and isinstance(err, bytes) else None


def index_dirs_of(argv: Sequence[str], env: Mapping[str, str]) -> tuple[list[str], list[str]] | None:
    """The index folders a command line reads, as the settings resolve them (each --index-dir, else the
    environment, else the config file, else the default), and the command line naming each by its
    absolute path (the resident process runs in another folder); None for a flag without its folder,
    or a config file that cannot be read (the full command line says what is wrong with either)."""
    argv = list(argv)
    end = argv.index("--") if "--" in argv else len(argv)
    folders: list[str] = []
    for place in range(end):
        if argv[place] == "--index-dir":
            if place + 1 >= end:
                return None
            folders.append(argv[place + 1])
            argv[place + 1] = os.path.abspath(argv[place + 1])
        elif argv[place].startswith("--index-dir="):
            folders.append(argv[place].partition("=")[2])
            argv[place] = "--index-dir=" + os.path.abspath(folders[-1])
    if folders:
        return folders, argv
    config = user_config_path(env)
    if env.get(ENV_VARIABLES["index_dir"]):
        folder = os.path.expanduser(env[ENV_VARIABLES["index_dir"]])
    elif os.path.exists(config):
        try:
            import tomllib
        except ImportError:  # Python 3.10: the full command line reads the file (with tomli)
            return None
        try:
            with open(config, encoding="utf-8") as handle:
                folder = os.path.expanduser(tomllib.loads(handle.read()).get("index_dir", DEFAULT_INDEX_DIR))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError):
            return None  # the full command line says what is wrong with the file
    else:
        folder = DEFAULT_INDEX_DIR
    return [folder], [argv[0], "--index-dir", os.path.abspath(folder), *argv[1:]]


def real_folders(index_dirs: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Index folders by their real paths, each once, in order (as a SearchIndex opens them): what both
    ends of the resident path compare, whatever folder each runs in."""
    return list(dict.fromkeys(os.path.realpath(folder) for folder in index_dirs))


def socket_address(index_dirs: Sequence[str | os.PathLike[str]]) -> str:
    """Where the resident process holding these index folders listens: query.sock in the folder of one
    index; of several searched together, a socket in the first folder named for the whole list (each
    folder once, by its real path, in order), so a process holding 2023 and 2024 together answers
    that pair and no other (it checks the list it is sent; the name only finds it)."""
    distinct = real_folders(index_dirs)
    if len(distinct) == 1:
        return os.path.join(index_dirs[0], SOCKET_NAME)
    key = zlib.crc32("\n".join(distinct).encode("utf-8", "surrogateescape"))
    return os.path.join(index_dirs[0], f"query-{key:08x}.sock")


_STAMP: list[str] = []  # code_stamp(), once a process


def code_stamp() -> str:
    """Where this program is installed and its newest source file's time: a resident process started
    before an upgrade or an edit answers nothing (the package's files are stat()ed, not read: ~1 ms;
    importlib.metadata's version would take 15 ms to import)."""
    if not _STAMP:
        package = os.path.dirname(os.path.abspath(__file__))
        folders = [package]
        folders += [e.path for e in os.scandir(package) if e.is_dir() and e.name != "__pycache__"]
        newest = max(e.stat().st_mtime_ns for f in folders for e in os.scandir(f) if e.name.endswith(".py"))
        _STAMP.append(f"{package}:{newest}")
    return _STAMP[0]


# What asking the resident process may raise: no live process, another user's, a connection cut, an
# answer that cannot be read.
NOT_ANSWERED = (OSError, EOFError, AttributeError, TypeError, ValueError, ImportError)


def ask(address: str, record: object) -> Any:
    """Send a record to the resident process listening at a socket_address() and return its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(CONNECT_SECONDS)
        connect_to(sock, address)
        if not peer_is_us(sock):
            raise PermissionError("the resident process runs as another user")
        sock.settimeout(ANSWER_SECONDS)
        send(sock, record)
        return receive(sock)


def available() -> bool:
    """Unix sockets with peer credentials: Linux."""
    return hasattr(socket, "AF_UNIX") and hasattr(socket, "SO_PEERCRED")


def peer_is_us(sock: socket.socket) -> bool:
    """The process at the other end runs as this user (Linux's SO_PEERCRED)."""
    _, uid, _ = _PEER.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER.size))
    return bool(uid == os.getuid())


def send(sock: socket.socket, record: object) -> None:
    """A message: its length, then a command line and its answer (strings, bytes, numbers, tuples,
    dicts) in marshal's format, anything else (resident.py's records) pickled: the thin client never
    imports pickle (~5 ms)."""
    try:
        payload = _MARSHALLED + marshal.dumps(record)  # type: ignore[arg-type]
    except ValueError:  # not plain data
        import pickle

        try:
            payload = _PICKLED + pickle.dumps(record, pickle.HIGHEST_PROTOCOL)
        except pickle.PicklingError as error:  # as ValueError: one of NOT_ANSWERED, at either end
            raise ValueError(f"a record that cannot be sent: {error}") from None
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def receive(sock: socket.socket) -> Any:
    header = _read_exactly(sock, _LENGTH.size)
    payload = _read_exactly(sock, _LENGTH.unpack(header)[0])
    if payload[:1] == _MARSHALLED:
        return marshal.loads(payload[1:])
    if payload[:1] == _PICKLED:
        import pickle

        try:
            return pickle.loads(payload[1:])
        except pickle.UnpicklingError as error:  # as ValueError: one kind of unreadable answer
            raise ValueError(f"an unreadable message: {error}") from None
    raise ValueError("a message of another kind")


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the resident process closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def connect_to(sock: socket.socket, address: str) -> None:
    _reachable(address, sock.connect)


def bind_to(sock: socket.socket, address: str) -> None:
    _reachable(address, sock.bind)


def _reachable(address: str, use: Any) -> None:
    """use(address) as bind() and connect() can take it: a Unix socket's path holds at most 107
    bytes, so a longer one is reached through a descriptor of its folder (/proc/self/fd/N/...)."""
    if len(os.fsencode(address)) < 100:
        use(address)
        return
    folder = os.open(os.path.dirname(address), os.O_RDONLY | os.O_DIRECTORY)
    try:
        use(f"/proc/self/fd/{folder}/{os.path.basename(address)}")
    finally:
        os.close(folder)
