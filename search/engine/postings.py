"""Scoring from array postings (codec.py): BM25F for words and phrases computed a whole term at a time
with numpy, equal to Whoosh's matchers (differential tests in tests/engine/test_postings.py); the
private Whoosh access of the scoring path lives here and in columns.py (a segment's deletions).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import scoring
from whoosh.codec import whoosh3
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, Every, Not, Or, Phrase, Query, Term

from .codec import decode_positions, segment_arrays
from .columns import deleted_mask
from .matches import (
    NO_DOCUMENTS,
    NO_SCORES,
    DocumentSet,
    FloatArray,
    IntArray,
    Scores,
    located,
    shared,
    summed,
)

CACHED_POSTINGS = 250_000  # a thread's searcher keeps the scores of its last terms up to this many (~4 MB)
CACHED_FREQUENCIES = 100_000  # and the frequencies of up to this many words (~15 MB)


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


def _whoosh_postings(reader: Any, fieldname: str, btext: bytes) -> tuple[Any, Any]:
    """A term's postings in one segment read from Whoosh's own blocks, deleted documents too: for a
    segment written before it had array postings (codec.py). Whoosh's matchers hand out one posting a
    call; the block arrays it decodes are read whole here."""
    matcher = reader.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):  # the segment has deletions (left in: dropped by the caller)
        matcher = matcher.child
    ids: list[int] = []
    weights: list[float] = []
    if not isinstance(matcher, whoosh3.W3LeafMatcher):  # postings inlined in the term's entry: a handful
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return ids, weights
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return ids, weights


def _segment_postings(reader: Any, fieldname: str, btext: bytes) -> tuple[IntArray, FloatArray]:
    """A term's live postings in one segment: document numbers (ascending) and term frequencies."""
    arrays = segment_arrays(reader)
    if arrays is not None:
        found_ids, found_weights = arrays.postings(reader._terms.term_info(fieldname, btext))
    else:
        found_ids, found_weights = _whoosh_postings(reader, fieldname, btext)
    ids = np.asarray(found_ids, dtype=np.int64)
    # Whoosh stores weights as float32 and scores them as Python floats: widened exactly.
    weights = np.asarray(found_weights, dtype=np.float32).astype(np.float64)
    if reader.has_deletions():
        live = ~deleted_mask(reader)[ids]
        ids, weights = ids[live], weights[live]
    return ids, weights


def _lengths(reader: Any, fieldname: str) -> npt.NDArray[np.uint8]:
    """The length byte of every document of a segment in a field (kept on its reader). Whoosh's
    default, the byte of length 1, stands for documents past the end of the column or without one."""
    held: dict[str, npt.NDArray[np.uint8]] = reader.__dict__.setdefault("_search_lengths", {})
    if fieldname not in held:
        lengths = np.full(reader.doc_count_all(), whoosh3.length_to_byte(1), dtype=np.uint8)
        column = reader._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if column is not None:
            stored = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
            lengths[: len(stored)] = stored[: len(lengths)]
        held[fieldname] = lengths
    return held[fieldname]


@lru_cache(maxsize=64)
def _length_norms(k1: float, b: float, avgfl: float) -> FloatArray:
    """bm25()'s length part for each of the 256 lengths a segment's length byte can stand for (made
    once a searcher and field, not once a term: a 1,000-word wildcard spent a fifth of its time here)."""
    return np.array([k1 * ((1 - b) + b * whoosh3.byte_to_length(byte) / avgfl) for byte in range(256)])


def _term_scores(searcher: Any, fieldname: str, text: str) -> Scores:
    """BM25F score of one term in every document holding it, as Whoosh would, to the bit: the same
    double-precision operations in the same order, a segment's postings at a time."""
    weighting = searcher.weighting
    btext = searcher.schema[fieldname].to_bytes(text)
    idf = searcher.idf(fieldname, btext)
    avgfl = searcher.avg_field_length(fieldname) or 1
    k1, b = weighting.K1, weighting._field_B.get(fieldname, weighting.B)
    norm = _length_norms(k1, b, avgfl)
    parts = []
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (fieldname, btext) not in reader:
            continue
        ids, tf = _segment_postings(reader, fieldname, btext)
        scores = idf * ((tf * (k1 + 1)) / (tf + norm[_lengths(reader, fieldname)[ids]]))
        parts.append(Scores(ids + offset, scores))
    if not parts:
        return NO_SCORES
    if len(parts) == 1:
        return parts[0]
    return Scores(np.concatenate([p.docnums for p in parts]), np.concatenate([p.scores for p in parts]))


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
    """The scores of the terms a searcher read last, and the collection frequencies of the words
    feedback looked up, kept while it is current: common words recur."""

    def __init__(self, searcher: Any, limit: int = CACHED_POSTINGS) -> None:
        self.searcher = searcher
        self._held: OrderedDict[tuple[str, str], Scores] = OrderedDict()
        self._postings = 0
        self._limit = limit
        self._frequencies: dict[tuple[str, str], float] = {}
        self._readers = [sub.reader() for sub, _ in searcher.leaf_searchers()]

    def frequency(self, fieldname: str, text: str) -> float:
        """How often the term occurs in the whole index (Whoosh looks it up in each segment: 48 us;
        feedback asks for ~140 words a query, most of them asked before)."""
        key = (fieldname, text)
        found = self._frequencies.get(key)
        if found is None:
            if len(self._frequencies) >= CACHED_FREQUENCIES:
                self._frequencies.clear()
            found = self._frequencies[key] = sum(
                reader.frequency(fieldname, text) for reader in self._readers
            )
        return found

    def everywhere(self, fieldname: str, text: str) -> Scores:
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

    def within(self, fieldname: str, text: str, docnums: IntArray) -> Scores:
        """The term's score in those of the (ascending) documents holding it."""
        return self.everywhere(fieldname, text).within(docnums)


