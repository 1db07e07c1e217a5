"""A query sent whole to the resident process (search.client): the same bytes and exit status as the
command line run here; the full command line whenever it is not sent or not answered."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import client, index_corpus
from search.cli.captured import run_captured
from search.resident import ResidentServer
from search.searching import open_index

from .conftest import WEB_CORPUS, write_corpus
from .test_cli import run
from .test_end_to_end import SEARCH

UTF8 = ("utf-8", "strict", "utf-8", "backslashreplace")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("client")
    index_corpus(write_corpus(root / "corpus", WEB_CORPUS), root / "index")
    return root / "index"


@pytest.fixture
def serving(index_dir: Path) -> Iterator[ResidentServer]:
    server = ResidentServer((index_dir,), lambda ranking: open_index(index_dir, ranking), run_captured)
    assert server.start()
    try:
        yield server
    finally:
        server.close()


def clean_env(tmp_path: Path, **more: str) -> dict[str, str]:
    """test_cli.run()'s environment: no user config, no colour or folder overrides."""
    base = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "SEARCH_CONFIG": "", "NO_COLOR": "",
            "SEARCH_INDEX_DIR": "", "SEARCH_CORPUS_DIR": "", "HOME": str(tmp_path)}  # fmt: skip
    return {**base, **more}


QUERIES = [
    ["query", "mali"],
    ["query", "--json", "mali", "--facets", "actor,source,year"],
    ["query", "harmattan", "--limit", "3", "--offset", "2", "--sort", "-date"],
    ["query", "zzzz"],  # no hits: exit 1
    ["query", "peacekeping"],  # a suggestion, on stderr
    ["query", "mali", "--actor", "Atlantis"],  # an unknown actor
    ["query", "date:2012-13"],  # a bad date: exit 2
    ["query", "--limit", "0", "mali"],  # a usage error: exit 2
    ["query", "--format", "csv", "mali", "--color", "always"],
    ["query", "--", "-mali", "harmattan"],
]


@pytest.mark.parametrize("args", QUERIES, ids=" ".join)
def test_a_query_sent_whole_prints_what_it_prints_here(
    index_dir: Path, serving: ResidentServer, args: list[str]
) -> None:
    args = [args[0], "--index-dir", str(index_dir), *args[1:]]
    alone = run(args, index_dir.parent)
    sent = client.answered_by_resident(args, clean_env(index_dir.parent), UTF8)
    assert sent == (alone.stdout_bytes, alone.stderr_bytes, alone.exit_code)


def test_the_index_folder_from_the_environment_or_the_config_file(
    index_dir: Path, serving: ResidentServer, tmp_path: Path
) -> None:
    alone = run(["query", "mali", "--index-dir", str(index_dir)], tmp_path)
    expected = (alone.stdout_bytes, alone.stderr_bytes, alone.exit_code)
    by_env = clean_env(tmp_path, SEARCH_INDEX_DIR=str(index_dir))
    assert client.answered_by_resident(["query", "mali"], by_env, UTF8) == expected
    config = tmp_path / "config" / "news-search" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"index_dir = {str(index_dir)!r}\n", encoding="utf-8")
    assert client.answered_by_resident(["query", "mali"], clean_env(tmp_path), UTF8) == expected
    config.write_text("index_dir = [", encoding="utf-8")  # unreadable: the full command line says so
    assert client.answered_by_resident(["query", "mali"], clean_env(tmp_path), UTF8) is None


@pytest.mark.parametrize(
    "args",
    [
        ["actors"],  # another command
        ["query", "mali", "--all", "--format", "csv"],  # an export, streamed
        ["query", "--help"],
        ["query", "mali", "--index-dir", "A", "--index-dir", "B"],  # indexes no process holds together
    ],
    ids=" ".join,
)
def test_what_is_not_sent(index_dir: Path, serving: ResidentServer, args: list[str]) -> None:
    folder = ["--index-dir", str(index_dir)] if "--index-dir" not in args else []
    assert client.answered_by_resident([*args, *folder], clean_env(index_dir.parent), UTF8) is None


