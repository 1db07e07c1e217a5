"""Open an index and query it: the entry point for apps and for the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from .dates import parse_user_date
from .engine import EngineIndex, SearchRequest
from .errors import BadInputError, DocumentNotFoundError, QueryError
from .models import ACTOR_TYPES, Document, FacetCount, IndexStats, Results

if TYPE_CHECKING:
    from .gazetteer import Gazetteer

MAX_LIMIT = 10_000
Sort = Literal["relevance", "date", "-date"]  # relevance, oldest first, newest first
Facet = Literal["actor", "year"]
SORTS: tuple[str, ...] = get_args(Sort)
FACETS: tuple[str, ...] = get_args(Facet)

DateBound = date | str | None


def _bound(value: DateBound, last: bool) -> date | None:
    """A date, or the first/last day of what '2012', '2012-03' or '2012-03-23' covers."""
    if value is None or isinstance(value, date):
        return value
    return parse_user_date(value)[1 if last else 0]


class SearchIndex:
    """A search index opened for reading.

    Each call reads the last committed state, so one opened index sees later indexing runs
    without being reopened, and may be shared by threads.
    """

    def __init__(self, index_dir: Path) -> None:
        self._engine = EngineIndex(Path(index_dir), resolve_actor=self.resolve_actor)

    @property
    def index_dir(self) -> Path:
        """The folder the index lives in."""
        return self._engine.index_dir

    @property
    def corpus_root(self) -> str | None:
        """The corpus folder the index was last built from."""
        return self._engine.corpus_root

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer the index was built with (ours and the user's files); loading is cached."""
        from .gazetteer import load_gazetteer  # imported when an actor is named: a plain query never needs it

        files = self._engine.manifest.cleaner.actors_files
        return load_gazetteer(Path(f) for f in files)

    def resolve_actor(self, name: str) -> str:
        """The canonical id of an actor named by id, name or alias; a person's id from their name."""
        from .gazetteer import slug

        return self.gazetteer.resolve(name) or slug(name)

    def __len__(self) -> int:
        return self._engine.document_count()

    def search(
        self,
        query: str | None,
        *,
        limit: int = 10,
        offset: int = 0,
        actors: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        sort: str = "relevance",
        facets: Iterable[str] = (),
    ) -> Results:
        """Rank the documents matching `query` (None: all), narrowed to every actor given and the dates.

        Words are ORed, documents holding all of them rank first. since/until take dates or
        '2012', '2012-03', '2012-03-23', inclusive. sort is relevance, date or -date (undated
        documents last). facets may ask for 'actor' and 'year' counts over all matches.
        """
        if query is not None and not isinstance(query, str):
            raise BadInputError(f"a query is text (or None for every document), not {type(query).__name__}")
        if query is not None and not query.strip():
            raise QueryError("empty query: give at least one word to search for")
        if not isinstance(limit, int) or not isinstance(offset, int):
            raise BadInputError("limit and offset are whole numbers")
        if not 1 <= limit <= MAX_LIMIT:
            raise BadInputError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if offset < 0:
            raise BadInputError(f"offset must be 0 or more, not {offset}")
        if sort not in SORTS:
            raise BadInputError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        facets = (facets,) if isinstance(facets, str) else tuple(facets)  # facets="actor" is one facet
        actors = (actors,) if isinstance(actors, str) else tuple(actors)
        unknown = [f for f in facets if f not in FACETS]
        if unknown:
            raise BadInputError(f"unknown facet {unknown[0]!r}: use {', '.join(FACETS)}")
        first, last = _bound(since, last=False), _bound(until, last=True)
        if first and last and first > last:
            raise BadInputError(f"the first date, {first}, is after the last, {last}")
        request = SearchRequest(
            query=query.strip() if query else None,
            limit=limit,
            offset=offset,
            actors=tuple(dict.fromkeys((name, self.resolve_actor(name)) for name in actors)),
            since=first,
            until=last,
            sort=sort,
            facets=facets,
        )
        return self._engine.search(request)

    def similar(self, document_id: str, *, limit: int = 10) -> Results:
        """The documents most like one (more-like-this over the key terms of its body)."""
        if not 1 <= limit <= MAX_LIMIT:
            raise BadInputError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        results = self._engine.similar(document_id, limit)
        if results is None:
            raise DocumentNotFoundError(f"no document {document_id!r} in the index at {self.index_dir}")
        return results

    def stats(self) -> IndexStats:
        """Documents, distinct terms, size on disk, last update, corpus root and versions."""
        return self._engine.stats()

    def document(self, document_id: str) -> Document:
        """One document by its id (its path relative to the corpus root)."""
        document = self._engine.document(document_id)
        if document is None:
            raise DocumentNotFoundError(f"no document {document_id!r} in the index at {self.index_dir}")
        return document

    def actors(
        self,
        query: str | None = None,
        *,
        type: str | None = None,
        limit: int = 50,
        since: DateBound = None,
        until: DateBound = None,
    ) -> tuple[FacetCount, ...]:
        """Actors with the number of documents naming them, over all documents or a query's hits."""
        if type is not None and type not in ACTOR_TYPES:
            raise BadInputError(f"unknown actor type {type!r}: use {', '.join(ACTOR_TYPES)}")
        results = self.search(query, limit=1, since=since, until=until, facets=("actor",))
        counts = [c for c in results.facets["actor"] if type is None or c.type == type]
        return tuple(counts[:limit])


def open_index(index_dir: Path | str) -> SearchIndex:
    """Open the index in index_dir for searching; raises IndexNotFoundError if there is none."""
    return SearchIndex(Path(index_dir))
