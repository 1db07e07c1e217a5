"""Snippets: which words of a hit to mark, and the passages around them, as our Fragment records."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress
from typing import Any

import numpy as np
from whoosh import highlight
from whoosh.query import (
    Phrase,
    Query,
)
from whoosh.support.charset import accent_map

from ..models import Fragment
from .analysis import _TOKEN_RE, _WORD_RE, _is_stop_word, _term_of, stop_terms
from .postings import _positions

SNIPPET_FRAGMENTS = 3
FRAGMENT_CHARS = 160

FRAGMENT_CONTEXT = 50


def _matched_stems(
    words_in_text: Iterable[str], words: frozenset[str], stop_words_too: bool
) -> dict[str, str]:
    """Each word of a text (as written) whose term is one of words, mapped to that term.

    A stop word only counts when stop_words_too (inside a phrase): alone, it never matched.
    The English stemmer only rewrites endings (a word's first letter stays: tested), so only the
    words that start as one of the terms are stemmed; in a fresh process most would be stemmed
    for the first time.
    """
    initials = {term[:1] for term in words}
    matched = {}
    distinct = set(words_in_text)
    # The first letter folded alone is the folded word's first (lower() maps a letter at a time): most
    # words are dismissed by their first letter as written, without folding them (a third of an
    # export's time).
    firsts = {written[:1] for written in distinct}
    allowed = {first for first in firsts if first.lower().translate(accent_map)[:1] in initials}
    for written in distinct:
        if written[:1] not in allowed:
            continue
        folded = written.lower().translate(accent_map)
        if stop_words_too or not _is_stop_word(folded):
            term = _term_of(written)
            if term in words:
                matched[written] = term
    return matched


@dataclass(frozen=True)
class Marks:
    """What to highlight: terms that count wherever they stand, and phrases (term sequences) as wholes."""

    words: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()


def _terms_to_mark(written: list[str], marks: Marks) -> list[str | None]:
    """For each word of a text, its term when it is to be highlighted, else None."""
    alone = _matched_stems(written, marks.words, stop_words_too=False)
    terms = list(map(alone.get, written))
    if marks.phrases:
        in_phrases = _matched_stems(
            written, frozenset(w for p in marks.phrases for w in p), stop_words_too=True
        )
        phrase_terms = list(map(in_phrases.get, written))
        for phrase in marks.phrases:
            size = len(phrase)
            for start, term in enumerate(phrase_terms):
                if term == phrase[0] and tuple(phrase_terms[start : start + size]) == phrase:
                    terms[start : start + size] = phrase
    return terms


def body_fragments(
    text: str, marks: Marks, top: int = SNIPPET_FRAGMENTS, at: Mapping[int, str] | None = None
) -> list[Fragment]:
    """The best passages of a body for the given marks, as Whoosh's highlight() makes them with
    text_analyzer(), a ContextFragmenter(FRAGMENT_CHARS, FRAGMENT_CONTEXT), the earliest-best scorer
    and FIRST order, a phrase's words marked only where the whole phrase stands.

    Whoosh makes a Token object for every word of the text and walks them all; here the words are
    found by one regex pass, matched by their distinct written forms, and only the words around the
    matches are walked one by one (tested equal to Whoosh's highlight()). With `at` (the word
    positions of the marked terms, from the index: marked_positions()), no word is read at all.
    """
    if at is not None:
        from .wordbounds import WORDS_AFTER_LAST_MATCH, leading_word_bounds

        starts, ends, whole = leading_word_bounds(text, max(at, default=0) + WORDS_AFTER_LAST_MATCH)
        if whole and any(position >= len(starts) for position in at):  # not the text the index read
            return body_fragments(text, marks, top)
        terms: list[str | None] = [None] * len(starts)
        for position, term in at.items():
            if position < len(starts):  # (else past Whoosh's character limit, where nothing is marked)
                terms[position] = term
    else:
        written = _WORD_RE.findall(text)
        terms = _terms_to_mark(written, marks)
        if any(terms):
            spans = [match.span() for match in _TOKEN_RE.finditer(text)]
            starts, ends = [start for start, _ in spans], [end for _, end in spans]
    if not any(terms):
        return []
    passages = list(_context_fragments(starts, ends, terms))
    # With no more passages than asked for, all of them are the best, unscored.
    best = passages if len(passages) <= top else heapq.nlargest(top, passages, key=_scorer(len(text)))
    return [_to_fragment(text, passage) for passage in _merge_touching(best)]


def marked_text(text: str, marks: Marks) -> Fragment:
    """The whole of a text as one Fragment, every word the marks mark highlighted (as a snippet marks
    them: a phrase's words only where the whole phrase stands)."""
    terms = _terms_to_mark(_WORD_RE.findall(text), marks)
    if not any(terms):
        return Fragment(text)
    spans = (match.span() for match in _TOKEN_RE.finditer(text))
    return Fragment(text, tuple(span for span, term in zip(spans, terms, strict=True) if term is not None))


def marked_positions(searcher: Any, marks: Marks, docnums: Iterable[int]) -> dict[int, dict[int, str]] | None:
    """Where the marked words stand in each of the documents (word position -> term), read from the
    index's postings, for a page of hits at once: the words of a body need not be read one by one
    (at 5,700 characters a story, half an export's time). None when the text must be read: for a
    phrase, or a term that a stop word also makes (a stop word alone is never marked)."""
    if marks.phrases or not marks.words or any(len(term) < 2 or term in stop_terms() for term in marks.words):
        return None
    wanted = sorted(set(docnums))
    found: dict[int, dict[int, str]] = {docnum: {} for docnum in wanted}
    for term in sorted(marks.words):
        documents, positions = _positions(searcher, "body", term, np.array(wanted, dtype=np.int64))
        for docnum, position in zip(documents.tolist(), positions.tolist(), strict=True):
            found[docnum][position] = term
    return found


# A passage: where it starts and ends, and its matches (start, end, term), as Whoosh's Fragment holds
# them without a Token object a match.
Passage = tuple[int, int, list[tuple[int, int, str]]]


def _scorer(length: int) -> Callable[[Passage], float]:
    """Whoosh's BasicFragmentScorer (matches, times 100 a distinct term), ties going to the earlier
    passage (a share of the text's length taken off), for a text of that length."""

    def score(passage: Passage) -> float:
        start, _, matches = passage
        return len(matches) * (len({term for _, _, term in matches}) * 100) - start / (length + 1)

    return score


def _context_fragments(starts: list[int], ends: list[int], terms: list[str | None]) -> Iterator[Passage]:
    """Whoosh's ContextFragmenter.fragment_tokens over tokens (where each starts and ends, and the
    term of each matched one), yielding the passages that hold a match (Whoosh scores the others 0,
    below the minimum score top_fragments keeps).

    Its loop, line for line, except that a run of unmatched words outside a passage is taken in one
    step: all it does there is keep the starts of the words less than `surround` characters before
    the last one's end, which a bisection finds.
    """
    maxchars, surround = FRAGMENT_CHARS, FRAGMENT_CONTEXT
    limit = bisect.bisect_right(ends, highlight.DEFAULT_CHARLIMIT)  # Whoosh stops at the first word past it
    matched_at = list(compress(range(limit), terms))  # a term is never empty
    firsts: list[int] = []  # starts of the unmatched words just before a passage
    first: int | None = None
    countdown = -1
    tokens: list[tuple[int, int, str]] = []
    endchar = 0
    currentlen = 0
    n = 0
    while n < limit:
        term = terms[n]
        if countdown < 0 and term is None:
            upcoming = bisect.bisect_left(matched_at, n)
            run_end = matched_at[upcoming] if upcoming < len(matched_at) else limit
            endchar = ends[run_end - 1]
            kept = bisect.bisect_left(starts, endchar - surround, n, run_end)
            firsts = [start for start in firsts if endchar - start <= surround] + starts[kept:run_end]
            n = run_end
            continue
        startchar, endchar = starts[n], ends[n]
        tlength = endchar - startchar
        if currentlen + tlength > maxchars:
            countdown = 0
        elif term is not None:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            tokens.append((startchar, endchar, term))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                if tokens and first is not None:
                    yield first, endchar, tokens
                tokens, firsts, first, currentlen = [], [], None, 0
        n += 1
    if limit < len(starts):
        endchar = ends[limit]
    if tokens and first is not None:
        yield first, endchar, tokens


def _merge_touching(passages: list[Passage]) -> list[Passage]:
    """The passages in order, those that overlap or abut joined, so one sentence is not shown as two."""
    merged: list[Passage] = []
    for start, end, matches in sorted(passages, key=lambda passage: passage[0]):
        if merged and start <= merged[-1][1] + 1:
            last_start, last_end, last_matches = merged[-1]
            merged[-1] = (last_start, max(last_end, end), last_matches + matches)
        else:
            merged.append((start, end, matches))
    return merged


def _inside_word(text: str, at: int) -> bool:
    """True when the characters on both sides of position `at` are letters or digits."""
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def _to_fragment(text: str, passage: Passage) -> Fragment:
    """Snap a passage to a sentence or word start and express its matches as offsets."""
    start, end, found = passage
    matches = sorted((match_start, match_end) for match_start, match_end, _ in found)
    first_match = matches[0][0] if matches else end
    last_match = matches[-1][1] if matches else start
    sentence_start = max(text.rfind("\n", start, first_match), text.rfind(". ", start, first_match))
    if sentence_start >= 0:
        start = sentence_start + 1
    # Only a word cut in two is left out: a passage that ends on a word before its full stop ('to
    # leave.') or starts on one after a quote mark ('“This') keeps it.
    while start < first_match and _inside_word(text, start):
        start += 1
    while end > last_match and _inside_word(text, end):
        end -= 1
    spans: list[tuple[int, int]] = []
    for match_start, match_end in matches:
        if match_start < start or match_end > end:
            continue
        if spans and match_start - start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], match_end - start))
            continue
        spans.append((match_start - start, match_end - start))
    snippet = text[start:end].replace("\n", " ")
    stripped = snippet.lstrip()
    shift = len(snippet) - len(stripped)
    return Fragment(stripped.rstrip(), tuple((s - shift, e - shift) for s, e in spans))


def _lead_fragment(body: str) -> Fragment:
    """The opening of a document, for hits whose body holds none of the query's words."""
    end = len(body)
    if end > FRAGMENT_CHARS:
        end = body.rfind(" ", 0, FRAGMENT_CHARS)
        end = end if end > 0 else FRAGMENT_CHARS
    return Fragment(body[:end].replace("\n", " "))


def _highlighted_words(query: Query, reader: Any) -> Marks:
    """The body terms of a query that the index holds (wildcards and fuzzy words expanded), to mark;
    an exact phrase's words only where they stand together."""
    body = reader.schema["body"]
    words: set[str] = set()
    phrases: list[tuple[str, ...]] = []
    for leaf in query.leaves():
        if isinstance(leaf, Phrase) and leaf.fieldname == "body" and leaf.slop == 1:
            phrases.append(tuple(leaf.words))
            continue
        words.update(
            body.from_bytes(text) for _, text in leaf.existing_terms(reader, fieldname="body", expand=True)
        )
    return Marks(frozenset(words), tuple(dict.fromkeys(phrases)))
