"""Open an index and query it: the entry point for apps and for the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import parse_user_date
from .engine import EngineIndex, SearchRequest
from .errors import BadInputError, DocumentNotFoundError, QueryError
from .models import (
    ACTOR_TYPES,
    EXPORT_PAGE,
    FACETS,
    MAX_LIMIT,
    MAX_NODES,
    MAX_SERIES,
    PERIODS,
    SORTS,
    SPLITS,
    Actor,
    Associations,
    BatchQuery,
    BatchResult,
    Copy,
    Document,
    FacetCount,
    Fragment,
    IndexStats,
    Network,
    Ranking,
    Results,
    Timeline,
)

if TYPE_CHECKING:
    from .gazetteer import Gazetteer, KnownActors

EXACT_ACTOR = "="  # an actor filter '=ID' means that actor id alone, never the others of its name

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

    def __init__(self, index_dir: Path | str | Sequence[Path | str], ranking: Ranking | None = None) -> None:
        """One index folder, or several searched as one (in the order given)."""
        given = Path(index_dir) if isinstance(index_dir, str | Path) else [Path(f) for f in index_dir]
        self._engine = EngineIndex(given, actors=self, ranking=ranking)
        self._known: KnownActors | None = None

    @property
    def index_dir(self) -> Path:
        """The folder the index lives in (the first, of several searched as one)."""
        return self._engine.index_dir

    @property
    def index_dirs(self) -> tuple[Path, ...]:
        """The folders of the indexes searched as one (a single index's alone)."""
        return self._engine.index_dirs

    def _where(self) -> str:
        """Where a document was looked for, as an error says it."""
        if len(self.index_dirs) == 1:
            return f"the index at {self.index_dir}"
        return "the indexes at " + ", ".join(str(index_dir) for index_dir in self.index_dirs)

    @property
    def ranking(self) -> Ranking:
        """How this opened index ranks documents."""
        return self._engine.ranking

    @property
    def corpus_root(self) -> str | None:
        """The corpus folder the index was last built from."""
        return self._engine.corpus_root

    @property
    def corpus_roots(self) -> tuple[str, ...]:
        """The corpus folders the indexes searched were last built from, in their order."""
        return self._engine.corpus_roots

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer the index was built with (ours and the user's files); loading is cached."""
        from .gazetteer import load_gazetteer  # imported when an actor is named: a plain query never needs it

        return load_gazetteer(Path(f) for f in self._engine.actors_files)

    def actor_ids(self, name: str) -> tuple[str, ...]:
        """Every actor id a name, id or alias may mean among the index's actors (gazetteer.actor_ids);
        '=ID' means that id alone (a facet's value: 'obama' as a name also means Barack and Michelle
        Obama, every person of that surname)."""
        if name.strip().startswith(EXACT_ACTOR):
            return (name.strip()[len(EXACT_ACTOR) :].strip(),)
        from .gazetteer import KnownActors, actor_ids

        table = self._engine.known_actors()
        if self._known is None or self._known.table is not table:
            self._known = KnownActors.of(table)
        return actor_ids(name, self.gazetteer, self._known)

    def actor_names(self) -> tuple[str, ...]:
        """The names of the index's actors, sorted: what a shell completes --actor with."""
        return tuple(sorted({name for name, _ in self._engine.known_actors().values()}, key=str.casefold))

    def source_names(self) -> tuple[str, ...]:
        """The index's outlets, sorted: what a shell completes --source with."""
        return tuple(sorted((count.value for count in self.sources(limit=MAX_LIMIT)), key=str.casefold))

    def find_actor(self, name: str) -> Actor:
        """The actor of the index a name, an id or an alias means (the first of actor_ids the index
        knows); BadInputError when no document names one."""
        table = self._engine.known_actors()
        for actor_id in self.actor_ids(name):
            if actor_id in table:
                return Actor(actor_id, *table[actor_id])
        raise BadInputError(f"no document of the index names an actor {name!r}")

    def user_actors_file(self) -> Path:
        """The actors file the user's changes go to: the last one the index was built with, else
        actors.toml in the corpus folder. Several indexes searched together have no one such file."""
        if len(self.index_dirs) > 1:
            raise BadInputError("several indexes searched together have no one actors file: name one")
        files = self._engine.manifest.cleaner.actors_files
        if files:
            return Path(files[-1])
        if not self.corpus_root:
            raise BadInputError(
                "the index has no corpus folder to keep an actors.toml in: name an actors file"
            )
        return Path(self.corpus_root) / "actors.toml"

    def merge_actors(
        self, into: str, merged: str, actors_file: Path | None = None
    ) -> tuple[Actor, Actor, Path]:
        """Join one actor into another (both named by any alias): an entry in the user's actors file,
        applied by the next indexing run. Returns both actors and the file."""
        from .gazetteer import user_entry

        target, joined = self.find_actor(into), self.find_actor(merged)
        if target.id == joined.id:
            raise BadInputError(f"{into!r} and {merged!r} are one actor already: {target.name}")
        entry = user_entry(target.id, name=target.name, type=target.type, merge=[joined.id])
        return target, joined, self._record_actor(entry, actors_file)

    def rename_actor(self, name: str, new_name: str, actors_file: Path | None = None) -> tuple[Actor, Path]:
        """Show an actor under another name, from the next indexing run on; returns it and the file."""
        from .gazetteer import slug, user_entry

        if not slug(new_name):
            raise BadInputError(f"{new_name!r} has no letter or digit to name an actor by")
        actor = self.find_actor(name)
        return actor, self._record_actor(
            user_entry(actor.id, name=new_name.strip(), type=actor.type), actors_file
        )

    def mark_not_actor(self, name: str, actors_file: Path | None = None) -> tuple[Actor, Path]:
        """Mark what the tagger took for an actor ("Feinstein Says") as none, from the next indexing
        run on; returns it and the file."""
        from .gazetteer import user_entry

        actor = self.find_actor(name)
        return actor, self._record_actor(user_entry(actor.id, name=actor.name, not_actor=True), actors_file)

    def _record_actor(self, entry: str, actors_file: Path | None) -> Path:
        """Add an entry to the given actors file, else the corpus folder's; returns the file."""
        from .gazetteer import add_user_entries

        path = actors_file or self.user_actors_file()
        add_user_entries(path, entry)
        return path

    def __len__(self) -> int:
        return self._engine.document_count()

    def search(
        self,
        query: str | None,
        *,
        limit: int = 10,
        offset: int = 0,
        actors: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
        sort: str = "relevance",
        facets: Iterable[str] = (),
        main_actors: bool = False,
        feedback: bool | None = None,
        all_copies: bool = False,
        within_ids: Iterable[str] | None = None,
    ) -> Results:
        """Rank the documents matching `query` (None: all), narrowed to every actor given, to any of the
        outlets given, to any of the document types given ('statement', 'article') and to the dates.

        Words are ORed, documents holding all of them rank first. since/until take dates or
        '2012', '2012-03', '2012-03-23', inclusive. sort is relevance, date or -date (undated
        documents last) or title; without a query, newest first. facets may ask for 'actor' and
        'year' counts over all matches, and 'source' counts per outlet (the 100 most frequent actors
        and outlets); with main_actors, the actor facet counts main actors only. An outlet is named
        in any case ('cnn'), or by words of its name.
        feedback=False turns pseudo-relevance feedback off for this search (None: as the index's
        ranking says).
        Copies of one story (a wire story carried by several outlets) are one hit, the earliest dated,
        with the others as its copies; all_copies=True lists each as a hit. total counts every matching
        document; distinct counts a copy group once. within_ids keeps the documents of those ids only.
        """
        return self._engine.search(
            self.request(
                query,
                limit=limit,
                offset=offset,
                actors=actors,
                sources=sources,
                types=types,
                since=since,
                until=until,
                sort=sort,
                facets=facets,
                main_actors=main_actors,
                feedback=feedback,
                all_copies=all_copies,
                within_ids=within_ids,
            )
        )

    def matching_ids(
        self,
        query: str | None,
        *,
        actors: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
    ) -> list[str]:
        """The ids of every document a search matches (its query, or its filters alone), unranked and
        without snippets: what an app or a saved search needs to know of a match."""
        request = self.request(query, actors=actors, sources=sources, since=since, until=until, types=types)
        return self._engine.matching_ids(request)

    def timeline(
        self,
        query: str | None = None,
        *,
        actors: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
        by: str = "month",
        split_by: str | None = None,
        top: int = 5,
    ) -> Timeline:
        """How many documents match per day, week, month or year (by), narrowed as search() narrows:
        every period from `since` (else the first dated match) to `until` (else the last), empty ones
        as 0, undated documents counted apart. split_by='actor' or 'source' also counts the matches
        of the `top` actors or outlets most frequent among them. Counted from the index's date
        column, never by loading hits."""
        if by not in PERIODS:
            raise BadInputError(f"a timeline counts by {', '.join(PERIODS)}, not {by!r}")
        if split_by is not None and split_by not in SPLITS:
            raise BadInputError(f"a timeline splits by {' or '.join(SPLITS)}, not {split_by!r}")
        if not isinstance(top, int) or not 1 <= top <= MAX_SERIES:
            raise BadInputError(f"top must be between 1 and {MAX_SERIES}, not {top}")
        request = self.request(query, actors=actors, sources=sources, since=since, until=until, types=types)
        return self._engine.timeline(request, by, split_by, top)

    def request(
        self,
        query: str | None,
        *,
        limit: int = 10,
        offset: int = 0,
        actors: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
        sort: str = "relevance",
        facets: Iterable[str] = (),
        main_actors: bool = False,
        feedback: bool | None = None,
        all_copies: bool = False,
        within_ids: Iterable[str] | None = None,
    ) -> SearchRequest:
        """The engine's request for a search's arguments, checked: BadInputError or QueryError in our
        words for anything that cannot be searched (for the library's own stages: saved searches)."""
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
        sources = (sources,) if isinstance(sources, str) else tuple(sources)
        types = (types,) if isinstance(types, str) else tuple(types)
        if not all(isinstance(name, str) and name.strip() for name in (*actors, *sources, *types)):
            raise BadInputError("actors, outlets and document types are named by non-empty text")
        unknown = [f for f in facets if f not in FACETS]
        if unknown:
            raise BadInputError(f"unknown facet {unknown[0]!r}: use {', '.join(FACETS)}")
        first, last = _bound(since, last=False), _bound(until, last=True)
        if first and last and first > last:
            raise BadInputError(f"the first date, {first}, is after the last, {last}")
        return SearchRequest(
            query=query.strip() if query else None,
            limit=limit,
            offset=offset,
            actors=tuple(dict.fromkeys((name, self.actor_ids(name)) for name in actors)),
            sources=tuple(dict.fromkeys(name.strip() for name in sources)),
            types=tuple(dict.fromkeys(" ".join(kind.casefold().split()) for kind in types)),
            since=first,
            until=last,
            sort=sort,
            facets=facets,
            main_actors=bool(main_actors),
            feedback=self.ranking.feedback if feedback is None else bool(feedback),
            fold_copies=not all_copies,
            within_ids=None if within_ids is None else tuple(within_ids),
        )

    def pages(
        self,
        query: str | None,
        *,
        page_size: int = EXPORT_PAGE,
        actors: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
        sort: str = "relevance",
        feedback: bool | None = None,
        all_copies: bool = False,
        within_ids: Iterable[str] | None = None,
    ) -> Iterator[Results]:
        """Every hit of a search, page_size at a time, in rank order, as search() ranks them: an export
        of any size holds one page of hits. The first page carries the total and notes; there is always
        one.

        The search is ranked once, on the index as it is when the first page is asked for: an indexing
        run meanwhile changes no page (the documents' order is kept, a few bytes each, not their hits).
        """
        if not isinstance(page_size, int) or not 1 <= page_size <= MAX_LIMIT:
            raise BadInputError(f"page_size must be between 1 and {MAX_LIMIT}, not {page_size}")
        request = self.request(
            query, limit=1, actors=actors, sources=sources, since=since, until=until, types=types,
            sort=sort, feedback=feedback, all_copies=all_copies, within_ids=within_ids,
        )  # fmt: skip
        return self._engine.pages(request, page_size)

    def batch(
        self,
        queries: Iterable[BatchQuery],
        *,
        limit: int = 10,
        actors: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
    ) -> Iterator[BatchResult]:
        """Each query's total and best `limit` hits, narrowed alike, one after the other; a query that
        cannot be read gives its error, and the others still run."""
        for query in queries:
            try:
                results = self.search(
                    query.query,
                    limit=limit,
                    actors=actors,
                    sources=sources,
                    since=since,
                    until=until,
                    types=types,
                )
            except QueryError as error:
                yield BatchResult(query, None, str(error))
            else:
                yield BatchResult(query, results)

    def similar(self, document_id: str, *, limit: int = 10, index: int | None = None) -> Results:
        """The documents most like one (more-like-this over the key terms of its body). Of several
        indexes, index (counted from 1, as a Hit's index says) names the one holding it."""
        if not 1 <= limit <= MAX_LIMIT:
            raise BadInputError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        results = self._engine.similar(document_id, limit, index)
        if results is None:
            raise DocumentNotFoundError(f"no document {document_id!r} in {self._where()}")
        return results

    def stats(self) -> IndexStats:
        """Documents, distinct terms, size on disk, last update, corpus root and versions."""
        return self._engine.stats()

    def document(self, document_id: str, *, index: int | None = None) -> Document:
        """One document by its id (its path relative to the corpus root). Of several indexes, index
        (counted from 1, as a Hit's index says) names the one holding it: two may hold the same id."""
        document = self._engine.document(document_id, index)
        if document is None:
            raise DocumentNotFoundError(f"no document {document_id!r} in {self._where()}")
        return document

    def highlight(self, text: str, query: str) -> Fragment:
        """A text (a document's body) as one Fragment whose highlights are where the words of a query
        stand, as a hit's snippets mark them: what a reader of the whole document wants marked."""
        return self._engine.marked(text, query)

    def copies(self, document_id: str, *, index: int | None = None) -> tuple[Copy, ...]:
        """The other documents that are copies of the same story as one (a syndicated story's other
        outlets), oldest first; none when it has no copy. Of several indexes, index (counted from 1)
        names the one holding it; its copies are in the same one."""
        copies = self._engine.copies(document_id, index)
        if copies is None:
            raise DocumentNotFoundError(f"no document {document_id!r} in {self._where()}")
        return copies

    def actors(
        self,
        query: str | None = None,
        *,
        type: str | None = None,
        limit: int = 50,
        since: DateBound = None,
        until: DateBound = None,
        main: bool = False,
    ) -> tuple[FacetCount, ...]:
        """Actors with the number of documents naming them, over all documents or a query's hits;
        with main, the number of documents where each is a main actor."""
        if type is not None and type not in ACTOR_TYPES:
            raise BadInputError(f"unknown actor type {type!r}: use {', '.join(ACTOR_TYPES)}")
        request = self.request(query, limit=1, since=since, until=until, facets=("actor",), main_actors=main)
        results = self._engine.search(replace(request, facet_limit=limit, actor_type=type))
        return results.facets["actor"]

    def actors_with(
        self,
        actor: str,
        query: str | None = None,
        *,
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
        type: str | None = None,
        limit: int = 50,
        min_count: int = 2,
    ) -> Associations:
        """The actors named in the same documents as `actor` (any name, id or alias), among all documents
        or a query's matches narrowed as search() narrows, each in at least min_count of them: how many
        of those documents name it (count), how many of the matches do (background), and its JLH score
        against the matches, best first. Associations.documents counts the documents naming `actor`."""
        _check_counts(limit, min_count)
        if not isinstance(actor, str) or not actor.strip():
            raise BadInputError("name the actor the others are named with")
        if type is not None and type not in ACTOR_TYPES:
            raise BadInputError(f"unknown actor type {type!r}: use {', '.join(ACTOR_TYPES)}")
        request = self.request(query, sources=sources, since=since, until=until, types=types)
        named = (actor.strip(), self.actor_ids(actor))
        return self._engine.associated_actors(
            request, named, min_count=min_count, limit=limit, actor_type=type
        )

    def terms(
        self,
        query: str | None = None,
        *,
        actors: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
        limit: int = 20,
        min_count: int = 3,
        of: str = "words",
    ) -> Associations:
        """What is unusual in a search's matches: the words and two-word phrases (of="actors": the actors)
        over-represented in them against the whole index, each in at least min_count matches, by JLH
        score (Elasticsearch's significant_terms default), best first. Stop words and the query's own
        words never appear; a word is shown as the matches mostly write it."""
        _check_counts(limit, min_count)
        if of not in ("words", "actors"):
            raise BadInputError(f"terms are of words or actors, not {of!r}")
        request = self.request(query, actors=actors, sources=sources, since=since, until=until, types=types)
        return self._engine.unusual(request, actors=of == "actors", min_count=min_count, limit=limit)

    def network(
        self,
        query: str | None = None,
        *,
        actors: Iterable[str] = (),
        sources: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
        types: Iterable[str] = (),
        nodes: int = 100,
        min_count: int = 2,
        progress: Callable[[int, int], None] | None = None,
    ) -> Network:
        """Who appears with whom in all documents or a search's matches: the `nodes` actors most often
        named (with their types and document counts) and each pair of them named together in at least
        min_count documents. Memory stays bounded however many documents match; progress, when given,
        is told the documents counted so far and their number."""
        if not isinstance(nodes, int) or not 2 <= nodes <= MAX_NODES:
            raise BadInputError(f"a network holds between 2 and {MAX_NODES} actors, not {nodes}")
        _check_counts(1, min_count)
        request = self.request(query, actors=actors, sources=sources, since=since, until=until, types=types)
        return self._engine.network(request, nodes=nodes, min_count=min_count, progress=progress)

    def sources(
        self,
        query: str | None = None,
        *,
        limit: int = 50,
        actors: Iterable[str] = (),
        since: DateBound = None,
        until: DateBound = None,
    ) -> tuple[FacetCount, ...]:
        """Outlets with the number of documents from each, over all documents or a query's hits, most
        first (documents without an outlet count for none)."""
        request = self.request(query, limit=1, actors=actors, since=since, until=until, facets=("source",))
        return self._engine.search(replace(request, facet_limit=limit)).facets["source"]


def _check_counts(limit: int, min_count: int) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadInputError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if not isinstance(min_count, int) or min_count < 1:
        raise BadInputError(f"the minimum count is a whole number of documents, 1 or more, not {min_count}")


MAX_BATCH_BYTES = 100 * 1024 * 1024  # a batch file larger than this is refused before it is read


def read_batch(path: Path | str) -> list[BatchQuery]:
    """The queries of a batch file: one a line, `name<TAB>query` to name one; blank lines and lines
    starting with '#' skipped. A file that is not UTF-8 text is a BadInputError, before any query runs."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BATCH_BYTES:
            raise BadInputError(
                f"{path}: larger than {MAX_BATCH_BYTES // 1024 // 1024} MB: not a batch of queries"
            )
        raw = path.read_bytes()
    except OSError as error:
        raise BadInputError(f"cannot read the batch file {path}: {error.strerror or error}") from None
    if b"\0" in raw:
        raise BadInputError(f"{path} is binary, not a text file of queries")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = raw[: error.start].count(b"\n") + 1
        raise BadInputError(f"{path} is not UTF-8 text (line {where}): save it as UTF-8") from None
    return batch_queries(text.splitlines())


def batch_queries(lines: Iterable[str]) -> list[BatchQuery]:
    """The queries of a batch's lines (read_batch()), numbered from 1: `name<TAB>query` names one;
    blank lines and lines starting with '#' are skipped."""
    queries = []
    for number, line in enumerate(lines, 1):
        name, tab, query = line.partition("\t")
        name, query = (name.strip(), query.strip()) if tab else (line.strip(), line.strip())
        if query and not line.lstrip().startswith("#"):
            queries.append(BatchQuery(name or query, query, number))
    return queries


def open_index(index_dir: Path | str | Sequence[Path | str], ranking: Ranking | None = None) -> SearchIndex:
    """Open the index in index_dir for searching, ranking as ranking says (None: the defaults); raises
    IndexNotFoundError if there is none. Given several folders, their indexes are searched as one:
    ranked with the statistics of all their documents together (as one index holding them all would
    rank them), facets and timelines counting them all; a document id found in more than one of them
    is AmbiguousDocumentError where one document is asked for."""
    if isinstance(index_dir, (str, Path)):
        return SearchIndex(Path(index_dir), ranking)
    folders = [Path(folder) for folder in index_dir]
    if not folders:
        raise BadInputError("no index folder to open")
    return SearchIndex(folders[0] if len(folders) == 1 else folders, ranking)
