"""The JSON contract: the shapes --json prints and the HTTP API answers, and how they are laid out."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest

from search import wire
from search.models import Actor, Copy, Document, FacetCount, Fragment, Hit, Results, UnknownSource

US = Actor("united-states", "United States", "country")
HIT = Hit(
    1, "a/b.txt", "a/b.txt", "U.S. Condemns Seizure", datetime(2012, 3, 23), (US,), 3.14159,
    (Fragment("The United States condemns the seizure", ((18, 26),)),),
    copies=(Copy("c/d.txt", "US condemns seizure", datetime(2012, 3, 24), "Reuters"),),
)  # fmt: skip
RESULTS = Results("condemn", 2, (HIT,), distinct=1)


def test_json_shape() -> None:
    data = json.loads(wire.dumps(wire.results_json(RESULTS)))
    assert data == {
        "query": "condemn",
        "total": 2,
        "distinct": 1,
        "results": [
            {
                "rank": 1, "id": "a/b.txt", "path": "a/b.txt", "title": "U.S. Condemns Seizure",
                "date": "2012-03-23", "source": None, "url": None, "type": "article", "actors": [{"id": "united-states", "name": "United States", "type": "country", "weight": 0.0,
                                                         "main": False}],
                "score": 3.1416,
                "snippet": [{"text": "The United States condemns the seizure", "highlights": [[18, 26]]}],
                "copies": [
                    {"id": "c/d.txt", "title": "US condemns seizure", "date": "2012-03-24", "source": "Reuters",
                     "index": 1}
                ],
                "index": 1,
            }
        ],
        "facets": None,
        "suggestions": [],
        "notes": [],
        "unknown_actors": None,
        "unknown_sources": None,
    }  # fmt: skip


def test_facets_and_actor_counts() -> None:
    facets = Results(
        "q", 2, (), {"actor": (FacetCount("mali", 2, "Mali", "country"),), "year": (FacetCount("2012", 2),)}
    )
    assert wire.results_json(facets)["facets"] == {
        "actor": [{"id": "mali", "name": "Mali", "type": "country", "count": 2}],
        "year": [{"value": "2012", "count": 2}],
    }
    counts = (FacetCount("ecowas", 3, "ECOWAS", "organisation"),)
    assert wire.actor_counts_json(counts) == {
        "actors": [{"id": "ecowas", "name": "ECOWAS", "type": "organisation", "count": 3}]
    }
    outlets = (FacetCount("CNN (Web News)", 4, "CNN (Web News)"),)
    assert wire.results_json(Results("q", 4, (), {"source": outlets}))["facets"] == {
        "source": [{"value": "CNN (Web News)", "count": 4}]
    }
    assert wire.source_counts_json(outlets) == {"sources": [{"name": "CNN (Web News)", "count": 4}]}


def test_a_hit_carries_its_outlet_and_address_and_an_unknown_outlet_is_said() -> None:
    hit = Hit(1, "a.txt", "a.txt", "T", None, (), 1.0, (), "Reuters", "https://reuters.com/a")
    data = wire.results_json(
        Results("q", 1, (hit,), unknown_sources=(UnknownSource("reutres", ("Reuters",)),))
    )
    assert (data["results"][0]["source"], data["results"][0]["url"]) == ("Reuters", "https://reuters.com/a")
    assert data["unknown_sources"] == [{"name": "reutres", "suggestions": ["Reuters"]}]


def test_a_document_is_its_metadata_and_text() -> None:
    document = Document(
        "a.txt", "Title", "Body.", "a.txt", datetime(2012, 3, 26), (US,), "DW", "https://dw.com/x"
    )
    data = wire.document_json(document)
    assert (
        data["actors"][0]["name"] == "United States"
        and data["date"] == "2012-03-26"
        and data["url"] == "https://dw.com/x"
    )
    assert data["date_source"] is None and data["authors"] == [] and data["text"] == "Body."


def test_small_things_stay_on_one_line_and_the_rest_is_indented() -> None:
    data = {"a": 1, "spans": [[0, 5], [7, 9]], "actor": {"id": "x", "n": None}, "list": ["s"], "empty": []}
    assert wire.dumps(data) == (
        '{\n  "a": 1,\n  "spans": [[0, 5], [7, 9]],\n  "actor": {"id": "x", "n": null},\n'
        '  "list": [\n    "s"\n  ],\n  "empty": []\n}'
    )
    assert json.loads(wire.dumps(wire.results_json(RESULTS))) == json.loads(
        json.dumps(wire.results_json(RESULTS))
    )


def test_a_streamed_document_is_the_one_dumps_writes() -> None:
    two = (HIT, replace(HIT, rank=2, id="c.txt"))
    whole = Results("condemn", 2, two, notes=("a note",))
    first = replace(whole, hits=two[:1])
    assert (
        "".join(wire.streamed_results_json(first, iter(two))) == wire.dumps(wire.results_json(whole)) + "\n"
    )
    none = Results("zanzibar", 0)
    assert "".join(wire.streamed_results_json(none, iter(()))) == wire.dumps(wire.results_json(none)) + "\n"


@pytest.mark.parametrize(
    ("title", "cell"),
    [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1 for Mali", "'+1 for Mali"),
     ("-2 dead", "'-2 dead"), ("@user says", "'@user says"), ("Mali, Niger and \"Chad\"", "Mali, Niger and \"Chad\"")],
)  # fmt: skip
def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_text(title: str, cell: str) -> None:
    row = wire.hit_csv_row(replace(HIT, title=title))
    assert dict(zip(wire.CSV_COLUMNS, row, strict=True))["title"] == cell
    assert row[0] == "1" and row[wire.CSV_COLUMNS.index("actors")] == "United States"
