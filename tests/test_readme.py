"""The README is checked by tests: its set-up commands, its pasted outputs, its Python example."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
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
            and lines[0].startswith(("$ search query", "$ search clean", "$ search actors", "$ search show"))
            and not any(line.startswith("$") for line in lines[1:])
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
