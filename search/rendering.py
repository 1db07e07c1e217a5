"""Turn our records into what a terminal shows; pure functions, no I/O (JSON is wire.py's)."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import TYPE_CHECKING

from .models import (
    Actor,
    AlertStatus,
    Associations,
    Copy,
    Document,
    FacetCount,
    Fragment,
    Hit,
    IndexReport,
    IndexStats,
    Results,
    Timeline,
    UnknownActor,
    UnknownSource,
    period_label,
)

if TYPE_CHECKING:
    from .lines import Piece

# grep's colours: matched words in bold red, titles in bold.
MATCH_STYLE = "\x1b[1;31m"
TITLE_STYLE = "\x1b[1m"
REMOVED_STYLE = "\x1b[31m"
RESET = "\x1b[0m"
FRAGMENT_SEPARATOR = " … "
COPIES_NAMED = 5  # a hit's copies line names the outlets of this many
ACTORS_SHOWN = 6  # a hit's line names its heaviest actors; `search show` and JSON list them all
MAX_SHOWN_TITLE_CHARS = 120  # a hit's first line on a terminal; the index and JSON keep the whole title
# Characters that steer a terminal rather than print: C0 and C1 controls (escape sequences can
# retitle the window, clear the screen or forge output) and the bidirectional overrides that make a
# name read otherwise than its bytes. File names and texts from elsewhere may hold any of them.
UNSAFE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
UNSAFE_BUT_LINES_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str, lines: bool = False) -> str:
    """Text with every character that would steer a terminal spelled out ('\\x1b', '\\n', '\\u202e').

    With lines, line breaks and tabs are kept: for a document's text, not for a name on one line.
    """
    pattern = UNSAFE_BUT_LINES_RE if lines else UNSAFE_RE
    return pattern.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def mark_fragment(fragment: Fragment, start: str, end: str) -> str:
    """The fragment's text, made terminal-safe, with `start` and `end` around each highlighted span."""
    pieces: list[str] = []
    position = 0
    for span_start, span_end in fragment.highlights:
        pieces.append(terminal_safe(fragment.text[position:span_start]))
        pieces.append(start + terminal_safe(fragment.text[span_start:span_end]) + end)
        position = span_end
    pieces.append(terminal_safe(fragment.text[position:]))
    return "".join(pieces)


def shorten(text: str, limit: int = MAX_SHOWN_TITLE_CHARS) -> str:
    """Cut text at a word boundary to at most `limit` characters, marking the cut with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "…"


def _styled(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{RESET}" if color else text


def _actor_names(actors: tuple[Actor, ...]) -> str:
    """The heaviest actors' names (they come heaviest first), and how many more there are."""
    shown = ", ".join(actor.name for actor in actors[:ACTORS_SHOWN])
    return shown + (f" +{len(actors) - ACTORS_SHOWN}" if len(actors) > ACTORS_SHOWN else "")


def render_hit(hit: Hit, color: bool) -> str:
    """Three lines for one hit: rank and title; path, date, outlet (when known), actors and score; the
    snippet."""
    date = hit.date.date().isoformat() if hit.date else "-"
    actors = terminal_safe(_actor_names(hit.actors)) if hit.actors else "-"
    start, end = (MATCH_STYLE, RESET) if color else ("", "")
    snippet = FRAGMENT_SEPARATOR.join(mark_fragment(f, start, end) for f in hit.fragments)
    title = _styled(terminal_safe(shorten(hit.title or hit.path or hit.id)), TITLE_STYLE, color)
    score = f"{hit.score:.2f}" if hit.score else "-"  # no relevance is computed when sorting by date
    source = f" | source: {terminal_safe(hit.source)}" if hit.source else ""
    copies = f"   {render_copies(hit.copies)}\n" if hit.copies else ""
    return (
        f"{hit.rank}. {title}\n"
        f"   {terminal_safe(hit.path or hit.id)} | date: {date}{source} | actors: {actors} | score: {score}\n"
        f"   {snippet}\n{copies}"
    )


def render_copies(copies: tuple[Copy, ...]) -> str:
    """'+3 copies: Reuters, AP, BBC': how many other documents carry the story, and their outlets (their
    ids for those without one), oldest first, the first COPIES_NAMED of them."""
    noun = "copy" if len(copies) == 1 else "copies"
    names = list(dict.fromkeys(copy.source or copy.id for copy in copies))
    more = f" +{len(names) - COPIES_NAMED}" if len(names) > COPIES_NAMED else ""
    return f"+{len(copies)} {noun}: {terminal_safe(', '.join(names[:COPIES_NAMED]))}{more}"


def render_text(results: Results, color: bool) -> str:
    """The ranked hits as text for a terminal or a pipe, a blank line between hits."""
    return "\n".join(render_hit(hit, color) for hit in results.hits)


def render_unknown_actor(unknown: UnknownActor) -> str:
    """Why a search that requires an actor (or an outlet) no document names found nothing, with the
    closest names."""
    hint = f" (did you mean: {', '.join(unknown.suggestions)}?)" if unknown.suggestions else ""
    if isinstance(unknown, UnknownSource):
        return f"no document comes from an outlet {unknown.name!r}{hint}"
    return f"no document names an actor {unknown.name!r}{hint}"


