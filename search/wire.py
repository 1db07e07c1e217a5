"""The wire formats, defined once: what `--json` prints and what the HTTP API answers, and a hit as a line
of JSON Lines or a row of CSV for exports.

Each shape is a TypedDict, which the CLI fills and the server returns as it is (FastAPI validates it
and describes it in /openapi.json), so the two doors cannot drift apart. Dates are ISO 8601 days,
highlights [start, end) character offsets into their fragment's text; a key is always present, null
when it does not apply (facets not asked for, no unknown actor).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

# pydantic reads TypedDicts from typing_extensions on Python < 3.12, not from typing.
from typing_extensions import TypedDict

from .models import (
    Actor,
    AlertStatus,
    Associations,
    BatchResult,
    Copy,
    Document,
    FacetCount,
    Hit,
    IndexStats,
    Network,
    Results,
    Timeline,
    UnknownActor,
    period_end,
    period_label,
)


class ActorJSON(TypedDict):
    id: str
    name: str
    type: str
    weight: float  # how central the actor is to the document: where and how often it is named
    main: bool  # one of the document's main actors


class FragmentJSON(TypedDict):
    text: str
    highlights: list[tuple[int, int]]


class CopyJSON(TypedDict):
    id: str
    title: str
    date: str | None
    source: str | None
    index: int  # which of the indexes searched holds it, from 1 (as a hit's)


class HitJSON(TypedDict):
    rank: int
    id: str
    path: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    type: str  # article, statement, or the type the user gave
    actors: list[ActorJSON]
    score: float
    snippet: list[FragmentJSON]
    copies: list[CopyJSON]  # the other matches that are copies of this story (folded into this hit)
    index: int  # which of the indexes searched holds it, from 1 (always 1 of one): ids are per index


class ActorCountJSON(TypedDict):
    id: str
    name: str
    type: str
    count: int


class YearCountJSON(TypedDict):
    value: str
    count: int


class UnknownActorJSON(TypedDict):
    name: str
    suggestions: list[str]


class ResultsJSON(TypedDict):
    query: str
    total: int  # every matching document
    distinct: int | None  # the matches counting each copy group once (null: copies listed, not folded)
    results: list[HitJSON]
    facets: dict[str, list[ActorCountJSON | YearCountJSON]] | None
    suggestions: list[str]
    notes: list[str]
    unknown_actors: list[UnknownActorJSON] | None
    unknown_sources: list[UnknownActorJSON] | None


class CleanedJSON(TypedDict):
    """A file as `search clean --json` shows it."""

    path: str
    title: str
    date: str | None
    date_source: str | None
    actors: list[ActorJSON]
    authors: list[str]
    text: str


class DocumentJSON(CleanedJSON):
    """A stored document: a cleaned file's fields, its id and what was given of its source."""

    id: str
    source: str | None
    url: str | None
    type: str
    copies: list[CopyJSON]  # the other documents that are copies of this story, oldest first


class ActorsJSON(TypedDict):
    actors: list[ActorCountJSON]


class SourceCountJSON(TypedDict):
    name: str
    count: int


class SourcesJSON(TypedDict):
    sources: list[SourceCountJSON]


class HealthJSON(TypedDict):
    status: str
    documents: int


class ErrorJSON(TypedDict):
    error: str


def _day(moment: datetime | None) -> str | None:
    """A date as the wire writes it: the ISO 8601 day, or null."""
    return moment.date().isoformat() if moment else None


def actor_json(actor: Actor) -> ActorJSON:
    return {
        "id": actor.id,
        "name": actor.name,
        "type": actor.type,
        "weight": actor.weight,
        "main": actor.main,
    }


def actor_count_json(facet: FacetCount) -> ActorCountJSON:
    return {"id": facet.value, "name": facet.name, "type": facet.type, "count": facet.count}


