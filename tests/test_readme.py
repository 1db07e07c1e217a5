"""The README is checked by tests: its set-up commands, its pasted outputs, its Python example."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli

from .conftest import PROJECT_ROOT, SAMPLE_CORPUS

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.DOTALL)


def test_readme_starts_with_the_set_up_command_and_the_test_command() -> None:
    head = README[: README.index("## Usage")]
    setup, tests = [body.strip() for lang, body in BLOCKS[:2]]
    assert setup in head and tests in head
    assert "python3 -m venv .venv" in setup and "search index" in setup and "search query" in setup
    assert "python3 -m venv .venv" in tests and "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command() -> None:
    tests_command = BLOCKS[1][1].strip()
    ci_lines = (PROJECT_ROOT / ".ci" / "run").read_text().splitlines()
    assert tests_command in ci_lines
    assert any(line.startswith("rm -rf .venv") for line in ci_lines)


def pasted_runs() -> list[tuple[list[str], str]]:
    """Each README block that shows one `$ search ...` command and what it printed on the terminal."""
    runs = []
    for lang, body in BLOCKS:
        lines = body.splitlines()
        if (
            lang == "text"
            and lines[0].startswith(
                ("$ search query", "$ search clean", "$ search actors", "$ search show", "$ search timeline")
            )
            and not any(line.startswith("$") for line in lines[1:])
            and "--index-dir" not in lines[0]  # a block on an index of its own (the outlets example)
        ):
            runs.append((shlex.split(lines[0][2:])[1:], "\n".join(lines[1:]) + "\n"))
    return runs


@pytest.mark.parametrize(("args", "expected"), pasted_runs())
def test_pasted_output_is_what_the_command_prints(
    sample_index: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    result = CliRunner().invoke(cli, [*args, "--index-dir", str(sample_index)], env={"NO_COLOR": "1"})
    shown = result.output  # what a terminal shows: stdout and stderr together
    if args[0] == "clean":  # the README shows the first lines only
        assert shown.startswith(expected)
    else:
        assert shown == expected


def _in_shell(commands: str, cwd: Path) -> tuple[str, str]:
    """Run README shell lines with bash, the installed `search` first on PATH; returns stdout and stderr."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "PATH": path, "SEARCH_INDEX_DIR": "", "SEARCH_CONFIG": "", "NO_COLOR": "1"},
        check=True, timeout=120,
    )  # fmt: skip
    return done.stdout, done.stderr


def test_the_outlets_example_prints_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = next(body for lang, body in BLOCKS if lang == "sh" and "outlets/wire.txt" in body)
    _in_shell(setup, tmp_path)
    monkeypatch.chdir(tmp_path)
    shown = [body for lang, body in BLOCKS if lang == "text" and "--index-dir outlets-index" in body]
    assert len(shown) == 2
    for body in shown:
        command, *printed = body.splitlines()
        result = CliRunner().invoke(cli, shlex.split(command[2:])[1:], env={"NO_COLOR": "1"})
        assert result.output == "\n".join(printed) + "\n"


def test_the_copies_example_prints_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SAMPLE_CORPUS, tmp_path / "corpus")
    setup = next(body for lang, body in BLOCKS if lang == "sh" and "copies/reprint.txt" in body)
    _in_shell(setup, tmp_path)
    monkeypatch.chdir(tmp_path)
    (body,) = [body for lang, body in BLOCKS if lang == "text" and "--index-dir copies-index" in body]
    command, *printed = body.splitlines()
    result = CliRunner().invoke(cli, [*shlex.split(command[2:])[1:], "--no-pager"], env={"NO_COLOR": "1"})
    assert result.output == "\n".join(printed) + "\n"
    assert "+1 copy: reprint.txt" in result.output


def test_the_batch_example_prints_what_the_readme_shows(tmp_path: Path, sample_index: Path) -> None:
    body = next(body for lang, body in BLOCKS if lang == "text" and body.startswith("$ printf"))
    commands = [line[2:] for line in body.splitlines() if line.startswith("$ ")]
    printed = [line for line in body.splitlines() if not line.startswith("$ ")]
    script = "\n".join(commands).replace("search batch", f"search batch --index-dir {sample_index}")
    stdout, stderr = _in_shell(script, tmp_path)
    # The last line is stderr's, which the terminal shows after the hits.
    assert (stdout.splitlines(), stderr.splitlines()) == (printed[:-1], printed[-1:])


def test_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SAMPLE_CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    code = next(body for lang, body in BLOCKS if lang == "python")
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), {})
    lines = output.getvalue().splitlines()
    assert lines[0] == "5 documents indexed"
    assert lines[1].startswith("1 Mali junta told to leave 004_42382a47a79cec6e.txt")
    assert "'coup'" in lines[2].lower()
    assert lines[-1] == "1 wire/2012-04-06 2012-04-06 2012"


def query_language_examples() -> list[str]:
    """Every query the README's query-language tables show, as written."""
    section = README[README.index("### The query language") : README.index("### Narrow, sort and count")]
    examples = []
    for row in section.splitlines():
        if row.startswith("| `"):
            cells = row.split(" | ")
            for cell in cells[:2]:
                examples += re.findall(r"`([^`]+)`", cell)
    # Field names ('title:'), commands and operators alone ('OR', '--') are named, not queries.
    return [
        e for e in examples if not e.endswith(":") and not e.startswith("search ") and e not in ("OR", "--")
    ]


@pytest.mark.parametrize("query", query_language_examples())
def test_every_query_the_readme_shows_runs(sample_index: Path, query: str) -> None:
    from search import QueryError, open_index

    index = open_index(sample_index)
    if query == "*ing":  # shown as what is refused
        with pytest.raises(QueryError):
            index.search(query)
    else:
        index.search(query)


def test_the_alerts_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    """Each command of the example, run in turn on a fresh copy of the sample corpus and its index (the
    README's first command made them), prints what the README shows after it (timings aside)."""
    shutil.copytree(SAMPLE_CORPUS, tmp_path / "corpus")
    _in_shell("search index --quiet", tmp_path)
    body = next(body for lang, body in BLOCKS if lang == "text" and body.startswith("$ search alert add"))
    steps = re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]
    assert len(steps) == 5
    for step in steps:
        command, _, printed = step.partition("\n")
        shown, _ = _in_shell(f"{command} --no-pager 2>&1" if "alert show" in command else f"{command} 2>&1",
                             tmp_path)  # fmt: skip
        timing = re.compile(r"in \d+\.\d+ s")
        assert timing.sub("in - s", shown) == timing.sub("in - s", printed), command
