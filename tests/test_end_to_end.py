"""Runs the installed `search` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from search import open_index

from .conftest import DW_REPORT, SAMPLE_CORPUS, write_corpus

SEARCH = shutil.which("search", path=str(Path(sys.executable).parent)) or shutil.which("search")


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_installed_command_indexes_and_queries(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_CORPUS, tmp_path / "corpus")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), NO_COLOR="1")

    def search(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SEARCH, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )  # type: ignore[list-item]

    indexed = search("index")
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stderr.startswith("indexed 5 documents") and indexed.stdout == ""

    found = search("query", "coup", "--json")
    assert found.returncode == 0
    assert json.loads(found.stdout)["results"][0]["id"] == DW_REPORT

    text = search("query", "coup")
    assert text.stdout.startswith("1. Mali junta told to leave\n") and "\x1b" not in text.stdout

    assert search("query", "zanzibar").returncode == 1
    missing = search("query", "coup", "--index-dir", "nowhere")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def _articles(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"{n:05}.txt").write_text(
            f"Story {n} from Gao and Timbuktu\n" + f"Paragraph about the market of Gao, number {n}. " * 40
        )


def _indexed_then_grown(tmp_path: Path) -> tuple[Path, dict[str, str], list[str]]:
    """50 articles indexed by the installed command, then 1,200 more written: the index folder, the
    environment and the `search index` command line that would index them."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    _articles(corpus, 50)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    command = [str(SEARCH), "index", str(corpus), "--index-dir", str(index_dir), "--quiet"]
    assert subprocess.run(command, env=env, timeout=120).returncode == 0
    _articles(corpus, 1200, start=50)
    return index_dir, env, command


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
@pytest.mark.parametrize("rebuild", [False, True])
def test_kill_9_in_the_middle_of_indexing_leaves_a_working_index(tmp_path: Path, rebuild: bool) -> None:
    index_dir, env, command = _indexed_then_grown(tmp_path)
    before = sorted(index_dir.glob("_MAIN_*.toc"))  # the tables of contents: a commit writes another
    run = subprocess.Popen([*command, *(["--rebuild"] if rebuild else [])], env=env)
    deadline = time.monotonic() + 60
    # Kill after the first batch is committed (an update), or a moment into a rebuild's single commit.
    while time.monotonic() < deadline and run.poll() is None:
        if (not rebuild and sorted(index_dir.glob("_MAIN_*.toc")) != before) or (
            rebuild and time.monotonic() > deadline - 59
        ):
            break
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)

    index = open_index(index_dir)  # still opens, and answers
    assert index.search("Gao").total >= 50
    if run.returncode == -signal.SIGKILL:  # killed mid-run, not after it ended
        if rebuild:
            assert len(index) == 50  # the old index serves until the new one is committed
        else:
            assert 50 < len(index) < 1250  # the first batch was committed, the rest was not
    finished = subprocess.run(command, env=env, timeout=300)
    assert finished.returncode == 0
    assert len(open_index(index_dir)) == 1250


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def _ctrl_c_as_on_a_terminal() -> None:
    """Ctrl-C's default action in the child, as a terminal gives it: a test run started in the background
    by a non-interactive shell (`bash .ci/run &`) ignores SIGINT, and a Python started that way keeps
    ignoring it (no KeyboardInterrupt), so the watcher never heard this test's Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_watch_reports_each_update_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _articles(corpus, 3)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    watcher = subprocess.Popen(
        [SEARCH, "watch", str(corpus), "--index-dir", str(tmp_path / "index"), "--debounce", "100"],  # type: ignore[list-item]
        env=env, stderr=subprocess.PIPE, text=True, preexec_fn=_ctrl_c_as_on_a_terminal,
    )  # fmt: skip
    try:
        assert "indexed 3 documents" in watcher.stderr.readline()  # type: ignore[union-attr]
        time.sleep(0.5)
        _articles(corpus, 1, start=3)
        assert "added 1, updated 0, removed 0, unchanged 3" in watcher.stderr.readline()  # type: ignore[union-attr]
    finally:
        watcher.send_signal(signal.SIGINT)
        _, rest = watcher.communicate(timeout=20)
    assert watcher.returncode == 0
    assert "search: stopped watching" in rest and "Traceback" not in rest


@contextmanager
def serving(tmp_path: Path, *options: str) -> Iterator[subprocess.Popen[str]]:
    """`search serve` of the sample corpus's index, with options, as its own process; stopped with Ctrl-C
    (SIGINT) at the end, its remaining stderr then in its .stderr_rest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    index_dir = str(tmp_path / "index")
    subprocess.run(
        [SEARCH, "index", str(SAMPLE_CORPUS), "--index-dir", index_dir, "--quiet"], env=env, check=True
    )  # type: ignore[list-item]
    served = subprocess.Popen(
        [SEARCH, "serve", "--index-dir", index_dir, "--port", "0", *options],
        env=env, stderr=subprocess.PIPE, text=True,  # type: ignore[list-item]
    )  # fmt: skip
    try:
        yield served
    finally:
        served.send_signal(signal.SIGINT)
        _, served.stderr_rest = served.communicate(timeout=20)  # type: ignore[attr-defined]


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_serve_says_where_it_listens_answers_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    import httpx

    with serving(tmp_path, "--allow-host", "news.local") as served:
        announced = served.stderr.readline()  # type: ignore[union-attr]
        assert "serving 5 documents on http://127.0.0.1:" in announced
        url = announced.split(" on ")[1].split()[0]
        found = httpx.get(f"{url}/search", params={"q": "coup", "limit": 1}, timeout=30).json()
        assert found["results"][0]["id"] == DW_REPORT
        # A page on another site resolving its own name to 127.0.0.1 is refused; a name allowed is not.
        assert httpx.get(f"{url}/health", headers={"Host": "rebind.example"}).status_code == 421
        assert httpx.get(f"{url}/health", headers={"Host": "news.local"}).status_code == 200
    assert served.returncode == 0
    rest = served.stderr_rest  # type: ignore[attr-defined]
    assert "search: stopped serving" in rest and "Traceback" not in rest


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_serve_on_every_address_warns_and_serves_the_page(tmp_path: Path) -> None:
    import httpx

    with serving(tmp_path, "--host", "0.0.0.0") as served:
        warning = served.stderr.readline()  # type: ignore[union-attr]
        assert warning.startswith("search: warning: listening on 0.0.0.0: anyone who can reach this machine")
        announced = served.stderr.readline()  # type: ignore[union-attr]
        assert "(the page and the API; Ctrl-C stops)" in announced
        port = announced.split(" on ")[1].split()[0].rsplit(":", 1)[1]
        page = httpx.get(f"http://127.0.0.1:{port}/", params={"q": "coup"}, timeout=30)
        assert page.status_code == 200 and "Mali junta told to leave" in page.text
    assert served.returncode == 0 and "Traceback" not in served.stderr_rest  # type: ignore[attr-defined]


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_serve_without_the_ui_serves_the_api_alone(tmp_path: Path) -> None:
    import httpx

    with serving(tmp_path, "--no-ui") as served:
        announced = served.stderr.readline()  # type: ignore[union-attr]
        assert "(the API; Ctrl-C stops)" in announced and "warning" not in announced
        url = announced.split(" on ")[1].split()[0]
        assert httpx.get(f"{url}/", timeout=30).status_code == 404
        assert httpx.get(f"{url}/search", params={"q": "coup"}, timeout=30).json()["total"] == 3


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_kill_9_while_workers_write_a_rebuild_leaves_the_old_index_and_no_worker(tmp_path: Path) -> None:
    index_dir, env, command = _indexed_then_grown(tmp_path)
    run = subprocess.Popen([*command, "--rebuild"], env=env, stderr=subprocess.PIPE, text=True)

    def processes() -> list[str]:
        return subprocess.run(["pgrep", "-f", str(index_dir)], capture_output=True, text=True).stdout.split()

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None and len(processes()) < 2:
        time.sleep(0.01)  # until the writing workers start (forked: the same command line)
    time.sleep(0.5)  # into their writing
    run.send_signal(signal.SIGKILL)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == -signal.SIGKILL, "the rebuild ended before it could be killed"
    time.sleep(0.5)
    assert processes() == [] and "Traceback" not in stderr  # the workers died with it
    assert len(open_index(index_dir)) == 50  # the old index answers until a rebuild commits

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and again.stderr == ""
    assert len(open_index(index_dir)) == 1250
    assert not list(index_dir.glob("*.tmp"))  # what the killed workers had begun is gone


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_a_first_build_killed_before_its_commit_is_built_again_and_leaves_no_worker(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    _articles(corpus, 600)  # enough for the build to run on worker processes
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    command = [SEARCH, "index", str(corpus), "--index-dir", str(index_dir), "--quiet"]
    run = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)  # type: ignore[list-item]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (index_dir / "search-index.json").exists():
        time.sleep(0.01)
    time.sleep(0.5)  # into the build: the manifest is written when it starts, the commit at its end
    run.send_signal(signal.SIGKILL)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == -signal.SIGKILL, "the build ended before it could be killed"
    time.sleep(0.5)
    workers = subprocess.run(["pgrep", "-f", str(index_dir)], capture_output=True, text=True).stdout
    assert workers == "" and "Traceback" not in stderr

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)  # type: ignore[list-item]
    assert again.returncode == 0 and again.stderr == ""
    assert len(open_index(index_dir)) == 600


@pytest.mark.skipif(SEARCH is None, reason="the search command is not installed")
def test_an_export_whose_reader_goes_away_stops_quietly(tmp_path: Path) -> None:
    """`search query --all | head`: more than a pipe's buffer is written, the reader leaves after 100 bytes."""
    stories = {
        f"{n:03}.txt": f"Story {n} about the coup\n" + "The coup was the talk of the day. " * 30
        for n in range(900)
    }
    write_corpus(tmp_path / "corpus", stories)  # type: ignore[arg-type]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    index_dir = str(tmp_path / "index")
    subprocess.run([SEARCH, "index", str(tmp_path / "corpus"), "--index-dir", index_dir], env=env, check=True,  # type: ignore[list-item]
                   capture_output=True)  # fmt: skip
    for fmt in ("jsonl", "text"):
        export = subprocess.Popen(
            [SEARCH, "query", "coup", "--all", "--format", fmt, "--index-dir", index_dir],  # type: ignore[list-item]
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert export.stdout is not None and export.stderr is not None
        assert len(export.stdout.read(100)) == 100
        export.stdout.close()
        stderr = export.stderr.read().decode()
        assert export.wait(timeout=60) == 141 and "Traceback" not in stderr, stderr
