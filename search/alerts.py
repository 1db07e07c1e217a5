"""Saved searches that report what is new (alerts).

An alert is a query and filters saved with the index, under a name. Every indexing run checks the
alerts against the documents it added or changed, and only those (percolation): they are indexed
anew into a small index of their own, each alert is run there, and the ids that match join the
alert's new documents, until the user marks it seen. No alert is ever run over the whole index to
find what is new, so an update's cost grows with what it changed, not with the archive.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TypedDict

from . import engine
from .config import Settings
from .errors import AlertNotFoundError, BadInputError, SearchError
from .models import Alert, AlertStatus, Document, Results
from .searching import DateBound, SearchIndex

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_RULE = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"


def check_name(name: str) -> str:
    """An alert's name as given, or BadInputError: a name is also what a user types, and a file name
    to mail from a cron job: no '/', no '..', no space."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or ".." in name:
        raise BadInputError(f"{name!r} cannot name an alert: use {NAME_RULE}")
    return name


def _kept_by(index: SearchIndex) -> Path:
    """The folder that keeps the index's saved searches: an index's own, which reports what its runs
    add; several indexes opened together have none of their own."""
    if len(index.index_dirs) > 1:
        raise BadInputError("saved searches are kept by one index, not by several searched together")
    return index.index_dir


def _named(alerts: Iterable[Alert], name: str, index_dir: Path) -> Alert:
    for alert in alerts:
        if alert.name == name:
            return alert
    raise AlertNotFoundError(f"no alert {name!r} is saved with the index at {index_dir}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def add_alert(
    index: SearchIndex,
    name: str,
    query: str | None,
    *,
    actors: Iterable[str] = (),
    sources: Iterable[str] = (),
    since: DateBound = None,
    until: DateBound = None,
    types: Iterable[str] = (),
    lock_timeout: float = Settings.lock_timeout,
) -> Alert:
    """Save a search under a name. The search is run once first: a query that cannot be read, or
    filters that cannot be, are refused here (QueryError, BadInputError), not at the next update."""
    check_name(name)
    alert = Alert(
        name=name,
        query=query.strip() if isinstance(query, str) and query.strip() else None,
        actors=tuple(actors),
        sources=tuple(sources),
        since=str(since) if since is not None else None,
        until=str(until) if until is not None else None,
        types=tuple(types),
        created=_now(),
    )
    if alert.query is None and not (
        alert.actors or alert.sources or alert.since or alert.until or alert.types
    ):
        raise BadInputError("an alert needs words to search for, or a filter")
    index.search(alert.query, limit=1, **_filters(alert))
    with engine.changing_alerts(_kept_by(index), lock_timeout) as alerts:
        if any(saved.name == name for saved in alerts):
            raise BadInputError(
                f"an alert {name!r} is saved already: remove it first, or choose another name"
            )
        alerts.append(alert)
    return alert


class _Filters(TypedDict):
    actors: tuple[str, ...]
    sources: tuple[str, ...]
    since: str | None
    until: str | None
    types: tuple[str, ...]


def _filters(alert: Alert) -> _Filters:
    """An alert's filters, as SearchIndex.search() takes them."""
    return {
        "actors": alert.actors,
        "sources": alert.sources,
        "since": alert.since,
        "until": alert.until,
        "types": alert.types,
    }


def alerts(index: SearchIndex) -> tuple[AlertStatus, ...]:
    """Every saved search, with how many documents match it now and how many of them are new."""
    found = []
    for alert in engine.read_alerts(_kept_by(index)):
        total = index.search(alert.query, limit=1, all_copies=True, **_filters(alert)).total
        found.append(AlertStatus(alert, total, _new_count(index, alert)))
    return tuple(found)


def _new_count(index: SearchIndex, alert: Alert) -> int:
    """How many of the alert's new documents still match it (an edited or deleted one may not)."""
    if not alert.new:
        return 0
    return index.search(alert.query, limit=1, within_ids=alert.new, all_copies=True, **_filters(alert)).total


def alert(index: SearchIndex, name: str) -> Alert:
    """One saved search; AlertNotFoundError when none has that name."""
    return _named(engine.read_alerts(_kept_by(index)), name, index.index_dir)


def alert_results(
    index: SearchIndex, name: str, *, new: bool = False, limit: int = 10, offset: int = 0
) -> Results:
    """A saved search's hits, as search() ranks them; with new, only its new documents that still match."""
    saved = alert(index, name)
    within = saved.new if new else None
    return index.search(saved.query, limit=limit, offset=offset, within_ids=within, **_filters(saved))


def alert_pages(index: SearchIndex, name: str, *, new: bool = False) -> Iterator[Results]:
    """Every hit of a saved search (with new, of its new documents), a page at a time: an export."""
    saved = alert(index, name)
    return index.pages(saved.query, within_ids=saved.new if new else None, **_filters(saved))


