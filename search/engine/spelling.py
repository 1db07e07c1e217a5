"""Did you mean: the query with its unknown words replaced by the closest words of the index."""

from __future__ import annotations

import re
from typing import Any

from .analysis import SPELLING_FIELD
from .checks import OPERATORS

SUGGESTION_DISTANCE = 2
# Letters: a longer 'word' is pasted junk, and the corrector's automaton is slow on it.
MAX_SUGGESTED_WORD = 40
PLAIN_WORD_RE = re.compile(r"(?<![\w:~*?^\-])[^\W\d_]{3,}(?![\w:~*?])")


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