def render_total(results: Results) -> str:
    """How many documents matched and which of them are shown: '12 documents match 'coup' (1-10 shown)';
    with copies folded, '12 documents match 'coup', 9 with copies folded (1-9 shown)'."""
    noun = "document matches" if results.total == 1 else "documents match"
    what = repr(results.query) if results.query else "the filters"
    if not results.total:
        return f"no documents match {what}"
    distinct = results.total if results.distinct is None else results.distinct
    folded = f", {distinct:,} with copies folded" if distinct != results.total else ""
    if not results.hits:
        return f"{results.total:,} {noun} {what}{folded}"
    first, last = results.hits[0].rank, results.hits[-1].rank
    shown = "" if (first, last) == (1, distinct) else f" ({first}-{last} shown)"
    return f"{results.total:,} {noun} {what}{folded}{shown}"


def render_facets(results: Results) -> str:
    """Facet counts under the hits: one line a facet, 'name count' pairs, most first."""
    lines = []
    for name, counts in results.facets.items():
        pairs = " · ".join(f"{terminal_safe(facet.name or facet.value)} {facet.count}" for facet in counts)
        lines.append(f"{name}: {pairs or '-'}")
    return "\n" + "\n".join(lines) + "\n"


def render_source_counts(counts: tuple[FacetCount, ...]) -> str:
    """Outlets with their document counts, a line each."""
    return "".join(f"{c.count:>6}  {terminal_safe(c.value)}\n" for c in counts)


def render_alert_status(status: AlertStatus) -> str:
    """A saved search on a line: its name, how many documents match, how many are new, and the search."""
    alert = status.alert
    given = [f"{flag} {terminal_safe(value)}" for flag, values in (("--actor", alert.actors),
             ("--source", alert.sources), ("--type", alert.types)) for value in values]  # fmt: skip
    given += [
        f"--{flag} {value}" for flag, value in (("since", alert.since), ("until", alert.until)) if value
    ]
    search = " ".join(([repr(terminal_safe(alert.query))] if alert.query else []) + given)
    return f"{terminal_safe(alert.name)}  {status.total:,} documents, {status.new:,} new  {search}\n"


def render_associations(found: Associations) -> str:
    """What is over-represented, a line each: in how many documents of the set and of the background,
    and its score; for an actor, its type and id too."""
    lines = [f"{'set':>6} {'all':>7}  {'score':>6}  value"]
    for item in found.items:
        described = (
            f"  ({item.type}, {terminal_safe(item.value)})" if item.type not in ("word", "phrase") else ""
        )
        lines.append(
            f"{item.count:>6} {item.background:>7}  {item.score:>6.3f}  {terminal_safe(item.name)}{described}"
        )
    return "\n".join(lines) + "\n"


def render_actor_counts(counts: tuple[FacetCount, ...]) -> str:
    """Actors with their document counts, a line each."""
    return "".join(
        f"{c.count:>6}  {terminal_safe(c.name)}  ({c.type}, {terminal_safe(c.value)})\n" for c in counts
    )


BAR_PARTS = " ▏▎▍▌▋▊▉"  # a bar's last cell, in eighths of a block
FULL_BLOCK = "█"
MIN_BAR_CELLS = 5  # a column of a split timeline narrower than this shows its counts without bars


def _bar(count: int, most: int, cells: int, ascii: bool) -> str:
    """count's share of most, drawn in `cells` cells: blocks by eighths, or '#' in plain ASCII. A count
    above zero always shows, however small beside the most."""
    if count <= 0 or most <= 0 or cells <= 0:
        return ""
    if ascii:
        return "#" * max(1, round(count / most * cells))
    full, part = divmod(max(1, round(count / most * cells * 8)), 8)
    return FULL_BLOCK * full + (BAR_PARTS[part] if part else "")