def mark_seen(index: SearchIndex, name: str, lock_timeout: float = Settings.lock_timeout) -> Alert:
    """Forget an alert's new documents: the next ones are those indexed from now on."""
    with engine.changing_alerts(_kept_by(index), lock_timeout) as saved:
        found = _named(saved, name, index.index_dir)
        seen = replace(found, new=(), seen=_now())
        saved[saved.index(found)] = seen
    return seen


def remove_alert(index: SearchIndex, name: str, lock_timeout: float = Settings.lock_timeout) -> Alert:
    """Delete a saved search; returns it."""
    with engine.changing_alerts(_kept_by(index), lock_timeout) as saved:
        found = _named(saved, name, index.index_dir)
        saved.remove(found)
    return found


# What stands, in a document indexed to be checked, at the place of a word no saved search looks up: one
# term the analyzer never makes (words are \w runs), so that phrases keep their words' positions.
PLACEHOLDER = "\u2063"


def _needed_terms(queries: Iterable[engine.ParsedQuery | None]) -> frozenset[str] | None:
    """The title and body terms the saved searches look up; None when one may look up any term."""
    needed: set[str] = set()
    for parsed in queries:
        if parsed is not None:
            terms = parsed.text_terms()
            if terms is None:
                return None
            needed |= terms
    return frozenset(needed)


def _kept(prepared: engine.PreparedDocument, needed: frozenset[str] | None) -> engine.PreparedDocument:
    """A document prepared to be checked: no stored text, and (when the saved
    searches' terms are known) only those terms, the others as PLACEHOLDER. Whoosh writes a term at a
    time (40 us each): 100 changed stories hold 8,349 distinct terms, 200 saved searches of title words
    about 400."""
    prepared = replace(prepared, document=replace(prepared.document, body=""))
    if needed is None:
        return prepared

    def kept(terms: str) -> str:
        return " ".join(term if term in needed else PLACEHOLDER for term in terms.split(" ")) if terms else ""

    return replace(prepared, title_terms=kept(prepared.title_terms), body_terms=kept(prepared.body_terms))


def percolate(
    index_dir: Path,
    documents: Sequence[Document | engine.PreparedDocument],
    lock_timeout: float = Settings.lock_timeout,
) -> tuple[tuple[str, int], ...]:
    """Run every alert over `documents` alone (those an indexing run added or changed; as prepared for
    the index, or not), record the ones each matches as new, and return (name, how many it gained)
    for each alert that gained any."""
    saved = engine.read_alerts(index_dir)
    if not saved or not documents:
        return ()
    # The terms each query looks up (actor names aside: resolving them over the whole index's 131,804
    # actors costs 0.7 s, and no title or body term depends on them).
    reader = engine.EngineIndex(index_dir)
    readable = []
    for alert in saved:
        try:
            readable.append((alert, reader.parse(alert.query) if alert.query is not None else None))
        except SearchError as error:  # saved by an earlier version, say: the others still run
            log.warning("alert %s cannot be run: %s", alert.name, error)
    needed = _needed_terms(parsed for _, parsed in readable)
    gained: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="search-alerts-") as folder:
        batch_dir = Path(folder) / "index"
        with engine.writing(batch_dir, None, lock_timeout, rebuild=True) as build:
            build.record_cleaning(engine.read_manifest(index_dir).cleaner)  # the same actors files
            for document in documents:
                prepared = (
                    document if isinstance(document, engine.PreparedDocument) else engine.prepare(document)
                )
                build.add(_kept(prepared, needed), None)
        batch = SearchIndex(batch_dir)  # actor names resolved among these documents' actors
        matcher = engine.EngineIndex(batch_dir, actors=batch)
        for alert, parsed in readable:
            try:
                request = batch.request(alert.query, **_filters(alert))
            except SearchError as error:
                log.warning("alert %s cannot be run: %s", alert.name, error)
                continue
            # Read once: again only when an actor: clause names actors to resolve among these documents.
            again = parsed is not None and parsed.names_field("actors")
            unfolded = replace(request, fold_copies=False, feedback=False)
            matched = matcher.matching_ids(unfolded, None if again else parsed)
            if matched:
                gained[alert.name] = matched
    if not gained:
        return ()
    with engine.changing_alerts(index_dir, lock_timeout) as current:
        for place, alert in enumerate(current):
            if alert.name in gained:
                current[place] = replace(alert, new=tuple(dict.fromkeys((*alert.new, *gained[alert.name]))))
    log.info("alerts gained documents: %s", {name: len(ids) for name, ids in gained.items()})
    return tuple((name, len(ids)) for name, ids in gained.items())
