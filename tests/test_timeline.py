"""Timelines at the three doors (the Python API, `search timeline`, GET /timeline), and the document
types and title order that browsing uses, over a small corpus of dated stories from two outlets."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from search import BadInputError, index_corpus, open_index
from search.cli import cli
from search.rendering import render_timeline
from search.server import create_app

from .conftest import TIMELINE_CORPUS, write_corpus
from .test_cli import run


@pytest.fixture(scope="module")
def timeline_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("timeline")
    index_corpus(write_corpus(root / "corpus", TIMELINE_CORPUS), root / "index")
    return root / "index"


def test_a_timeline_counts_every_month_from_the_first_match_to_the_last(timeline_index: Path) -> None:
    timeline = open_index(timeline_index).timeline("mali")
    assert timeline.periods[0] == date(2012, 3, 1) and timeline.periods[-1] == date(2013, 7, 1)
    assert len(timeline.periods) == 17  # March 2012 to July 2013, empty months as 0
    assert timeline.counts[:4] == (2, 1, 0, 1) and timeline.counts[-1] == 1 and sum(timeline.counts) == 6
    assert (timeline.total, timeline.undated) == (8, 2)  # f.txt and the statement have no date


def test_a_timeline_narrows_like_a_search_and_spans_the_dates_asked_for(timeline_index: Path) -> None:
    index = open_index(timeline_index)
    yearly = index.timeline(None, by="year", sources=["wire"], since="2012", until="2014")
    assert [p.year for p in yearly.periods] == [2012, 2013, 2014] and yearly.counts == (2, 2, 0)
    weekly = index.timeline("coup", by="week", actors=["ecowas"], since="2012-03-19", until="2012-04-08")
    assert weekly.periods == (date(2012, 3, 19), date(2012, 3, 26), date(2012, 4, 2))
    assert weekly.counts == (1, 0, 0)  # only a.txt says coup and names ECOWAS
    assert index.timeline(None, types=["statement"]).total == 1
    assert index.timeline("zebra", since="2013").total == 0


def test_a_split_timeline_counts_the_most_frequent_outlets_and_actors(timeline_index: Path) -> None:
    index = open_index(timeline_index)
    by_outlet = index.timeline("mali", by="year", split_by="source", top=2)
    assert [(s.name, s.total, s.undated, s.counts) for s in by_outlet.series] == [
        ("Wire", 4, 0, (2, 2)),
        ("Daily", 3, 1, (2, 0)),
    ]
    by_actor = index.timeline("mali", by="year", split_by="actor", top=1)
    assert [(s.key, s.name, s.total) for s in by_actor.series] == [("mali", "Mali", 8)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "fortnight"}, "a timeline counts by day, week, month, year, not 'fortnight'"),
        ({"split_by": "author"}, "a timeline splits by actor or source, not 'author'"),
        ({"top": 0}, "top must be between 1 and 20, not 0"),
        ({"since": "2013", "until": "2012"}, "the first date, 2013-01-01, is after the last, 2012-12-31"),
        ({"by": "day", "since": "1900", "until": "2099"}, "would have 73,049 periods, more than 50,000"),
    ],
)
def test_a_timeline_that_cannot_be_drawn_is_a_bad_input(
    timeline_index: Path, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(BadInputError, match=message):
        open_index(timeline_index).timeline("mali", **kwargs)  # type: ignore[arg-type]


def test_search_timeline_draws_aligned_bars_and_counts_undated_apart(
    tmp_path: Path, timeline_index: Path
) -> None:
    drawn = run(["timeline", "mali", "--by", "year", "--index-dir", str(timeline_index)], tmp_path)
    assert drawn.exit_code == 0
    assert drawn.stdout.splitlines() == [
        "2012     4 " + "#" * 69,  # not a terminal: ASCII, 80 columns
        "2013     2 " + "#" * 34,
        "undated  2",
    ]
    assert drawn.stderr == "search: 8 documents match 'mali': 6 dated, 2 undated, by year, 2012 to 2013\n"
    none = run(["timeline", "zebra", "--since", "2013", "--index-dir", str(timeline_index)], tmp_path)
    assert (none.exit_code, none.stdout, none.stderr) == (1, "", "search: no documents match 'zebra'\n")


def test_search_timeline_writes_json_and_csv(tmp_path: Path, timeline_index: Path) -> None:
    args = ["timeline", "mali", "--by", "year", "--split-by", "source", "--index-dir", str(timeline_index)]
    as_json = json.loads(run([*args, "--json"], tmp_path).stdout)
    assert as_json["periods"] == [
        {"period": "2012", "start": "2012-01-01", "end": "2012-12-31", "count": 4},
        {"period": "2013", "start": "2013-01-01", "end": "2013-12-31", "count": 2},
    ]
    assert (as_json["total"], as_json["undated"], as_json["split_by"]) == (8, 2, "source")
    assert as_json["series"][0] == {"key": "Wire", "name": "Wire", "total": 4, "undated": 0, "counts": [2, 2]}
    rows = list(csv.reader(io.StringIO(run([*args, "--csv"], tmp_path).stdout)))
    assert rows == [
        ["period", "start", "end", "count", "Wire", "Daily"],
        ["2012", "2012-01-01", "2012-12-31", "4", "2", "2"],
        ["2013", "2013-01-01", "2013-12-31", "2", "2", "0"],
        ["undated", "", "", "2", "0", "1"],
    ]
    both = run([*args, "--json", "--csv"], tmp_path)
    assert both.exit_code == 2 and "--json and --csv cannot go together" in both.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "fortnight"], "Invalid value for '--by': 'fortnight' is not one of"),
        (
            ["--since", "2013", "--until", "2012"],
            "search: error: the first date, 2013-01-01, is after the last",
        ),
        (["--source", "Wirre"], "search: no document comes from an outlet 'Wirre' (did you mean: Wire?)"),
    ],
)
def test_search_timeline_says_what_is_wrong_in_one_line(
    tmp_path: Path, timeline_index: Path, args: list[str], message: str
) -> None:
    result = run(["timeline", "mali", *args, "--index-dir", str(timeline_index)], tmp_path)
    assert result.exit_code in (1, 2) and message in result.stderr and "Traceback" not in result.stderr


def test_the_http_api_serves_timelines(timeline_index: Path) -> None:
    client = TestClient(create_app(timeline_index))
    answer = client.get("/timeline", params={"q": "mali", "by": "year", "split_by": "actor", "top": 1})
    assert answer.status_code == 200
    assert answer.json() == json.loads(
        run(["timeline", "mali", "--by", "year", "--split-by", "actor", "--top", "1", "--json",
             "--index-dir", str(timeline_index)], Path(".")).stdout
    )  # fmt: skip
    refused = client.get("/timeline", params={"by": "fortnight"})
    assert refused.status_code == 422 and "by:" in refused.json()["error"]
    too_long = client.get("/timeline", params={"by": "day", "since": "1900", "until": "2099"})
    assert too_long.status_code == 400 and "more than 50,000" in too_long.json()["error"]


def test_bars_fit_the_width_and_scale_to_the_largest_count(timeline_index: Path) -> None:
    timeline = open_index(timeline_index).timeline("mali", by="year", split_by="source", top=2)
    wide = render_timeline(timeline, width=60).splitlines()
    assert all(len(line) <= 60 for line in wide)
    assert wide[0].split() == ["all", "Wire", "Daily"]
    assert wide[1].startswith("2012     4 ███") and wide[-1].split() == ["undated", "2", "0", "1"]
    narrow = render_timeline(timeline, width=20).splitlines()  # too narrow for bars: the counts alone
    assert narrow[1].split() == ["2012", "4", "2", "2"]


def test_types_come_from_a_label_or_what_the_file_says(tmp_path: Path, timeline_index: Path) -> None:
    index = open_index(timeline_index)
    assert [hit.id for hit in index.search(None, types=["statement"]).hits] == ["h.txt"]
    assert [hit.id for hit in index.search("coup", types=["Interview"]).hits] == ["i.txt"]
    assert index.search(None, types=["article"]).total == 7
    assert index.search("type:statement").hits[0].type == "statement"
    listed = run(["query", "--type", "interview", "--json", "--index-dir", str(timeline_index)], tmp_path)
    assert [(h["id"], h["type"]) for h in json.loads(listed.stdout)["results"]] == [("i.txt", "interview")]


def test_sorting_by_title_lists_a_to_z(tmp_path: Path, timeline_index: Path) -> None:
    index = open_index(timeline_index)
    titles = [hit.title for hit in index.search("mali", sort="title", limit=20).hits]
    assert titles == sorted(titles, key=str.casefold) and len(titles) == 8
    listed = run(
        ["query", "mali", "--sort", "title", "-n", "2", "--index-dir", str(timeline_index)], tmp_path
    )
    assert "1. A talk with a Mali minister" in listed.stdout and "2. Coup in Mali" in listed.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bars_are_blocks_as_wide_as_the_terminal(
    timeline_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(80, 24): os.terminal_size((40, 24)))
    with pytest.raises(SystemExit) as exited:
        cli.main(["timeline", "mali", "--by", "year", "--index-dir", str(timeline_index)], prog_name="search")
    assert exited.value.code == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "2012     4 " + "█" * 29 and max(len(line) for line in lines) == 40
    assert lines[-1] == "undated  2"
    out.seek(0)
    out.truncate()
    with pytest.raises(SystemExit):
        cli.main(["timeline", "mali", "--by", "year", "--ascii", "--index-dir", str(timeline_index)])
    assert out.getvalue().splitlines()[0] == "2012     4 " + "#" * 29  # --ascii on a terminal too
