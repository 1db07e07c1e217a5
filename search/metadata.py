"""Read a document's metadata: title, publication date, actors, source and url.

What the user states (a sidecar NAME.meta.json or front matter) wins; otherwise the title
is the page's headline or the first line that is not chrome, the date comes from the page's
metadata or the clean text (dates.py), and the actors from the clean text (actors.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from .actors import actor_named, find_actors, name_type
from .cleaning import CleanText
from .dates import as_datetime, parse_given_date, text_date
from .gazetteer import Gazetteer
from .lines import looks_like_headline
from .models import Actor, Document, GivenMetadata, SkippedFile, SourceFile

# A press statement says it is one: a label line at its head ("PRESS STATEMENT", "Policy Statement: ...",
# "FOR IMMEDIATE RELEASE") or a title "Statement by/from ...". A headline that reports on a statement
# ("Joint statement deplores ...") is no label: on 20,000 AllSides news stories the rules call one a
# statement, the White House's "Statement from President Donald J. Trump on Saudi Arabia".
STATEMENT_LABEL = re.compile(
    r"^\W*(?:(?:press|policy|joint|media|official|news)\s+(?:statement|release)s?\s*(?:$|[:|\-–—])"
    r"|for immediate release\b)",
    re.IGNORECASE,
)
# A label line alone ("PRESS STATEMENT", "For Immediate Release") says what the document is, not what it
# is about: the headline is the next line that can be one.
LABEL_ONLY = re.compile(
    r"\W*(?:(?:press|policy|joint|media|official|news)\s+(?:statement|release)s?|for immediate release)\W*",
    re.IGNORECASE,
)
STATEMENT_TITLE = re.compile(r"^\W*statement\s+(?:by|from)\s+(?:the\s+)?[A-Z@]", re.IGNORECASE)
HEAD_LINES = 3  # the lines of a story's head a label may stand in


@dataclass(frozen=True)
class Metadata:
    """What a document is, beyond its text."""

    title: str
    date: datetime | None
    actors: tuple[Actor, ...]
    source: str = ""
    url: str = ""
    authors: tuple[str, ...] = ()
    date_source: str = ""  # models.DATE_SOURCES
    actors_given: bool = False
    type: str = "article"
    warnings: tuple[str, ...] = ()


def extract_title(clean: CleanText) -> str:
    """The page's declared headline, else the first line that can be one (not chrome, a byline or a
    dateline), whole: a title is never cut or made up (only a terminal shortens it for display)."""
    if clean.page_title:
        return clean.page_title
    return next(
        (line for line in clean.lines if looks_like_headline(line) and not LABEL_ONLY.fullmatch(line)), ""
    )


def document_type(title: str, lines: tuple[str, ...] | list[str], given: str | None) -> str:
    """The type a user states (lowercased), else "statement" for a document that labels itself a press
    statement or release, else "article"."""
    if given and given.strip():
        return " ".join(given.casefold().split())
    head = (title, *lines[:HEAD_LINES])
    if STATEMENT_TITLE.match(title) or any(STATEMENT_LABEL.match(line) for line in head):
        return "statement"
    return "article"


def given_actors(names: tuple[str, ...], gazetteer: Gazetteer) -> tuple[Actor, ...]:
    """The actors a user names, each a main actor: gazetteer actors by any alias; anyone else typed
    as the tagger reads the name alone ("Senate Judiciary Committee" is an organisation)."""
    actors: dict[str, Actor] = {}
    for name in names:
        known = gazetteer.resolve(name) or ""
        entry = gazetteer.actors.get(known)
        # The tagger (0.3 ms a name) only for a name whose type the gazetteer does not say.
        kind = entry.type if entry is not None and entry.type else name_type(name)
        actor = replace(actor_named(name, kind, gazetteer, known), weight=1.0, main=True)
        if actor.id and not gazetteer.is_not_an_actor(actor):
            actors.setdefault(actor.id, actor)
    return tuple(actors.values())


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
    title = " ".join(given.title.split()) if given.title else extract_title(clean)
    published: date | None = None
    date_source = ""
    if given.date is not None:
        published = parse_given_date(given.date)
        if published is None:
            warnings.append(f"{document}: given date {given.date!r} not understood or implausible; ignored")
        date_source = given.given_by
    if published is None and clean.page_date is not None:
        published, date_source = clean.page_date, "metadata"
    if published is None:
        published, date_source = text_date(clean.lines, title, today) or (None, "")
    if published is None and fallback_date is not None:
        published, date_source = fallback_date, "mtime"
    if given.actors is not None:
        actors = given_actors(given.actors, gazetteer)
    else:
        actors = find_actors(title, clean.lines, gazetteer)
    return Metadata(
        title=title,
        date=as_datetime(published),
        actors=actors,
        source=given.source or clean.page_site,
        url=given.url or "",
        authors=given.authors or (),
        date_source=date_source if published is not None else "",
        actors_given=given.actors is not None,
        type=document_type(title, clean.lines, given.type),
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class MetadataOptions:
    """What metadata extraction needs beyond the document: the gazetteer, and the mtime choice."""

    gazetteer: Gazetteer
    date_from_mtime: bool = False


def _day_of(mtime: float) -> date | None:
    """A file time's day, None when no date can hold it (a file dated past the year 9999 by a bad
    clock: datetime refuses it, and the run stopped)."""
    try:
        return datetime.fromtimestamp(mtime).date()
    except (ValueError, OverflowError, OSError):
        return None


def make_document(
    source: SourceFile, cleaned: CleanText, options: MetadataOptions
) -> tuple[Document | SkippedFile, tuple[str, ...]]:
    """A document from a source file and its clean text, with any warnings; no text left means skipped."""
    if not cleaned.lines:
        return SkippedFile(source.path, "no text left after cleaning"), source.warnings
    mtime_date = _day_of(source.mtime) if options.date_from_mtime else None
    metadata = extract_metadata(
        cleaned, source.given, options.gazetteer, document=source.path, fallback_date=mtime_date
    )
    document = Document(
        id=source.path,
        path=source.path,
        title=metadata.title,
        body=cleaned.text,
        date=metadata.date,
        actors=metadata.actors,
        source=metadata.source,
        url=metadata.url,
        authors=metadata.authors,
        type=metadata.type,
        date_source=metadata.date_source,
        actors_given=metadata.actors_given,
        size=source.size,
        mtime=source.mtime,
        content_hash=source.content_hash,
    )
    return document, source.warnings + metadata.warnings


def refreshed_actors(document: Document, gazetteer: Gazetteer) -> tuple[Actor, ...]:
    """A document's actors under a changed gazetteer (the user's actors files), from what the index
    stores, reading no file: found actors are found again in its title and clean text; the user's own
    are taken through the gazetteer's merges, renames and what is marked not an actor."""
    if document.actors_given:
        return given_actors(tuple(actor.name for actor in document.actors), gazetteer)
    return find_actors(document.title, document.body.splitlines(), gazetteer)
