"""Did you mean: the query with its unknown words replaced by the closest words of the index.

The words come from the body's own lexicon (stems) and are written as the documents write them: a
stem near the typed word's is looked up in a few of the documents that hold it, and the form closest
to what was typed is offered ('goverment' -> stem 'gover' -> 'govern' -> 'government'). No field of
unstemmed words is kept for this: it held half the index's postings.
"""

from __future__ import annotations

import heapq
import re
from typing import Any

from .analysis import _every_folded_word, _stem
from .checks import OPERATORS

SUGGESTION_DISTANCE = 2
# Words shorter than this are only corrected by one edit: two edits turn most of them into other words
# ('low' -> 'led', 'data' -> 'days', 'defined' -> 'defend'); 80% of typing errors are one edit
# (Damerau 1964).
LONG_WORD = 8
# A query of more words than this was pasted, not typed: its unknown words are not typos.
MAX_TYPED_WORDS = 8
# Letters: a longer 'word' is pasted junk, and the corrector's automaton is slow on it.
MAX_SUGGESTED_WORD = 40
# A plain word: not part of a field clause, a wildcard, a web address or a file name ('x.com/a').
PLAIN_WORD_RE = re.compile(r"(?<![\w:~*?^\-./@])[^\W\d_]{3,}(?![\w:~*?/@]|\.\w)")
# Near stems whose written forms are looked up (the most frequent first), and the documents read for
# each: a stem's forms are few, and its commonest show in any document that holds it.
NEAR_STEMS = 8
DOCUMENTS_READ = 20
# Letters a typed word may hold past the beginning that resembles a stem: English suffixes a
# stemmer strips are mostly of 1-3 letters ('s', 'ed', 'ing', 'ion'), where typos land too ('accordint').
MAX_ENDING = 3


def spelling_suggestions(searcher: Any, query: str, body_analyzer: Any) -> tuple[str, ...]:
    """The query typed with its unknown words replaced by close words of the index that match
    documents, if any; every other character of the query as it was typed."""
    if len(query.split()) > MAX_TYPED_WORDS:
        return ()
    reader = searcher.reader()
    pieces: list[str] = []
    written = 0
    for match in PLAIN_WORD_RE.finditer(query):
        word = match.group()
        stems = [token.text for token in body_analyzer(word)]
        if word in OPERATORS or not stems or any(reader.doc_frequency("body", stem) for stem in stems):
            continue  # an operator, a stop word, or a word that matches (perhaps as another form)
        if len(word) > MAX_SUGGESTED_WORD:
            continue  # no misspelt word is this long; matching it against the vocabulary takes seconds
        folded = _every_folded_word(word)
        if len(folded) != 1:
            continue
        candidate = closest_word(searcher, folded[0], SUGGESTION_DISTANCE if len(word) >= LONG_WORD else 1)
        if candidate is not None:
            pieces += [query[written : match.start()], candidate]
            written = match.end()
    corrected = "".join(pieces) + query[written:]
    return (corrected,) if corrected != query else ()


def closest_word(searcher: Any, folded: str, maxdist: int) -> str | None:
    """The word of the documents within maxdist edits of `folded` (lower case, accents folded): the
    fewest edits, then the commonest stem; None when there is none.

    The body's stems are candidates when within maxdist edits of the typed word, of its stem (a typo
    can change how a word stems: 'goverment' stems to 'gover', one edit from 'govern'), or of a
    beginning of it: one that leaves an ending of at most MAX_ENDING letters ('accordint' ->
    'accord'), or whose ending, put after the stem, makes a word of that stem ('elecion' is one edit
    from 'election', but its stem 'elect' is three from 'elecion' and one from 'eleci'; 'elect' +
    'ion' stems to 'elect'). They share the typed word's first letter (few typing errors are in the
    first letter, and the lexicon is read from it on). The nearest, then commonest, are looked up
    in the documents, and the distance that counts is the written word's.
    """
    import numpy as np  # (as rapidfuzz: only a query with an unknown word needs them)
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import cdist

    reader = searcher.reader()
    terms = [btext.decode("utf-8") for btext in reader.expand_prefix("body", folded[0])]
    if not terms:
        return None
    typed = [folded, _stem(folded), *(folded[:length] for length in range(1, len(folded)))]
    edits = cdist(typed, terms, scorer=OSA.distance, score_cutoff=maxdist, dtype=np.int8)
    near: dict[str, int] = {}
    for row, column in zip(*np.nonzero(edits <= maxdist), strict=True):
        term, cut = terms[column], int(row) - 1  # rows 2 on: the typed word cut after `cut` letters
        if (
            row < 2
            or (abs(len(term) - cut) <= maxdist and len(folded) - cut <= MAX_ENDING)
            or (abs(len(term) - cut) <= maxdist and _stem(term + folded[cut:]) == term)
        ):
            near[term] = min(near.get(term, maxdist), int(edits[row, column]))
    ranked = heapq.nsmallest(
        NEAR_STEMS, near, key=lambda term: (near[term], -reader.doc_frequency("body", term))
    )
    best: tuple[int, int, str] | None = None
    for rank, term in enumerate(ranked):
        if best is not None and best[0] == 1:
            break  # the typed word is unknown, so no written word is nearer; later ones rank below
        found = _closest_form(searcher, term, folded, maxdist)
        if found is not None and (best is None or (found[0], rank) < best[:2]):
            best = (found[0], rank, found[1])
    return best[2] if best is not None else None


def _closest_form(searcher: Any, term: str, folded: str, maxdist: int) -> tuple[int, str] | None:
    """The word closest to `folded` among those that stem to `term` in the first DOCUMENTS_READ
    documents holding it (its commonest forms show in any of them, its rarer ones take more), and its
    distance; None when none is within maxdist. Only words that begin as the term does are stemmed
    (a regular expression finds them in the stored text)."""
    from rapidfuzz.distance import OSA

    beginning = re.compile(r"\b" + re.escape(term[:2]) + r"\w*", re.IGNORECASE)
    best: tuple[int, str] | None = None
    seen: set[str] = set()
    for count, docnum in enumerate(searcher.reader().postings("body", term).all_ids()):
        if count == DOCUMENTS_READ or (best is not None and best[0] <= 1):
            break
        for written in beginning.findall(searcher.stored_fields(docnum).get("body") or ""):
            if written in seen:
                continue
            seen.add(written)
            for form in _every_folded_word(written):
                if _stem(form) == term:
                    edits = OSA.distance(form, folded, score_cutoff=maxdist)
                    if edits <= maxdist and (best is None or edits < best[0]):
                        best = (edits, form)
    return best
