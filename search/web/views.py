"""What the web page shows, made of our records by pure functions: the page's state as its URL holds it,
text cut into marked and unmarked pieces, facets as links that add or remove a filter, the timeline as
bars of an SVG chart. The templates only lay these out; nothing here reads the index.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal
from urllib.parse import urlencode, urlsplit

from ..errors import BadInputError
from ..models import ACTOR_TYPES, Actor, FacetCount, Fragment, Results, Timeline, period_end, period_label

PAGE_SIZE = 10
MAX_PAGE = 1_000  # pages of PAGE_SIZE: the HTTP API's offset bound (10,000) divided by the page
MAX_FIELD_CHARS = 1_000  # a query or filter value longer than this is cut (the API refuses it)
MAX_FILTERS = 20  # values of one filter (the API's bound)
MAX_MONTH_BARS = 72  # a longer span is drawn a year a bar
MIN_SLOTS = 12  # a bar takes at most this share of the chart's width
SORTS = {"relevance": "relevance", "-date": "newest first", "date": "oldest first", "title": "title"}
FACET_SHOWN = 8  # values of each facet shown before "more"
# The actor facet's groups, in the order shown (every type of models.ActorType).
ACTOR_HEADINGS = {
    "person": "People",
    "organisation": "Organisations",
    "armed-group": "Armed groups",
    "country": "Countries",
    "location": "Places",
}

Field = Literal["actor", "source", "type"]


@dataclass(frozen=True)
class PageState:
    """Everything a search page shows, as its URL holds it (so a search can be bookmarked and shared):
    the query, the filters, the sort, the page, and whether copies are listed."""

    q: str = ""
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    page: int = 1
    all_copies: bool = False

    @classmethod
    def of(cls, params: Mapping[str, Sequence[str]]) -> PageState:
        """The state a URL's parameters describe (each name with its values); what cannot be read is left
        at its default (a page number that is no number: the first page), never an error."""

        def first(name: str) -> str:
            values = params.get(name) or [""]
            return values[0].strip()[:MAX_FIELD_CHARS]

        def every(name: str) -> tuple[str, ...]:
            kept = (value.strip()[:MAX_FIELD_CHARS] for value in params.get(name, ()))
            return tuple(dict.fromkeys(value for value in kept if value))[:MAX_FILTERS]

        page = first("page")
        return cls(
            q=first("q"),
            actors=every("actor"),
            sources=every("source"),
            types=every("type"),
            since=first("since"),
            until=first("until"),
            sort=first("sort") if first("sort") in SORTS else "relevance",
            page=(min(max(int(page), 1), MAX_PAGE) if len(page) < 10 else MAX_PAGE) if _digits(page) else 1,
            all_copies=first("all_copies") in ("1", "true", "on"),
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    @property
    def filtered(self) -> bool:
        """True when anything narrows the documents (a query or a filter)."""
        return bool(self.q or self.actors or self.sources or self.types or self.since or self.until)

    def pairs(self, page: bool = True) -> list[tuple[str, str]]:
        """The URL's parameters, defaults left out, in a fixed order."""
        pairs = [("q", self.q)] if self.q else []
        pairs += [("actor", a) for a in self.actors] + [("source", s) for s in self.sources]
        pairs += [("type", t) for t in self.types]
        pairs += [(name, value) for name, value in (("since", self.since), ("until", self.until)) if value]
        pairs += [("sort", self.sort)] if self.sort != "relevance" else []
        pairs += [("all_copies", "true")] if self.all_copies else []
        return pairs + ([("page", str(self.page))] if page and self.page > 1 else [])

    def url(self, path: str = "/") -> str:
        query = urlencode(self.pairs())
        return f"{path}?{query}" if query else path

    def export_url(self, format: str) -> str:
        """The HTTP API's /export of this search (every hit, not only this page)."""
        return "/export?" + urlencode([*self.pairs(page=False), ("format", format)])

    def toggled(self, name: Field, value: str) -> PageState:
        """This search with a filter value added, or taken away if it is there; back to the first page."""
        values = {"actor": self.actors, "source": self.sources, "type": self.types}[name]
        changed = tuple(v for v in values if v != value) if value in values else (*values, value)
        if name == "actor":
            return replace(self, actors=changed, page=1)
        if name == "source":
            return replace(self, sources=changed, page=1)
        return replace(self, types=changed, page=1)

    def searching(self, q: str) -> PageState:
        """This search's filters with another query ("did you mean")."""
        return replace(self, q=q, page=1)

    def dated(self, since: str, until: str) -> PageState:
        return replace(self, since=since, until=until, page=1)

    def at_page(self, page: int) -> PageState:
        return replace(self, page=page)


