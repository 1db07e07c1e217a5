from __future__ import annotations

import pytest

from search.cleaning import CleanText
from search.metadata import extract_title, is_title_candidate, shorten


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Mali junta told to leave", True),
        ("U.S. Steps Up Aid To Mali", True),
        ("Accessibility links", False),
        ("Breaking News", False),
        ("1. Skip to content", False),
        ("https://p.dw.com/p/14S3q", False),
        ("XS", False),
    ],
)
def test_title_candidates(line: str, expected: bool) -> None:
    assert is_title_candidate(line) is expected


def test_title_is_the_first_line_that_is_not_chrome() -> None:
    lines = ("1. Skip to content", "Accessibility links", "Mali junta told to leave", "March 26, 2012")
    assert extract_title(CleanText(lines)) == "Mali junta told to leave"


def test_page_title_wins_over_lines() -> None:
    assert extract_title(CleanText(("Some line of text",), page_title="The Headline")) == "The Headline"


def test_falls_back_to_the_first_line_then_to_nothing() -> None:
    assert extract_title(CleanText(("XS", "SM"))) == "XS"
    assert extract_title(CleanText(())) == ""


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    title = shorten("word " * 40, limit=30)
    assert title.endswith("…") and len(title) <= 30 and "wor…" not in title