def render_timeline(timeline: Timeline, width: int = 80, ascii: bool = False) -> str:
    """A timeline as a bar chart, a line a period, labels and counts aligned, bars scaled to fit width;
    undated documents on a line of their own, without a bar. Split by actor or outlet, a column of
    count and bar each (all matches first, then each actor or outlet, whose bars share one scale)."""
    labels = [period_label(start, timeline.by) for start in timeline.periods]
    labels += ["undated"] if timeline.undated else []
    if not labels:
        return ""
    columns = [("all", timeline.counts, timeline.undated)] + [
        (terminal_safe(series.name), series.counts, series.undated) for series in timeline.series
    ]
    label_width = max(len(label) for label in labels)
    cell_width = max(1, (width - label_width) // len(columns) - 2)
    most_of_series = max((max(counts, default=0) for _, counts, _ in columns[1:]), default=0)
    rendered = []
    for column, (_, counts, undated) in enumerate(columns):
        digits = len(f"{max((*counts, undated)):,}")
        most = max(counts, default=0) if column == 0 else most_of_series
        bar_cells = cell_width - digits - 1 if cell_width >= digits + MIN_BAR_CELLS else 0
        cells = [f"{n:>{digits},} {_bar(n, most, bar_cells, ascii)}" for n in counts]
        rendered.append(cells + ([f"{undated:>{digits},}"] if timeline.undated else []))
    lines = []
    if timeline.series:
        heads = "".join(f"  {shorten(name, cell_width):<{cell_width}}" for name, _, _ in columns)
        lines.append(f"{'':<{label_width}}{heads}")
    for row, label in enumerate(labels):
        lines.append(
            f"{label:<{label_width}}" + "".join(f"  {cells[row]:<{cell_width}}" for cells in rendered)
        )
    return "".join(line.rstrip() + "\n" for line in lines)


def render_timeline_total(timeline: Timeline) -> str:
    """What the timeline counts: '120 documents match 'coup': 117 dated, 3 undated, by month, 2012-03 to
    2013-01'."""
    what = repr(timeline.query) if timeline.query else "the filters"
    if not timeline.total:
        return f"no documents match {what}"
    noun = "document matches" if timeline.total == 1 else "documents match"
    dated = timeline.total - timeline.undated
    span = ""
    if timeline.periods:
        first, last = (period_label(p, timeline.by) for p in (timeline.periods[0], timeline.periods[-1]))
        span = f", {first}" if first == last else f", {first} to {last}"
    counted = f"{dated:,} dated, {timeline.undated:,} undated, by {timeline.by}{span}"
    return f"{timeline.total:,} {noun} {what}: {counted}"


def render_document(document: Document, copies: tuple[Copy, ...] = ()) -> str:
    """One document: its metadata and copies (a line each), a blank line, its clean text."""
    actors = ", ".join(
        f"{a.name} ({a.type}, {a.weight:g}{', main' if a.main else ''})" for a in document.actors
    )
    lines = [
        f"title: {document.title}",
        f"id: {document.id}",
        f"date: {_dated(document)}",
        f"actors: {actors or '-'}",
    ]
    given = (("authors", ", ".join(document.authors)), ("source", document.source), ("url", document.url))
    lines += [f"{key}: {value}" for key, value in given if value]
    lines += [f"copy: {_copy_line(copy)}" for copy in copies]
    return "\n".join(map(terminal_safe, lines)) + "\n\n" + terminal_safe(document.body, lines=True)


def _copy_line(copy: Copy) -> str:
    """'reuters/123.txt (Reuters, 2012-03-23)': a copy's id, outlet and date, as known."""
    known = [part for part in (copy.source, copy.date.date().isoformat() if copy.date else "") if part]
    return f"{copy.id} ({', '.join(known)})" if known else copy.id


def render_clean(document: Document) -> str:
    """A cleaned file as it will be indexed: title, date and actors, a blank line, its text."""
    actors = terminal_safe(", ".join(actor.name for actor in document.actors)) or "-"
    title, body = terminal_safe(document.title), terminal_safe(document.body, lines=True)
    return f"title: {title}\ndate: {_dated(document)}\nactors: {actors}\n\n{body}\n"


def _dated(document: Document) -> str:
    """'2012-03-26 (header)': the date and where it came from; '-' when undated."""
    if document.date is None:
        return "-"
    return (
        f"{document.date.date().isoformat()} ({document.date_source})"
        if document.date_source
        else (document.date.date().isoformat())
    )


def render_clean_diff(pieces: tuple[Piece, ...], color: bool) -> str:
    """Every line of a file: kept ones indented, removed ones marked '-' with the rule that removed them."""
    lines = []
    for piece in pieces:
        if piece.removed_by:
            lines.append(_styled(f"- [{piece.removed_by}] {terminal_safe(piece.text)}", REMOVED_STYLE, color))
        else:
            lines.append(f"  {terminal_safe(piece.text)}")
    return "\n".join(lines) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun if number == 1 else noun + 's'}"


def render_index_report(report: IndexReport) -> str:
    """One line: what an indexing run did, and how long it took."""
    if report.rebuilt:
        done = f"indexed {_count(report.added, 'document')}"
    else:
        done = (
            f"added {report.added}, updated {report.updated}, removed {report.removed}, "
            f"unchanged {report.unchanged}"
        )
    return f"{done}, skipped {_count(len(report.skipped), 'file')} in {report.seconds:.2f} s"


def render_stats(stats: IndexStats) -> str:
    """An index's figures: a 'name: value' line each."""
    data = asdict(stats)
    size = (
        f"{stats.size_bytes / 1_048_576:.1f} MiB"
        if stats.size_bytes >= 1_048_576
        else f"{stats.size_bytes:,} bytes"
    )
    shown = {**data, "size_on_disk": size, "actors_files": ", ".join(stats.actors_files) or "-"}
    del shown["size_bytes"]
    return "\n".join(
        terminal_safe(f"{name.replace('_', ' ')}: {value if value is not None else '-'}")
        for name, value in shown.items()
    )