def test_a_query_of_indexes_served_together_is_sent_whole_to_their_process(
    index_dir: Path, tmp_path: Path
) -> None:
    index_corpus(
        write_corpus(tmp_path / "corpus", {"x.txt": "Mali talks\nTalks on Mali went on."}), tmp_path / "index"
    )
    both = (index_dir, tmp_path / "index")
    args = ["query", "mali", "--json", "--index-dir", str(both[0]), f"--index-dir={both[1]}"]
    alone = run(args, tmp_path)
    server = ResidentServer(both, lambda ranking: open_index(list(both), ranking), run_captured)
    assert server.start()
    try:
        assert client.answered_by_resident(args, clean_env(tmp_path), UTF8) == (
            alone.stdout_bytes, alone.stderr_bytes, alone.exit_code,
        )  # fmt: skip
        assert '"index": 2' in alone.stdout
        one = client.answered_by_resident(args[:4], clean_env(tmp_path), UTF8)  # the first alone: not held
        assert one is None
    finally:
        server.close()


def test_no_answer_without_a_live_resident_process(index_dir: Path, tmp_path: Path) -> None:
    args = ["query", "mali", "--index-dir", str(index_dir)]
    assert client.answered_by_resident(args, clean_env(tmp_path), UTF8) is None  # no socket
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(index_dir / client.SOCKET_NAME))  # bound, never listening: as a killed process leaves it
    try:
        assert client.answered_by_resident(args, clean_env(tmp_path), UTF8) is None
    finally:
        stale.close()
        (index_dir / client.SOCKET_NAME).unlink()


def test_a_resident_process_without_a_command_runner_sends_nothing_back(index_dir: Path) -> None:
    server = ResidentServer((index_dir,), lambda ranking: open_index(index_dir, ranking))
    assert server.start()
    try:
        args = ["query", "mali", "--index-dir", str(index_dir)]
        assert client.answered_by_resident(args, clean_env(index_dir.parent), UTF8) is None
    finally:
        server.close()


def test_the_index_folders_of_a_command_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    here = os.path.abspath("idx")
    assert client.index_dirs_of(["query", "a", "--index-dir", "idx"], env) == (
        ["idx"],
        ["query", "a", "--index-dir", here],
    )
    assert client.index_dirs_of(["query", "--index-dir=idx", "a"], env) == (
        ["idx"],
        ["query", f"--index-dir={here}", "a"],
    )
    assert client.index_dirs_of(["query", "--index-dir", "idx", "a", "--index-dir=b"], env) == (
        ["idx", "b"],
        ["query", "--index-dir", here, "a", f"--index-dir={os.path.abspath('b')}"],
    )
    assert client.index_dirs_of(["query", "--", "--index-dir", "x"], env) == (
        ["index"], ["query", "--index-dir", os.path.abspath("index"), "--", "--index-dir", "x"],
    )  # fmt: skip
    assert client.index_dirs_of(["query", "a", "--index-dir"], env) is None  # click says what is missing
    by_env = clean_env(tmp_path, SEARCH_INDEX_DIR="elsewhere")
    assert client.index_dirs_of(["query", "a"], by_env) == (
        ["elsewhere"],
        ["query", "--index-dir", os.path.abspath("elsewhere"), "a"],
    )