def facet_json(facet: FacetCount) -> ActorCountJSON | YearCountJSON:
    """An actor's count (id, name, type) or a year's (value)."""
    if facet.type:
        return actor_count_json(facet)
    return {"value": facet.value, "count": facet.count}


def actor_counts_json(counts: tuple[FacetCount, ...]) -> ActorsJSON:
    return {"actors": [actor_count_json(count) for count in counts]}


def source_counts_json(counts: tuple[FacetCount, ...]) -> SourcesJSON:
    return {"sources": [{"name": count.value, "count": count.count} for count in counts]}


def _unknown_json(unknown: tuple[UnknownActor, ...]) -> list[UnknownActorJSON] | None:
    return [{"name": u.name, "suggestions": list(u.suggestions)} for u in unknown] if unknown else None


def hit_json(hit: Hit) -> HitJSON:
    return {
        "rank": hit.rank,
        "id": hit.id,
        "path": hit.path,
        "title": hit.title,
        "date": _day(hit.date),
        "source": hit.source or None,
        "url": hit.url or None,
        "type": hit.type,
        "actors": [actor_json(actor) for actor in hit.actors],
        "score": round(hit.score, 4),
        "snippet": [{"text": f.text, "highlights": list(f.highlights)} for f in hit.fragments],
        "copies": [copy_json(copy) for copy in hit.copies],
        "index": hit.index,
    }


def copy_json(copy: Copy) -> CopyJSON:
    return {
        "id": copy.id,
        "title": copy.title,
        "date": _day(copy.date),
        "source": copy.source or None,
        "index": copy.index,
    }


def results_json(results: Results) -> ResultsJSON:
    return {
        "query": results.query,
        "total": results.total,
        "distinct": results.distinct,
        "results": [hit_json(hit) for hit in results.hits],
        "facets": (
            {name: [facet_json(f) for f in counts] for name, counts in results.facets.items()}
            if results.facets
            else None
        ),
        "suggestions": list(results.suggestions),
        "notes": list(results.notes),
        "unknown_actors": _unknown_json(results.unknown_actors),
        "unknown_sources": _unknown_json(results.unknown_sources),
    }


def streamed_results_json(first: Results, hits: Iterable[Hit]) -> Iterator[str]:
    """dumps(results_json(...)) of a search's every hit, in pieces, holding one hit at a time: first
    gives the total, facets, notes; hits are every page's (an export of any size)."""
    head, tail = dumps(results_json(replace(first, hits=()))).split('"results": []', 1)
    yield head + '"results": ['
    separator = "\n"
    for hit in hits:
        yield separator + "    " + _dumps(hit_json(hit), "    ")
        separator = ",\n"
    yield ("]" if separator == "\n" else "\n  ]") + tail + "\n"


def dumps_line(data: Any) -> str:
    """JSON on one line, for JSON Lines."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


CSV_COLUMNS = ("rank", "id", "path", "title", "date", "source", "url", "actors", "score", "snippet", "copies")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP, "CSV Injection"): such a
# cell is written after an apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def hit_csv_row(hit: Hit) -> list[str]:
    """A hit as a row of CSV_COLUMNS: actors by name and copies by id, ';'-separated; the snippet as
    plain text."""
    text_cells = [
        hit.id,
        hit.path,
        hit.title,
        _day(hit.date) or "",
        hit.source,
        hit.url,
        "; ".join(actor.name for actor in hit.actors),
        "; ".join(copy.id for copy in hit.copies),
    ]
    id_, path, title, day, source, url, actors, copies = (_as_text_cell(cell) for cell in text_cells)
    snippet = _as_text_cell(" … ".join(fragment.text for fragment in hit.fragments))
    return [str(hit.rank), id_, path, title, day, source, url, actors, f"{hit.score:.4f}", snippet, copies]


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV text, quoted by the csv module (Excel's dialect: CRLF line ends)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def export_lines(hits: Iterable[Hit], fmt: str, header: bool = True) -> Iterator[str]:
    """An export of hits, a line a hit: CSV rows (after the header, unless header is False) or JSON Lines;
    what `search query --all` writes and GET /export streams. (A line a write: a reader that goes away
    then fails the next write, where one large write would end as if all had been read.)"""
    if fmt == "csv" and header:
        yield csv_text([CSV_COLUMNS])
    for hit in hits:
        yield csv_text([hit_csv_row(hit)]) if fmt == "csv" else dumps_line(hit_json(hit)) + "\n"


BATCH_CSV_COLUMNS = ("name", "query", "total", "error", *CSV_COLUMNS)


def batch_csv_rows(result: BatchResult) -> list[list[str]]:
    """A batch query's rows: one a hit, each led by the query's name, text and total; a query without
    hits, or that could not be run (its error), is one row with the hit's cells empty."""
    name, query = _as_text_cell(result.query.name), _as_text_cell(result.query.query)
    if result.results is None:
        return [[name, query, "", _as_text_cell(result.error)] + [""] * len(CSV_COLUMNS)]
    total = str(result.results.total)
    rows = [[name, query, total, "", *hit_csv_row(hit)] for hit in result.results.hits]
    return rows or [[name, query, total, ""] + [""] * len(CSV_COLUMNS)]