@dataclass(frozen=True)
class Piece:
    """A stretch of text, marked (a word of the query) or not."""

    text: str
    marked: bool = False


def pieces(fragment: Fragment) -> list[Piece]:
    """A fragment cut at its highlights: the template escapes each piece and wraps the marked ones."""
    cut: list[Piece] = []
    at = 0
    for start, end in sorted(fragment.highlights):
        if start < at:  # (overlapping spans: never in our snippets, harmless here)
            continue
        if start > at:
            cut.append(Piece(fragment.text[at:start]))
        cut.append(Piece(fragment.text[start:end], marked=True))
        at = end
    if at < len(fragment.text):
        cut.append(Piece(fragment.text[at:]))
    return cut


def paragraphs(fragment: Fragment) -> list[list[Piece]]:
    """A whole marked text cut into its paragraphs (its lines), each into pieces; blank lines dropped."""
    made: list[list[Piece]] = [[]]
    for piece in pieces(fragment):
        lines = piece.text.split("\n")
        for number, line in enumerate(lines):
            if number:
                made.append([])
            if line:
                made[-1].append(Piece(line, piece.marked))
    return [paragraph for paragraph in made if "".join(p.text for p in paragraph).strip()]


@dataclass(frozen=True)
class FacetLink:
    """One value of a facet: what it reads, its count, whether it is a filter now, and the URL that adds
    it as a filter or takes it away."""

    label: str
    count: int
    active: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    heading: str
    links: tuple[FacetLink, ...]
    more: tuple[FacetLink, ...] = ()  # shown when asked (a <details>)


def facet_groups(results: Results, state: PageState) -> list[FacetGroup]:
    """The results' facets as groups of links: actors by type, outlets, years."""
    groups: list[FacetGroup] = []
    actor_counts = results.facets.get("actor", ())
    for kind in sorted(ACTOR_TYPES, key=list(ACTOR_HEADINGS).index):
        links = tuple(
            FacetLink(
                count.name or count.value,
                count.count,
                exact(count.value) in state.actors,
                state.toggled("actor", exact(count.value)).url(),
            )
            for count in actor_counts
            if count.type == kind
        )
        groups.append(_group(ACTOR_HEADINGS[kind], links))
    outlets = tuple(
        FacetLink(c.value, c.count, c.value in state.sources, state.toggled("source", c.value).url())
        for c in results.facets.get("source", ())
    )
    groups.append(_group("Outlets", outlets))
    years = tuple(_year_link(c, state) for c in results.facets.get("year", ()))
    groups.append(_group("Years", years, first=len(years)))  # (a few dozen at most: all in sight)
    return [group for group in groups if group.links]


def exact(actor_id: str) -> str:
    """An actor filter meaning that actor alone: a facet counts each actor id, and the filter must keep
    what it counted ('obama' as a name also means every other Obama; searching.EXACT_ACTOR)."""
    return "=" + actor_id


def _group(heading: str, links: tuple[FacetLink, ...], first: int = FACET_SHOWN) -> FacetGroup:
    """The first links shown, the others behind "more"; a value that is a filter now stays in sight even
    when others outnumber it."""
    shown = links[:first] + tuple(link for link in links[first:] if link.active)
    return FacetGroup(heading, shown, tuple(link for link in links[first:] if not link.active))


def _year_link(count: FacetCount, state: PageState) -> FacetLink:
    active = state.since == count.value and state.until == count.value
    narrowed = state.dated("", "") if active else state.dated(count.value, count.value)
    return FacetLink(count.value, count.count, active, narrowed.url())


@dataclass(frozen=True)
class Bar:
    """A bar of the timeline: its period, count, place in the chart's coordinates, and the URL that
    narrows the search to its period."""

    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    url: str