def _phrase_scores(phrase: Phrase, term_scores: _TermScores) -> Scores:
    """The documents holding an exact phrase, each scored as Whoosh's phrase matcher scores it: the sum
    of its words' scores (its SpanNear2 wraps an intersection of the words' term matchers).

    Whoosh checks the spans of every document holding all the words, through Python objects a
    position; "the white house" took 0.7 s at 41,578 articles. Here the rarest word's documents are
    narrowed by the others', and the phrase is checked in the positions of those documents alone,
    all of them at once, as arrays of (document, start) keys.
    """
    searcher, fieldname, words = term_scores.searcher, phrase.fieldname, list(phrase.words)
    frequency = {word: searcher.doc_frequency(fieldname, word) for word in set(words)}
    if not words or not all(frequency.values()):
        return NO_SCORES
    rarest_first = sorted(frequency, key=lambda word: frequency[word])
    scores = {rarest_first[0]: term_scores.everywhere(fieldname, rarest_first[0])}
    candidates = scores[rarest_first[0]].docnums
    for word in rarest_first[1:]:
        scores[word] = term_scores.within(fieldname, word, candidates)
        candidates = scores[word].docnums
        if not len(candidates):
            return NO_SCORES
    # Each word's offset in the phrase, rarest first; each word's positions are read for the documents
    # the rarer words left, as (document, where the phrase would start) keys, and the keys every word
    # gives are where the phrase stands ('"of the united states"' at 41,578 articles: 'of' and 'the'
    # for the documents where 'united states' stands, not for every document holding all four).
    offsets = sorted(
        ((offset, word) for offset, word in enumerate(words)), key=lambda pair: frequency[pair[1]]
    )
    keys: IntArray | None = None
    for offset, word in offsets:
        documents, positions = _positions(searcher, fieldname, word, candidates)
        # A start is position - offset; len(words) added keeps it from going below 0.
        found = (documents << 32) | (positions + (len(words) - offset))
        keys = found if keys is None else _kept(keys, found)
        candidates = _distinct(keys >> 32)
        if not len(candidates):
            return NO_SCORES
    docnums = candidates
    total = np.zeros(len(docnums))
    for word in words:  # summed in the phrase's order, as Whoosh's matcher sums them
        total += scores[word].at(docnums)
    return Scores(docnums, total)


def _positions(searcher: Any, fieldname: str, text: str, docnums: IntArray) -> tuple[IntArray, IntArray]:
    """Where a term stands in each of the (ascending) documents: (document, position) pairs, as two
    arrays, by document then position. From the array postings where a segment has them; else read a
    posting block at a time, only the blocks that may hold the documents (a matcher's skip_to and
    value_as for each document took 0.8 s of '"of the united states"' at 41,578 articles)."""
    btext = searcher.schema[fieldname].to_bytes(text)
    documents, positions = [NO_DOCUMENTS.docnums], [NO_DOCUMENTS.docnums]
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        local = docnums[(docnums >= offset) & (docnums < offset + reader.doc_count_all())] - offset
        if not len(local) or (fieldname, btext) not in reader:
            continue
        found = _segment_positions(reader, fieldname, btext, local)
        documents.append(found[0] + offset)
        positions.append(found[1])
    return np.concatenate(documents), np.concatenate(positions)


def _segment_positions(
    reader: Any, fieldname: str, btext: bytes, wanted: IntArray
) -> tuple[IntArray, IntArray]:
    """_positions() in one segment, wanted by its own document numbers."""
    arrays = segment_arrays(reader)
    info = reader._terms.term_info(fieldname, btext)
    kept = arrays.positions(info) if arrays is not None else None
    if arrays is None or kept is None:  # Whoosh's blocks, decoded
        wanted_set = set(wanted.tolist())
        pairs = [
            (docnum, position)
            for ids, values in _value_blocks(reader, fieldname, btext, wanted.tolist())
            for docnum, value in zip(ids, values, strict=True)
            if docnum in wanted_set
            for position in decode_positions(value)
        ]
        found = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        return found[:, 0].copy(), found[:, 1].copy()
    ends, flat = kept
    places, documents = _places(arrays.ids(info), wanted)
    starts, counts = ends[places], ends[places + 1] - ends[places]
    # Each wanted posting's run of positions, gathered in one step.
    steps = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(documents, counts), flat[np.repeat(starts, counts) + steps].astype(np.int64)


