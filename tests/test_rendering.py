from __future__ import annotations

import json
from datetime import datetime

from search.models import Fragment, Hit, Results
from search.rendering import MATCH_STYLE, RESET, mark_fragment, render_json, render_text

FRAGMENT = Fragment("The United States condemns the seizure", ((18, 26),))
HIT = Hit(
    1,
    "a/b.txt",
    "a/b.txt",
    "U.S. Condemns Seizure",
    datetime(2012, 3, 23),
    ("united-states",),
    3.14159,
    (FRAGMENT,),
)
RESULTS = Results("condemn", 1, (HIT,))


def test_mark_fragment_wraps_each_span() -> None:
    assert mark_fragment(FRAGMENT, "[", "]") == "The United States [condemns] the seizure"
    assert mark_fragment(Fragment("no spans"), "[", "]") == "no spans"


def test_text_without_colour_has_no_escape_codes() -> None:
    text = render_text(RESULTS, color=False)
    assert "\x1b" not in text
    assert text.splitlines() == [
        "1. U.S. Condemns Seizure",
        "   a/b.txt | date: 2012-03-23 | actors: united-states | score: 3.14",
        "   The United States condemns the seizure",
    ]


def test_text_with_colour_marks_the_matched_word_in_bold_red() -> None:
    assert f"{MATCH_STYLE}condemns{RESET}" in render_text(RESULTS, color=True)


def test_missing_date_and_actors_show_as_dashes() -> None:
    hit = Hit(1, "x", "x", "T", None, (), 1.0, ())
    assert "date: - | actors: -" in render_text(Results("q", 1, (hit,)), color=False)


def test_json_shape() -> None:
    data = json.loads(render_json(RESULTS))
    assert data == {
        "query": "condemn",
        "total": 1,
        "results": [
            {
                "rank": 1, "id": "a/b.txt", "path": "a/b.txt", "title": "U.S. Condemns Seizure",
                "date": "2012-03-23T00:00:00", "actors": ["united-states"], "score": 3.1416,
                "snippet": [{"text": "The United States condemns the seizure", "highlights": [[18, 26]]}],
            }
        ],
    }  # fmt: skip