@dataclass(frozen=True)
class Chart:
    by: str  # month or year
    bars: tuple[Bar, ...]
    most: int
    first: str
    last: str
    undated: int
    width: float = 600.0
    height: float = 60.0
    ticks: tuple[tuple[float, str], ...] = field(default=())  # (x in % of the width, label) under the bars


def timeline_chart(timeline: Timeline, state: PageState, width: float = 600.0, height: float = 60.0) -> Chart:
    """The timeline as an SVG bar chart: a bar a period, as high as its count against the most; each
    bar a link to this search narrowed to its period."""
    most = max(timeline.counts, default=0)
    # Bars of a short span are no wider than a twelfth of the chart (one month is not a wall of blue).
    slot = width / max(len(timeline.periods), MIN_SLOTS)
    gap = min(slot * 0.15, 2.0)
    bars = []
    for number, (start, count) in enumerate(zip(timeline.periods, timeline.counts, strict=True)):
        label = period_label(start, timeline.by)
        tall = 0.0 if not most else max(height * count / most, 1.0 if count else 0.0)
        bars.append(
            Bar(
                label,
                count,
                round(number * slot + gap / 2, 2),
                round(height - tall, 2),
                round(max(slot - gap, 0.5), 2),
                round(tall, 2),
                state.dated(label, period_label(period_end(start, timeline.by), timeline.by)).url(),
            )
        )
    ticks = _ticks(timeline.periods, timeline.by, 100 * slot / width)
    first = period_label(timeline.periods[0], timeline.by) if timeline.periods else ""
    last = period_label(timeline.periods[-1], timeline.by) if timeline.periods else ""
    return Chart(timeline.by, tuple(bars), most, first, last, timeline.undated, width, height, ticks)


def _ticks(periods: Sequence[date], by: str, share: float) -> tuple[tuple[float, str], ...]:
    """Labels under the bars: every year's first bar (or every few years'), at most about eight, each at
    its bar's left edge in % of the chart's width (share: a bar's slot in %)."""
    if not periods:
        return ()
    starts = [n for n, start in enumerate(periods) if by == "year" or start.month == 1 or n == 0]
    step = max(1, math.ceil(len(starts) / 8))
    return tuple((round(n * share, 2), str(periods[n].year)) for n in starts[::step])


def _digits(given: str) -> bool:
    """Whether a parameter is a number written in ASCII digits (str.isdigit() also takes '²' and '١',
    which int() refuses or reads as another number)."""
    return given.isascii() and given.isdigit()


def index_number(given: str) -> int | None:
    """The index a page's link names (of several, from 1), None when it names none. A number past any
    list of indexes is read as one that names none (the search says so), not as itself."""
    if not given:
        return None
    if not _digits(given):
        raise BadInputError(f"index must be a number from 1, not {given[:20]!r}")
    return int(given) if len(given) < 10 else 10**9


def read_url(document_id: str, query: str = "", index: int | None = None) -> str:
    """The document page of a document, the query's words marked; of several indexes, in the index-th
    (from 1), as ids are each index's own."""
    return "/read?" + urlencode(
        [("id", document_id)]
        + ([("index", str(index))] if index is not None else [])
        + ([("q", query)] if query else [])
    )


def actors_by_weight(actors: Sequence[Actor]) -> list[Actor]:
    """A document's actors, the most central first (ties by name)."""
    return sorted(actors, key=lambda actor: (-actor.weight, actor.name.casefold()))


def safe_link(url: str | None) -> str | None:
    """A document's URL when it is a web address (http or https) to link to; anything else (a
    `javascript:` URL in an untrusted corpus) is not made a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def day(moment: datetime | date | None) -> str:
    """A date as a reader wants it: '23 Mar 2012'; '' when undated."""
    return f"{moment.day} {moment:%b %Y}" if moment is not None else ""


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page links to show: the first, the last, and two either side of this one; None for a gap."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    shown: list[int | None] = []
    for number in wanted:
        if shown and isinstance(shown[-1], int) and number > shown[-1] + 1:
            shown.append(None)
        shown.append(number)
    return shown
