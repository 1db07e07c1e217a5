"""Scoring from posting blocks: BM25F for words and phrases computed a block at a time, equal to
Whoosh's matchers (differential tests in tests/engine/test_postings.py); all private Whoosh access of the
scoring path lives here.
"""

from __future__ import annotations

import math
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import accumulate
from typing import Any

from whoosh import scoring
from whoosh.codec import whoosh3
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, Every, Not, Or, Phrase, Query, Term

CACHED_POSTINGS = 250_000  # a thread's searcher keeps the scores of its last terms up to this many (~25 MB)


class RobertsonBM25F(scoring.BM25F):
    """BM25F with BM25's own inverse document frequency.

    Whoosh's idf, log(N/(n+1)) + 1, never falls below about 1, so the common words of a long
    query outweigh its rare ones; Robertson's log(1 + (N-n+0.5)/(n+0.5)) goes to 0 instead.
    """

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        # All documents, deleted ones too: doc_frequency still counts a deleted copy's postings until
        # segments merge, and with fewer documents than postings the idf would turn negative.
        total = parent.doc_count_all()
        return math.log(1 + (total - n + 0.5) / (n + 0.5))


def _term_blocks(
    reader: Any, fieldname: str, btext: bytes, wanted: list[int] | None = None
) -> Iterator[tuple[Any, Any]]:
    """A term's postings in one segment, a block at a time: (ids, weights), deleted documents left out.

    Whoosh's matchers hand out one posting a call; the block arrays it decodes are read whole here.
    With wanted (sorted segment document numbers), only the blocks that may hold them are decoded.
    """
    matcher = reader.postings(fieldname, btext)
    deleted: Any = frozenset()
    if isinstance(matcher, FilterMatcher):  # the segment has deletions
        matcher, deleted = matcher.child, matcher._ids
    if not isinstance(matcher, whoosh3.W3LeafMatcher):  # postings inlined in the term's entry: a handful
        ids, weights = [], []
        while matcher.is_active():
            if matcher.id() not in deleted:
                ids.append(matcher.id())
                weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    pending = iter(wanted) if wanted is not None else None
    target = next(pending, None) if pending is not None else -1  # -1: every block is wanted
    while matcher.is_active() and target is not None:
        if matcher.block_max_id() >= target:
            matcher._read_ids()
            matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            if deleted:
                kept = [n for n, docnum in enumerate(ids) if docnum not in deleted]
                ids, weights = [ids[n] for n in kept], [weights[n] for n in kept]
            yield ids, weights
            if pending is not None:  # on to the first wanted document past this block
                while target is not None and target <= matcher.block_max_id():
                    target = next(pending, None)
        matcher._next_block()


@lru_cache(maxsize=64)
def _length_norms(k1: float, b: float, avgfl: float) -> tuple[float, ...]:
    """bm25()'s length part for each of the 256 lengths a segment's length byte can stand for (made
    once a searcher and field, not once a term: a 1,000-word wildcard spent a fifth of its time here)."""
    return tuple(k1 * ((1 - b) + b * whoosh3.byte_to_length(byte) / avgfl) for byte in range(256))


def _term_scores(searcher: Any, fieldname: str, text: str, only: list[int] | None = None) -> dict[int, float]:
    """BM25F score of one term in every document holding it (or in only those, sorted), as Whoosh would."""
    weighting = searcher.weighting
    btext = searcher.schema[fieldname].to_bytes(text)
    idf = searcher.idf(fieldname, btext)
    avgfl = searcher.avg_field_length(fieldname) or 1
    k1, b = weighting.K1, weighting._field_B.get(fieldname, weighting.B)
    norm = _length_norms(k1, b, avgfl)
    one = whoosh3.length_to_byte(1)
    scores: dict[int, float] = {}
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (fieldname, btext) not in reader:
            continue
        wanted = None
        if only is not None:
            wanted = [docnum - offset for docnum in only if 0 <= docnum - offset < reader.doc_count_all()]
            if not wanted:
                continue
        column = reader._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        # The lengths column holds a byte a document; Whoosh's default length is 1 when it is missing.
        lengths = column._dbfile.get(column._basepos, column._count) if column is not None else b""
        known = len(lengths)
        keep = set(wanted) if wanted is not None else None
        for ids, weights in _term_blocks(reader, fieldname, btext, wanted):
            scores.update(
                (
                    docnum + offset,
                    idf * ((tf * (k1 + 1)) / (tf + norm[lengths[docnum] if docnum < known else one])),
                )
                for docnum, tf in zip(ids, weights, strict=True)
                if keep is None or docnum in keep
            )
    return scores


