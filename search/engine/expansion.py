"""Wildcards, prefixes and fuzzy words read as the words of the index they stand for, within one
budget a query, so that no request reads the whole vocabulary.
"""

from __future__ import annotations

import copy
from typing import Any

from whoosh.query import Every, FuzzyTerm, NullQuery, Or, Phrase, Prefix, Query, Term, TermRange, Wildcard
from whoosh.support.levenshtein import distance

from ..errors import QueryError
from .query import _AllDocuments

MAX_EXPANDED_TERMS = 500  # words the wildcards, prefixes and fuzzy words of one query may stand for
MAX_EXPANDED_POSTINGS = 500_000  # and the postings those words may hold (scored at ~0.5 M a second)


def expand_patterns(query: Query, reader: Any) -> tuple[Query, tuple[str, ...]]:
    """Wildcards, prefixes and fuzzy words as the words of the index they match, at most
    MAX_EXPANDED_TERMS in all (with a note when a pattern matched more): one request must not read
    the whole vocabulary (a hostile 'a*' or '?*' tied up the server for a minute).

    Fuzzy words are matched against the field's own (stemmed) terms: Whoosh looks a stemmed
    field's fuzzy term up in its unstemmed spelling words and then searches those words in the
    stemmed field, so 'peacekeping~' found nothing.
    """
    notes: list[str] = []
    # The query's whole budget, in words and in the postings they hold: 's* OR t* OR a* ...' shares
    # one, and 'the~2' (179 words as common as 'they' and 'that') is read only so far.
    left, left_postings = [MAX_EXPANDED_TERMS], [MAX_EXPANDED_POSTINGS]
    expansions: dict[tuple[str, str, int, int], list[str]] = {}

    def words_of(node: Query) -> list[str]:
        """The words a pattern stands for, read once from the body (which holds the headline too)
        and used for every field the pattern is searched in."""
        maxdist, prefix = getattr(node, "maxdist", 0), getattr(node, "prefixlength", 0)
        key = (type(node).__name__, node.text, maxdist, prefix)
        if key in expansions:
            return expansions[key]
        from_bytes = reader.schema["body"].from_bytes
        if isinstance(node, FuzzyTerm):
            near = (from_bytes(btext) for btext in reader.expand_prefix("body", node.text[: max(1, prefix)]))
            words = (word for word in near if distance(word, node.text, limit=maxdist) <= maxdist)
        else:
            pattern = copy.copy(node)
            pattern.fieldname = "body"
            words = (from_bytes(btext) for btext in pattern._btexts(reader))
        found: list[str] = []
        for word in words:
            postings = reader.doc_frequency("body", word)
            if len(found) >= left[0] or postings > left_postings[0]:
                written = node.text + (
                    "*" if isinstance(node, Prefix) else "~" if isinstance(node, FuzzyTerm) else ""
                )
                notes.append(
                    f"{written!r} matches more than one query may search ({MAX_EXPANDED_TERMS:,} words, "
                    f"{MAX_EXPANDED_POSTINGS:,} postings): searched the first of them; make it longer"
                )
                break
            found.append(word)
            left_postings[0] -= postings
        left[0] -= len(found)
        expansions[key] = found
        return found

    def expand(node: Query) -> Query:
        if type(node) is Every:  # 'title:*', a lone '*' left by stripped brackets: every document
            return _AllDocuments()
        if isinstance(node, Phrase) and not all(reader.doc_frequency(node.fieldname, w) for w in node.words):
            return NullQuery  # a word no document holds: nothing to match, and no slow matcher to build
        if isinstance(node, TermRange) and node.fieldname != "date":
            raise QueryError(f"{node}: a range [a to b] is for dates only (date:[2012 to 2013-06])")
        if not isinstance(node, (FuzzyTerm, Wildcard, Prefix)):
            return node
        found = words_of(node)
        return Or([Term(node.fieldname, word, boost=node.boost) for word in found]) if found else NullQuery

    expanded = query.accept(expand).normalize()  # a pattern that matched nothing is a NullQuery: dropped
    return expanded, tuple(dict.fromkeys(notes))
