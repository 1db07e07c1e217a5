from __future__ import annotations

import pytest

from search.cleaning import clean, clean_html_page, clean_plain_text, normalise_line, unique_lines
from search.models import SourceFile


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


def test_a_line_repeated_within_the_document_is_kept_once() -> None:
    raw = "Caption under the photo\nCaption under the photo\nBody text\nRead more\nRead more"
    assert clean_plain_text(raw).lines == ("Caption under the photo", "Body text", "Read more")


def test_white_space_and_invisible_characters_collapse() -> None:
    assert (
        normalise_line("  soft\u00adhyphen\u200b and\u00a0non-breaking\tspace ")
        == "softhyphen and non-breaking space"
    )
    assert unique_lines("\n \n\t\n") == ()


PAGE = """<!DOCTYPE html>
<html><head><title>Mali junta told to leave | DW | 26.03.2012</title>
<meta property="og:title" content="Mali junta told to leave">
<style>body { color: red }</style><script>track();</script></head>
<body>
<header><a href="#main">Skip to content</a><nav><ul><li>Home</li><li>World</li></ul></nav></header>
<main><article>
<h1>Mali junta told to leave</h1>
<p>Coup leaders in Mali are facing increasing pressure.</p>
<p>Junta leaders faced <b>international</b> pressure<br>to step down.</p>
<form><button>Share</button></form>
</article>
<aside><h2>Related</h2><p>Another story entirely</p></aside></main>
<footer>Copyright DW</footer>
</body></html>"""


def test_whole_page_keeps_the_article_and_drops_the_chrome() -> None:
    cleaned = clean_html_page(PAGE)
    assert cleaned.page_title == "Mali junta told to leave"
    assert cleaned.lines == (
        "Mali junta told to leave",
        "Coup leaders in Mali are facing increasing pressure.",
        "Junta leaders faced international pressure",
        "to step down.",
    )


@pytest.mark.parametrize(
    "markup", ["", "<html></html>", '<?xml version="1.0" encoding="utf-8"?><html><body></body></html>']
)
def test_empty_pages_give_no_lines_and_no_error(markup: str) -> None:
    assert clean_html_page(markup).lines == ()


def test_truncated_page_keeps_what_text_it_has() -> None:
    assert clean_html_page("<html><body><article><p>Cut off mid <b>sent").lines == ("Cut off mid sent",)


def test_page_without_article_element_uses_the_body() -> None:
    cleaned = clean_html_page("<html><body><nav>Menu</nav><div>Only text</div></body></html>")
    assert cleaned.lines == ("Only text",)


def test_clean_dispatches_on_the_kind_of_file() -> None:
    def source(text: str, is_html: bool) -> SourceFile:
        return SourceFile("x", text, len(text), 0.0, "", is_html)

    assert clean(source(PAGE, True)).page_title == "Mali junta told to leave"
    assert clean(source("<nav>kept in plain text</nav>", False)).lines == ("kept in plain text",)
