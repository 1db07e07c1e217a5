"""The frozen records that flow one way: raw file -> Document -> index -> Hit/Results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal, get_args

ActorType = Literal["country", "organisation", "armed-group", "person", "location"]
ACTOR_TYPES: tuple[str, ...] = get_args(ActorType)
# The longest document id: a file's path under the corpus folder, or an id an app gives a document.
MAX_ID_CHARS = 1_000


@dataclass(frozen=True)
class Actor:
    """A country, organisation, armed group, person or other place, under its canonical id and name;
    in a document, with its weight there (where and how often it is named) and whether that makes it
    one of the document's main actors."""

    id: str
    name: str
    type: str
    weight: float = 0.0
    main: bool = False


@dataclass(frozen=True)
class GivenMetadata:
    """Metadata a user states for a document (sidecar NAME.meta.json or front matter); None = not given."""

    title: str | None = None
    date: str | None = None
    actors: tuple[str, ...] | None = None
    authors: tuple[str, ...] | None = None
    source: str | None = None
    url: str | None = None
    type: str | None = None  # what kind of document: "article", "statement" or the user's own word
    given_by: str = "sidecar"  # where the date was stated: sidecar, front-matter or app (date_source)


@dataclass(frozen=True)
class SourceFile:
    """A corpus file as read from disk, before any cleaning."""

    path: str  # relative to the corpus root, with forward slashes
    text: str
    size: int
    mtime: float
    content_hash: str
    is_html: bool
    given: GivenMetadata = GivenMetadata()
    warnings: tuple[str, ...] = ()


# What kind of document: a press statement or release when it says it is one, an article otherwise
# (unless the user states a type).
DOCUMENT_TYPES = ("article", "statement")

# Where a document's date came from: a sidecar or front matter, an app that added it, the page's own
# metadata, a short line of the story's header, a dateline opening it, the file's mtime; "" = no date.
DATE_SOURCES = ("sidecar", "front-matter", "app", "metadata", "header", "dateline", "mtime")


@dataclass(frozen=True)
class Document:
    """One cleaned article, ready to be indexed."""

    id: str
    title: str
    body: str
    path: str = ""
    date: datetime | None = None
    actors: tuple[Actor, ...] = ()
    source: str = ""
    url: str = ""
    authors: tuple[str, ...] = ()
    type: str = "article"  # one of DOCUMENT_TYPES, or the type a user states
    date_source: str = ""  # one of DATE_SOURCES, "" when undated
    actors_given: bool = False  # the actors are the user's (a sidecar, front matter, an app), not found
    size: int = 0
    mtime: float = 0.0
    content_hash: str = ""


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file that was not indexed, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did."""

    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: tuple[SkippedFile, ...]
    seconds: float
    warnings: tuple[str, ...] = ()
    rebuilt: bool = False
    changes: tuple[tuple[str, str], ...] = ()  # (added|updated|removed, document id), in order
    alerts: tuple[tuple[str, int], ...] = ()  # (alert name, documents of this run it gained), when any

    @property
    def indexed(self) -> int:
        """Documents written by this run."""
        return self.added + self.updated


@dataclass(frozen=True)
class Ranking:
    """How documents are ranked: BM25F's parameters, the title's weight, the bonus for holding every
    word, and pseudo-relevance feedback. The defaults were chosen by leave-one-collection-out on four
    test collections (bench/relevance.py; the table and what was tried are in docs/benchmarks.md).

    A user sets any of them in the config file's [ranking] table; `search query --no-feedback`
    turns feedback off for one search.
    """

    k1: float = 1.2  # BM25 term-frequency saturation
    b: float = 0.6  # BM25 length normalisation of the body
    title_b: float = 0.75  # ... and of the title
    title_weight: float = 0.25  # a title match's share beside the body's (the body holds the headline too)
    all_words_bonus: float = 1.0  # documents holding every word of a short query score this much more
    all_words_max: int = 4  # ... up to this many words: longer queries are questions, not keywords
    feedback: bool = True  # pseudo-relevance feedback, for a query of plain words that names no story
    feedback_documents: int = 10  # the top documents whose key terms expand the query
    feedback_terms: int = 10  # how many key terms
    feedback_weight: float = 0.4  # the heaviest expansion term's weight beside a query word's 1
    rerank_depth: int = 30  # feedback reorders this many of the best documents (the same on every page)


@dataclass(frozen=True)
class Fragment:
    """A passage of a document with the character spans that matched the query."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


