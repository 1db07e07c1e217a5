"""Turn a raw article (plain text with leftover HTML, or a whole HTML page) into clean lines.

This first cleaner strips tags and entities, drops the structural chrome of whole pages
(nav, header, footer, aside, forms, scripts), drops a line that repeats within the
document and collapses white space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from .models import SourceFile

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
MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>")
INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


@dataclass(frozen=True)
class CleanText:
    """The article's own lines, and the headline the page's markup declares (if any)."""

    lines: tuple[str, ...]
    page_title: str = ""

    @property
    def text(self) -> str:
        """The lines joined into the body text that is indexed and shown in snippets."""
        return "\n".join(self.lines)


def normalise_line(line: str) -> str:
    """Collapse white space and drop invisible characters."""
    return " ".join(line.translate(INVISIBLE_CHARS).split())


def unique_lines(text: str) -> tuple[str, ...]:
    """Non-empty normalised lines, keeping only the first copy of a line that repeats."""
    seen: set[str] = set()
    kept: list[str] = []
    for raw in text.splitlines():
        line = normalise_line(raw)
        if line and line not in seen:
            seen.add(line)
            kept.append(line)
    return tuple(kept)


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


def _parse_html(markup: str) -> lxml.html.HtmlElement | None:
    """Parse markup leniently; None when there is nothing to parse."""
    markup = XML_DECLARATION_RE.sub("", markup, count=1)
    try:
        return lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return None


def _meta_content(page: lxml.html.HtmlElement, key: str) -> str:
    """The content of <meta property=key> or <meta name=key>, or ''."""
    for element in page.iter("meta"):
        if key in (element.get("property"), element.get("name")):
            return normalise_line(element.get("content") or "")
    return ""


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


def clean_html_page(markup: str) -> CleanText:
    """Clean a whole HTML page: keep the main content, drop the page chrome, read the headline."""
    page = _parse_html(markup)
    if page is None:
        return CleanText(())
    content = _main_content(page)
    headline = next((h for h in content.iter("h1")), None)
    title_element = page.find(".//title")
    page_title = (
        _meta_content(page, "og:title")
        or (normalise_line(headline.text_content()) if headline is not None else "")
        or (normalise_line(title_element.text_content()) if title_element is not None else "")
    )
    text = element_text(content, NEVER_TEXT_TAGS | PAGE_CHROME_TAGS)
    return CleanText(unique_lines(text), page_title)


def clean_plain_text(text: str) -> CleanText:
    """Clean plain text that may carry leftover tags and entities."""
    if MARKUP_RE.search(text):
        tree = _parse_html(text)
        text = element_text(tree, NEVER_TEXT_TAGS) if tree is not None else ""
    return CleanText(unique_lines(text))


def clean(source: SourceFile) -> CleanText:
    """Clean one source file according to its kind."""
    if source.is_html:
        return clean_html_page(source.text)
    return clean_plain_text(source.text)
