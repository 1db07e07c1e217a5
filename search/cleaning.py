"""Turn a raw article into its clean lines by general rules, keeping a trace of what each rule removed.

Rules look at the shape of lines and at repetition, never at lists tuned to one corpus:
teaser blocks repeated within a page, a caption repeated right after itself, numbered
link lists, runs of tiny widget words, page-furniture phrases (package data), bare and
embed links, photo credits and agency sign-offs.
Whole HTML pages first go through extraction.py; lines repeated across the corpus are
removed at index time (boilerplate.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise

from .extraction import extract_article, fragment_text, visible_text
from .lines import PAGE_RULES, PLAIN_TEXT_RULES, Piece, apply_rules, normalise_line
from .models import SourceFile

# Bump when a rule changes what is kept, so indexes built by older rules ask for a rebuild.
CLEANER_VERSION = 2

MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


# Text is hard-wrapped when at least this share of its line breaks (and this many) fall inside a
# sentence; lines shorter than MIN_WRAPPED_LINE end their paragraph (headings, bylines).
WRAPPED_SHARE = 0.3
MIN_WRAPPED_BREAKS = 4
MIN_WRAPPED_LINE = 40


@dataclass(frozen=True)
class CleanText:
    """An article's lines in order, kept or removed, and the headline its markup declares."""

    pieces: tuple[Piece, ...]
    page_title: str = ""
    page_date: date | None = None
    page_site: str = ""  # the outlet a whole page names (og:site_name, JSON-LD publisher, its address's host)

    @property
    def lines(self) -> tuple[str, ...]:
        """The kept lines."""
        return tuple(p.text for p in self.pieces if not p.removed_by)

    @property
    def text(self) -> str:
        """The kept lines joined into the body text that is indexed and shown in snippets."""
        return "\n".join(self.lines)

    @property
    def body_text(self) -> str:
        """The text without a leading line that repeats the page's headline."""
        lines = self.lines
        if lines and self.page_title and lines[0] == self.page_title:
            lines = lines[1:]
        return "\n".join(lines)

    def without(self, lines: frozenset[str], rule: str) -> CleanText:
        """The same text with every kept line found in `lines` removed by `rule`."""
        if not lines:
            return self
        pieces = tuple(
            Piece(p.text, rule) if not p.removed_by and p.text in lines else p for p in self.pieces
        )
        return replace(self, pieces=pieces)


# --- rules: each takes the pieces and returns them with more marked as removed -----------


def is_hard_wrapped(lines: list[str]) -> bool:
    """True when many line breaks fall inside sentences (the next line goes on in lower case)."""
    breaks = [(a, b) for a, b in pairwise(lines) if a.strip() and b.strip()]
    inside = sum(1 for a, b in breaks if b.lstrip()[:1].islower() and b[:1] not in " \t")
    return len(breaks) >= MIN_WRAPPED_BREAKS and inside >= WRAPPED_SHARE * len(breaks)


def unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines into paragraphs.

    A paragraph starts after a blank line or at an indent; a short line, or one without lower-case
    letters (a headline, a label), stands alone.
    """
    paragraphs: list[str] = []
    joining = False
    for line in lines:
        if not line.strip():
            joining = False
            paragraphs.append("")
        elif joining and line[:1] not in " \t":
            paragraphs[-1] += " " + line.strip()
        else:
            paragraphs.append(line)
            joining = len(line.strip()) >= MIN_WRAPPED_LINE and any(c.islower() for c in line)
    return paragraphs


def clean_plain_text(text: str) -> CleanText:
    """Clean plain text that may carry leftover tags, entities, hard wraps and site chrome."""
    if MARKUP_RE.search(text):
        text = fragment_text(text)
    lines = text.splitlines()
    if is_hard_wrapped(lines):
        lines = unwrap(lines)
    return CleanText(tuple(apply_rules(lines, PLAIN_TEXT_RULES)))


def _with_page_structure(pieces: list[Piece], markup: str) -> list[Piece]:
    """Interleave the page's visible lines that the extractor left out, for showing what went."""
    extracted = {p.text for p in pieces}
    position, result = 0, []
    for line in filter(None, map(normalise_line, visible_text(markup).splitlines())):
        if line in extracted:
            while position < len(pieces) and pieces[position].text != line:
                result.append(pieces[position])
                position += 1
            if position < len(pieces):
                result.append(pieces[position])
                position += 1
        else:
            result.append(Piece(line, "page structure"))
    return result + pieces[position:]


def clean_html_page(markup: str, explain: bool = False) -> CleanText:
    """Clean a whole HTML page: its article, found by extraction.py, then the line rules.

    With explain, the page's other visible lines are kept in the trace as removed by
    'page structure' (slower: the page is parsed once more).
    """
    article = extract_article(markup)
    pieces = apply_rules(article.text.splitlines(), PAGE_RULES)
    if explain:
        pieces = _with_page_structure(pieces, markup)
    return CleanText(tuple(pieces), normalise_line(article.title), article.date, normalise_line(article.site))


def clean(source: SourceFile, explain: bool = False) -> CleanText:
    """Clean one source file according to its kind."""
    if source.is_html:
        return clean_html_page(source.text, explain)
    return clean_plain_text(source.text)
