from __future__ import annotations

import re
from datetime import date

import pytest

from search.extraction import PageArticle, extract_article, fragment_text, page_site, page_title, parse_html

ARTICLE = " ".join(
    ["Coup leaders in Mali are facing increasing pressure to restore constitutional order."] * 12
)
PAGE = f"""<!DOCTYPE html>
<html><head><title>Mali junta told to leave | DW | 26.03.2012</title>
<meta property="og:title" content="Mali junta told to leave">
<style>body {{ color: red }}</style><script>track();</script></head>
<body>
<header><a href="#main">Skip to content</a><nav><ul><li>Home</li><li>World</li><li>Africa</li></ul></nav></header>
<main><article>
<h1>Mali junta told to leave</h1>
<p>{ARTICLE}</p>
<p>Junta leaders faced <b>international</b> pressure to step down, said <!-- note -->Soumaila Cisse.</p>
<form><button>Share</button></form>
</article>
<aside><h2>Related</h2><ul><li><a href="/a">Another story entirely</a></li><li><a href="/b">And one more</a></li></ul></aside>
</main>
<footer>Copyright DW. All rights reserved.</footer>
</body></html>"""


def test_whole_page_gives_the_article_and_its_headline() -> None:
    article = extract_article(PAGE)
    text = article.text
    assert article.title == "Mali junta told to leave"
    assert article.date == date(2012, 3, 26)  # from the page's <title>, via htmldate
    assert ARTICLE in text
    assert "Junta leaders faced international pressure to step down, said Soumaila Cisse." in text
    for chrome in ("Skip to content", "Home", "Related", "Another story", "Copyright", "Share", "track()"):
        assert chrome not in text


@pytest.mark.parametrize(
    "markup", ["", "<html></html>", '<?xml version="1.0" encoding="utf-8"?><html><body></body></html>']
)
def test_empty_pages_give_no_text_and_no_error(markup: str) -> None:
    assert extract_article(markup) == PageArticle()


def test_a_page_too_small_for_trafilatura_falls_back_to_its_structure() -> None:
    text = extract_article("<html><body><nav>Menu</nav><div>Only text</div></body></html>").text
    assert text.split() == ["Only", "text"]


def test_truncated_page_keeps_what_text_it_has() -> None:
    text = extract_article("<html><body><article><p>Cut off mid <b>sent").text
    assert "Cut off mid sent" in " ".join(text.split())


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta property="og:title" content="OG title"><title>Tab title</title>', "OG title"),
        ("<title>Tab title</title>", "H1 title"),
        ("<title> Tab\n title </title>", "H1 title"),
    ],
)
def test_page_title_prefers_og_title_then_h1_then_title(head: str, expected: str) -> None:
    page = parse_html(f"<html><head>{head}</head><body><h1>H1 title</h1></body></html>")
    assert page is not None and page_title(page) == expected


def test_fragment_text_breaks_lines_at_blocks_and_drops_scripts() -> None:
    lines = fragment_text("a<p>b</p>c<br>d<script>e</script><b>f</b>").split("\n")
    assert [line for line in lines if line] == ["a", "b", "c", "df"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<meta property="og:site_name" content="Reuters"><meta property="og:url" content="https://www.x.com/a">',
            "Reuters",
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "publisher": {"name": "The Hill"}}</script>',
            "The Hill",
        ),
        ('<link rel="canonical" href="https://www.npr.org/2019/10/02/guyger">', "npr.org"),
        ("<title>No outlet</title>", ""),
    ],
)
def test_a_pages_outlet_is_its_site_name_else_its_publisher_else_its_host(head: str, expected: str) -> None:
    page = parse_html(f"<html><head>{head}</head><body><p>Text.</p></body></html>")
    assert page is not None and page_site(page) == expected


def test_a_page_nested_past_libxml2s_limit_keeps_all_its_paragraphs() -> None:
    unclosed = "".join(
        f"<font><p>Paragraph {n}: the cocoa board said exports rose again." for n in range(300)
    )
    text = extract_article(f"<html><body>{unclosed}</body></html>").text
    assert len(set(re.findall(r"Paragraph \d+", text))) == 300
    deep = "<div>" * 260 + "<p>Deep text about cocoa exports rising again this year.</p>" + "</div>" * 260
    assert "Deep text about cocoa exports" in extract_article(f"<html><body>{deep}</body></html>").text