def _kept(keys: IntArray, found: IntArray) -> IntArray:
    """The keys found holds too; both ascending, without repeats (keys of (document, start): documents
    ascending, a document's positions ascending). The fewer are looked up among the more, with no sort:
    intersect1d sorted both together, 1.6 of the 4.4 s of '"in the senate"' at 1,000,000 articles,
    where 'the' gives millions of keys."""
    fewer, more = (keys, found) if len(keys) <= len(found) else (found, keys)
    return _places(more, fewer)[1]


def _distinct(ascending: IntArray) -> IntArray:
    """np.unique of an ascending array, without its hash or sort (0.8 s of the same phrase)."""
    if not len(ascending):
        return ascending
    first = np.empty(len(ascending), dtype=np.bool_)
    first[0] = True
    np.not_equal(ascending[1:], ascending[:-1], out=first[1:])
    return ascending[first]


def _places(held: npt.NDArray[Any], wanted: IntArray) -> tuple[IntArray, IntArray]:
    """Where each of the wanted (ascending) documents stands among a term's postings (held, its
    ascending document numbers), and those of them that are there."""
    places, here = located(held, wanted)
    return places[here], wanted[here]


def _value_blocks(reader: Any, fieldname: str, btext: bytes, wanted: list[int]) -> Iterator[tuple[Any, Any]]:
    """A term's postings in one segment as (ids, values) a block at a time, only the blocks that may
    hold the wanted (sorted) documents (Whoosh's blocks, in a segment written before array postings;
    else the whole term at once); deleted ones are never wanted."""
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


def _without_excluded(node: And, evaluate: Callable[[Query], Scores]) -> Scores:
    """An And with Not clauses ('coup NOT soldiers', a pasted text starting '-19'), scored as Whoosh's
    matchers score it: the sum of the other clauses' scores, plus 1.0 for each Not (its InverseMatcher's
    weight), over the documents the other clauses share and no Not clause names."""
    kept = [child for child in node.subqueries if type(child) is not Not]
    excluded = [evaluate(child.query).docnums for child in node.subqueries if type(child) is Not]
    common = shared(sorted((evaluate(child) for child in kept), key=len))
    left = ~np.isin(common.docnums, np.concatenate(excluded))
    nots = float(len(node.subqueries) - len(kept))
    return Scores(common.docnums[left], common.scores[left] + nots).scaled(node.boost)


def _word_scores(query: Query, term_scores: _TermScores) -> Scores:
    """Every document a query of words matches, with the score Whoosh's matcher tree would give it.

    Only for Term, exact Phrase, Or and And nodes (see _scored_by_word_scores). Whoosh walks its matchers
    one posting a Python call at a time; summing whole postings arrays scores the same documents the
    same way, to the bit, in a fraction of the time, and gives the number of matches on the way.
    """

    # A term may stand twice in a query (a query of several words ORs them and ANDs them again); one
    # more common than the searcher's cache holds would be read twice ('because most' at 1,000,000
    # articles: 'most' in 487,000 documents).
    read: dict[tuple[str, str], Scores] = {}

    def evaluate(node: Query) -> Scores:
        if type(node) is Term:
            key = (node.fieldname, node.text)
            found = read.get(key)
            if found is None:
                found = read[key] = term_scores.everywhere(node.fieldname, node.text)
        elif type(node) is Phrase:
            found = _phrase_scores(node, term_scores)
        else:
            if isinstance(node, And) and any(type(child) is Not for child in node.subqueries):
                return _without_excluded(node, evaluate)
            children = [evaluate(child) for child in node.subqueries]
            if len(children) == 1:  # Whoosh uses a lone child's matcher as it is, without the boost
                return children[0]
            if isinstance(node, And):
                found = shared(sorted(children, key=len))
            else:  # the largest first, the others added to it, as Whoosh's union matchers add them
                found = summed(sorted(children, key=len, reverse=True))
        return found.scaled(node.boost)

    return evaluate(query)


def matching_documents(
    searcher: Any, query: Query, scored: Scores | None, narrowed: DocumentSet | None
) -> DocumentSet | None:
    """The documents a request matches (None: every document), found once for the total: those of
    the query within those its filters keep (narrowed; None: no filter).

    A query of terms ORed and ANDed matches the documents _word_scores() scored; any other
    query, those Whoosh's matchers find.
    """
    matched: DocumentSet | None = None
    if scored is not None:
        matched = scored.documents
    elif not isinstance(query, Every):
        matched = DocumentSet.of(searcher.docs_for_query(query))
    if narrowed is not None:
        matched = narrowed if matched is None else matched & narrowed
    return matched
