"""EngineIndex: an opened index, which runs our SearchRequest and answers Results, documents,
similar documents and statistics.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import whoosh.index
from whoosh import qparser
from whoosh.query import (
    And,
    DateRange,
    Every,
    NullQuery,
    Or,
    Phrase,
    Query,
    Term,
)

from ..errors import (
    AmbiguousDocumentError,
    BadInputError,
    IndexDamagedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    QueryError,
)
from ..models import (
    Associations,
    Copy,
    Document,
    FacetCount,
    Fragment,
    IndexManifest,
    IndexStats,
    Network,
    Ranking,
    Results,
    Timeline,
)
from . import patches
from .analysis import _WORD_RE, key_terms
from .catalog import read_catalog
from .checks import FIELD_RE, KNOWN_FIELDS, _as_plain_words, check_query_text
from .collapse import CopyGroups
from .expansion import expand_patterns
from .facets import ActorNames, FacetRequest, facet_counts
from .feedback import names_a_story, rerank_with_feedback
from .folder import (
    DAMAGE_ERRORS,
    _damaged,
    _manifest_path,
    _stamp,
    copy_table_stamp,
    numbering,
    numbers_hold,
    read_copy_table,
    read_manifest,
)
from .highlight import _highlighted_words, marked_text
from .hits import copy_of, hit_of, page_hits, stored_document
from .indexset import IndexSet
from .matches import NO_DOCUMENTS, DocumentSet, Scores
from .postings import (
    RobertsonBM25F,
    _scored_by_word_scores,
    _TermScores,
    _word_scores,
    matching_documents,
)
from .query import ParsedQuery, _lift_filters, _plain_words, query_parser, query_words
from .requests import (
    ActorResolver,
    SearchRequest,
    _any_actor,
    _ByIdOnly,
    _Match,
    _Matched,
    _Ranked,
    _with_outlets,
)
from .sources import (
    SOURCE_FIELD,
    any_outlet,
    source_values,
    unknown_outlets,
)
from .spelling import spelling_suggestions

if TYPE_CHECKING:
    from .columns import Columns, SharedCodes

log = logging.getLogger(__name__)

SIMILAR_TERMS = 12


def added_documents(index_dir: Path) -> list[Document]:
    """The documents apps added (not files), read from the index as committed, to outlive a rebuild.

    A damaged index yields what can be read, with a warning: a rebuild is how it is repaired.
    """
    ids = read_catalog(index_dir).app_ids()
    if not ids:
        return []
    try:
        opened = EngineIndex(index_dir)
        documents = [opened.document(doc_id) for doc_id in ids]
    except (IndexDamagedError, IndexNotFoundError, IndexNeedsRebuildError) as error:
        log.warning("the %d documents added by apps could not be kept: %s", len(ids), error)
        return []
    return [document for document in documents if document is not None]


# A document that only names an actor the query's words name ("ecowas": the Economic Community of West
# African States) matches with this share of the actor field's score: below any document with the words.
NAMED_ACTOR_BOOST = 0.01


def _same_folder(folder: Path) -> Path:
    """What tells two names of one folder apart from two folders (symbolic links followed)."""
    try:
        return folder.resolve()
    except OSError:
        return folder.absolute()


class EngineIndex:
    """An opened Whoosh index: parses and runs queries, returns our Results."""

    def __init__(
        self,
        index_dir: Path | Sequence[Path],
        actors: ActorResolver | None = None,
        ranking: Ranking | None = None,
    ) -> None:
        """One index folder, or several searched as one (indexset.IndexSet), in the order given."""
        patches.apply()
        given = (index_dir,) if isinstance(index_dir, Path) else tuple(index_dir)
        # A folder named twice (or two ways: ~/idx and /home/u/idx) would count each document twice.
        folders: dict[Path, Path] = {}
        for folder in given:
            folders.setdefault(_same_folder(folder), folder)
        self.index_dirs = tuple(folders.values())
        if not self.index_dirs:
            raise ValueError("no index folder to open")
        self.index_dir = self.index_dirs[0]
        self._manifest = read_manifest(self.index_dir)
        self._manifest_stamp = _stamp(_manifest_path(self.index_dir))
        for other in self.index_dirs[1:]:
            read_manifest(other)  # each must be an index this program can read
        self._local = threading.local()
        self._actor_names = ActorNames(self.index_dirs)
        self._shared_codes: SharedCodes | None = None  # made with the first columns (numpy)
        self._lock = threading.Lock()
        self._actors = actors if actors is not None else _ByIdOnly()
        if len(self.index_dirs) > 1:
            self._index: Any = IndexSet(self.index_dirs)
        else:
            try:
                self._index = whoosh.index.open_dir(str(self.index_dir))
            except DAMAGE_ERRORS as error:
                raise _damaged(self.index_dirs, error) from None
        self.ranking = ranking if ranking is not None else Ranking()
        self._parser = query_parser(self.ranking)
        self._stop_words_parser: qparser.QueryParser | None = None  # made for the first query of stop words
        self._weighting = RobertsonBM25F(B=self.ranking.b, K1=self.ranking.k1, title_B=self.ranking.title_b)

    @contextmanager
    def _current_searcher(self) -> Iterator[Any]:
        """This thread's searcher, brought up to the last commit; it stays open for the next call.

        Opening a searcher opens every segment's files and reads their headers (with the copies
        _ViewFile now avoids, 90 ms a query at 41,000 articles), so it is opened again only after
        a commit. Not with Whoosh's refresh(): it reuses the reader of a segment that gained
        deletions, and deleted documents kept matching. One a thread: Whoosh's readers share file
        positions.
        """
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or not searcher.up_to_date():
            if searcher is not None:
                searcher.close()
            searcher = self._local.searcher = self._index.searcher(weighting=self._weighting)
            self._local.term_scores = _TermScores(searcher)
            self._local.columns = None
            self._local.ids = {}
        yield searcher

    def _copy_groups(self, searcher: Any) -> CopyGroups:
        """A searcher's copy groups, read again when an indexing run has rewritten them."""
        stamp = tuple(copy_table_stamp(index_dir) for index_dir in self.index_dirs)
        cached = getattr(self._local, "copy_groups", None)
        if cached is None or cached[0] is not searcher or cached[1] != stamp:
            # Each index's groups of its own documents (an id may be in two).
            numbered: list[tuple[int, ...]] = []
            for position, index_dir in enumerate(self.index_dirs):
                table = read_copy_table(index_dir)
                if table is None:
                    continue
                start, segments = self._segments_within(searcher, position)
                if table.generation == self._generation_within(searcher, position) and numbers_hold(
                    table, segments
                ):  # as the run that wrote them numbered them, of the documents this searcher reads
                    numbered.extend(tuple(sorted(start + n for n in group)) for group in table.numbers)
                    continue
                for group in table.groups:
                    found = (self._docnum_within(searcher, position, document_id) for document_id in group)
                    numbered.append(tuple(sorted(docnum for docnum in found if docnum is not None)))
            cached = self._local.copy_groups = (searcher, stamp, CopyGroups(searcher, numbered))
        groups: CopyGroups = cached[2]
        return groups

    def _generation_within(self, searcher: Any, position: int) -> int | None:
        """The generation of the position-th index searched, as the searcher reads it: a copy table of
        another generation (one commit behind, while a run groups copies or after it stopped) may name
        documents since deleted, by number."""
        generation = searcher.reader().generation()
        return cast("int | None", generation[position] if isinstance(generation, tuple) else generation)

    def _segments_within(self, searcher: Any, position: int) -> tuple[int, tuple[tuple[str, int], ...]]:
        """Where the position-th index searched starts among the searcher's documents, and what numbers
        its documents (folder.numbering)."""
        from .columns import segments_of

        readers = segments_of(searcher.reader())
        if len(self.index_dirs) == 1:
            return 0, numbering(readers)
        start, end = searcher.reader().index_ranges[position]
        return start, numbering([(reader, offset) for reader, offset in readers if start <= offset < end])

    def _docnum_within(self, searcher: Any, position: int, document_id: str) -> int | None:
        """The document number of an id in the position-th index searched (its only one)."""
        if len(self.index_dirs) == 1:
            return cast("int | None", searcher.document_number(id=document_id))
        start, end = searcher.reader().index_ranges[position]
        return next((d for d in searcher.docs_for_query(Term("id", document_id)) if start <= d < end), None)

    def _docnum(self, searcher: Any, document_id: str, index: int | None = None) -> int | None:
        """The document number of an id; in the index-th of several (from 1) when given. Of several
        without one, AmbiguousDocumentError when more than one holds it (each folder's ids are paths
        within it: a.txt may be in two projects' folders)."""
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise BadInputError(f"index must be a number, not {index!r}")
            if not 1 <= index <= len(self.index_dirs):
                raise BadInputError(
                    f"index {index} names none of the {len(self.index_dirs)} searched: count them from 1"
                )
            return self._docnum_within(searcher, index - 1, document_id)
        if len(self.index_dirs) == 1:
            return cast("int | None", searcher.document_number(id=document_id))
        found = list(searcher.docs_for_query(Term("id", document_id)))
        if len(found) > 1:
            ranges = enumerate(zip(self.index_dirs, searcher.reader().index_ranges, strict=True), 1)
            holding = [(n, str(f)) for n, (f, (start, end)) in ranges if any(start <= d < end for d in found)]
            raise AmbiguousDocumentError(
                f"{document_id!r} names a document in indexes {' and '.join(str(n) for n, _ in holding)} "
                f"of the {len(self.index_dirs)} searched together ({', '.join(f for _, f in holding)}): "
                "say which to look in"
            )
        return found[0] if found else None

    def _columns(self, searcher: Any) -> Columns:
        """This thread's searcher's columns (dates, actors, outlets), read at their first use."""
        if self._local.columns is None:
            # (Read at their first use: a query without facets, filters or sorting never needs them.)
            from .columns import Columns, SharedCodes

            with self._lock:
                if self._shared_codes is None:
                    self._shared_codes = SharedCodes()
            self._local.columns = Columns(searcher, self._shared_codes)
        columns: Columns = self._local.columns
        return columns

    @property
    def manifest(self) -> IndexManifest:
        """The index's manifest, re-read when an indexing run has rewritten it since."""
        stamp = _stamp(_manifest_path(self.index_dir))
        if stamp != self._manifest_stamp:
            with suppress(IndexDamagedError, IndexNotFoundError):
                self._manifest = read_manifest(self.index_dir)
                self._manifest_stamp = stamp
        return self._manifest

    @property
    def corpus_root(self) -> str | None:
        """The corpus folder the index was last built from (the first index's, of several)."""
        return self.manifest.corpus_root

    @property
    def corpus_roots(self) -> tuple[str, ...]:
        """The corpus folders the indexes were last built from, in their order, each once."""
        if len(self.index_dirs) == 1:
            return (self.corpus_root,) if self.corpus_root else ()
        roots = (read_manifest(index_dir).corpus_root for index_dir in self.index_dirs)
        return tuple(dict.fromkeys(root for root in roots if root))

    @property
    def actors_files(self) -> tuple[str, ...]:
        """The user's actors files the indexes were built with, in order, each once."""
        if len(self.index_dirs) == 1:
            return self.manifest.cleaner.actors_files
        manifests = [read_manifest(index_dir) for index_dir in self.index_dirs]
        return tuple(dict.fromkeys(f for manifest in manifests for f in manifest.cleaner.actors_files))

    def document_count(self) -> int:
        """How many documents the index holds."""
        try:
            return int(self._index.doc_count())
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None

    def known_actors(self) -> dict[str, tuple[str, str]]:
        """The actors the index's documents name: id -> name and type (the same dict until a run
        rewrites the table)."""
        return self._actor_names.known()

    def parse(self, text: str) -> ParsedQuery:
        """Our query objects for a query string, and notes on what was read as plain words.

        An unknown field or a date the parser cannot read is a QueryError; an unbalanced quote or
        bracket, or a web address, is read as words, with a note saying so. Filter clauses (date:,
        actor:) that every match must satisfy come apart from the scored query.
        """
        text, notes = check_query_text(text)
        if not _WORD_RE.search(text):  # pasted punctuation ('+.', '-'): no error, and nothing matches
            return ParsedQuery(
                None, notes=(*notes, f"{text.strip()!r} holds no word to search for"), no_words=True
            )
        try:
            parsed = self._read(text)
        except QueryError:
            if any(match[1].lower() in KNOWN_FIELDS for match in FIELD_RE.finditer(text)):
                raise  # a field clause that cannot be read ('date:xyz') is the user's to fix
            # Text pasted from elsewhere ('operators like *, +.)'): every word of it is searched.
            text = _as_plain_words(text)
            parsed = self._read(text)
            notes += ("the query's syntax could not be read: searched for its words",)
        scored, filters = _lift_filters(parsed)
        filtering_actors = [
            leaf.text
            for f in filters
            for leaf in f.leaves()
            if isinstance(leaf, Term) and leaf.fieldname == "actors"
        ]
        filtering_sources = [
            leaf.text
            for f in filters
            for leaf in f.leaves()
            if isinstance(leaf, Term) and leaf.fieldname == SOURCE_FIELD
        ]
        scored, filters = self._resolve_actors(scored), [self._resolve_actors(f) for f in filters]
        return ParsedQuery(
            scored=scored.normalize() if scored is not None else None,
            filters=tuple(f.normalize() for f in filters if f is not None),
            notes=notes,
            actors=tuple((name, self._actors.actor_ids(name)) for name in dict.fromkeys(filtering_actors)),
            sources=tuple(dict.fromkeys(filtering_sources)),
        )

    def _read(self, text: str) -> Query:
        """The parsed query; one of stop words alone ('the who', 'to be') is searched as written."""
        parsed = self._parse_with(self._parser, text)
        if parsed.normalize() is NullQuery:
            self._stop_words_parser = self._stop_words_parser or query_parser(
                self.ranking, drop_stop_words=False
            )
            parsed = self._parse_with(self._stop_words_parser, text)
        for node in [parsed, *parsed.leaves()]:
            if getattr(node, "error", None):
                raise QueryError(f"cannot read the query {text!r}: {node.error}")
        return parsed

    @staticmethod
    def _parse_with(parser: qparser.QueryParser, text: str) -> Query:
        try:
            return parser.parse(text, normalize=False)
        except Exception as error:  # Whoosh raises a bare Exception for a bad date in a range
            raise QueryError(f"cannot read the query {text!r}: {error}") from None

    def _resolve_actors(self, query: Query | None) -> Query | None:
        """The query with each actor named by id, name or alias replaced by the ids it may mean."""
        if query is None:
            return None
        return query.accept(
            lambda node: (
                _any_actor(self._actors.actor_ids(node.text), node.boost)
                if type(node) is Term and node.fieldname == "actors"
                else node
            )
        )

    def _with_named_actors(
        self, query: Query, scores: Scores | None, text: str, searcher: Any
    ) -> tuple[Query, Scores | None, tuple[str, ...]]:
        """The query whose words or phrases that name a known actor ("ecowas", "African Union") also
        match the documents naming that actor without writing those words, with its _scores() and a
        note for each; the query and `scores` (its _scores()) as they were when that adds no document."""
        analyzer = self._parser.schema["body"].analyzer
        named = {}
        for written, actor_id, name in self._actor_names.named_in(text):
            words = tuple(token.text for token in analyzer(written))
            if words and searcher.doc_frequency("actors", actor_id):
                named[words] = (written, actor_id, name)
        used: dict[str, str] = {}

        def expand(node: Query) -> Query:
            if type(node) in (Term, Phrase) and node.fieldname == "body":
                words = (node.text,) if type(node) is Term else tuple(node.words)
                if words in named:
                    written, actor_id, name = named[words]
                    used[actor_id] = f"{written!r} also matched documents naming the actor {name}"
                    return Or([node, Term("actors", actor_id, boost=NAMED_ACTOR_BOOST)])
            return node

        expanded = query.accept(expand) if named else query
        if not used:
            return query, scores, ()
        wider = self._scores(expanded)
        if self._matches(expanded, wider, searcher) <= self._matches(query, scores, searcher):
            return query, scores, ()
        return expanded, wider, tuple(used.values())

    def _scores(self, query: Query) -> Scores | None:
        """Each matching document's score, when the query is scored from word scores (else None)."""
        return _word_scores(query, self._local.term_scores) if _scored_by_word_scores(query) else None

    @staticmethod
    def _matches(query: Query, scores: Scores | None, searcher: Any) -> DocumentSet:
        return scores.documents if scores is not None else DocumentSet.of(searcher.docs_for_query(query))

    def _filter(self, request: SearchRequest, filters: tuple[Query, ...]) -> Query | None:
        clauses: list[Query] = [_any_actor(actor_ids) for _, actor_ids in request.actors]
        clauses.extend(filters)
        if request.within_ids is not None:
            clauses.append(
                Or([Term("id", doc_id) for doc_id in request.within_ids]) if request.within_ids else NullQuery
            )
        if request.types:
            clauses.append(Or([Term("type", kind) for kind in request.types]))
        if request.since or request.until:
            start = datetime.combine(request.since, time.min) if request.since else None
            end = datetime.combine(request.until, time.max) if request.until else None
            clauses.append(DateRange("date", start, end))
        return And(clauses) if clauses else None

    def _parsed_request(self, request: SearchRequest, parsed: ParsedQuery | None = None) -> ParsedQuery:
        """The request's query parsed (parsed: as parse() read it already), with its --source outlets as
        the clause (source:a OR source:b)."""
        parsed_query = (
            parsed
            if parsed is not None
            else self.parse(request.query)
            if request.query
            else ParsedQuery(None)
        )
        if request.sources:
            parsed_query = replace(
                parsed_query,
                filters=(*parsed_query.filters, any_outlet(request.sources)),
                sources=parsed_query.sources + request.sources,
            )
        return parsed_query

    def _match(self, request: SearchRequest, parsed_query: ParsedQuery, searcher: Any) -> _Match:
        """Every document the request matches, with the words' scores where they were computed; nothing
        when it names an actor or outlet that no document has."""
        notes = parsed_query.notes
        unknown = self._actor_names.unknown(searcher, request.actors + parsed_query.actors)
        outlets = source_values(searcher) if parsed_query.names_field(SOURCE_FIELD) else []
        unknown_sources = unknown_outlets(parsed_query.sources, outlets)
        if unknown or unknown_sources:
            return _Match(Every(), None, None, NO_DOCUMENTS, notes, unknown, unknown_sources)
        parsed_query = _with_outlets(parsed_query, outlets)
        parsed, expansion_notes = expand_patterns(parsed_query.scored or Every(), searcher.reader())
        notes += expansion_notes
        narrowing = self._filter(request, parsed_query.filters)
        scored = self._scores(parsed)
        if parsed_query.scored is not None and request.query:
            parsed, scored, actor_notes = self._with_named_actors(parsed, scored, request.query, searcher)
            notes += actor_notes
        narrowed = None
        if narrowing is not None:
            from .filters import filter_documents

            kept = filter_documents(searcher, self._columns(searcher), narrowing)
            narrowed = (
                DocumentSet(kept) if kept is not None else DocumentSet.of(searcher.docs_for_query(narrowing))
            )
        matched = matching_documents(searcher, parsed, scored, narrowed)
        return _Match(parsed, scored, narrowing, matched, notes)

    def _by_column(self, searcher: Any, match: _Match, sort: str, depth: int) -> list[tuple[int, float]]:
        """The first `depth` matches in date order (oldest or newest first) or title order, undated or
        untitled last, equal keys in index order; each with its words' score when it has one."""
        columns = self._columns(searcher)
        chosen = columns.ordered(columns.documents(match.matched), sort, depth)
        scores = match.scored.get(chosen) if match.scored is not None else np.zeros(len(chosen))
        return list(zip(chosen.tolist(), scores.tolist(), strict=True))

    def timeline(self, request: SearchRequest, by: str, split_by: str | None, top: int) -> Timeline:
        """How many documents the request matches per period (timeline.count_timeline)."""
        parsed_query = self._parsed_request(request)
        query = request.query or ""
        if parsed_query.no_words:
            return Timeline(query, by, (), (), 0, 0, split_by or "", notes=parsed_query.notes)
        try:
            with self._current_searcher() as searcher:
                match = self._match(request, parsed_query, searcher)
                if match.unknown_actors or match.unknown_sources:
                    return Timeline(
                        query, by, (), (), 0, 0, split_by or "", notes=match.notes,
                        unknown_actors=match.unknown_actors, unknown_sources=match.unknown_sources,
                    )  # fmt: skip
                from .timeline import count_timeline

                columns = self._columns(searcher)
                return count_timeline(
                    searcher, columns, columns.documents(match.matched), query=query, by=by,
                    since=request.since, until=request.until, split_by=split_by, top=top,
                    actors=self._actor_names, notes=match.notes,
                )  # fmt: skip
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None

    def associated_actors(
        self, request: SearchRequest, actor: tuple[str, tuple[str, ...]], *, min_count: int, limit: int,
        actor_type: str | None = None,
    ) -> Associations:  # fmt: skip
        """The actors named with `actor` (as given, the ids it may mean) in the request's matches, scored
        against the matches (associations.actor_associations)."""
        from .associations import actor_associations

        query = request.query or ""
        with_actor = replace(request, actors=(*request.actors, actor))
        with self._matched(request) as (searcher, scope), self._matched(with_actor) as (_, named):
            for found in (scope, named):
                if found.unknown_actors or found.unknown_sources:
                    return Associations(query, 0, 0, unknown_actors=found.unknown_actors,
                                        unknown_sources=found.unknown_sources)  # fmt: skip
            items = actor_associations(
                searcher, self._columns(searcher), named.docs, scope.docs, self._actor_names,
                min_count=min_count, limit=limit, actor_type=actor_type, leave_out=actor[1],
            )  # fmt: skip
            return Associations(query, len(named.docs), len(scope.docs), items, scope.notes)

    def unusual(self, request: SearchRequest, *, actors: bool, min_count: int, limit: int) -> Associations:
        """The words and two-word phrases (or with actors, the actors) over-represented in the request's
        matches against the whole index (associations.py)."""
        from .associations import actor_associations, term_associations

        query = request.query or ""
        with self._matched(request) as (searcher, found):
            if found.unknown_actors or found.unknown_sources:
                return Associations(query, 0, 0, unknown_actors=found.unknown_actors,
                                    unknown_sources=found.unknown_sources)  # fmt: skip
            columns = self._columns(searcher)
            if actors:
                items = actor_associations(
                    searcher, columns, found.docs, columns.live, self._actor_names,
                    min_count=min_count, limit=limit, only_unusual=True,
                )  # fmt: skip
            else:
                own = query_words(found.match.parsed) if found.match is not None else set()
                items = term_associations(
                    searcher, found.docs, min_count=min_count, limit=limit, leave_out=own
                )
            return Associations(query, len(found.docs), len(columns.live), items, found.notes)

    def network(
        self, request: SearchRequest, *, nodes: int, min_count: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> Network:  # fmt: skip
        """The co-occurrence network of the actors of the request's matches (network.co_occurrences)."""
        from .network import co_occurrences

        query = request.query or ""
        with self._matched(request) as (searcher, found):
            if found.unknown_actors or found.unknown_sources:
                return Network(query, 0, unknown_actors=found.unknown_actors,
                               unknown_sources=found.unknown_sources)  # fmt: skip
            made = co_occurrences(
                searcher, self._columns(searcher), found.docs, self._actor_names,
                nodes=nodes, min_count=min_count, progress=progress,
            )  # fmt: skip
            return Network(query, len(found.docs), *made, notes=found.notes)

    def matching_ids(self, request: SearchRequest, parsed: ParsedQuery | None = None) -> list[str]:
        """The ids of every document a request matches (in index order), without ranking them; parsed:
        its query as parse() read it already (on this index or another)."""
        with self._matched(request, parsed) as (searcher, found):
            ids: dict[int, str] = self._local.ids  # this searcher's, read once a document
            for docnum in found.docs.tolist():
                if docnum not in ids:
                    ids[docnum] = searcher.stored_fields(docnum)["id"]
            return [ids[docnum] for docnum in found.docs.tolist()]

    @contextmanager
    def _matched(
        self, request: SearchRequest, parsed: ParsedQuery | None = None
    ) -> Iterator[tuple[Any, _Matched]]:
        """This thread's searcher and the documents the request matches, as an array (numpy)."""
        parsed_query = self._parsed_request(request, parsed)
        try:
            with self._current_searcher() as searcher:
                columns = self._columns(searcher)
                if parsed_query.no_words:
                    yield searcher, _Matched(None, columns.live[:0], parsed_query.notes)
                    return
                match = self._match(request, parsed_query, searcher)
                yield searcher, _Matched(match, columns.documents(match.matched), match.notes)
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None

    def search(self, request: SearchRequest) -> Results:
        """Run a request; return hits offset+1 .. offset+limit with highlighted fragments."""
        try:
            with self._current_searcher() as searcher:
                ranking = self._rank(request, searcher, request.offset + request.limit)
                if isinstance(ranking, Results):
                    return ranking
                page = ranking.ranked[request.offset : request.offset + request.limit]
                hits = page_hits(searcher, ranking.words, page, request.offset, ranking.copies)
                return replace(ranking.head, hits=hits)
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None

    def pages(self, request: SearchRequest, page_size: int) -> Iterator[Results]:
        """Every hit of a request, page_size at a time, ranked once on a searcher of its own: the pages
        are one snapshot of the index whatever commits meanwhile, and only their hits are made page by
        page. The first page carries the total, facets, suggestions and notes."""
        try:
            searcher = self._index.searcher(weighting=self._weighting)
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None
        try:
            with self._reading(searcher):
                ranking = self._rank(replace(request, offset=0), searcher, None)
            if isinstance(ranking, Results):
                yield ranking
                return
            head = ranking.head
            for offset in range(0, max(len(ranking.ranked), 1), page_size):
                page = ranking.ranked[offset : offset + page_size]
                yield replace(head, hits=page_hits(searcher, ranking.words, page, offset, ranking.copies))
                head = replace(head, facets={}, suggestions=(), notes=())
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None
        finally:
            searcher.close()

    @contextmanager
    def _reading(self, searcher: Any) -> Iterator[None]:
        """This thread's scores and columns are a searcher's of our own while a request is ranked on it."""
        saved = (getattr(self._local, "term_scores", None), getattr(self._local, "columns", None))
        self._local.term_scores, self._local.columns = _TermScores(searcher), None
        try:
            yield
        finally:
            self._local.term_scores, self._local.columns = saved

    def _rank(self, request: SearchRequest, searcher: Any, depth: int | None) -> _Ranked | Results:
        """The request's first `depth` documents in order (None: all), and what its results say
        besides hits; Results without hits when nothing matches."""
        parsed_query = self._parsed_request(request)
        empty: dict[str, tuple[FacetCount, ...]] = {name: () for name in request.facets}
        none = 0 if request.fold_copies else None  # the distinct matches of a search matching nothing
        if parsed_query.no_words:
            return Results(request.query or "", 0, (), empty, notes=parsed_query.notes, distinct=none)
        # Filters alone list what they keep, newest first.
        sort = "-date" if parsed_query.scored is None and request.sort == "relevance" else request.sort
        match = self._match(request, parsed_query, searcher)
        notes, parsed, matched = match.notes, match.parsed, match.matched
        if match.unknown_actors or match.unknown_sources:
            return Results(
                request.query or "", 0, (), empty, notes=notes, distinct=none,
                unknown_actors=match.unknown_actors, unknown_sources=match.unknown_sources,
            )  # fmt: skip
        # Feedback reorders the first rerank_depth hits only: a page past them is the same without it.
        feedback = (
            request.feedback
            and sort == "relevance"
            and request.offset < self.ranking.rerank_depth
            and _plain_words(parsed)
        )
        total = searcher.doc_count() if matched is None else len(matched)
        groups = self._copy_groups(searcher) if request.fold_copies else None
        hidden = groups.hidden(matched) if groups is not None else 0
        wanted = total if depth is None else min(depth, total)
        # A word the index does not know is said whatever else matched ('Kavenaugh confirmation').
        suggestions = (
            spelling_suggestions(searcher, request.query, self._parser.schema["body"].analyzer)
            if request.query
            else ()
        )
        if not total:  # (Whoosh would read an empty filter as no filter at all)
            return Results(request.query or "", 0, (), empty, suggestions, notes, distinct=none)
        facets: dict[str, tuple[FacetCount, ...]] = {}
        if request.facets:
            columns = self._columns(searcher)
            docs = columns.documents(matched)
            counting = FacetRequest(request.main_actors, request.actor_type, request.facet_limit)
            facets = {
                name: facet_counts(searcher, columns, docs, name, self._actor_names, counting)
                for name in request.facets
            }
        copies: Mapping[int, tuple[int, ...]] = {}
        if groups is not None and hidden:
            # Folding hides `hidden` matches, so the page's groups are among the first wanted + hidden;
            # first try twice the page, which holds them unless copies crowd its top.
            every = min(wanted + hidden, total)
            ranked = self._ranked(
                searcher, match, sort, min(wanted + min(hidden, wanted), every), bool(feedback)
            )
            folded = groups.fold(ranked, matched, wanted)
            if len(folded.ranked) < wanted and len(ranked) < every:
                folded = groups.fold(
                    self._ranked(searcher, match, sort, every, bool(feedback)), matched, wanted
                )
            ranked, copies = folded.ranked, folded.copies
        else:
            ranked = self._ranked(searcher, match, sort, wanted, bool(feedback))
        distinct = total - hidden if groups is not None else None
        head = Results(request.query or "", total, (), facets, suggestions, notes, distinct=distinct)
        return _Ranked(head, ranked, _highlighted_words(parsed, searcher.reader()), copies)

    def _ranked(
        self, searcher: Any, match: _Match, sort: str, depth: int, feedback: bool
    ) -> list[tuple[int, float]]:
        """The first `depth` matches in order, each with its score; with feedback, the best rerank_depth
        reordered by it (the same whatever the depth, so a deeper ranking only adds at its end)."""
        parsed, scored, matched = match.parsed, match.scored, match.matched
        scoring_depth = max(self.ranking.rerank_depth, depth) if feedback else depth
        if sort != "relevance":
            top = self._by_column(searcher, match, sort, depth)
        # Scored already (words, phrases): the best are taken from those scores, not scored again.
        elif scored is not None and matched is not None:
            kept = scored.within(matched.docnums) if match.narrowing is not None else scored
            top = kept.best(scoring_depth)
        else:
            # Whoosh takes a filter of document numbers as a set
            filtered = set(matched) if match.narrowing is not None and matched is not None else None
            found = searcher.search(parsed, limit=scoring_depth, filter=filtered)
            # len(found) would count every match
            top = [(found[n].docnum, found[n].score) for n in range(found.scored_length())]
        feedback = feedback and bool(top) and not names_a_story(searcher, query_words(parsed), top[0][0])
        # Feedback reorders the best rerank_depth documents, whatever the page: a document's place is the
        # same on every page, so pages put end to end are the whole ranking (reordering three times the
        # page's end, as before, moved documents between pages).
        block = self.ranking.rerank_depth
        if feedback:
            return (
                rerank_with_feedback(searcher, self._local.term_scores, top[:block], self.ranking)
                + top[block:]
            )
        return top

    def similar(self, document_id: str, limit: int, index: int | None = None) -> Results | None:
        """The documents most like one, by the key terms of its body; None if there is no such document
        (in the index-th of several, from 1, when given)."""
        try:
            with self._index.searcher() as searcher:
                docnum = self._docnum(searcher, document_id, index)
                if docnum is None:
                    return None
                analysed = " ".join(key_terms(searcher.stored_fields(docnum).get("body", "")))
                found = searcher.more_like(docnum, "body", text=analysed, top=limit, numterms=SIMILAR_TERMS)
                words = _highlighted_words(found.q, searcher.reader())
                hits = [
                    hit_of(searcher, rank, hit.docnum, hit.score, words) for rank, hit in enumerate(found, 1)
                ]
                return Results(query=document_id, total=len(hits), hits=tuple(hits))
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None

    def stats(self) -> IndexStats:
        """Figures about the index itself: size, vocabulary, versions, when it was last written. Of
        several indexes: their documents, distinct words and sizes together, the last update, and what
        they agree on (a corpus root or version they differ in is None, their actors files each)."""
        try:
            with self._index.searcher() as searcher:
                reader = searcher.reader()
                terms = sum(1 for _ in reader.lexicon("body"))
                documents = reader.doc_count()
            size = sum(p.stat().st_size for d in self.index_dirs for p in d.iterdir() if p.is_file())
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None
        manifests = [self.manifest, *(read_manifest(index_dir) for index_dir in self.index_dirs[1:])]

        def agreed(values: list[Any]) -> Any:
            return values[0] if len(set(values)) == 1 else None

        return IndexStats(
            documents=documents,
            distinct_terms=terms,
            size_bytes=size,
            updated=max((m.updated for m in manifests if m.updated), default=None),
            corpus_root=agreed([m.corpus_root for m in manifests]),
            schema_version=agreed([m.schema_version for m in manifests]),
            cleaner_version=agreed([m.cleaner.version for m in manifests]),
            gazetteer_version=agreed([m.cleaner.gazetteer for m in manifests]),
            actors_files=self.actors_files,
            learned_chrome_lines=sum(len(m.cleaner.repeated_lines) for m in manifests),
        )

    def document(self, document_id: str, index: int | None = None) -> Document | None:
        """One document, as stored, or None if the index holds no such id (the index-th of several,
        from 1, when given)."""
        try:
            with self._current_searcher() as searcher:
                docnum = self._docnum(searcher, document_id, index)
                stored = None if docnum is None else searcher.stored_fields(docnum)
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None
        return None if stored is None else stored_document(stored)

    def marked(self, text: str, query: str) -> Fragment:
        """A text (a document's body) as one Fragment with the words of a query highlighted, as a hit's
        snippets mark them (wildcards expanded over the index's words)."""
        parsed = self.parse(query)
        if parsed.scored is None:
            return Fragment(text)
        try:
            with self._current_searcher() as searcher:
                marks = _highlighted_words(parsed.scored, searcher.reader())
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None
        return marked_text(text, marks)

    def copies(self, document_id: str, index: int | None = None) -> tuple[Copy, ...] | None:
        """The other documents of a document's copy group, oldest first (undated last); None if the
        index holds no such id (the index-th of several, from 1, when given)."""
        try:
            with self._current_searcher() as searcher:
                docnum = self._docnum(searcher, document_id, index)
                if docnum is None:
                    return None
                groups = self._copy_groups(searcher)
                group = groups.group_of.get(docnum)
                members = groups.members[group] if group is not None else ()
                copies = [copy_of(searcher, member) for member in members if member != docnum]
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None
        return tuple(sorted(copies, key=lambda c: (c.date is None, c.date or datetime.min, c.id)))

    def documents(self) -> Iterator[Document]:
        """Every document, as the last commit stores them, one at a time."""
        try:
            with self._index.searcher() as searcher:
                for _, stored in searcher.reader().iter_docs():
                    yield stored_document(stored)
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dirs, error) from None
