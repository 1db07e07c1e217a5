"""What a search asks of the engine and what it matched, passed between EngineIndex's steps: the request
(SearchRequest), the match before ranking (_Match), a ranking with what its results say besides hits
(_Ranked), a match as an array (_Matched); and who resolves actor names (ActorResolver).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from whoosh.query import Or, Query, Term

from ..models import Results, UnknownActor, UnknownSource
from .highlight import Marks
from .matches import DocumentSet, IntArray, Scores
from .query import ParsedQuery
from .sources import outlets_named, with_outlets_resolved

FACET_LIMIT = 100  # actors or outlets a facet lists, most frequent first (41,578 articles name 131,804)


def _any_actor(actor_ids: tuple[str, ...], boost: float = 1.0) -> Query:
    """Documents naming any of the actors."""
    terms = [Term("actors", actor_id, boost=boost) for actor_id in actor_ids]
    return terms[0] if len(terms) == 1 else Or(terms, boost=boost)


@dataclass(frozen=True)
class SearchRequest:
    """A query and what narrows, orders and pages its results; the engine builds Whoosh objects from it."""

    query: str | None  # None: every document
    limit: int = 10
    offset: int = 0
    actors: tuple[
        tuple[str, tuple[str, ...]], ...
    ] = ()  # (as given, the ids it may mean): each must be named
    since: date | None = None
    until: date | None = None
    sort: str = "relevance"  # relevance, date (oldest first), -date (newest first) or title; undated last
    facets: tuple[str, ...] = ()  # "actor", "source", "year"
    main_actors: bool = False  # the actor facet counts each document's main actors only
    actor_type: str | None = None  # the actor facet counts actors of this type only
    facet_limit: int | None = FACET_LIMIT  # the most values a facet of actors or outlets keeps (None: all)
    sources: tuple[str, ...] = ()  # outlets as the user named them: every match comes from one of them
    types: tuple[str, ...] = ()  # document types (article, statement, ...): every match is one of them
    feedback: bool = True  # pseudo-relevance feedback where the ranking's rule expects it to help
    fold_copies: bool = True  # one hit a copy group (copies.py), its other matches as the hit's copies
    within_ids: tuple[str, ...] | None = None  # every match is one of these documents (None: any)


def _with_outlets(parsed: ParsedQuery, outlets: list[str]) -> ParsedQuery:
    """The parsed query with each source: clause's name replaced by the outlets it means."""
    if not outlets:
        return parsed

    def named(name: str) -> tuple[str, ...]:
        return outlets_named(name, outlets)

    return replace(
        parsed,
        scored=with_outlets_resolved(parsed.scored, named) if parsed.scored is not None else None,
        filters=tuple(with_outlets_resolved(f, named) for f in parsed.filters),
    )


@dataclass(frozen=True)
class _Match:
    """What a request matches before it is ranked: the query as run, its words' scores (None when
    Whoosh scores it), the filters, the matching documents (None: every one) and what was noted."""

    parsed: Query
    scored: Scores | None
    narrowing: Query | None
    matched: DocumentSet | None
    notes: tuple[str, ...]
    unknown_actors: tuple[UnknownActor, ...] = ()
    unknown_sources: tuple[UnknownSource, ...] = ()


@dataclass(frozen=True)
class _Ranked:
    """A request ranked: its results without hits (total, facets, suggestions, notes), the documents in
    order with their scores, and the words their passages mark."""

    head: Results
    ranked: list[tuple[int, float]]
    words: Marks
    copies: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # collapse.Folded.copies


@dataclass(frozen=True)
class _Matched:
    """A request's match (None when its query holds no word) and its documents as an array."""

    match: _Match | None
    docs: IntArray  # ascending
    notes: tuple[str, ...]

    @property
    def unknown_actors(self) -> tuple[UnknownActor, ...]:
        return self.match.unknown_actors if self.match is not None else ()

    @property
    def unknown_sources(self) -> tuple[UnknownSource, ...]:
        return self.match.unknown_sources if self.match is not None else ()


class ActorResolver(Protocol):
    """What the engine asks of whoever knows the actors' names (the gazetteer and the index's actors)."""

    def actor_ids(self, name: str) -> tuple[str, ...]:
        """Every actor id a user may mean by a name, an id or an alias."""


class _ByIdOnly:
    """Actors named by their ids alone: the engine on its own, without a gazetteer."""

    def actor_ids(self, name: str) -> tuple[str, ...]:
        return (name.strip().lower(),)
