"""Read a document's metadata from its clean text: for now, its title."""

from __future__ import annotations

import re

from .cleaning import CleanText

MAX_TITLE_CHARS = 120
MIN_TITLE_WORDS = 3
WORD_RE = re.compile(r"[^\W\d_]{1,}", re.UNICODE)
# A numbered or bulleted list item ("1. Skip to content") is navigation, not a headline.
LIST_ITEM_RE = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*\u2022\u2013])\s")
URL_RE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)


def is_title_candidate(line: str) -> bool:
    """True when a line can be a headline: a few words, not a list item, not a bare link."""
    return (
        len(WORD_RE.findall(line)) >= MIN_TITLE_WORDS
        and not LIST_ITEM_RE.match(line)
        and not URL_RE.match(line)
    )


def shorten(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Cut text at a word boundary to at most `limit` characters, marking the cut with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "…"


def extract_title(clean: CleanText) -> str:
    """The page's declared headline, else the first line that is not site chrome."""
    if clean.page_title:
        return shorten(clean.page_title)
    for line in clean.lines:
        if is_title_candidate(line):
            return shorten(line)
    return shorten(clean.lines[0]) if clean.lines else ""
