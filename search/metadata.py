"""Read a document's metadata: title, publication date, actors, source and url.

What the user states (a sidecar NAME.meta.json or front matter) wins; otherwise the title
is the page's headline or the first line that is not chrome, the date comes from the page's
metadata or the clean text (dates.py), and the actors from the clean text (actors.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .actors import Gazetteer, acting_actors, slug
from .cleaning import CleanText, looks_like_headline
from .dates import as_datetime, parse_given_date, text_date
from .models import Actor, GivenMetadata

MAX_TITLE_CHARS = 120


@dataclass(frozen=True)
class Metadata:
    """What a document is, beyond its text."""

    title: str
    date: datetime | None
    actors: tuple[Actor, ...]
    source: str = ""
    url: str = ""
    warnings: tuple[str, ...] = ()


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


def given_actors(names: tuple[str, ...], gazetteer: Gazetteer) -> tuple[Actor, ...]:
    """The actors a user names: gazetteer actors by any alias, anyone else as a person."""
    actors = []
    for name in names:
        actor_id = gazetteer.resolve(name)
        actors.append(gazetteer.actors[actor_id] if actor_id else Actor(slug(name), name, "person"))
    return tuple(dict.fromkeys(actors))


def extract_metadata(
    clean: CleanText,
    given: GivenMetadata,
    gazetteer: Gazetteer,
    *,
    document: str,
    fallback_date: date | None = None,
    today: date | None = None,
) -> Metadata:
    """Title, date and actors of a cleaned document; what the user gives overrides what is found."""
    warnings = []
    title = shorten(given.title) if given.title else extract_title(clean)
    published = None
    if given.date is not None:
        published = parse_given_date(given.date)
        if published is None:
            warnings.append(f"{document}: given date {given.date!r} not understood or implausible; ignored")
    published = published or clean.page_date or text_date(clean.lines, today) or fallback_date
    if given.actors is not None:
        actors = given_actors(given.actors, gazetteer)
    else:
        actors = acting_actors(title, clean.lines, gazetteer)
    return Metadata(
        title=title,
        date=as_datetime(published),
        actors=actors,
        source=given.source or "",
        url=given.url or "",
        warnings=tuple(warnings),
    )
