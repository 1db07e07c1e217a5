"""Read calls answered by a process that holds the index open: `search serve` or `search watch`.

A `search query` process spends most of its time importing Whoosh and opening the index, which a
serving or watching process has done once. While one runs, it listens on a Unix socket in the index
folder (owner-only), and the read commands send it the SearchIndex call they would make and print its
answer: the same records, rendered by the same code, so the output is the same byte for byte. With
no such process, or anything amiss on the way (a stale socket, another version of this program, a
reply that does not arrive), the call is made in-process, as it always was.

Calls and answers are pickled frozen records: both ends are this program, run by one user (the socket
file is mode 0600 and each end checks the other's uid), as trusted as the index folder itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import socket
import stat
import struct
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SearchError
from .models import Ranking

if TYPE_CHECKING:
    from .searching import SearchIndex

logger = logging.getLogger(__name__)

SOCKET_NAME = "query.sock"
# The SearchIndex calls worth sending: each answers with a bounded record. Not pages() (an export's
# stream of pages), request() (an engine record), nor the gazetteer: those stay in-process.
FORWARDED = frozenset({
    "__len__", "search", "matching_ids", "timeline", "batch", "similar", "stats", "document",
    "highlight", "copies", "actors", "actors_with", "terms", "network", "sources", "actor_ids",
    "actor_names", "source_names", "find_actor",
})  # fmt: skip
FORWARDED_VALUES = frozenset({"corpus_root", "corpus_roots"})  # properties, read rather than called
_ANSWERED = FORWARDED | FORWARDED_VALUES
CONNECT_SECONDS = 1.0  # a live process accepts at once; a stale socket refuses at once
ANSWER_SECONDS = 300.0  # a batch of queries may take minutes; a process that hangs longer is given up
_LENGTH = struct.Struct(">Q")
_PEER = struct.Struct("3i")  # struct ucred: pid, uid, gid


@dataclass(frozen=True)
class Call:
    """One SearchIndex call, as the client would make it in-process."""

    code: str  # code_stamp(): the two ends must run the same program
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


@cache
def code_stamp() -> str:
    """Where this program is installed and its newest source file's time: a resident process started
    before an upgrade or an edit answers nothing (the package's files are stat()ed, not read: ~1 ms;
    importlib.metadata's version would take 15 ms to import)."""
    package = Path(__file__).parent
    newest = max(
        entry.stat().st_mtime_ns
        for folder in (package, *(p for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"))
        for entry in os.scandir(folder)
        if entry.name.endswith(".py")
    )
    return f"{package}:{newest}"


def _address(index_dir: Path) -> str:
    return str(index_dir / SOCKET_NAME)


def _peer_is_us(sock: socket.socket) -> bool:
    """The process at the other end runs as this user (Linux's SO_PEERCRED)."""
    _, uid, _ = _PEER.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER.size))
    return bool(uid == os.getuid())


def _send(sock: socket.socket, record: object) -> None:
    payload = pickle.dumps(record, pickle.HIGHEST_PROTOCOL)
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def _receive(sock: socket.socket) -> Any:
    header = _read_exactly(sock, _LENGTH.size)
    return pickle.loads(_read_exactly(sock, _LENGTH.unpack(header)[0]))


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the resident process closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def available() -> bool:
    """Unix sockets with peer credentials: Linux."""
    return hasattr(socket, "AF_UNIX") and hasattr(socket, "SO_PEERCRED")


class RemoteIndex:
    """A SearchIndex whose read calls a resident process answers; any other attribute, and any call
    the resident process cannot answer, is the in-process SearchIndex's (opened when first needed)."""

    def __init__(self, index_dir: Path, ranking: Ranking, opener: Callable[[], SearchIndex]) -> None:
        self.index_dir = index_dir
        self.index_dirs = (index_dir,)  # a resident process holds one index
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
            answer = self._ask(Call(code_stamp(), self.ranking, method, args, kwargs))
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
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(CONNECT_SECONDS)
                with _reachable(_address(self.index_dir)) as reachable:
                    sock.connect(reachable)
                if not _peer_is_us(sock):
                    return None
                sock.settimeout(ANSWER_SECONDS)
                _send(sock, call)
                answer = _receive(sock)
        except (OSError, EOFError, pickle.PickleError, AttributeError, TypeError, ValueError) as error:
            logger.debug("resident process not asked: %s", error)
            return None
        return answer if isinstance(answer, Answer) else None


def connect(index_dir: Path, ranking: Ranking, opener: Callable[[], SearchIndex]) -> RemoteIndex | None:
    """A RemoteIndex when a socket owned by this user is in the index folder (its process may still
    be gone: each call then falls back to the in-process index); else None."""
    if not available():
        return None
    try:
        found = os.lstat(_address(index_dir))
    except (OSError, ValueError):
        return None
    if not stat.S_ISSOCK(found.st_mode) or found.st_uid != os.getuid():
        return None
    return RemoteIndex(index_dir, ranking, opener)


class ResidentServer:
    """Answers read calls on the index folder's socket, one at a time, from one thread (whose Whoosh
    searcher stays open and warm between calls), until closed.

    `opener` gives the SearchIndex for a ranking (the serving process's own for its ranking); it is
    called in the answering thread, so a watched index that does not exist yet is opened once it does.
    """

    def __init__(self, index_dir: Path, opener: Callable[[Ranking], SearchIndex]) -> None:
        self._index_dir = index_dir
        self._opener = opener
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
        address = _address(self._index_dir)
        try:
            if _someone_answers(address):
                return False
            with contextlib.suppress(FileNotFoundError):
                os.unlink(address)  # a socket left by a process that was killed
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            old_mask = os.umask(0o177)  # owner-only from the start, not after a chmod
            try:
                with _reachable(address) as reachable:
                    sock.bind(reachable)
            finally:
                os.umask(old_mask)
            sock.listen(16)
        except OSError as error:
            logger.debug("no resident socket in %s: %s", self._index_dir, error)
            return False
        self._sock, self._inode = sock, os.stat(address).st_ino
        self._thread = threading.Thread(target=self._serve, name="resident", daemon=True)
        self._thread.start()
        return True

    def close(self) -> None:
        """Stop answering and remove the socket (if it is still this server's)."""
        if self._sock is None:
            return
        address = _address(self._index_dir)
        try:
            if os.stat(address).st_ino == self._inode:
                os.unlink(address)
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
                    if _peer_is_us(connection):
                        connection.settimeout(ANSWER_SECONDS)
                        _send(connection, self._answer(_receive(connection)))
                except (OSError, EOFError, pickle.PickleError) as error:
                    logger.debug("a resident call failed: %s", error)

    def _answer(self, call: object) -> Answer:
        if not isinstance(call, Call) or call.code != self._code or call.method not in _ANSWERED:
            return Answer(failed=True)
        try:
            index = self._indexes.get(call.ranking)
            if index is None:
                index = self._indexes[call.ranking] = self._opener(call.ranking)
            found = getattr(index, call.method)
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
            with _reachable(address) as reachable:
                probe.connect(reachable)
        except OSError:
            return False
    return True


@contextlib.contextmanager
def _reachable(address: str) -> Iterator[str]:
    """The socket's address as bind() and connect() can take it: a Unix socket's path holds at most
    107 bytes, so a longer one is reached through a descriptor of its folder (/proc/self/fd/N/...)."""
    if len(os.fsencode(address)) < 100:
        yield address
        return
    folder = os.open(os.path.dirname(address), os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{folder}/{os.path.basename(address)}"
    finally:
        os.close(folder)
