"""Facets: documents per actor (with names), per outlet and per year, and the actor names an index knows."""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.query import Term

from ..models import FacetCount, UnknownActor
from .columns import most_counted

if TYPE_CHECKING:
    from .columns import Columns, IntArray
from .folder import ALIASES_NAME, _stamp, alias_key, read_actor_aliases

QUERY_FIELD_RE = re.compile(r"\b\w+:(?:\[[^\]]*\]|\"[^\"]*\"|\S+)")
QUERY_WORD_RE = re.compile(r"[^\W_]+(?:[.'’-][^\W_]+)*\.?")
MAX_NAME_WORDS = 8  # the longest name a query's words are looked up as
MAX_LOWER_CASE_ACRONYM = 3  # "US", "UN", "EU" name an actor only in capitals: "us" is a word


@dataclass(frozen=True)
class FacetRequest:
    """How facets count: main actors only, actors of one type only, and how many values each keeps."""

    main_actors: bool = False
    actor_type: str | None = None
    limit: int | None = 100


def facet_counts(
    searcher: Any,
    columns: Columns,
    docs: IntArray,
    name: str,
    actors: ActorNames,
    request: FacetRequest,
) -> tuple[FacetCount, ...]:
    """Documents per actor (with its name and type; main actors only, or one type, if asked) or per
    outlet, the request's limit of them, most first; or per year, latest first; among docs."""
    if name == "actor":
        kind = request.actor_type
        keep = None
        if kind is not None:  # an id the table lacks (an index written before it) is kept, checked below
            known = actors.known()

            def keep(key: str) -> bool:
                return known.get(key, ("", kind))[1] == kind

        top = columns.most_named(docs, request.limit, request.main_actors, keep)
        names = actors.of(searcher, dict(top))
        return tuple(
            FacetCount(key, count, *names[key])
            for key, count in top
            if key in names and kind in (None, names[key][1])
        )
    if name == "source":
        return tuple(
            FacetCount(value, count, value)
            for value, count in most_counted(columns.source_counts(docs), request.limit)
        )
    import numpy as np

    years, per_year = np.unique(columns.dated(docs).astype("datetime64[Y]"), return_counts=True)
    latest_first = sorted(zip(years, per_year, strict=True), reverse=True)
    return tuple(FacetCount(str(year), int(count)) for year, count in latest_first)


def _actor_table(index_dir: Path) -> dict[str, tuple[str, str]]:
    """An index's actor table (actornames.py), or the actors.json of one written before it."""
    from .actornames import read_actor_names, read_old_actor_names

    found = read_actor_names(index_dir)
    return found if found is not None else read_old_actor_names(index_dir)


def _merged(
    read: Callable[[Path], dict[str, tuple[str, str]]], index_dirs: tuple[Path, ...]
) -> dict[str, tuple[str, str]]:
    """One index's table as read; of several, each key as the first index holding it has it."""
    if len(index_dirs) == 1:
        return read(index_dirs[0])
    merged: dict[str, tuple[str, str]] = {}
    for index_dir in index_dirs:
        for key, value in read(index_dir).items():
            merged.setdefault(key, value)
    return merged


class ActorNames:
    """The name and type of each actor id, from the index's actor table (re-read when an indexing run
    rewrote it), else from a document naming the actor."""

    def __init__(self, index_dirs: Sequence[Path]) -> None:
        """The actors of one index, or of several searched as one (an actor the first names, as it
        names it)."""
        self._index_dirs = tuple(index_dirs)
        # The actor table as read, with the versions it was read at: one attribute, replaced whole, so
        # that a server's threads never pair one read's names with another's versions.
        self._known: tuple[tuple[tuple[int, ...], ...], dict[str, tuple[str, str]]] = ((), {})
        self._reading = threading.Lock()
        self._aliases: dict[str, tuple[str, str]] = {}
        self._aliases_stamp: tuple[tuple[int, int], ...] = ()

    def known(self) -> dict[str, tuple[str, str]]:
        """The index's list of actors (id -> name and type), re-read when an indexing run wrote it."""
        from .actornames import table_version  # (sqlite3: only a query that needs the names imports it)

        stamp = tuple(table_version(index_dir) for index_dir in self._index_dirs)
        if stamp != self._known[0]:
            with self._reading:  # one thread reads it; the others wait for what it read
                if stamp != self._known[0]:
                    self._known = (stamp, _merged(_actor_table, self._index_dirs))
        return self._known[1]

    def named_in(self, text: str) -> tuple[tuple[str, str, str], ...]:
        """(as written, id, name) of each of the index's actors that a query's words name, by a name or
        an alias the index keeps (ALIASES_NAME), longest first: 'ecowas', '"African Union"'. Field
        clauses (actor:..., date:...) are left out; an acronym of three letters or fewer counts only
        written in capitals ('US', not 'us')."""
        stamp = tuple(_stamp(index_dir / ALIASES_NAME) for index_dir in self._index_dirs)
        if stamp != self._aliases_stamp:
            self._aliases, self._aliases_stamp = _merged(read_actor_aliases, self._index_dirs), stamp
        if not self._aliases:
            return ()
        words = QUERY_WORD_RE.findall(QUERY_FIELD_RE.sub(" ", text))
        found: dict[str, tuple[str, str, str]] = {}
        start = 0
        while start < len(words):
            for end in range(min(len(words), start + MAX_NAME_WORDS), start, -1):
                written = " ".join(words[start:end])
                actor = self._aliases.get(alias_key(written))
                short = len(written.replace(".", "")) <= MAX_LOWER_CASE_ACRONYM
                if actor is not None and (not short or written.isupper()):
                    actor_id, name = actor
                    found.setdefault(actor_id, (written, actor_id, name))
                    start = end - 1
                    break
            start += 1
        return tuple(found.values())

    def of(self, searcher: Any, counts: dict[str, int]) -> dict[str, tuple[str, str]]:
        """Each actor id's name and type: from the index's list of actors, else from a document naming it."""
        from .actornames import read_actor_names

        names: dict[str, tuple[str, str]] = {}
        for index_dir in self._index_dirs:  # the ids counted alone: a million articles name 352,000
            found = read_actor_names(index_dir, [actor_id for actor_id in counts if actor_id not in names])
            if found is None:  # an index written before the table: its actors.json, read once a version
                known = self.known()
                found = {actor_id: known[actor_id] for actor_id in counts if actor_id in known}
            for actor_id, entry in found.items():
                names.setdefault(actor_id, entry)
        for actor_id in set(counts) - set(names):  # an index written before the list was kept
            for hit in searcher.search(Term("actors", actor_id), limit=1):
                for info in hit.get("actor_info") or ():
                    if info[0] == actor_id:
                        names[actor_id] = (info[1], info[2])
        return names

    def unknown(
        self, searcher: Any, actors: tuple[tuple[str, tuple[str, ...]], ...]
    ) -> tuple[UnknownActor, ...]:
        """The actors a request must name that no document names, each with the closest actors that exist."""
        unknown = []
        for written, actor_ids in dict.fromkeys(actors):
            if any(searcher.doc_frequency("actors", actor_id) for actor_id in actor_ids):
                continue
            known = self.known()
            by_name = {name.lower(): name for name, _ in known.values()}
            close = difflib.get_close_matches(written.lower(), list(by_name), n=3, cutoff=0.75)
            unknown.append(UnknownActor(written, tuple(by_name[name] for name in close)))
        return tuple(unknown)