# Two documents are copies of one story from this resemblance: the share of their five-word runs they
# have in common (engine/fingerprints.py). A setting (Settings.copy_threshold).
COPY_THRESHOLD = 0.8


@dataclass(frozen=True)
class Copy:
    """Another document that is a copy of the same story (a syndicated copy, a republished statement)."""

    id: str
    title: str
    date: datetime | None
    source: str = ""  # the outlet, "" when unknown
    index: int = 1  # which of the indexes searched holds it, from 1 (as Hit.index)


@dataclass(frozen=True)
class Hit:
    """One ranked search result."""

    rank: int
    id: str
    path: str
    title: str
    date: datetime | None
    actors: tuple[Actor, ...]
    score: float
    fragments: tuple[Fragment, ...] = ()
    source: str = ""  # the outlet, "" when unknown
    url: str = ""
    type: str = "article"  # models.DOCUMENT_TYPES, or the type a user states
    copies: tuple[Copy, ...] = ()  # the other matches that are copies of this story, folded into it
    # Which of the indexes searched holds it, counted from 1 in the order they were given, each folder
    # once (always 1 of one): of several, two may hold the same id (a path within each one's folder).
    index: int = 1


@dataclass(frozen=True)
class FacetCount:
    """How many matching documents share a value: an actor (with its name and type), an outlet or a year."""

    value: str
    count: int
    name: str = ""
    type: str = ""


@dataclass(frozen=True)
class UnknownActor:
    """An actor a search asked for that no document names, with the closest names that do exist."""

    name: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnknownSource(UnknownActor):
    """An outlet a search asked for that no document comes from, with the closest outlets that do exist."""


