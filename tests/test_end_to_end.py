"""Runs the installed `search` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DW_REPORT, SAMPLE_CORPUS

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
