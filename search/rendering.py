"""Turn Results into what the terminal shows, or into JSON; pure functions, no I/O."""

from __future__ import annotations

import json
import re
from typing import Any

from .cleaning import Piece
from .models import Document, Fragment, Hit, Results

# grep's colours: matched words in bold red, titles in bold.
MATCH_STYLE = "\x1b[1;31m"
TITLE_STYLE = "\x1b[1m"
REMOVED_STYLE = "\x1b[31m"
RESET = "\x1b[0m"
FRAGMENT_SEPARATOR = " … "
# An indented [start, end] pair, and a list of them; JSON strings cannot hold a raw newline,
# so these match the highlight spans only.
SPREAD_SPAN_RE = re.compile(r"\[\s+(\d+),\s+(\d+)\s+\]")
SPREAD_SPAN_LIST_RE = re.compile(r"\[\s+(\[\d+, \d+\](?:,\s+\[\d+, \d+\])*)\s+\]")


def mark_fragment(fragment: Fragment, start: str, end: str) -> str:
    """The fragment's text with `start` and `end` around each highlighted span."""
    pieces: list[str] = []
    position = 0
    for span_start, span_end in fragment.highlights:
        pieces.append(fragment.text[position:span_start])
        pieces.append(start + fragment.text[span_start:span_end] + end)
        position = span_end
    pieces.append(fragment.text[position:])
    return "".join(pieces)


def _styled(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{RESET}" if color else text


def render_hit(hit: Hit, color: bool) -> str:
    """Three lines for one hit: rank and title; path, date, actors and score; the snippet."""
    date = hit.date.date().isoformat() if hit.date else "-"
    actors = ", ".join(hit.actors) if hit.actors else "-"
    start, end = (MATCH_STYLE, RESET) if color else ("", "")
    snippet = FRAGMENT_SEPARATOR.join(mark_fragment(f, start, end) for f in hit.fragments)
    title = _styled(hit.title or hit.path, TITLE_STYLE, color)
    return (
        f"{hit.rank}. {title}\n"
        f"   {hit.path or hit.id} | date: {date} | actors: {actors} | score: {hit.score:.2f}\n"
        f"   {snippet}\n"
    )


def render_text(results: Results, color: bool) -> str:
    """The ranked hits as text for a terminal or a pipe, a blank line between hits."""
    return "\n".join(render_hit(hit, color) for hit in results.hits)


def results_to_dict(results: Results) -> dict[str, Any]:
    """The results as plain JSON-ready data; dates in ISO 8601, spans as [start, end] offsets."""
    return {
        "query": results.query,
        "total": results.total,
        "results": [
            {
                "rank": hit.rank,
                "id": hit.id,
                "path": hit.path,
                "title": hit.title,
                "date": hit.date.isoformat() if hit.date else None,
                "actors": list(hit.actors),
                "score": round(hit.score, 4),
                "snippet": [
                    {"text": f.text, "highlights": [list(span) for span in f.highlights]}
                    for f in hit.fragments
                ],
            }
            for hit in results.hits
        ],
    }


def render_json(results: Results) -> str:
    """The results as one indented JSON document, each highlight span on one line."""
    text = json.dumps(results_to_dict(results), ensure_ascii=False, indent=2)
    text = SPREAD_SPAN_RE.sub(r"[\1, \2]", text)
    return SPREAD_SPAN_LIST_RE.sub(lambda m: "[" + re.sub(r",\s+", ", ", m[1]) + "]", text)


def render_clean(document: Document) -> str:
    """A cleaned file as it will be indexed: its title, a blank line, its text."""
    return f"title: {document.title}\n\n{document.body}\n"


def render_clean_diff(pieces: tuple[Piece, ...], color: bool) -> str:
    """Every line of a file: kept ones indented, removed ones marked '-' with the rule that removed them."""
    lines = []
    for piece in pieces:
        if piece.removed_by:
            lines.append(_styled(f"- [{piece.removed_by}] {piece.text}", REMOVED_STYLE, color))
        else:
            lines.append(f"  {piece.text}")
    return "\n".join(lines) + "\n"


def render_clean_json(document: Document) -> str:
    """A cleaned file as one line of JSON: path, title, ISO date or null, text."""
    return json.dumps(
        {
            "path": document.path,
            "title": document.title,
            "date": document.date.isoformat() if document.date else None,
            "text": document.body,
        },
        ensure_ascii=False,
    )
