from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import cleaning
from search import lines as line_rules
from search.cleaning import CleanText, clean, clean_plain_text
from search.corpus import read_source
from search.lines import Piece
from search.models import SourceFile

from .conftest import SAMPLE_CORPUS

# --- markup --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>The United States condemns.<br />\nNext line", ("The United States condemns.", "Next line")),
        ("AT&amp;T &eacute;lection &#8220;quoted&#8221;", ("AT&T élection “quoted”",)),
        ("no markup here\n\n\n  second   line  ", ("no markup here", "second line")),
        ("a < b and c > d", ("a < b and c > d",)),
        ("<p>unclosed <b>bold <i>broken</p> tail", ("unclosed bold broken", "tail")),
        ("<script>var x = 1;</script>Text after script", ("Text after script",)),
    ],
)
def test_plain_text_loses_tags_and_entities(raw: str, expected: tuple[str, ...]) -> None:
    assert clean_plain_text(raw).lines == expected


# --- each rule alone ---------------------------------------------------------------------


def test_without_removes_learned_lines_and_records_the_rule() -> None:
    text = CleanText((Piece("Share on Facebook"), Piece("Body."), Piece("gone", "link")))
    cleaned = text.without(frozenset({"Share on Facebook"}), "repeated across documents")
    assert cleaned.lines == ("Body.",)
    assert cleaned.pieces[0] == Piece("Share on Facebook", "repeated across documents")


# --- the sample corpus, cleaned to its article text -------------------------------------

# Every paragraph (its first words) of each sample document, in order: nothing else is kept.
ARTICLES = {
    "000_45a78b254a50a030.txt": [
        "POLICY STATEMENT: U.S. Condemns", "The United States condemns the military", "By Victoria Nuland",
        "We echo the statements", "We stand with the legitimately", "Mali is a leading democracy",
    ],
    "001_4c147c20ba632c38.txt": [
        "International Community Stands With Mali", "The United States shares the goal", "French forces have begun",
        "Nor are the French alone", "The United States shares the goal", "As a result of the coup",
        "As we have maintained", "There is no purely security", "We are committed to helping",
    ],
    "002_2f5a04c4c4e9ff2a.txt": [
        "U.S. Steps Up Aid To Mali", "Malian soldiers inspect vehicles", "U.S. is increasing assistance",
        "The United States is stepping up", "As part of the effort", "Last month, the United Nations",
        "At the request of the transitional", "We also are working", "Despite the increased international",
        "One result of the ongoing",
    ],
    "003_7e5ade231f249089.txt": [
        "The US State Department has said", "In a statement published", "He added that the US intends",
        "We deeply regret the transition", "— Matthew Miller (@StateDeptSpox) June 19, 2023",
        "The United States wants to encourage", "It is also extending", "Security challenges",
        "The mission was due", "Faced with the decision", "\"MINUSMA’s drawdown must be", "He added: \"The transition",
        "Mali called on the United Nations", "Mali's Foreign Minister Abdoulaye Diop",
        "“Au regard de tout ce qui précède", "— Amb. Abdoulaye Diop (@AbdoulayeDiop8) June 20, 2023",
        "Le Gouvernement du Mali reste disposé", "Major security issues", "The decision comes as",
        "The insurgency then spread", "MINUSMA was deployed", "Frustrations over the growing",
        "“This tragic loss is a stark", "— United Nations Geneva (@UNGeneva) June 12, 2023",
        "The patrol was targeted", "Since 2022, the ruling junta", "This week, Mali's ruling junta",
    ],
    "004_42382a47a79cec6e.txt": [
        "Mali junta told to leave", "March 26, 2012", "Coup leaders in Mali are facing", "Mutinous soldiers gather",
        "Junta leaders in Mali faced", "Some officers staged a coup", "The calls for the junta's departure",
        "Mali President Amadou Toumani Toure inspects", "The whereabouts of President", "\"Our aim is clear",
        "Internal calls to step down", "In the capital, Bamako", "\"This coup d'etat is unconstitutional",
        "The only support the coup", "Many of the arrested", "\"There are 14 of us", "President Toure, meanwhile",
        "Cold reception worldwide", "The international community has also", "The African Union suspended Mali",
        "On Tuesday, The Economic Community", "Tuaregs take advantage", "Tuareg rebels in the northern",
        "In the East, Tuareg fighters", "The Tuareg desert tribes",
    ],
}  # fmt: skip


def clean_sample(name: str) -> CleanText:
    source = read_source(SAMPLE_CORPUS / name, SAMPLE_CORPUS, max_bytes=10**6)
    assert isinstance(source, SourceFile)
    return clean(source)


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_sample_documents_keep_every_paragraph_and_nothing_else(name: str) -> None:
    lines = clean_sample(name).lines
    assert len(lines) == len(ARTICLES[name]), lines
    for line, start in zip(lines, ARTICLES[name], strict=True):
        assert line.startswith(start)


@pytest.mark.parametrize("chrome", ["XS", "Skip to content", "Image: picture-alliance", "Accessibility links",
                                    "Breaking News", "Read more", "t.co/", "pic.twitter.com", "tm/ng", "al-Shabaab"])  # fmt: skip
def test_no_chrome_is_left_in_any_sample(chrome: str) -> None:
    for name in ARTICLES:
        assert chrome not in clean_sample(name).text


def test_every_removed_piece_names_its_rule() -> None:
    rules = {p.removed_by for name in ARTICLES for p in clean_sample(name).pieces if p.removed_by}
    assert rules == {
        "repeated block", "repeated line", "repeated caption", "navigation list", "widget", "page furniture",
        "link", "embed link", "photo credit", "sign-off",
    }  # fmt: skip


# --- properties ---------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    ["<p>", "</p>", "<br/>", "<div>", "</div>", "<script>x=1</script>", "&amp;", "&eacute;", "<", ">", "\n", " ",
     "Read more", "XS", "1. ", "Image: ", "https://t.co/abc", "@handle", "(AFP)", "Mali", "coup", "Touré", "«»", "\x00"]
)  # fmt: skip
TEXTS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=40).map("".join)


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(TEXTS)
def test_cleaning_never_raises_and_never_adds_words(raw: str) -> None:
    cleaned = clean_plain_text(raw)
    unescaped = html.unescape(raw).translate(line_rules.INVISIBLE_CHARS)
    without_scripts = re.sub(r"<script>.*?</script>", "", unescaped)
    visible = " ".join(re.sub(r"<[^>]*>", "", text) for text in (unescaped, without_scripts)) + unescaped
    for word in words(cleaned.text):
        assert word in visible


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(TEXTS)
def test_whole_page_cleaning_never_raises(raw: str) -> None:
    cleaned = cleaning.clean_html_page(f"<html><body><article>{raw}</article></body></html>")
    assert all(line == line.strip() and line for line in cleaned.lines)


def test_source_kinds_are_dispatched(tmp_path: Path) -> None:
    page = (
        "<html><head><title>T</title></head><body><article><p>"
        + "Word " * 50
        + "</p></article></body></html>"
    )
    html_source = SourceFile("p.html", page, 1, 0.0, "", True)
    assert clean(html_source).page_title == "T"
    assert clean(SourceFile("p.txt", "<nav>kept in plain text</nav>", 1, 0.0, "", False)).lines == (
        "kept in plain text",
    )
