"""Find the article in a whole HTML page, and read the text of HTML fragments.

Whole pages go to trafilatura (favouring precision), which measured best on real news
pages (docs/benchmarks.md); when it finds nothing, the page's own structure is used:
drop nav, header, footer, aside, forms and scripts, keep <article> or <main>.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from .dates import page_date

log = logging.getLogger(__name__)

# Elements whose content is never article text.
NEVER_TEXT_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "head", "title"}
)
# Elements of a whole page that hold site chrome rather than the article.
PAGE_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "button", "select"})
# Elements that start a new line of text.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
        "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>")
DEEP_PARSER = lxml.html.HTMLParser(huge_tree=True)  # lxml's default parser, past libxml2's 256 levels
# Below this many words, trafilatura's fast pass may have missed the article: try its full pass.
FULL_PASS_BELOW_WORDS = 100


def parse_html(markup: str) -> lxml.html.HtmlElement | None:
    """Parse markup leniently, however deeply it nests; None when there is nothing to parse."""
    markup = XML_DECLARATION_RE.sub("", markup, count=1)
    try:
        return lxml.html.document_fromstring(markup, parser=DEEP_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def element_text(root: lxml.etree._Element, skip: frozenset[str]) -> str:
    """The text of an element tree, with a line break around each block element."""
    parts: list[str] = []
    skipping: lxml.etree._Element | None = None
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if skipping is not None:
            if event == "end" and element is skipping:
                skipping = None
                if element is not root and element.tail:
                    parts.append(element.tail)
            continue
        if event == "start":
            if tag in skip:
                skipping = element
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if tag and element.text:
                parts.append(element.text)
        else:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if element is not root and element.tail:
                parts.append(element.tail)
    return "".join(parts)


def fragment_text(markup: str) -> str:
    """The text of markup that is not a whole page (plain text with leftover tags)."""
    tree = parse_html(markup)
    return element_text(tree, NEVER_TEXT_TAGS) if tree is not None else ""


def _meta_content(page: lxml.html.HtmlElement, key: str) -> str:
    """The content of <meta property=key> or <meta name=key>, or ''."""
    for element in page.iter("meta"):
        if key in (element.get("property"), element.get("name")):
            return " ".join((element.get("content") or "").split())
    return ""


def page_title(page: lxml.html.HtmlElement) -> str:
    """The headline the page declares: og:title, else the first <h1>, else <title>."""
    candidates = [_meta_content(page, "og:title")]
    headline = next(page.iter("h1"), None)
    if headline is not None:
        candidates.append(headline.text_content())
    title = page.find(".//title")
    if title is not None:
        candidates.append(title.text_content())
    return next((" ".join(c.split()) for c in candidates if c and c.strip()), "")


def page_site(page: lxml.html.HtmlElement) -> str:
    """The outlet a page says it belongs to: og:site_name, else the publisher named in its JSON-LD, else
    the host of its canonical address ('www.reuters.com' -> 'reuters.com'); '' when it says none."""
    name = _meta_content(page, "og:site_name")
    if name:
        return name
    for script in page.iter("script"):
        if "ld+json" not in (script.get("type") or ""):
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            publisher = item.get("publisher") if isinstance(item, dict) else None
            if (
                isinstance(publisher, dict)
                and isinstance(publisher.get("name"), str)
                and publisher["name"].strip()
            ):
                return " ".join(publisher["name"].split())
    address = _meta_content(page, "og:url") or next(
        (link.get("href") or "" for link in page.iter("link") if link.get("rel") == "canonical"), ""
    )
    host = urlsplit(address).hostname or ""
    return host.removeprefix("www.")


def _main_content(page: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element that holds the article: the longest <article>, else <main>, else <body>."""
    articles = list(page.iter("article"))
    if articles:
        return max(articles, key=lambda a: len(a.text_content()))
    for element in page.iter("main"):
        return element
    for element in page.iter():
        if element.get("role") == "main":
            return element
    body = page.find("body")
    return body if body is not None else page


def structural_text(page: lxml.html.HtmlElement) -> str:
    """The main content's text without the page chrome, by HTML structure alone."""
    return element_text(_main_content(page), NEVER_TEXT_TAGS | PAGE_CHROME_TAGS)


def visible_text(markup: str) -> str:
    """All the text a browser would show of a page, chrome included (to show what was removed)."""
    page = _load_page(markup)
    if page is None:
        return ""
    body = page.find("body")
    return element_text(body if body is not None else page, NEVER_TEXT_TAGS)


def _trafilatura_text(page: lxml.html.HtmlElement, fast: bool) -> str:
    """trafilatura's article text, '' when it finds none or fails."""
    import trafilatura  # imported here: it adds ~0.1 s to every command's start-up otherwise

    try:
        text = trafilatura.extract(
            page, fast=fast, favor_precision=True, include_comments=False, deduplicate=False
        )
    except Exception as error:  # a third party's bug must never stop indexing
        log.debug("trafilatura failed (%s): falling back to the page structure", error)
        return ""
    return text or ""


# trafilatura's own parser settings (comments and processing instructions dropped), with no depth limit:
# libxml2 stops at 256 levels, and a page of 300 unclosed <font><p> kept 129 of its paragraphs.
PAGE_PARSER = lxml.html.HTMLParser(  # type: ignore[call-arg]  # lxml-stubs lack default_doctype
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True, huge_tree=True
)


def _load_page(markup: str) -> lxml.html.HtmlElement | None:
    """Parse a whole page as trafilatura expects, however deeply its elements nest."""
    try:
        page = lxml.html.document_fromstring(XML_DECLARATION_RE.sub("", markup, count=1), parser=PAGE_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None
    return page if len(page) else None


@dataclass(frozen=True)
class PageArticle:
    """What a whole page holds: its article's text (a paragraph a line) and what the page says of it."""

    text: str = ""
    title: str = ""
    date: date | None = None
    site: str = ""


def extract_article(markup: str) -> PageArticle:
    """The article of a whole page, with its headline, publication date and outlet.

    trafilatura's fast pass first; when it finds little, its slower pass that also tries
    other algorithms; when that finds nothing, the page's structure alone. The date is the
    one the page's metadata declares (read before trafilatura edits the tree).
    """
    page = _load_page(markup)
    if page is None:
        return PageArticle()
    title, published, site = page_title(page), page_date(page), page_site(page)
    text = _trafilatura_text(page, fast=True)
    if len(text.split()) < FULL_PASS_BELOW_WORDS:
        page = _load_page(markup)  # trafilatura edits the tree it is given
        fuller = _trafilatura_text(page, fast=False) if page is not None else ""
        if len(fuller.split()) > len(text.split()):
            text = fuller
    if not text:
        page = parse_html(markup)
        text = structural_text(page) if page is not None else ""
    return PageArticle(text, title, published, site)
