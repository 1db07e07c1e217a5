from __future__ import annotations

import pytest

from search.cleaning import CleanText
from search.gazetteer import load_gazetteer
from search.lines import Piece, looks_like_headline
from search.metadata import MetadataOptions, document_type, extract_title, make_document
from search.models import Document, SourceFile
from search.rendering import shorten


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
        ("Faithless Electors", True),
        ("By Claudia Grisales | May 4, 2020", False),
        ("March 26, 2012", False),
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


def test_a_title_is_never_made_up_from_lines_that_cannot_be_one() -> None:
    assert extract_title(text("XS", "SM")) == ""
    assert extract_title(text()) == ""


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (
            ("Faithless Electors", "Electors who break their pledge face fines in some states."),
            "Faithless Electors",
        ),
        (("The Unraveling", "By Michael Weiss", "May 4, 2020", "It began in March."), "The Unraveling"),
        (
            ("By Claudia Grisales | May 4, 2020", "House passes the bill", "It passed 220-207."),
            "House passes the bill",
        ),
        (("By FRANK JAMES, NPR", "Obamacare", "The law survived."), "Obamacare"),
        (("March 26, 2012", "Biden 2020 Update", "The campaign said."), "Biden 2020 Update"),
    ],
)
def test_the_first_line_that_can_be_a_headline_is_the_title(lines: tuple[str, ...], title: str) -> None:
    assert extract_title(text(*lines)) == title


def test_a_long_title_is_kept_whole() -> None:
    long = "Trump Bans U.S. Cruise Ships From Cuba In Dramatic Escalation Of Pressure On Havana Over Its Support For Maduro"
    assert extract_title(text(long, "Body.")) == long


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    title = shorten("word " * 40, limit=30)
    assert title.endswith("…") and len(title) <= 30 and "wor…" not in title


@pytest.mark.parametrize(
    ("title", "lines", "given", "expected"),
    [
        ("POLICY STATEMENT: U.S. Condemns Military Seizure of Power in Mali", (), None, "statement"),
        ("Statement by the Press Secretary on Mali", (), None, "statement"),
        ("Mali: the way forward", ("FOR IMMEDIATE RELEASE", "Bamako, 2 May"), None, "statement"),
        ("Talks resume", ("Press Release", "The ministry said..."), None, "statement"),
        # A headline reporting on a statement is an article; a label further down is not the head's.
        ("Joint statement deplores ‘assault on UK sovereignty’", (), None, "article"),
        ("Mali junta told to leave", ("a", "b", "c", "Press release"), None, "article"),
        ("Mali junta told to leave", (), "  Interview ", "interview"),  # what the user says wins
        ("PRESS STATEMENT", (), "Analysis", "analysis"),
    ],
)
def test_a_document_is_a_statement_when_it_says_so(
    title: str, lines: tuple[str, ...], given: str | None, expected: str
) -> None:
    assert document_type(title, lines, given) == expected


def test_a_label_alone_is_not_the_title() -> None:
    clean = text("PRESS STATEMENT", "United States on the coup in Mali", "We condemn the coup.")
    assert extract_title(clean) == "United States on the coup in Mali"


def test_a_file_time_no_date_can_hold_leaves_the_document_undated() -> None:
    """Dates from file times: a file dated past the year 9999 (a bad clock) is undated, not a failed run."""
    options = MetadataOptions(load_gazetteer(), date_from_mtime=True)
    cleaned = CleanText((Piece("Undated headline here"), Piece("Oil rose on Monday.")))
    for mtime, day in ((1_331_856_000.0, "2012-03-16"), (1e12, None), (1e20, None), (-1e20, None)):
        source = SourceFile("a.txt", "", 30, mtime, "h", is_html=False)
        document, _ = make_document(source, cleaned, options)
        assert isinstance(document, Document)
        assert (document.date.date().isoformat() if document.date else None) == day
