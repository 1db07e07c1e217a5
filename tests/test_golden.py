"""Golden outputs: what the CLI prints and the HTTP API answers on the sample corpus, byte for byte.

They pin the product's outward behaviour while its inside is rearranged: a change that alters an
output fails here with a diff, and is either a bug or a change to make on purpose, then written with

    GOLDEN_UPDATE=1 python -m pytest tests/test_golden.py

Paths and times that differ between machines and runs (the index folder, the project folder, when
the index was written) are replaced by placeholders before comparing.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from search import server
from search.cli import cli

from .conftest import DW_REPORT, PROJECT_ROOT, SAMPLE_CORPUS

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"
TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\+00:00|Z)?")
SIZE_RE = re.compile(r'("size_bytes": |size on disk: )(?:\d{1,3}(?:,\d{3})+|\d+)')

CLI_RUNS = {
    "query-json": ["query", "coup", "--json"],
    "query-text": ["query", "coup"],
    "query-phrase-text": ["query", '"the military"'],
    "query-facets-json": ["query", "mali", "--facets", "actor", "--facets", "year", "--json", "--limit", "3"],
    "query-filter-clause-json": ["query", "coup date:2012", "--sort", "-date", "--json"],
    "query-actor-json": ["query", 'actor:"African Union"', "--json"],
    "query-unknown-actor": ["query", "mali", "--actor", "Afrikan Union"],
    "query-no-hits": ["query", "zzyzx"],
    "query-empty-clause": ["query", "title:"],
    "query-bad-date": ["query", "coup date:2012-02-31"],
    "query-suggestion": ["query", "malli"],
    "show-json": ["show", DW_REPORT, "--json"],
    "show-text": ["show", DW_REPORT],
    "similar-json": ["similar", DW_REPORT, "--json", "--limit", "3"],
    "actors-json": ["actors", "--json"],
    "actors-text": ["actors", "--type", "person"],
    "stats-json": ["stats", "--json"],
    "stats-text": ["stats"],
    "clean-json": ["clean", str(SAMPLE_CORPUS / DW_REPORT), "--json"],
    "clean-text": ["clean", str(SAMPLE_CORPUS / DW_REPORT)],
}
HTTP_REQUESTS = {
    "search": "/search?q=coup",
    "search-facets": "/search?q=mali&facets=actor&facets=year&limit=3",
    "search-filters": "/search?q=coup&since=2012&until=2012-12&sort=-date",
    "search-unknown-actor": "/search?q=mali&actor=Afrikan%20Union",
    "document": f"/document?id={DW_REPORT}",
    "similar": f"/similar?id={DW_REPORT}&limit=3",
    "actors": "/actors?type=country&limit=5",
    "stats": "/stats",
    "health": "/health",
    "openapi": "/openapi.json",
    "bad-query": "/search?q=coup%20date:2012-02-31",
    "bad-limit": "/search?q=coup&limit=0",
    "unknown-parameter": "/search?q=coup&lmit=3",
    "missing-document": "/document?id=nothing.txt",
    "no-such-path": "/nowhere",
}


def _masked(text: str, index_dir: Path) -> str:
    for path, name in ((index_dir.resolve(), "<INDEX>"), (index_dir, "<INDEX>"), (PROJECT_ROOT, "<PROJECT>")):
        text = text.replace(str(path), name)
    return SIZE_RE.sub(r"\1<SIZE>", TIMESTAMP_RE.sub("<TIME>", text))


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"no golden output {path}: write it with GOLDEN_UPDATE=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CLI_RUNS)
def test_the_cli_prints_what_it_printed(name: str, sample_index: Path, tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "SEARCH_CONFIG": "", "NO_COLOR": "",
           "SEARCH_INDEX_DIR": "", "SEARCH_CORPUS_DIR": "", "COLUMNS": "100"}  # fmt: skip
    result = CliRunner().invoke(cli, [*CLI_RUNS[name], "--index-dir", str(sample_index)], env=env)
    if CLI_RUNS[name][0] == "clean":  # clean reads a file, not the index
        result = CliRunner().invoke(cli, CLI_RUNS[name], env=env)
    output = f"exit: {result.exit_code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    _compare(f"cli/{name}.txt", _masked(output, sample_index))


@pytest.fixture(scope="module")
def http(sample_index: Path) -> TestClient:
    return TestClient(server.create_app(sample_index))


@pytest.mark.parametrize("name", HTTP_REQUESTS)
def test_the_http_api_answers_what_it_answered(name: str, http: TestClient, sample_index: Path) -> None:
    response = http.get(HTTP_REQUESTS[name])
    body = json.dumps(response.json(), ensure_ascii=False, indent=1, sort_keys=True)
    _compare(f"http/{name}.json", _masked(f"{response.status_code}\n{body}\n", sample_index))
