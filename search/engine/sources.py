"""Outlets: the sources an index's documents come from, found as a user writes them.

The index keeps each document's source exactly as it was given ("CNN (Web News)", "Reuters"), in a
field of whole values. A user writes "cnn", "Fox News" or "reuters": a name means every outlet whose
name holds each of its words, whatever the case ("fox" for "Fox" and "Fox News (Online News)"), and
when it means none the search says so with the closest names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from whoosh.query import NullQuery, Or, Query, Term

from ..models import UnknownSource

SOURCE_FIELD = "source"
_WORD_RE = re.compile(r"\w+")
SPELT_ALIKE = 0.75  # difflib's ratio of two words one may have meant for the other (as actors' names use)


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _words(name: str) -> frozenset[str]:
    return frozenset(_WORD_RE.findall(name.casefold()))


def source_values(searcher: Any) -> list[str]:
    """Every outlet of the index's documents (deleted ones too, until segments merge), sorted."""
    reader = searcher.reader()
    return sorted(value for value in reader.field_terms(SOURCE_FIELD) if value)


def outlets_named(name: str, values: Iterable[str]) -> tuple[str, ...]:
    """The outlets a name given by a user means: those whose names hold each of its words, in any case
    ('fox' is "Fox" and "Fox News (Online News)"; 'the hill' is "The Hill")."""
    words = _words(name)
    return tuple(value for value in values if words and words <= _words(value))


def any_outlet(values: Iterable[str]) -> Query:
    """Documents from any of the outlets (none: no document); names a user wrote become outlets through
    with_outlets_resolved()."""
    terms = [Term(SOURCE_FIELD, value) for value in values]
    if not terms:
        return NullQuery
    return terms[0] if len(terms) == 1 else Or(terms)


def with_outlets_resolved(query: Query, named: Callable[[str], tuple[str, ...]]) -> Query:
    """The query with each source: clause's name replaced by the outlets it means; a name that means none
    keeps matching nothing."""

    def resolved(node: Query) -> Query:
        if type(node) is not Term or node.fieldname != SOURCE_FIELD:
            return node
        outlets = named(node.text)
        return any_outlet(outlets) if outlets else node

    return query.accept(resolved)


def _spelt_alike(name: str, value: str) -> bool:
    """True when each word of the name is close to a word of the outlet's ('Fox Newz', "Fox News")."""
    words = _words(value)
    return all(difflib.get_close_matches(word, words, n=1, cutoff=SPELT_ALIKE) for word in _words(name))


def unknown_outlets(names: Iterable[str], values: list[str]) -> tuple[UnknownSource, ...]:
    """The names that mean no outlet, each with up to three outlets spelt alike, closest first."""
    unknown = []
    for name in dict.fromkeys(names):
        if not outlets_named(name, values):
            alike = [value for value in values if _words(name) and _spelt_alike(name, value)]
            alike.sort(key=lambda value: -difflib.SequenceMatcher(None, _key(name), _key(value)).ratio())
            unknown.append(UnknownSource(name, tuple(alike[:3])))
    return tuple(unknown)
