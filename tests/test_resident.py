"""The read commands answered by a process that holds the index open: the same bytes and exit codes as
in-process, and in-process whenever that process cannot answer."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from search import client, index_corpus, resident
from search.client import SOCKET_NAME
from search.models import Ranking
from search.resident import RemoteIndex, ResidentServer
from search.searching import open_index

from .conftest import COPIES_CORPUS, WEB_CORPUS, write_corpus
from .test_cli import run
from .test_end_to_end import SEARCH


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """WEB_CORPUS indexed, in a folder of this module's own (the server puts its socket in it)."""
    root = tmp_path_factory.mktemp("resident")
    index_corpus(write_corpus(root / "corpus", WEB_CORPUS), root / "index")
    (root / "queries.txt").write_text("mali\nharmattan\nzzzz\n", encoding="utf-8")
    return root / "index"


@pytest.fixture
def resident_server(index_dir: Path) -> Iterator[ResidentServer]:
    server = ResidentServer((index_dir,), lambda ranking: open_index(index_dir, ranking))
    assert server.start()
    try:
        yield server
    finally:
        server.close()


COMMANDS = [
    ["query", "mali"],
    ["query", "--json", "mali", "--facets", "actor,source,year"],
    ["query", "harmattan", "--limit", "3", "--offset", "2", "--sort", "-date"],
    ["query", "mali", "--actor", "ecowas", "--since", "2012-03", "--until", "2012-04"],
    ["query", "zzzz"],  # no hits: exit 1
    ["query", "peacekeping"],  # a suggestion
    ["query", "mali", "--actor", "Atlantis"],  # an unknown actor
    ["query", "date:2012-13"],  # a bad date: exit 2
    ["query", "--format", "csv", "mali"],
    ["actors"],
    ["actors", "mali", "--json"],
    ["sources"],
    ["show", "a.txt"],
    ["show", "nothing-here.txt"],  # exit 2
    ["similar", "a.txt"],
    ["stats"],
    ["timeline", "mali"],
    ["timeline", "mali", "--split-by", "source", "--json"],
    ["terms", "mali"],
    ["network", "mali"],
    ["batch", "QUERIES"],
]


def _run(args: list[str], index_dir: Path) -> Result:
    args = [str(index_dir.parent / "queries.txt") if arg == "QUERIES" else arg for arg in args]
    return run([*args, "--index-dir", str(index_dir)], index_dir.parent)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_command_answered_by_the_resident_process_prints_what_it_prints_in_process(
    index_dir: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _run(args, index_dir)
    server = ResidentServer((index_dir,), lambda ranking: open_index(index_dir, ranking))
    assert server.start()
    try:
        # Every call goes to the resident process: opening the index here would fail the test.
        monkeypatch.setattr(RemoteIndex, "_local", lambda self: pytest.fail("opened in-process"))
        answered = _run(args, index_dir)
    finally:
        server.close()
    assert (answered.exit_code, answered.stdout, answered.stderr) == (
        alone.exit_code,
        alone.stdout,
        alone.stderr,
    )
    assert not (index_dir / SOCKET_NAME).exists()


def test_the_socket_is_the_owners_alone(index_dir: Path, resident_server: ResidentServer) -> None:
    mode = os.stat(index_dir / SOCKET_NAME).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600


def test_a_second_process_leaves_the_first_ones_socket_alone(
    index_dir: Path, resident_server: ResidentServer
) -> None:
    second = ResidentServer((index_dir,), lambda ranking: open_index(index_dir, ranking))
    assert not second.start()
    second.close()
    assert (index_dir / SOCKET_NAME).exists() and _run(["query", "mali"], index_dir).exit_code == 0


def test_a_socket_left_by_a_killed_process_is_answered_in_process_then_replaced(index_dir: Path) -> None:
    alone = _run(["query", "mali"], index_dir)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(index_dir / SOCKET_NAME))  # bound, never listening: what a kill -9 leaves
    try:
        assert _run(["query", "mali"], index_dir).stdout == alone.stdout
        server = ResidentServer((index_dir,), lambda ranking: open_index(index_dir, ranking))
        assert server.start()
        server.close()
    finally:
        (index_dir / SOCKET_NAME).unlink(missing_ok=True)


