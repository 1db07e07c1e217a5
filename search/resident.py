"""Read calls answered by a process that holds the index open: `search serve` or `search watch`.

A `search query` process spends most of its time importing Whoosh and opening the index, which a
serving or watching process has done once. While one runs, it listens on a Unix socket in the index
folder (owner-only), and the read commands send it the SearchIndex call they would make and print its
answer: the same records, rendered by the same code, so the output is the same byte for byte. With
no such process, or anything amiss on the way (a stale socket, another version of this program, a
reply that does not arrive), the call is made in-process, as it always was.

A query whose output goes to a pipe or a file comes whole, as its command line and environment
(search.client): the resident process runs that command line itself, with the index it holds, and
sends back what it printed and its exit status (command_runner, given by the CLI).

Calls and answers are pickled frozen records: both ends are this program, run by one user (the socket
file is mode 0600 and each end checks the other's uid), as trusted as the index folder itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .client import (
    ANSWER_SECONDS,
    COMMAND,
    CONNECT_SECONDS,
    NOT_ANSWERED,
    ask,
    available,
    bind_to,
    code_stamp,
    connect_to,
    index_dirs_of,
    peer_is_us,
    real_folders,
    receive,
    send,
    socket_address,
)
from .errors import SearchError
from .models import Ranking

if TYPE_CHECKING:
    from .searching import SearchIndex

logger = logging.getLogger(__name__)

# The SearchIndex calls worth sending: each answers with a bounded record. Not pages() (an export's
# stream of pages), request() (an engine record), nor the gazetteer: those stay in-process.
FORWARDED = frozenset({
    "__len__", "search", "matching_ids", "timeline", "batch", "similar", "stats", "document",
    "highlight", "copies", "actors", "actors_with", "terms", "network", "sources", "actor_ids",
    "actor_names", "source_names", "find_actor",
})  # fmt: skip
FORWARDED_VALUES = frozenset({"corpus_root", "corpus_roots"})  # properties, read rather than called
_ANSWERED = FORWARDED | FORWARDED_VALUES
# Runs a client's command line in this process: (argv, environment, the client's stdout and stderr
# encodings and error handlers) -> what it wrote on each and its exit status; None when it cannot.
CommandRunner = Callable[
    [list[str], dict[str, str], tuple[str, str, str, str]], "tuple[bytes, bytes, int] | None"
]
_serving = threading.local()  # .server: the ResidentServer whose thread runs a client's command line


@dataclass(frozen=True)
class Call:
    """One SearchIndex call, as the client would make it in-process."""

    code: str  # code_stamp(): the two ends must run the same program
    index_dirs: tuple[str, ...]  # the folders the client would open, by their real paths
    ranking: Ranking
    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What the call returned, or the library error it raised; `failed` when it could not be made
    there (the client then makes it in-process)."""

    value: Any = None
    error: SearchError | None = None  # raised by the call, or by the stream after its items
    failed: bool = False
    streamed: bool = False  # the call returned an iterator (batch()): value holds its items