class BatchJSON(TypedDict):
    name: str
    query: str
    line: int
    total: int | None
    error: str | None
    results: list[HitJSON]


class BatchAnswerJSON(TypedDict):
    matched: int  # how many queries matched a document
    queries: list[BatchJSON]


def batch_json(result: BatchResult) -> BatchJSON:
    """A batch query as a line of JSON Lines: its name, text, line, total (null when it could not be run),
    error and best hits."""
    hits = result.results.hits if result.results is not None else ()
    return {
        "name": result.query.name,
        "query": result.query.query,
        "line": result.query.line,
        "total": result.results.total if result.results is not None else None,
        "error": result.error or None,
        "results": [hit_json(hit) for hit in hits],
    }


class AlertJSON(TypedDict):
    name: str
    query: str | None
    actors: list[str]
    sources: list[str]
    since: str | None
    until: str | None
    types: list[str]
    created: str
    seen: str | None
    total: int  # documents matching it now
    new: int  # of them, indexed (added or changed) since it was last seen


class AlertsJSON(TypedDict):
    alerts: list[AlertJSON]


def alerts_json(statuses: Iterable[AlertStatus]) -> AlertsJSON:
    return {
        "alerts": [
            {
                "name": s.alert.name, "query": s.alert.query, "actors": list(s.alert.actors),
                "sources": list(s.alert.sources), "since": s.alert.since, "until": s.alert.until,
                "types": list(s.alert.types), "created": s.alert.created, "seen": s.alert.seen or None,
                "total": s.total, "new": s.new,
            }
            for s in statuses
        ]
    }  # fmt: skip


class AssociationJSON(TypedDict):
    value: str  # an actor id, or a word or phrase as the documents mostly write it
    name: str
    type: str  # an actor's type, or "word" or "phrase"
    count: int  # documents of the set holding it
    outside: int  # documents outside the set holding it
    score: float  # JLH


class AssociationsJSON(TypedDict):
    query: str
    documents: int  # the set: the documents naming the actor, or a search's matches
    background: int  # what the set is compared with: the search's matches, or every document
    items: list[AssociationJSON]
    notes: list[str]
    unknown_actors: list[UnknownActorJSON] | None
    unknown_sources: list[UnknownActorJSON] | None


def associations_json(found: Associations) -> AssociationsJSON:
    return {
        "query": found.query,
        "documents": found.documents,
        "background": found.background,
        "items": [
            {
                "value": a.value,
                "name": a.name,
                "type": a.type,
                "count": a.count,
                "outside": a.background - a.count,
                "score": round(a.score, 6),
            }
            for a in found.items
        ],
        "notes": list(found.notes),
        "unknown_actors": _unknown_json(found.unknown_actors),
        "unknown_sources": _unknown_json(found.unknown_sources),
    }


