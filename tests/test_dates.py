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
    assert text_date(lines, lines[0], TODAY) == (date(2012, 3, 26), "header")


@pytest.mark.parametrize(
    "header",
    [
        "By Claudia Grisales | May 4, 2020",
        "Published 12:33 p.m. ET, Mon May 4, 2020",
        "Updated: 2020-05-04",
        "4 May 2020",
        "WASHINGTON, D.C. May 4, 2020",
    ],
)
def test_a_short_header_line_dates_the_story(header: str) -> None:
    lines = [
        "House passes the bill",
        "By Jane Doe",
        header,
        "The House passed the bill on a 220-207 vote on Monday.",
    ]
    assert text_date(lines, lines[0], TODAY) == (date(2020, 5, 4), "header")


def test_a_dateline_opening_the_story_dates_it() -> None:
    lead = "WASHINGTON, March 23, 2012 (Reuters) — The United States condemned the seizure of power in Mali on Friday."
    assert text_date(["U.S. condemns coup", lead], "U.S. condemns coup", TODAY) == (
        date(2012, 3, 23),
        "dateline",
    )


@pytest.mark.parametrize(
    "lines",
    [
        # An event's date in the lead is not the publication date (13 stories of 2013-2020 were dated 9/11).
        [
            "Remembering the attacks",
            "Since Sept. 11, 2001, the country has spent trillions on wars abroad and at home.",
        ],
        # Nor a photo caption's, a quoted tweet's, or any date deeper in the text.
        [
            "U.S. Steps Up Aid To Mali",
            "Malian soldiers inspect vehicles in Sevare, central Mali, Saturday, Jan. 19, 2013. The departure of",
        ],
        [
            "Headline about the mission",
            "Lead.",
            "Body.",
            "More.",
            "Still more.",
            "Later still.",
            "— Matthew Miller (@StateDeptSpox) June 19, 2023",
            "Elections were set for April 29, 2012.",
        ],
        # Nor the headline's own.
        ["Sept. 11, 2001: the day that changed everything", "The towers fell in the morning."],
        ["International Community Stands With Mali", "On January 11 France began."],
    ],
)
def test_a_date_outside_the_header_is_never_the_publication_date(lines: list[str]) -> None:
    assert text_date(lines, lines[0], TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-05-04", date(2020, 5, 4)),
        ("2020-05-04T10:00:00Z", date(2020, 5, 4)),
        ("2020-05-04 10:00:00 -0400", date(2020, 5, 4)),
        ("Mon, 04 May 2020 10:00:00 GMT", date(2020, 5, 4)),
        ("May 4, 2020", date(2020, 5, 4)),
        ("5/4/20", date(2020, 5, 4)),  # US order, as US exports write slashes
        ("6/23/17", date(2017, 6, 23)),
        ("05/04/2020", date(2020, 5, 4)),
        ("23/6/2017", date(2017, 6, 23)),  # the first number cannot be a month: day first
        ("0001-11-30", None),
        ("2050-01-01", None),
        ("someday", None),
    ],
)
def test_given_dates_in_the_forms_people_export(text: str, expected: date | None) -> None:
    assert parse_given_date(text, TODAY) == expected


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


def test_a_pages_own_time_wins_over_the_dates_of_its_teasers() -> None:
    page = parse_html(
        "<html><head><title>Immigration</title></head><body><article><h1>Immigration restriction is not hate</h1>"
        '<div class="article-info">Kyle Smith <time datetime="2019-08-09T07:39:00-04:00">August 9, 2019</time></div>'
        "<p>It can't be that the only respectable position on immigration is whatever the Democrats hold.</p>"
        '</article><aside><ul><li><a href="/a">How Trump is forcing Republicans to rethink poverty</a>'
        ' <span class="date">January 24, 2016</span></li></ul></aside></body></html>'
    )
    assert page is not None and page_date(page, TODAY) == date(2019, 8, 9)


def test_a_page_without_a_date_of_its_own_has_none() -> None:
    page = parse_html(
        "<html><body><article><h1>Quiet news</h1><p>Nothing was dated in this story, which runs on for a"
        ' while.</p></article><aside><span class="date">January 24, 2016</span></aside></body></html>'
    )
    assert page is not None and page_date(page, TODAY) is None


def test_a_byline_of_many_names_dates_the_story_and_a_caption_does_not() -> None:
    names = "By Zack Beauchamp, Umair Irfan, Ella Nilsen, Sara Morrison, Rani Molla, Alex Abad-Santos and Jen Kirby"
    assert text_date(["ISIS war", f"{names} | December 7, 2014"], "ISIS war", TODAY) == (
        date(2014, 12, 7),
        "header",
    )
    caption = "The U.S. Supreme Court in Washington, D.C., November 13, 2018 (Al Drago/Reuters)"
    assert text_date(["Overturning DACA", caption, "The notion that..."], "Overturning DACA", TODAY) is None


def test_the_time_of_a_pages_header_counts_though_a_cookie_banner_comes_first() -> None:
    page = parse_html(
        '<html><body><div class="cookie"><p>We use cookies to give you the best experience on our site, and'
        " to show you relevant ads.</p></div><article><h1>Hagel: we are ready</h1><div>By Tom Cohen "
        '<time datetime="2013-08-27T06:22:00-04:00">August 27, 2013</time></div><p>Washington (CNN) -- With a'
        " flurry of comments, officials sought Tuesday to lay the groundwork for a strike.</p></article></body></html>"
    )
    assert page is not None and page_date(page, TODAY) == date(2013, 8, 27)