def test_the_socket_of_several_indexes_is_named_for_them_in_their_order(tmp_path: Path) -> None:
    """One index: query.sock in its folder; several: a socket in the first named for the list, each
    folder once by its real path (a link to a folder is that folder)."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    a, b, link = (str(tmp_path / name) for name in ("a", "b", "link"))
    assert client.socket_address([a]) == client.socket_address([a, link]) == os.path.join(a, "query.sock")
    pair = client.socket_address([a, b])
    assert os.path.dirname(pair) == a and re.fullmatch(r"query-[0-9a-f]{8}\.sock", os.path.basename(pair))
    assert pair == client.socket_address([a, b, link]) == client.socket_address([link, b]).replace(link, a)
    assert client.socket_address([b, a]) != pair and os.path.dirname(client.socket_address([b, a])) == b


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_the_installed_command_is_answered_whole_by_search_serve_importing_nothing_of_the_cli(
    index_dir: Path, tmp_path: Path
) -> None:
    env = {**os.environ, **clean_env(tmp_path), "NO_COLOR": "1"}
    query = [str(SEARCH), "query", "mali", "--index-dir", str(index_dir)]
    alone = subprocess.run(query, env=env, capture_output=True, timeout=60)
    serving = subprocess.Popen(
        [str(SEARCH), "serve", "--index-dir", str(index_dir), "--port", "0"], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not (index_dir / client.SOCKET_NAME).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        answered = subprocess.run(query, env=env, capture_output=True, timeout=60)
        assert (answered.returncode, answered.stdout, answered.stderr) == (
            alone.returncode, alone.stdout, alone.stderr,
        )  # fmt: skip
        modules = tmp_path / "modules.txt"
        probe = (
            "import sys\nfrom search.client import main\ntry: main()\n"
            f"finally: open({str(modules)!r}, 'w').write(' '.join(sorted(sys.modules)))"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe, "query", "mali", "--index-dir", str(index_dir)],
            env=env, capture_output=True, timeout=60,
        )  # fmt: skip
        assert done.stdout == alone.stdout
        loaded = modules.read_text().split()
        heavy = ("click", "whoosh", "numpy", "pickle", "typing")  # typing and pickle: ~5 ms each
        assert not [name for name in loaded if name.split(".")[0] in heavy]
        assert "search.models" not in loaded and "search.cli" not in loaded
    finally:
        serving.kill()
        serving.wait(timeout=30)
        (index_dir / client.SOCKET_NAME).unlink(missing_ok=True)


class _BrokenBuffer:
    """A stdout on a real file whose reader went away: writing bytes to it raises BrokenPipeError."""

    def __init__(self, real: io.TextIOWrapper) -> None:
        self._real = real

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)

    @property
    def buffer(self) -> _BrokenBuffer:
        return self

    def write(self, data: bytes) -> int:
        raise BrokenPipeError


def test_an_answer_whose_reader_went_away_or_a_ctrl_c_ends_as_the_full_command_line_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with (tmp_path / "out").open("w", encoding="utf-8") as out, (tmp_path / "err").open("w") as err:
        monkeypatch.setattr(sys, "argv", ["search", "query", "mali"])
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(client, "answered_by_resident", lambda *_: (b"1. Mali\n", b"", 0))
        monkeypatch.setattr(sys, "stdout", _BrokenBuffer(out))
        with pytest.raises(SystemExit) as ended:
            client.main()
        assert ended.value.code == client.EXIT_BROKEN_PIPE

        def interrupted(*_: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(client, "answered_by_resident", interrupted)
        monkeypatch.setattr(sys, "stdout", out)
        with pytest.raises(SystemExit) as ended:
            client.main()
        assert ended.value.code == client.EXIT_INTERRUPTED
    assert (tmp_path / "err").read_text() == "search: interrupted\n"


def test_output_to_one_file_or_not_in_utf_8_is_not_sent_whole(tmp_path: Path) -> None:
    """A query's notes and hits interleave on one file; the resident process writes UTF-8 only."""
    with (tmp_path / "a").open("w", encoding="utf-8") as a, (tmp_path / "b").open("w", encoding="utf-8") as b:
        assert client._sent_whole_to(a, b)
        assert not client._sent_whole_to(a, a)
        assert not client._sent_whole_to(None, b)
        with (tmp_path / "c").open("w", encoding="ascii") as ascii_stream:
            assert not client._sent_whole_to(ascii_stream, b)


def test_a_client_not_in_utf_8_is_run_by_itself_and_the_next_one_is_answered_whole(
    index_dir: Path, tmp_path: Path
) -> None:
    """click keeps the stream it writes to: an ASCII client run in the resident process would have
    left every later client's output in its buffer."""
    args = ["query", "zzzz", "--index-dir", str(index_dir)]
    assert run_captured(args, clean_env(tmp_path), ("ascii", "strict", "ascii", "strict")) is None
    answered = run_captured(args, clean_env(tmp_path), UTF8)
    assert answered == (b"", b"search: no documents match 'zzzz'\n", 1)


def test_messages_plain_data_in_marshal_records_pickled_and_what_cannot_be_read_is_not_answered() -> None:
    """A command line and its answer travel in marshal's format, any other record pickled; a record
    that cannot be pickled, or a message that cannot be read, is one of NOT_ANSWERED (the caller runs
    the command itself), never an error of its own."""
    here, there = socket.socketpair()
    with here, there:
        for record in [("command", "stamp", ["query", "mali"], {"HOME": "/x"}, ("utf-8",)), (b"out", b"", 1)]:
            client.send(here, record)
            assert client.receive(there) == record
        client.send(here, Path("a"))  # not plain data: pickled
        assert client.receive(there) == Path("a")
        with pytest.raises(client.NOT_ANSWERED):
            client.send(here, [lambda: None])
        for payload in (b"p" + b"not a pickle", b"x" + b"another kind", b"m" + b"\xff"):
            here.sendall(len(payload).to_bytes(8, "big") + payload)
            with pytest.raises(client.NOT_ANSWERED):
                client.receive(there)