ASSOCIATION_CSV_COLUMNS = ("value", "name", "type", "count", "outside", "score")


def associations_csv(found: Associations) -> str:
    rows = [[_as_text_cell(a.value), _as_text_cell(a.name), a.type, str(a.count), str(a.background - a.count),
             f"{a.score:.6f}"] for a in found.items]  # fmt: skip
    return csv_text([ASSOCIATION_CSV_COLUMNS, *rows])


class NodeJSON(TypedDict):
    id: str
    name: str
    type: str
    count: int  # matching documents naming the actor


class EdgeJSON(TypedDict):
    source: str
    target: str
    weight: int  # matching documents naming both


class NetworkJSON(TypedDict):
    """networkx reads it: networkx.node_link_graph(data, edges="edges")."""

    directed: bool
    multigraph: bool
    graph: dict[str, Any]
    nodes: list[NodeJSON]
    edges: list[EdgeJSON]


def network_json(network: Network) -> NetworkJSON:
    return {
        "directed": False,
        "multigraph": False,
        "graph": {"query": network.query, "documents": network.documents},
        "nodes": [{"id": n.id, "name": n.name, "type": n.type, "count": n.count} for n in network.nodes],
        "edges": [{"source": e.source, "target": e.target, "weight": e.count} for e in network.edges],
    }


def network_csv(network: Network) -> str:
    """The edges, as Gephi imports an edge table: Source, Target, Weight, and the actors' names."""
    names = {node.id: node.name for node in network.nodes}
    rows = [
        [_as_text_cell(e.source), _as_text_cell(e.target), str(e.count), "Undirected",
         _as_text_cell(names[e.source]), _as_text_cell(names[e.target])]
        for e in network.edges
    ]  # fmt: skip
    return csv_text([("Source", "Target", "Weight", "Type", "Source name", "Target name"), *rows])


