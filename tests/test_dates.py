from __future__ import annotations

from datetime import date

import pytest

from search.dates import dates_in, page_date, parse_given_date, parse_user_date, text_date
from search.errors import BadInputError
from search.extraction import parse_html

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("WASHINGTON, D.C. Mar 23, 2012", date(2012, 3, 23)),
        ("March 26, 2012", date(2012, 3, 26)),
        ("Jan. 19, 2013", date(2013, 1, 19)),
        ("central Mali, Saturday, Jan. 19, 2013. The departure", date(2013, 1, 19)),
        ("19 June 2023", date(2023, 6, 19)),
        ("the 19th of June, 2023", date(2023, 6, 19)),
        ("2023-06-19", date(2023, 6, 19)),
        ("06/19/2023", date(2023, 6, 19)),
        ("19/06/2023", date(2023, 6, 19)),
        ("DW | 26.03.2012", date(2012, 3, 26)),
        ("Sept. 11, 2001", date(2001, 9, 11)),
    ],
)
def test_news_date_forms(line: str, expected: date) -> None:
    assert dates_in(line) == [expected]


@pytest.mark.parametrize(
    "line", ["03/04/2012", "on 16 June to", "in 2013", "February 30, 2012", "May 2012", "12345"]
)
def test_ambiguous_partial_or_impossible_dates_are_not_dates(line: str) -> None:
    assert dates_in(line) == []


def test_a_date_near_the_headline_wins_over_later_ones() -> None:
    lines = ["Mali junta told to leave", "March 26, 2012", "Elections were set for April 29, 2012."]
    assert text_date(lines, TODAY) == date(2012, 3, 26)


def test_without_a_header_date_the_latest_plausible_date_in_the_text_counts() -> None:
    lines = ["Headline about the mission", "Lead.", "Body.", "More.", "Still more.", "Later still.",
             "— Matthew Miller (@StateDeptSpox) June 19, 2023", "— Amb. Abdoulaye Diop June 20, 2023",
             "A forecast for March 3, 2099 does not count."]  # fmt: skip
    assert text_date(lines, TODAY) == date(2023, 6, 20)


def test_no_date_at_all_is_none() -> None:
    assert (
        text_date(["International Community Stands With Mali", "On January 11 France began."], TODAY) is None
    )


def test_page_metadata_date_is_read_from_the_tree() -> None:
    page = parse_html(
        '<html><head><meta property="article:published_time" content="2012-03-23T10:00:00Z"></head>'
        "<body><p>Teaser dated January 14, 2026</p></body></html>"
    )
    assert page is not None and page_date(page, TODAY) == date(2012, 3, 23)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2012", date(2012, 1, 1), date(2012, 12, 31)),
        ("2012-02", date(2012, 2, 1), date(2012, 2, 29)),
        ("2012-3", date(2012, 3, 1), date(2012, 3, 31)),
        ("2012-03-23", date(2012, 3, 23), date(2012, 3, 23)),
    ],
)
def test_user_dates_cover_a_year_a_month_or_a_day(text: str, first: date, last: date) -> None:
    assert parse_user_date(text) == (first, last)


@pytest.mark.parametrize("text", ["yesterday", "2012-13", "2012-02-30", "12", "2012/03/01", ""])
def test_bad_user_dates_are_bad_input(text: str) -> None:
    with pytest.raises(BadInputError, match="bad date"):
        parse_user_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-03-23", date(2012, 3, 23)),
        ("2012-03-23T10:00:00Z", date(2012, 3, 23)),
        ("March 26, 2012", date(2012, 3, 26)),
        ("soon", None),
        ("0001-11-30", None),  # implausible dates, as AllSides gives some, are not indexed
        ("2050-01-01", None),
        ("1899-12-31", None),
    ],
)
def test_dates_given_in_sidecars(text: str, expected: date | None) -> None:
    assert parse_given_date(text) == expected
