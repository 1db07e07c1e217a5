from __future__ import annotations

import pytest

from search.cleaning import CleanText, Piece, looks_like_headline
from search.metadata import extract_title, shorten


def text(*lines: str, page_title: str = "") -> CleanText:
    return CleanText(tuple(Piece(line) for line in lines), page_title)


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
def test_headline_candidates(line: str, expected: bool) -> None:
    assert looks_like_headline(line) is expected


def test_title_is_the_first_line_that_is_not_chrome() -> None:
    assert (
        extract_title(text("Accessibility links", "Mali junta told to leave", "March 26, 2012"))
        == "Mali junta told to leave"
    )


def test_removed_lines_are_never_the_title() -> None:
    cleaned = CleanText(
        (Piece("Listen to the latest news here", "page furniture"), Piece("Mali junta told to leave"))
    )
    assert extract_title(cleaned) == "Mali junta told to leave"


def test_page_title_wins_over_lines() -> None:
    assert extract_title(text("Some line of text", page_title="The Headline")) == "The Headline"


def test_falls_back_to_the_first_line_then_to_nothing() -> None:
    assert extract_title(text("XS", "SM")) == "XS"
    assert extract_title(text()) == ""


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    title = shorten("word " * 40, limit=30)
    assert title.endswith("…") and len(title) <= 30 and "wor…" not in title