def _scored_by_word_scores(query: Query) -> bool:
    """True for terms and exact phrases ORed and ANDed, with exclusions beside something to exclude from
    (no +required word, no minimum match), as _word_scores needs."""
    if type(query) is And:
        kept = [child for child in query.subqueries if type(child) is not Not]
        excluded = [child.query for child in query.subqueries if type(child) is Not]
        return bool(kept) and all(_scored_by_word_scores(child) for child in kept + excluded)
    if type(query) is Or:
        return (
            not query.minmatch and query.scale is None and all(map(_scored_by_word_scores, query.subqueries))
        )
    return type(query) is Term or (type(query) is Phrase and query.slop == 1)


class _TermScores:
    """The scores of the terms a searcher read last, kept while it is current: common words recur."""

    def __init__(self, searcher: Any, limit: int = CACHED_POSTINGS) -> None:
        self.searcher = searcher
        self._held: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._postings = 0
        self._limit = limit

    def everywhere(self, fieldname: str, text: str) -> dict[int, float]:
        """The term's score in every document holding it."""
        key = (fieldname, text)
        found = self._held.get(key)
        if found is not None:
            self._held.move_to_end(key)
            return found
        found = _term_scores(self.searcher, fieldname, text)
        if len(found) <= self._limit:
            self._held[key] = found
            self._postings += len(found)
            while self._postings > self._limit:
                self._postings -= len(self._held.popitem(last=False)[1])
        return found

    def within(self, fieldname: str, text: str, docnums: list[int]) -> dict[int, float]:
        """The term's score in those of the (sorted) documents holding it."""
        found = self._held.get((fieldname, text))
        if found is None:
            return _term_scores(self.searcher, fieldname, text, only=docnums)
        return {docnum: found[docnum] for docnum in docnums if docnum in found}


def _phrase_scores(phrase: Phrase, term_scores: _TermScores) -> dict[int, float]:
    """The documents holding an exact phrase, each scored as Whoosh's phrase matcher scores it: the sum
    of its words' scores (its SpanNear2 wraps an intersection of the words' term matchers).

    Whoosh checks the spans of every document holding all the words, through Python objects a
    position; "the white house" took 0.7 s at 41,578 articles. Here the rarest word's documents are
    narrowed by the others' (only the posting blocks that may hold them are read), and the phrase is
    checked in the positions of those documents alone, as sets of start positions.
    """
    searcher, fieldname, words = term_scores.searcher, phrase.fieldname, list(phrase.words)
    frequency = {word: searcher.doc_frequency(fieldname, word) for word in set(words)}
    if not words or not all(frequency.values()):
        return {}
    rarest_first = sorted(frequency, key=lambda word: frequency[word])
    scores = {rarest_first[0]: term_scores.everywhere(fieldname, rarest_first[0])}
    candidates = sorted(scores[rarest_first[0]])
    for word in rarest_first[1:]:
        scores[word] = term_scores.within(fieldname, word, candidates)
        candidates = [docnum for docnum in candidates if docnum in scores[word]]
        if not candidates:
            return {}
    encoded = {word: _positions(searcher, fieldname, word, candidates) for word in frequency}
    # Each word's offset in the phrase, rarest first: most documents fail on the first two, and the
    # positions of 'the' are then never decoded.
    offsets = sorted(
        ((offset, word) for offset, word in enumerate(words)), key=lambda pair: frequency[pair[1]]
    )
    found = {}
    for docnum in candidates:
        offset, word = offsets[0]
        starts = {p - offset for p in _decode_positions(encoded[word][docnum])}
        for offset, word in offsets[1:]:
            starts &= {p - offset for p in _decode_positions(encoded[word][docnum])}
            if not starts:
                break
        if starts:
            found[docnum] = sum(scores[word][docnum] for word in words)
    return found


def _positions(searcher: Any, fieldname: str, text: str, docnums: list[int]) -> dict[int, bytes]:
    """The encoded positions of a term in each of the (sorted) documents, read a posting block at a time:
    only the blocks that may hold the documents are read (a matcher's skip_to and value_as for each
    document took 0.8 s of '"of the united states"' at 41,578 articles); decode with _decode_positions."""
    btext = searcher.schema[fieldname].to_bytes(text)
    found: dict[int, bytes] = {}
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        local = [docnum - offset for docnum in docnums if 0 <= docnum - offset < reader.doc_count_all()]
        if not local or (fieldname, btext) not in reader:
            continue
        wanted = set(local)
        for ids, values in _value_blocks(reader, fieldname, btext, local):
            for docnum, value in zip(ids, values, strict=True):
                if docnum in wanted:
                    found[docnum + offset] = value
    return found