def test_a_resident_process_running_other_code_is_not_asked(
    index_dir: Path, resident_server: ResidentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade or an edit after `search serve` started: the client's code differs from the server's."""
    alone = _run(["query", "mali"], index_dir)
    monkeypatch.setattr(resident, "code_stamp", lambda: "another program")
    opened: list[bool] = []
    local = RemoteIndex._local
    monkeypatch.setattr(RemoteIndex, "_local", lambda self: opened.append(True) or local(self))
    assert _run(["query", "mali"], index_dir).stdout == alone.stdout
    assert opened == [True]


@pytest.fixture(scope="module")
def second_index(index_dir: Path) -> Path:
    """COPIES_CORPUS indexed beside index_dir: ids of its own, and wire.txt's story, as the first has."""
    root = index_dir.parent / "second"
    index_corpus(write_corpus(root / "corpus", COPIES_CORPUS), root / "index")
    return root / "index"


SEVERAL = [
    ["query", "mali"],
    ["query", "--json", "floods port", "--facets", "actor,source,year"],
    ["show", "other-3.txt"],
    ["show", "wire.txt"],  # in both: exit 2, saying which hold it
    ["similar", "b.txt"],
    ["stats"],
    ["timeline", "floods"],
]


def test_indexes_held_together_answer_the_read_commands_naming_them_in_that_order(
    index_dir: Path, second_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`search serve --index-dir A --index-dir B`: the read commands naming A and B (in that order)
    are answered by it, byte for byte as in-process; B then A is another search (its own socket)."""
    both = [index_dir, second_index]

    def run_both(args: list[str], folders: list[Path]) -> tuple[int, str, str]:
        result = run([*args, *(f"--index-dir={folder}" for folder in folders)], index_dir.parent)
        return result.exit_code, result.stdout, result.stderr

    alone = [run_both(args, both) for args in SEVERAL]
    server = ResidentServer(tuple(both), lambda ranking: open_index(both, ranking))
    assert server.start()
    try:
        assert (index_dir / SOCKET_NAME).exists() is False
        with monkeypatch.context() as patched:  # every call answered there: opening here fails the test
            patched.setattr(RemoteIndex, "_local", lambda self: pytest.fail("opened in-process"))
            assert [run_both(args, both) for args in SEVERAL] == alone
        assert alone[3][0] == 2 and "in indexes 1 and 2" in alone[3][2]
        assert resident.connect((second_index, index_dir), Ranking(), lambda: pytest.fail("opened")) is None
        assert isinstance(
            resident.connect(tuple(both), Ranking(), lambda: pytest.fail("opened")), RemoteIndex
        )
        # A list whose socket name is the same (crc32) but is another list is not answered.
        other = resident.Call(client.code_stamp(), (str(index_dir),), Ranking(), "__len__")
        assert client.ask(client.socket_address(both), other) == resident.Answer(failed=True)
    finally:
        server.close()
    assert not any(index_dir.glob("query*.sock"))


def test_a_call_names_its_folders_by_their_real_paths_and_another_list_is_run_by_itself(
    index_dir: Path, second_index: Path, resident_server: ResidentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resident process runs in another folder: 'index' there is not 'index' here. And a command line
    naming other folders than it holds (a socket name can collide: crc32) is never run by it."""
    calls: list[resident.Call] = []
    ask = resident.ask
    monkeypatch.setattr(resident, "ask", lambda address, call: calls.append(call) or ask(address, call))
    monkeypatch.chdir(index_dir.parent)
    assert run(["query", "mali", "--index-dir", "index"], index_dir.parent).exit_code == 0
    assert calls and all(call.index_dirs == (str(index_dir.resolve()),) for call in calls)
    other = ["query", "mali", "--index-dir", str(index_dir), "--index-dir", str(second_index)]
    command = (client.COMMAND, client.code_stamp(), other, {}, ("utf-8", "strict", "utf-8", "strict"))
    assert client.ask(client.socket_address([index_dir]), command) is None


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_the_installed_command_asks_a_running_search_serve_and_imports_no_engine(index_dir: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(index_dir.parent / "config"), "NO_COLOR": "1"}
    query = [SEARCH, "query", "mali", "--index-dir", str(index_dir)]
    alone = subprocess.run(query, env=env, capture_output=True, timeout=60)
    serving = subprocess.Popen(
        [SEARCH, "serve", "--index-dir", str(index_dir), "--port", "0"], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not (index_dir / SOCKET_NAME).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        answered = subprocess.run(query, env=env, capture_output=True, timeout=60)
        assert (answered.returncode, answered.stdout, answered.stderr) == (
            alone.returncode, alone.stdout, alone.stderr,
        )  # fmt: skip
        imports = "import sys; from search.cli import main\ntry: main()\nfinally: print(sorted(sys.modules))"
        probe = subprocess.run(
            [sys.executable, "-c", imports, "query", "mali", "--index-dir", str(index_dir)],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        modules = probe.stdout.splitlines()[-1]
        assert "'search.resident'" in modules and "whoosh" not in modules and "numpy" not in modules
        serving.send_signal(signal.SIGKILL)  # the socket stays behind: answered in-process
        serving.wait(timeout=30)
        after = subprocess.run(query, env=env, capture_output=True, timeout=60)
        assert (after.returncode, after.stdout) == (alone.returncode, alone.stdout)
    finally:
        if serving.poll() is None:
            serving.kill()
            serving.wait(timeout=30)
        (index_dir / SOCKET_NAME).unlink(missing_ok=True)