@dataclass(frozen=True)
class Results:
    """A page of ranked hits for one query, with the total number of matches and any facets."""

    query: str
    total: int
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    facets: Mapping[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    suggestions: tuple[str, ...] = ()  # corrected queries, when few documents match
    notes: tuple[str, ...] = ()  # how the query was read where it was not as written
    unknown_actors: tuple[UnknownActor, ...] = ()  # actors asked for that no document names: nothing matches
    unknown_sources: tuple[UnknownSource, ...] = ()  # outlets asked for that no document comes from: ditto
    # The matches counted once a copy group, when copies are folded into one hit (None: not folded);
    # total counts every matching document.
    distinct: int | None = None


@dataclass(frozen=True)
class Alert:
    """A saved search: a query (None: the filters alone) and filters as a user gave them, and the
    documents indexed since it was last seen that match it (ids, oldest first)."""

    name: str
    query: str | None
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    types: tuple[str, ...] = ()
    created: str = ""  # when it was saved, ISO 8601 in UTC
    seen: str = ""  # when it was last marked seen ("" never)
    new: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertStatus:
    """A saved search with how many documents match it now, and how many of them are new."""

    alert: Alert
    total: int
    new: int


@dataclass(frozen=True)
class Association:
    """A value over-represented in a set of documents against a background: an actor named with another
    (the background: the documents of the search), or a word, a two-word phrase or an actor of a
    search's matches (the background: the whole index)."""

    value: str  # an actor id, or a word or phrase as the documents mostly write it
    count: int  # documents of the set holding it
    background: int  # documents of the background holding it, the set's included
    score: float  # JLH: (share in set - share in background) x (share in set / share in background)
    name: str = ""  # an actor's name (a word's or phrase's own text)
    type: str = ""  # an actor's type, or "word" or "phrase"


@dataclass(frozen=True)
class Associations:
    """What is over-represented in a set of documents (documents) against a background (background)."""

    query: str
    documents: int
    background: int
    items: tuple[Association, ...] = ()
    notes: tuple[str, ...] = ()
    unknown_actors: tuple[UnknownActor, ...] = ()  # an actor asked for that no document names: nothing
    unknown_sources: tuple[UnknownSource, ...] = ()


@dataclass(frozen=True)
class NetworkNode:
    """An actor of a co-occurrence network, with the number of matching documents naming it."""

    id: str
    name: str
    type: str
    count: int


@dataclass(frozen=True)
class NetworkEdge:
    """Two actors (ids, source < target) named together in `count` matching documents."""

    source: str
    target: str
    count: int


@dataclass(frozen=True)
class Network:
    """Who appears with whom in a search's matches: the most frequent actors and the pairs of them named
    together in at least a minimum number of documents."""

    query: str
    documents: int
    nodes: tuple[NetworkNode, ...] = ()
    edges: tuple[NetworkEdge, ...] = ()
    notes: tuple[str, ...] = ()
    unknown_actors: tuple[UnknownActor, ...] = ()
    unknown_sources: tuple[UnknownSource, ...] = ()


Period = Literal["day", "week", "month", "year"]  # what a timeline counts documents by
PERIODS: tuple[str, ...] = get_args(Period)
SplitBy = Literal["actor", "source"]
SPLITS: tuple[str, ...] = get_args(SplitBy)

# What one request may ask for (SearchIndex; here so that the CLI's options need no engine import).
MAX_LIMIT = 10_000
MAX_NODES = 2_000  # the most actors a network holds: a graph a person can still read
EXPORT_PAGE = 1_000  # hits a page of an export holds (SearchIndex.pages())
MAX_SERIES = 20  # the most actors or outlets a timeline is split into
Sort = Literal["relevance", "date", "-date", "title"]  # relevance, oldest first, newest first, A to Z
Facet = Literal["actor", "source", "year"]
SORTS: tuple[str, ...] = get_args(Sort)
FACETS: tuple[str, ...] = get_args(Facet)


def period_label(start: date, by: str) -> str:
    """How a period is written: 2012-03-23, 2012-W12 (ISO weeks, from Monday), 2012-03, 2012."""
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat()[: {"day": 10, "month": 7, "year": 4}[by]]


def period_end(start: date, by: str) -> date:
    """The last day of the period that starts on start."""
    if by == "day":
        return start
    if by == "week":
        return start + timedelta(days=6)
    if by == "year":
        return date(start.year, 12, 31)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class TimelineSeries:
    """Documents per period of the matches that name one actor or come from one outlet."""

    key: str  # the actor's id, or the outlet
    name: str  # the actor's name, or the outlet
    counts: tuple[int, ...]  # one a period of the timeline
    undated: int
    total: int


@dataclass(frozen=True)
class Timeline:
    """How many documents match, period by period: every period from the first to the last (from the
    dates asked for, else those of the matches), empty ones as 0; undated documents counted apart."""

    query: str
    by: str  # one of PERIODS
    periods: tuple[date, ...]  # the first day of each period
    counts: tuple[int, ...]
    undated: int
    total: int
    split_by: str = ""  # "actor" or "source" when the matches are also counted for the most frequent
    series: tuple[TimelineSeries, ...] = ()
    notes: tuple[str, ...] = ()
    unknown_actors: tuple[UnknownActor, ...] = ()
    unknown_sources: tuple[UnknownSource, ...] = ()


@dataclass(frozen=True)
class BatchQuery:
    """One line of a batch file: the query, the name the line gives it (else the query itself), its line."""

    name: str
    query: str
    line: int


@dataclass(frozen=True)
class BatchResult:
    """A batch query's results, or why it could not be run (error; results is then None)."""

    query: BatchQuery
    results: Results | None
    error: str = ""


@dataclass(frozen=True)
class IndexStats:
    """What an index holds and how it was made."""

    documents: int
    distinct_terms: int
    size_bytes: int
    updated: str | None
    corpus_root: str | None
    schema_version: int | None
    cleaner_version: int | None
    gazetteer_version: str | None
    actors_files: tuple[str, ...] = ()
    learned_chrome_lines: int = 0


@dataclass(frozen=True)
class CleanerState:
    """How an index's documents were cleaned and tagged; an update must do the same, or rebuild."""

    version: int | None = None  # cleaning.CLEANER_VERSION when the index was built
    repeated_lines: tuple[str, ...] = ()  # the chrome learned across the corpus
    gazetteer: str | None = None  # the version of the actor gazetteer (ours and the user's files)
    actors_files: tuple[str, ...] = ()  # the user's actors files, resolved
    date_from_mtime: bool = False


@dataclass(frozen=True)
class IndexManifest:
    """What an index folder says of itself in its search-index.json."""

    schema_version: int
    corpus_root: str | None = None
    updated: str | None = None  # ISO 8601, UTC, of the last commit
    cleaner: CleanerState = CleanerState()
    complete: bool = True  # False while a first build has not committed


# What tells that a file changed without reading it: size, mtime in ns, the sidecar's mtime in ns (0 if none).
Signature = tuple[int, int, int]


@dataclass(frozen=True)
class CatalogEntry:
    """What an index knows of a document's source, to tell whether it changed."""

    signature: Signature | None  # None: a document an app added, with no file behind it
    content_hash: str

    @property
    def is_file(self) -> bool:
        return self.signature is not None
