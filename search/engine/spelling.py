"""Did you mean: the query with its unknown words replaced by the closest words of the index."""

from __future__ import annotations

from typing import Any

from .analysis import SPELLING_FIELD
from .checks import OPERATORS
from .query import MAX_SUGGESTED_WORD, PLAIN_WORD_RE, SUGGESTION_DISTANCE


def spelling_suggestions(
    searcher: Any, query: str, body_analyzer: Any, spelling_analyzer: Any
) -> tuple[str, ...]:
    """The query with its unknown words replaced by the closest words of the index, if any."""
    corrector = searcher.reader().corrector(SPELLING_FIELD)
    corrected = query
    reader = searcher.reader()
    for match in PLAIN_WORD_RE.finditer(query):
        word = match.group()
        stems = [token.text for token in body_analyzer(word)]
        if word in OPERATORS or not stems or any(reader.doc_frequency("body", stem) for stem in stems):
            continue  # an operator, a stop word, or a word that matches (perhaps as another form)
        if len(word) > MAX_SUGGESTED_WORD:
            continue  # no misspelt word is this long; matching it against the vocabulary takes seconds
        folded = "".join(t.text for t in spelling_analyzer(word))
        best = corrector.suggest(folded, limit=1, maxdist=SUGGESTION_DISTANCE, prefix=1)
        if best:
            corrected = corrected.replace(word, best[0], 1)
    return (corrected,) if corrected != query else ()
