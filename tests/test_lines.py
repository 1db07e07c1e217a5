"""The line rules: each marks chrome among an article's lines and keeps the article's own."""

from __future__ import annotations

import pytest

from search import lines as line_rules
from search.lines import apply_rules, normalise_line


def kept(lines: list[str], rule: line_rules.Rule) -> list[str]:
    return [p.text for p in apply_rules(lines, [rule]) if not p.removed_by]


def removed_by(lines: list[str], rule: line_rules.Rule) -> dict[str, str]:
    return {p.text: p.removed_by for p in apply_rules(lines, [rule]) if p.removed_by}


def test_white_space_and_invisible_characters_collapse() -> None:
    assert (
        normalise_line("  soft\u00adhyphen\u200b and\u00a0non-breaking\tspace ")
        == "softhyphen and non-breaking space"
    )


TEASER = [
    "More in Media Room",
    "Strikes in Somalia",
    "Strikes in Somalia",
    "In coordination with AFRICOM.",
    "Read more",
]


def test_a_teaser_block_repeated_within_the_page_goes_entirely() -> None:
    lines = ["Headline of the statement", "The statement itself.", *TEASER, *TEASER, *TEASER[:2], *TEASER[3:]]
    assert kept(lines, line_rules.drop_repeated_blocks) == [
        "Headline of the statement",
        "The statement itself.",
    ]


def test_an_isolated_repeated_line_is_not_a_teaser_block() -> None:
    lines = ["Lead sentence.", "Byline", "Lead sentence.", "Body."]
    assert kept(lines, line_rules.drop_repeated_blocks) == lines
    assert kept(lines, line_rules.drop_repeated_lines) == ["Lead sentence.", "Byline", "Body."]


def test_a_caption_repeated_right_after_itself_goes_both_times() -> None:
    lines = ["Headline here", "Troops exit a plane.", "Troops exit a plane.", "Body text."]
    assert kept(lines, line_rules.drop_repeated_captions) == ["Headline here", "Body text."]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["1. Skip to content", "2. Skip to main menu", "3. More sites", "Headline"], ["Headline"]),
        (
            ["1. Reduce emissions by half.", "2. Fund adaptation."],
            ["1. Reduce emissions by half.", "2. Fund adaptation."],
        ),
        (["1. Only one item", "Body"], ["1. Only one item", "Body"]),
        (["1. Home", "3. News"], ["1. Home", "3. News"]),  # not consecutive numbers
        (
            ["1. Michelle Freeman (Jamaica) 12.71 seconds", "2. Ludmila Engquist (Sweden) 12.74"],
            ["1. Michelle Freeman (Jamaica) 12.71 seconds", "2. Ludmila Engquist (Sweden) 12.74"],
        ),  # results: rows of figures are the story's own data
        (["1. Top 10 films", "2. Watch live", "3. Newsletters"], []),  # one figure in three: links
    ],
)
def test_numbered_link_lists_go_but_real_lists_stay(lines: list[str], expected: list[str]) -> None:
    assert kept(lines, line_rules.drop_navigation_lists) == expected


def test_runs_of_tiny_widget_lines_go() -> None:
    assert kept(["Body.", "XS", "SM", "MD", "LG"], line_rules.drop_widget_runs) == ["Body."]
    assert kept(["Body.", "A", "B"], line_rules.drop_widget_runs) == ["Body.", "A", "B"]


@pytest.mark.parametrize(
    "line",
    ["Skip to content", "Accessibility links", "Breaking News", "Read more", "Share this article", "Advertisement",
     "Related Stories", "More in Media Room", "Follow us on Twitter", "Sign up for our newsletter", "Read more »"],
)  # fmt: skip
def test_page_furniture_lines_go(line: str) -> None:
    assert kept([line], line_rules.drop_furniture_lines) == []


@pytest.mark.parametrize(
    "line",
    ["You can read more about the mission in the report.", "Breaking news of the coup spread fast through Bamako.",
     "Share prices fell in Bamako", "Related parties met in Algiers for talks on Sunday morning"],
)  # fmt: skip
def test_sentences_with_furniture_words_stay(line: str) -> None:
    assert kept([line], line_rules.drop_furniture_lines) == [line]


def test_links() -> None:
    lines = [
        "https://p.dw.com/p/14S3q",
        "– @elghassimw",
        "The patrol was attacked.https://t.co/tQ5qbNI6Ry pic.twitter.com/NUkXg75sFc",
        "Details are at https://www.un.org/minusma today.",
    ]
    assert kept(lines, line_rules.drop_links) == [
        "The patrol was attacked.",
        "Details are at https://www.un.org/minusma today.",
    ]
    assert removed_by(lines, line_rules.drop_links)["https://t.co/tQ5qbNI6Ry"] == "embed link"


def test_photo_credits() -> None:
    lines = ["Image: picture-alliance/ZUMAPRESS", "The whereabouts of the President are unknown.Image: AP",
             "Photo credit: Reuters", "Imagery from satellites: a new tool for analysts in the Sahel region today"]  # fmt: skip
    assert kept(lines, line_rules.drop_photo_credits) == [
        "The whereabouts of the President are unknown.",
        "Imagery from satellites: a new tool for analysts in the Sahel region today",
    ]


@pytest.mark.parametrize(
    "line", ["tm/ng (AFP, AP)", "(with newswires)", "(Reporting by A. Diallo; Editing by B. Smith)"]
)
def test_agency_signoffs_go(line: str) -> None:
    assert kept(["Body.", line], line_rules.drop_signoffs) == ["Body."]


def test_a_headline_given_twice_keeps_its_first_copy_a_caption_given_twice_goes() -> None:
    lines = ["Mali junta told to leave", "Mali junta told to leave", "Coup leaders face pressure.",
             "Soldiers at the station", "Soldiers at the station", "Body."]  # fmt: skip
    assert [p.text for p in apply_rules(lines, line_rules.PLAIN_TEXT_RULES) if not p.removed_by] == [
        "Mali junta told to leave",
        "Coup leaders face pressure.",
        "Body.",
    ]
