"""What is unusual in a set of documents: the actors named with an actor, and the words, two-word phrases
and actors over-represented in a search's matches against the whole index.

Scored by JLH, Elasticsearch's default for significant_terms: (share in the set - share in the
background) x (share in the set / share in the background), 0 when not over-represented. The first
factor favours what is common in the set, the second what is rare outside it: "United States", named
in three stories of four, scores little with any actor or in any search, a name seen only with one
actor scores high, and a word in two matches of ten thousand scores nothing. Values in fewer than a
minimum of the set's documents are left out (Elasticsearch's min_doc_count, 3 by default).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

import numpy as np
from whoosh.query import Phrase

from ..models import Association
from .analysis import _WORD_RE, _is_stop_word, _term_of
from .columns import Columns, IntArray
from .facets import ActorNames
from .filters import term_documents

SAMPLE_DOCUMENTS = 1_000  # matches whose text is read for candidate words and phrases (evenly spread)
CANDIDATES_PER_RESULT = 3  # candidates counted exactly in every match, for each value listed


def jlh(count: int, size: int, background_count: int, background_size: int) -> float:
    """Elasticsearch's JLH score of a value in `count` of `size` documents of a set and in
    `background_count` of `background_size` documents of its background."""
    if not size or not background_size or not background_count:
        return 0.0
    inside, outside = count / size, background_count / background_size
    return (inside - outside) * (inside / outside) if inside > outside else 0.0


def _ordered(items: list[Association], limit: int) -> tuple[Association, ...]:
    return tuple(sorted(items, key=lambda a: (-a.score, -a.count, a.value))[:limit])


def actor_associations(
    searcher: Any,
    columns: Columns,
    docs: IntArray,
    background: IntArray,
    names: ActorNames,
    *,
    min_count: int,
    limit: int,
    actor_type: str | None = None,
    leave_out: Collection[str] = (),
    only_unusual: bool = False,
) -> tuple[Association, ...]:
    """The actors of docs (at least min_count of them each) scored against background, best first;
    the actors in leave_out (the one they are named with) left out, and with only_unusual those that
    are not over-represented (a score of 0)."""
    inside = columns.actor_counts(docs)
    candidates = {key: n for key, n in inside.items() if n >= min_count and key not in leave_out}
    outside = columns.actor_counts(background) if len(background) != len(docs) else inside
    known = names.of(searcher, candidates)
    items = [
        Association(key, n, outside[key], jlh(n, len(docs), outside[key], len(background)), *known[key])
        for key, n in candidates.items()
        if key in known and actor_type in (None, known[key][1])
    ]
    return _ordered([item for item in items if item.score > 0 or not only_unusual], limit)


def term_associations(
    searcher: Any, docs: IntArray, *, min_count: int, limit: int, leave_out: Collection[str] = ()
) -> tuple[Association, ...]:
    """The words and two-word phrases (of words that are not stop words) over-represented in docs
    against every document (a score above 0), best first, each as the documents mostly write it;
    terms in leave_out (the query's own) left out. Candidates come from up to SAMPLE_DOCUMENTS of
    docs; the best are counted exactly in docs and in the index."""
    if not len(docs):
        return ()
    step = max(1, len(docs) // SAMPLE_DOCUMENTS)
    sample = docs[::step][:SAMPLE_DOCUMENTS]
    words: Counter[str] = Counter()
    phrases: Counter[tuple[str, str]] = Counter()
    written: dict[str | tuple[str, str], Counter[str]] = {}
    for docnum in sample.tolist():
        seen_words, seen_phrases = _terms_of(searcher.stored_fields(docnum).get("body", ""), written)
        words.update(seen_words - set(leave_out))
        phrases.update(seen_phrases)
    total = searcher.doc_count()
    scale = len(docs) / len(sample)

    def frequency(term: str) -> int:
        return int(searcher.doc_frequency("body", term))

    least = min_count / scale  # in the sample
    estimates: list[tuple[float, str | tuple[str, str]]] = [
        (jlh(round(n * scale), len(docs), frequency(term), total), term)
        for term, n in words.items()
        if n >= least
    ]
    estimates += [  # a phrase is in no more documents than its rarer word, until counted exactly
        (jlh(round(n * scale), len(docs), min(map(frequency, pair)), total), pair)
        for pair, n in phrases.items()
        if n >= least
    ]
    best = sorted(estimates, key=lambda e: (-e[0], str(e[1])))[: CANDIDATES_PER_RESULT * limit]
    items = []
    for _, term in best:
        found = _term_documents(searcher, term)
        count = len(np.intersect1d(found, docs, assume_unique=True))
        score = jlh(count, len(docs), len(found), total)
        if count >= min_count and score > 0:
            text = written[term].most_common(1)[0][0]
            kind = "phrase" if isinstance(term, tuple) else "word"
            items.append(Association(text, count, len(found), score, text, kind))
    return _ordered(items, limit)


def _terms_of(
    body: str, written: dict[str | tuple[str, str], Counter[str]]
) -> tuple[set[str], set[tuple[str, str]]]:
    """The terms of a body's words that are not stop words (nor numbers), and of each two of them that
    stand together; how each is written counted in `written`."""
    terms: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    before: tuple[str, str] | None = None  # the last word's term and text, when it counts
    for word in _WORD_RE.findall(body):
        lowered = word.lower()
        term = _term_of(lowered)
        if term is None or _is_stop_word(lowered) or lowered.replace(".", "").isdigit():
            before = None
            continue
        terms.add(term)
        written.setdefault(term, Counter())[lowered] += 1
        if before is not None and before[0] != term:
            pair = (before[0], term)
            pairs.add(pair)
            written.setdefault(pair, Counter())[f"{before[1]} {lowered}"] += 1
        before = (term, lowered)
    return terms, pairs


def _term_documents(searcher: Any, term: str | tuple[str, str]) -> IntArray:
    """The live documents holding a word's term, or a phrase of two."""
    if isinstance(term, str):
        return term_documents(searcher, "body", term)
    found = sorted(searcher.docs_for_query(Phrase("body", list(term))))
    return np.asarray(found, dtype=np.int64)
