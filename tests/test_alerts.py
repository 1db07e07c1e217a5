"""Saved searches: added, listed, shown, seen, removed; new documents found by each run alone
(percolation), kept across rebuilds; through the Python API, the CLI and HTTP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from search import AlertNotFoundError, BadInputError, IndexDamagedError, QueryError, index_corpus, open_index
from search import alerts as saved
from search.cli import cli
from search.engine.folder import ALERTS_NAME

from .conftest import SAMPLE_CORPUS, STATE_DEPARTMENT_STATEMENT, running, write_corpus

NEW_COUP = "Another coup in the Sahel\n\nSoldiers staged a coup on Monday, the junta said, and ECOWAS met.\n"
ZOO = "Zoo opens\n\nThe city zoo opened a new elephant house on Sunday.\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE_CORPUS, tmp_path / "corpus")
    index_corpus(tmp_path / "corpus", tmp_path / "index")
    return tmp_path / "corpus"


def test_an_alert_gains_the_matching_documents_a_run_adds_and_no_others(corpus: Path, tmp_path: Path) -> None:
    index = open_index(tmp_path / "index")
    saved.add_alert(index, "coup", "coup")
    saved.add_alert(index, "ecowas", None, actors=["ECOWAS"])
    saved.add_alert(index, "zebra", "zebra")
    assert [(s.alert.name, s.total, s.new) for s in saved.alerts(index)] == [
        ("coup", 3, 0), ("ecowas", 3, 0), ("zebra", 0, 0)
    ]  # fmt: skip
    write_corpus(corpus, {"sahel.txt": NEW_COUP, "zoo.txt": ZOO})
    report = index_corpus(corpus, tmp_path / "index")
    assert report.alerts == (("coup", 1), ("ecowas", 1))
    assert [(s.alert.name, s.total, s.new) for s in saved.alerts(index)] == [
        ("coup", 4, 1), ("ecowas", 4, 1), ("zebra", 0, 0)
    ]  # fmt: skip
    new = saved.alert_results(index, "coup", new=True)
    assert [hit.id for hit in new.hits] == ["sahel.txt"] and new.total == 1
    assert saved.alert_results(index, "coup").total == 4
    assert [hit.id for page in saved.alert_pages(index, "coup", new=True) for hit in page.hits] == [
        "sahel.txt"
    ]
    saved.mark_seen(index, "coup")
    assert saved.alert_results(index, "coup", new=True).total == 0
    assert saved.alert(index, "coup").seen and saved.alert(index, "ecowas").new == ("sahel.txt",)


def test_a_rebuild_keeps_the_alerts_and_finds_nothing_new_in_what_was_indexed(
    corpus: Path, tmp_path: Path
) -> None:
    index = open_index(tmp_path / "index")
    saved.add_alert(index, "coup", "coup")
    report = index_corpus(corpus, tmp_path / "index", rebuild=True)
    assert report.alerts == () and saved.alert(index, "coup").new == ()
    (corpus / "sahel.txt").write_text(NEW_COUP)
    (corpus / STATE_DEPARTMENT_STATEMENT).write_text(
        "Coup condemned\n\nWe condemn the coup, the statement said.\n"
    )
    report = index_corpus(corpus, tmp_path / "index", rebuild=True)
    assert report.alerts == (("coup", 2),)
    assert set(saved.alert(index, "coup").new) == {"sahel.txt", STATE_DEPARTMENT_STATEMENT}


def test_an_edited_document_that_no_longer_matches_is_not_counted_new(corpus: Path, tmp_path: Path) -> None:
    index = open_index(tmp_path / "index")
    saved.add_alert(index, "coup", "coup")
    (corpus / "sahel.txt").write_text(NEW_COUP)
    index_corpus(corpus, tmp_path / "index")
    (corpus / "sahel.txt").write_text(ZOO)
    index_corpus(corpus, tmp_path / "index")
    (status,) = saved.alerts(index)
    assert (status.new, saved.alert_results(index, "coup", new=True).total) == (0, 0)


def test_what_an_alert_refuses(corpus: Path, tmp_path: Path) -> None:
    index = open_index(tmp_path / "index")
    for name in ("a/b", "..", "has space", "", "-dash-first", "x" * 65, "a..b"):
        with pytest.raises(BadInputError, match="cannot name an alert"):
            saved.add_alert(index, name, "coup")
    with pytest.raises(QueryError):
        saved.add_alert(index, "bad", "date:xyz")
    with pytest.raises(BadInputError, match="words to search for, or a filter"):
        saved.add_alert(index, "empty", "  ")
    saved.add_alert(index, "coup", "coup")
    with pytest.raises(BadInputError, match="saved already"):
        saved.add_alert(index, "coup", "junta")
    for call in (saved.mark_seen, saved.remove_alert, saved.alert):
        with pytest.raises(AlertNotFoundError):
            call(index, "missing")
    assert saved.remove_alert(index, "coup").query == "coup" and saved.alerts(index) == ()


def test_a_damaged_alerts_file_is_said_and_indexing_goes_on(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "index" / ALERTS_NAME).write_text("{broken")
    with pytest.raises(IndexDamagedError, match="mend or remove that file"):
        saved.alerts(open_index(tmp_path / "index"))
    (corpus / "sahel.txt").write_text(NEW_COUP)
    report = index_corpus(corpus, tmp_path / "index")
    assert report.added == 1 and any("saved searches not checked" in w for w in report.warnings)
    assert (tmp_path / "index" / ALERTS_NAME).read_text() == "{broken"  # the user's file, untouched


def run(args: list[str], tmp_path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args, "--index-dir", str(tmp_path / "index")],
                                env={"XDG_CONFIG_HOME": str(tmp_path / "config"), "NO_COLOR": ""})  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def test_the_alert_commands(corpus: Path, tmp_path: Path) -> None:
    assert run(["alert", "list"], tmp_path)[0] == 1
    code, _, err = run(["alert", "add", "mali-coup", "coup", "--actor", "Mali"], tmp_path)
    assert (code, err) == (
        0,
        "search: saved alert mali-coup: 3 documents match it now; the next runs report new ones\n",
    )
    assert run(["alert", "add", "no/slash", "coup"], tmp_path)[0] == 2
    assert run(["alert", "list"], tmp_path)[1] == "mali-coup  3 documents, 0 new  'coup' --actor Mali\n"
    (corpus / "sahel.txt").write_text(NEW_COUP.replace("ECOWAS", "Mali and ECOWAS"))
    result = CliRunner().invoke(cli, ["index", str(corpus), "--index-dir", str(tmp_path / "index")])
    assert result.stderr.endswith("\nalert mali-coup: 1 new\n")
    code, out, err = run(["alert", "show", "mali-coup", "--new", "--format", "jsonl", "--all"], tmp_path)
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["sahel.txt"]
    code, out, err = run(["alert", "show", "mali-coup", "--new", "--no-pager"], tmp_path)
    assert out.startswith("1. Another coup in the Sahel") and err.endswith("1 document matches 'coup'\n")
    assert json.loads(run(["alert", "list", "--json"], tmp_path)[1])["alerts"][0]["new"] == 1
    assert run(["alert", "seen", "mali-coup"], tmp_path)[:2] == (0, "")
    assert run(["alert", "show", "mali-coup", "--new"], tmp_path)[0] == 1
    code, _, err = run(["alert", "show", "nothing-here"], tmp_path)
    assert code == 2 and err.count("\n") == 1 and "no alert 'nothing-here'" in err
    assert run(["alert", "remove", "mali-coup"], tmp_path)[2] == "search: removed alert mali-coup\n"


def test_alerts_over_http(corpus: Path, tmp_path: Path) -> None:
    from search import server

    index = open_index(tmp_path / "index")
    saved.add_alert(index, "coup", "coup")
    (corpus / "sahel.txt").write_text(NEW_COUP)
    index_corpus(corpus, tmp_path / "index")
    with running(server.create_app(tmp_path / "index")) as url, httpx.Client(base_url=url) as http:
        listed = http.get("/alerts").json()["alerts"]
        assert [(a["name"], a["total"], a["new"]) for a in listed] == [("coup", 4, 1)]
        new = http.get("/alerts/coup", params={"new": "true"}).json()
        assert [hit["id"] for hit in new["results"]] == ["sahel.txt"]
        assert http.get("/alerts/coup").json()["total"] == 4
        missing = http.get("/alerts/none")
        assert missing.status_code == 404 and "no alert 'none'" in missing.json()["error"]


@pytest.mark.parametrize(
    "query",
    ['"staged a coup"', "coup NOT junta", "title:sahel", "sold*", "junta elections", "the", '"the junta"',
     "coup actor:ecowas", "elephant OR zebra", "date:2012 coup", "-coup mali", '"junta elections"'],
)  # fmt: skip
def test_what_a_run_finds_new_is_what_the_index_finds_among_its_documents(
    corpus: Path, tmp_path: Path, query: str
) -> None:
    """The documents are checked on an index of their own holding only the terms the alerts look up:
    each alert gains exactly the changed documents that a search of the whole index finds."""
    index = open_index(tmp_path / "index")
    saved.add_alert(index, "watch", query)
    saved.add_alert(index, "other", "elections")  # another alert's terms are kept too
    changed = {
        "sahel.txt": NEW_COUP,
        "zoo.txt": ZOO,
        "old.txt": "Old junta\n\nThe junta elections, 2012.\n",
        "held.txt": "Vote\n\nThe junta held elections.\n",  # a phrase's words apart: no match
    }
    write_corpus(corpus, changed)
    (corpus / STATE_DEPARTMENT_STATEMENT).write_text(
        "The coup\n\nWe condemn the coup staged a coup in Mali.\n"
    )
    index_corpus(corpus, tmp_path / "index")
    fresh = [*changed, STATE_DEPARTMENT_STATEMENT]
    expected = index.matching_ids(query)
    assert set(saved.alert(index, "watch").new) == {doc_id for doc_id in fresh if doc_id in expected}
