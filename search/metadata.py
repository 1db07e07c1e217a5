"""Read a document's metadata from its clean text: for now, its title."""

from __future__ import annotations

from .cleaning import CleanText, looks_like_headline

MAX_TITLE_CHARS = 120


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
        if looks_like_headline(line):
            return shorten(line)
    return shorten(clean.lines[0]) if clean.lines else ""
