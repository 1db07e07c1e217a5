"""The fault suite, fast: damaged and foreign index folders, bad files, a full disk, an immutable folder.

Each check is bench/faults.py's, run here on the sample corpus through click's CliRunner; the bench
runs them on thousands of stories with the installed command, and adds kill -9 and the HTTP server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bench import faults
from search.cli import cli

from .conftest import DW_REPORT, SAMPLE_CORPUS


@pytest.fixture
def run(tmp_path: Path) -> faults.Runner:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "SEARCH_CONFIG": "", "NO_COLOR": "",
           "SEARCH_INDEX_DIR": "", "SEARCH_CORPUS_DIR": ""}  # fmt: skip

    def invoke(args: list[str]) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, args, env=env)
        stderr = result.stderr + (
            "Traceback\n" if result.exception and not isinstance(result.exception, SystemExit) else ""
        )
        return result.exit_code, result.stdout, stderr

    return invoke


def _held(row: faults.Row) -> None:
    assert row.held == row.trials, f"{row.fault}: {row.held}/{row.trials} ({row.detail})"


def _held_where_possible(row: faults.Row) -> None:
    """Held, or skipped with the reason where this machine cannot make the fault (no tmpfs, no chattr)."""
    if row.trials == 0:
        pytest.skip(row.detail)
    _held(row)


def test_every_damaged_index_state_gets_one_clear_line_from_every_command(
    run: faults.Runner, tmp_path: Path
) -> None:
    for row in faults.check_damaged_indexes(run, SAMPLE_CORPUS, tmp_path, DW_REPORT):
        _held(row)


def test_folders_that_are_not_ours_are_never_written(run: faults.Runner, tmp_path: Path) -> None:
    for row in faults.check_foreign_folders(run, SAMPLE_CORPUS, tmp_path):
        _held(row)


def test_an_emptied_or_missing_corpus_folder_removes_nothing(run: faults.Runner, tmp_path: Path) -> None:
    _held(faults.check_emptied_corpus(run, SAMPLE_CORPUS, tmp_path))


def test_a_folder_of_bad_files_is_indexed_to_the_end_and_nothing_outside_it_is_read(
    run: faults.Runner, tmp_path: Path
) -> None:
    _held(faults.check_bad_files(run, tmp_path))


def test_a_full_disk_is_one_line_leaves_nothing_behind_and_the_next_run_completes(
    run: faults.Runner, tmp_path: Path
) -> None:
    if not faults.ALLSIDES.is_file():
        pytest.skip("../shared/corpora is not beside the project")
    extra = tmp_path / "more"
    faults.write_stories(extra, 150)
    _held_where_possible(faults.check_full_disk(run, SAMPLE_CORPUS, extra, tmp_path))


def test_an_immutable_index_folder_is_one_line_and_left_as_it_was(run: faults.Runner, tmp_path: Path) -> None:
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "a.txt").write_text("Cocoa\n\nCocoa exports rose again on Monday.\n")
    _held_where_possible(faults.check_immutable_folder(run, SAMPLE_CORPUS, extra, tmp_path))


def test_serve_over_a_damaged_index_is_one_clear_line(run: faults.Runner, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    run(["index", str(SAMPLE_CORPUS), "--index-dir", str(index_dir), "--quiet"])
    faults.DAMAGES["truncated segment"](index_dir)
    outcome = run(["serve", "--index-dir", str(index_dir), "--port", "0"])
    assert faults.one_clear_line(outcome) and "damaged" in outcome[2]