def network_graphml(network: Network) -> str:
    """The network as GraphML (Gephi, networkx.read_graphml, yEd): nodes with name, type and count,
    edges with weight."""
    from xml.etree import ElementTree as ET

    root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    keys = (("name", "node", "string"), ("type", "node", "string"), ("count", "node", "int"),
            ("weight", "edge", "int"))  # fmt: skip
    for name, domain, kind in keys:
        ET.SubElement(root, "key", {"id": name, "for": domain, "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, "graph", id="actors", edgedefault="undirected")
    for node in network.nodes:
        element = ET.SubElement(graph, "node", id=node.id)
        for name, value in (("name", node.name), ("type", node.type), ("count", str(node.count))):
            ET.SubElement(element, "data", key=name).text = _xml_safe(value)
    for edge in network.edges:
        element = ET.SubElement(graph, "edge", source=edge.source, target=edge.target)
        ET.SubElement(element, "data", key="weight").text = str(edge.count)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold (control characters from a damaged document)."""
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd")
                   or c >= "\U00010000")  # fmt: skip


class PeriodJSON(TypedDict):
    period: str  # 2012-03-23, 2012-W12, 2012-03 or 2012
    start: str  # its first day
    end: str  # its last day
    count: int


class SeriesJSON(TypedDict):
    key: str  # the actor's id, or the outlet
    name: str
    total: int
    undated: int
    counts: list[int]  # one a period, in the order of "periods"


class TimelineJSON(TypedDict):
    query: str
    by: str
    total: int
    undated: int
    periods: list[PeriodJSON]
    split_by: str | None
    series: list[SeriesJSON] | None
    notes: list[str]
    unknown_actors: list[UnknownActorJSON] | None
    unknown_sources: list[UnknownActorJSON] | None


def timeline_json(timeline: Timeline) -> TimelineJSON:
    """A timeline: every period with its count (empty ones as 0), undated documents apart."""
    by = timeline.by
    return {
        "query": timeline.query,
        "by": by,
        "total": timeline.total,
        "undated": timeline.undated,
        "periods": [
            {
                "period": period_label(start, by),
                "start": start.isoformat(),
                "end": period_end(start, by).isoformat(),
                "count": count,
            }
            for start, count in zip(timeline.periods, timeline.counts, strict=True)
        ],
        "split_by": timeline.split_by or None,
        "series": [
            {"key": s.key, "name": s.name, "total": s.total, "undated": s.undated, "counts": list(s.counts)}
            for s in timeline.series
        ]
        if timeline.split_by
        else None,
        "notes": list(timeline.notes),
        "unknown_actors": _unknown_json(timeline.unknown_actors),
        "unknown_sources": _unknown_json(timeline.unknown_sources),
    }


def timeline_csv(timeline: Timeline) -> str:
    """A timeline as CSV: a row a period (period, start, end, count, then one column a series of a
    split timeline, headed by its name), and a last row 'undated' when some documents have no date."""
    by = timeline.by
    names = [_as_text_cell(series.name) for series in timeline.series]
    rows: list[Sequence[str]] = [["period", "start", "end", "count", *names]]
    for i, (start, count) in enumerate(zip(timeline.periods, timeline.counts, strict=True)):
        rows.append(
            [
                period_label(start, by),
                start.isoformat(),
                period_end(start, by).isoformat(),
                str(count),
                *(str(series.counts[i]) for series in timeline.series),
            ]
        )
    if timeline.undated:
        rows.append(["undated", "", "", str(timeline.undated), *(str(s.undated) for s in timeline.series)])
    return csv_text(rows)


def document_json(document: Document, copies: tuple[Copy, ...] = ()) -> DocumentJSON:
    """A stored document, with the other documents that are copies of its story."""
    return {
        "id": document.id,
        "path": document.path,
        "title": document.title,
        "date": _day(document.date),
        "date_source": document.date_source or None,
        "actors": [actor_json(actor) for actor in document.actors],
        "authors": list(document.authors),
        "source": document.source or None,
        "url": document.url or None,
        "type": document.type,
        "text": document.body,
        "copies": [copy_json(copy) for copy in copies],
    }


def cleaned_json(document: Document) -> CleanedJSON:
    """A file as `search clean --json` shows it (one line each: JSON Lines)."""
    return {
        "path": document.path,
        "title": document.title,
        "date": _day(document.date),
        "date_source": document.date_source or None,
        "actors": [actor_json(actor) for actor in document.actors],
        "authors": list(document.authors),
        "text": document.body,
    }


def stats_json(stats: IndexStats) -> dict[str, Any]:
    """IndexStats field for field (the HTTP API answers the record itself)."""
    return asdict(stats)


def dumps(data: Any) -> str:
    """JSON indented by two, with small things on one line: highlight spans, actors, facet counts.

    Below the top, a container goes on one line when nothing in it is a container (a flat object, a
    span) or when it is a list of spans; everything else is indented as json.dumps(indent=2) does.
    """
    return _dumps(data, "", top=True)


def _dumps(value: Any, indent: str, top: bool = False) -> str:
    if isinstance(value, dict) and value:
        if not top and all(not isinstance(item, (dict, list, tuple)) for item in value.values()):
            return "{" + ", ".join(f"{_scalar(key)}: {_scalar(item)}" for key, item in value.items()) + "}"
        inner = indent + "  "
        items = ",\n".join(f"{inner}{_scalar(key)}: {_dumps(item, inner)}" for key, item in value.items())
        return "{\n" + items + "\n" + indent + "}"
    if isinstance(value, (list, tuple)) and value:
        if _is_span(value) or all(_is_span(item) for item in value):
            return "[" + ", ".join(_dumps(item, indent) for item in value) + "]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _dumps(item, inner) for item in value) + "\n" + indent + "]"
    return _scalar(value)


def _is_span(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    )


def _scalar(value: Any) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