class RemoteIndex:
    """A SearchIndex whose read calls a resident process answers; any other attribute, and any call
    the resident process cannot answer, is the in-process SearchIndex's (opened when first needed)."""

    def __init__(
        self, index_dirs: tuple[Path, ...], ranking: Ranking, opener: Callable[[], SearchIndex]
    ) -> None:
        self.index_dir = index_dirs[0]
        self.index_dirs = index_dirs  # as SearchIndex names them: each folder once, in the order given
        self.ranking = ranking
        self._opener = opener
        self._opened: SearchIndex | None = None
        self._resident = True  # until a call fails: the rest of this process's calls stay in-process

    def _local(self) -> SearchIndex:
        if self._opened is None:
            self._opened = self._opener()
        return self._opened

    def __getattr__(self, name: str) -> Any:
        if name in FORWARDED_VALUES:
            return self._call(name, (), {})
        if name not in FORWARDED:
            return getattr(self._local(), name)
        return lambda *args, **kwargs: self._call(name, args, kwargs)

    def __len__(self) -> int:
        return int(self._call("__len__", (), {}))

    def _call(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self._resident:
            # By their real paths: the resident process runs in another folder than ours.
            answer = self._ask(
                Call(code_stamp(), tuple(real_folders(self.index_dirs)), self.ranking, method, args, kwargs)
            )
            if answer is not None and not answer.failed:
                if answer.streamed:
                    return _replayed(answer.value, answer.error)
                if answer.error is not None:
                    raise answer.error
                return answer.value
            self._resident = False
        found = getattr(self._local(), method)
        return found if method in FORWARDED_VALUES else found(*args, **kwargs)

    def _ask(self, call: Call) -> Answer | None:
        try:
            answer = ask(socket_address(self.index_dirs), call)
        except NOT_ANSWERED as error:
            logger.debug("resident process not asked: %s", error)
            return None
        return answer if isinstance(answer, Answer) else None


def connect(
    index_dirs: tuple[Path, ...], ranking: Ranking, opener: Callable[[], SearchIndex]
) -> RemoteIndex | SearchIndex | None:
    """A RemoteIndex when a socket owned by this user is where a process holding these index folders
    listens (socket_address; its process may be gone: each call then falls back to the in-process
    index); else None. In a resident process running a client's command line on the indexes it holds:
    its own opened index."""
    server = getattr(_serving, "server", None)
    if server is not None:  # never a call to our own socket, which answers one call at a time
        return server.index_for(ranking) if server.holds(index_dirs) else None
    if not available():
        return None
    try:
        found = os.lstat(socket_address(index_dirs))
    except (OSError, ValueError):
        return None
    if not stat.S_ISSOCK(found.st_mode) or found.st_uid != os.getuid():
        return None
    return RemoteIndex(index_dirs, ranking, opener)


class ResidentServer:
    """Answers read calls on the socket of the index folders it holds (one, or several searched as
    one), one at a time, from one thread (whose Whoosh searcher stays open and warm between calls),
    until closed.

    `opener` gives the SearchIndex for a ranking (the serving process's own for its ranking); it is
    called in the answering thread, so a watched index that does not exist yet is opened once it does.
    """

    def __init__(
        self,
        index_dirs: tuple[Path, ...],
        opener: Callable[[Ranking], SearchIndex],
        command_runner: CommandRunner | None = None,
    ) -> None:
        self._index_dirs = index_dirs
        self._address = socket_address(index_dirs)
        self._opener = opener
        self._command_runner = command_runner
        self._indexes: dict[Ranking, SearchIndex] = {}
        self._sock: socket.socket | None = None
        self._inode: int | None = None
        self._thread: threading.Thread | None = None
        self._code = code_stamp()  # the program as it was when this process started

    @property
    def listening(self) -> bool:
        return self._sock is not None

    def start(self) -> bool:
        """Listen, unless another live process already answers for this folder or the folder cannot
        hold a socket (read-only, a file system without them); returns whether it listens."""
        if not available():
            return False
        address = self._address
        try:
            if _someone_answers(address):
                return False
            with contextlib.suppress(FileNotFoundError):
                os.unlink(address)  # a socket left by a process that was killed
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            old_mask = os.umask(0o177)  # owner-only from the start, not after a chmod
            try:
                bind_to(sock, address)
            finally:
                os.umask(old_mask)
            sock.listen(16)
        except OSError as error:
            logger.debug("no resident socket at %s: %s", address, error)
            return False
        self._sock, self._inode = sock, os.stat(address).st_ino
        self._thread = threading.Thread(target=self._serve, name="resident", daemon=True)
        self._thread.start()
        return True

    def close(self) -> None:
        """Stop answering and remove the socket (if it is still this server's)."""
        if self._sock is None:
            return
        try:
            if os.stat(self._address).st_ino == self._inode:
                os.unlink(self._address)
        except OSError:
            pass
        self._sock.close()  # accept() in the thread fails, and the thread ends
        self._sock = None

    def _serve(self) -> None:
        sock = self._sock
        while sock is not None and self._sock is sock:
            try:
                connection, _ = sock.accept()
            except OSError:
                return  # closed
            with connection:
                try:
                    if peer_is_us(connection):
                        connection.settimeout(ANSWER_SECONDS)
                        send(connection, self._answer(receive(connection)))
                except NOT_ANSWERED as error:
                    logger.debug("a resident call failed: %s", error)

    def holds(self, index_dirs: Sequence[Path | str]) -> bool:
        """Whether these are the index folders this process holds, in its order (each folder once)."""
        return real_folders(index_dirs) == real_folders(self._index_dirs)

    def index_for(self, ranking: Ranking) -> SearchIndex:
        """The index this process holds, ranking as given (opened at its first call)."""
        index = self._indexes.get(ranking)
        if index is None:
            index = self._indexes[ranking] = self._opener(ranking)
        return index

    def _answer(self, call: object) -> object:
        if isinstance(call, tuple) and call[:1] == (COMMAND,):  # answered by bytes, or None: never a record
            return self._run(call) if call[1:2] == (self._code,) else None
        if not isinstance(call, Call) or call.code != self._code or call.method not in _ANSWERED:
            return Answer(failed=True)
        if not self.holds(call.index_dirs):  # another list whose socket name is the same (crc32)
            return Answer(failed=True)
        try:
            found = getattr(self.index_for(call.ranking), call.method)
            value = found if call.method in FORWARDED_VALUES else found(*call.args, **call.kwargs)
            if not isinstance(value, Iterator):
                return Answer(value=value)
            items: list[Any] = []  # an iterator's items, and the error that ended it, replayed by the client
            try:
                items.extend(value)
            except SearchError as error:
                return Answer(value=items, error=error, streamed=True)
            return Answer(value=items, streamed=True)
        except SearchError as error:
            return Answer(error=error)
        except Exception as error:  # made in-process instead, and reported there as it always was
            logger.debug("a resident call raised %r", error)
            return Answer(failed=True)

    def _run(self, command: tuple[Any, ...]) -> tuple[bytes, bytes, int] | None:
        """A client's command line run here, with this process's index; None when it cannot be (the
        client then runs it itself, and reports what went wrong as it always did)."""
        try:
            _, _, argv, env, encodings = command
            named = index_dirs_of(argv, env)
            if self._command_runner is None or named is None or not self.holds(named[0]):
                return None  # (a list of folders whose socket name is the same as ours: crc32)
            _serving.server = self
            try:
                return self._command_runner(list(argv), dict(env), tuple(encodings))
            finally:
                _serving.server = None
        except Exception as error:
            logger.debug("a client's command line raised %r", error)
            return None


def _replayed(items: list[Any], error: SearchError | None) -> Iterator[Any]:
    """An iterator's items as the resident process read them, then the error that ended it."""
    yield from items
    if error is not None:
        raise error


def _someone_answers(address: str) -> bool:
    """A live process listens on the socket (one that was killed left a file that refuses)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(CONNECT_SECONDS)
        try:
            connect_to(probe, address)
        except OSError:
            return False
    return True
