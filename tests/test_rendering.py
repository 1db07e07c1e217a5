from __future__ import annotations

from datetime import datetime

from search.models import Actor, Document, FacetCount, Fragment, Hit, Results
from search.rendering import (
    MATCH_STYLE,
    RESET,
    mark_fragment,
    render_actor_counts,
    render_document,
    render_facets,
    render_text,
    terminal_safe,
)

FRAGMENT = Fragment("The United States condemns the seizure", ((18, 26),))
US = Actor("united-states", "United States", "country")
HIT = Hit(
    1, "a/b.txt", "a/b.txt", "U.S. Condemns Seizure", datetime(2012, 3, 23), (US,), 3.14159, (FRAGMENT,)
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
        "   a/b.txt | date: 2012-03-23 | actors: United States | score: 3.14",
        "   The United States condemns the seizure",
    ]


def test_text_with_colour_marks_the_matched_word_in_bold_red() -> None:
    assert f"{MATCH_STYLE}condemns{RESET}" in render_text(RESULTS, color=True)


def test_missing_date_and_actors_show_as_dashes() -> None:
    hit = Hit(1, "x", "x", "T", None, (), 1.0, ())
    assert "date: - | actors: -" in render_text(Results("q", 1, (hit,)), color=False)


FACETS = Results(
    "q", 2, (), {"actor": (FacetCount("mali", 2, "Mali", "country"),), "year": (FacetCount("2012", 2),)}
)


def test_facets_as_text() -> None:
    assert render_facets(FACETS) == "\nactor: Mali 2\nyear: 2012 2\n"


def test_actor_counts_as_lines() -> None:
    counts = (FacetCount("ecowas", 3, "ECOWAS", "organisation"),)
    assert render_actor_counts(counts) == "     3  ECOWAS  (organisation, ecowas)\n"


def test_document_shows_metadata_then_text() -> None:
    document = Document(
        "a.txt", "Title", "Body line.", "a.txt", datetime(2012, 3, 26), (US,), "DW", "https://dw.com/x"
    )
    assert render_document(document).splitlines() == [
        "title: Title", "id: a.txt", "date: 2012-03-26", "actors: United States (country, 0)", "source: DW",
        "url: https://dw.com/x", "", "Body line.",
    ]  # fmt: skip


def test_what_would_steer_a_terminal_is_spelled_out() -> None:
    assert terminal_safe("a\x1b[2Jb\nc\td\u202ee") == "a\\x1b[2Jb\\nc\\td\\u202ee"
    assert terminal_safe("line one\nline two\tend\x07", lines=True) == "line one\nline two\tend\\x07"
    assert terminal_safe("Côte d'Ivoire — Президент") == "Côte d'Ivoire — Президент"


def test_a_hit_from_a_hostile_file_prints_three_lines_and_no_escape() -> None:
    hostile = Hit(
        1,
        "evil\x1b]0;pwned\x07\nforged.txt",
        "evil\x1b]0;pwned\x07\nforged.txt",
        "Title\x1b[2J",
        None,
        (Actor("x", "X\x9b31m", "person"),),
        1.0,
        (Fragment("cocoa \x1b[31mrose", ((0, 5),)),),
    )
    for color in (False, True):
        text = render_text(Results("cocoa", 1, (hostile,)), color=color)
        assert len(text.strip().splitlines()) == 3
        assert "\x07" not in text and "\x9b" not in text
        assert text.count("\x1b") == (4 if color else 0)  # only our own styles: title, one match
    document = Document(
        id="a\nb.txt", path="a\nb.txt", title="T\x1b[2J", body="One.\nTwo\x1b[2J.", date=None, actors=()
    )
    shown = render_document(document)
    assert "\x1b" not in shown and shown.endswith("One.\nTwo\\x1b[2J.") and "id: a\\nb.txt" in shown