def _decode_positions(value: bytes) -> set[int]:
    """Whoosh 2.7.5's Positions.decode_positions, with the running sum in C: a count, then the pickled
    gaps between positions."""
    return set(accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))


def _value_blocks(reader: Any, fieldname: str, btext: bytes, wanted: list[int]) -> Iterator[tuple[Any, Any]]:
    """A term's postings in one segment as (ids, values) a block at a time, only the blocks that may
    hold the wanted (sorted) documents; deleted ones are never wanted."""
    matcher = reader.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, whoosh3.W3LeafMatcher):  # postings inlined in the term's entry
        ids, values = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            values.append(matcher.value())
            matcher.next()
        yield ids, values
        return
    pending = iter(wanted)
    target = next(pending, None)
    while matcher.is_active() and target is not None:
        if matcher.block_max_id() >= target:
            matcher._read_ids()
            matcher._read_values()
            yield matcher._ids, matcher._values
            while target is not None and target <= matcher.block_max_id():
                target = next(pending, None)
        matcher._next_block()


def _without_excluded(node: And, evaluate: Callable[[Query], dict[int, float]]) -> dict[int, float]:
    """An And with Not clauses ('coup NOT soldiers', a pasted text starting '-19'), scored as Whoosh's
    matchers score it: the sum of the other clauses' scores, plus 1.0 for each Not (its InverseMatcher's
    weight), over the documents the other clauses share and no Not clause names."""
    kept = [child for child in node.subqueries if type(child) is not Not]
    excluded: set[int] = set()
    for child in node.subqueries:
        if type(child) is Not:
            excluded.update(evaluate(child.query))
    scores = sorted((evaluate(child) for child in kept), key=len)
    common = set(scores[0]).intersection(*scores[1:]) - excluded
    nots = float(len(node.subqueries) - len(kept))
    found = {docnum: sum(child[docnum] for child in scores) + nots for docnum in common}
    if node.boost == 1.0:
        return found
    return {docnum: score * node.boost for docnum, score in found.items()}


def _word_scores(query: Query, term_scores: _TermScores) -> dict[int, float]:
    """Every document a query of words matches, with the score Whoosh's matcher tree would give it.

    Only for Term, exact Phrase, Or and And nodes (see _scored_by_word_scores). Whoosh walks its matchers
    one posting a Python call at a time; summing whole postings lists in dictionaries scores the same
    documents the same way in a fraction of the time, and gives the number of matches on the way.
    """

    def evaluate(node: Query) -> dict[int, float]:
        if type(node) is Term:
            found = term_scores.everywhere(node.fieldname, node.text)
        elif type(node) is Phrase:
            found = _phrase_scores(node, term_scores)
        else:
            if isinstance(node, And) and any(type(child) is Not for child in node.subqueries):
                return _without_excluded(node, evaluate)
            children = [evaluate(child) for child in node.subqueries]
            if len(children) == 1:  # Whoosh uses a lone child's matcher as it is, without the boost
                return children[0]
            if isinstance(node, And):
                children.sort(key=len)
                common = set(children[0]).intersection(*children[1:])
                found = {docnum: sum(child[docnum] for child in children) for docnum in common}
            else:  # the largest copied whole, in C; the others added to it
                children.sort(key=len, reverse=True)
                found = dict(children[0])
                for child in children[1:]:
                    for docnum, score in child.items():
                        found[docnum] = found.get(docnum, 0.0) + score
        if node.boost != 1.0:
            return {docnum: score * node.boost for docnum, score in found.items()}
        return found

    return evaluate(query)


def matching_documents(
    searcher: Any, query: Query, scored: dict[int, float] | None, narrowed: AbstractSet[int] | None
) -> AbstractSet[int] | None:
    """The documents a request matches (None: every document), found once for the total: those of
    the query within those its filters keep (narrowed; None: no filter).

    A query of terms ORed and ANDed matches the documents _word_scores() scored; any other
    query, those Whoosh's matchers find.
    """
    matched: AbstractSet[int] | None = None
    if scored is not None:
        matched = scored.keys()
    elif not isinstance(query, Every):
        matched = set(searcher.docs_for_query(query))
    if narrowed is not None:
        matched = narrowed if matched is None else matched & narrowed
    return matched
