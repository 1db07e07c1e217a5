"""Did you mean: the query with its unknown words replaced by the closest words of the index."""

from __future__ import annotations

import re
from typing import Any

from .analysis import SPELLING_FIELD
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


def spelling_suggestions(
    searcher: Any, query: str, body_analyzer: Any, spelling_analyzer: Any
) -> tuple[str, ...]:
    """The query typed with its unknown words replaced by close words of the index that match
    documents, if any; every other character of the query as it was typed."""
    if len(query.split()) > MAX_TYPED_WORDS:
        return ()
    reader = searcher.reader()
    corrector = reader.corrector(SPELLING_FIELD)
    pieces: list[str] = []
    written = 0
    for match in PLAIN_WORD_RE.finditer(query):
        word = match.group()
        stems = [token.text for token in body_analyzer(word)]
        if word in OPERATORS or not stems or any(reader.doc_frequency("body", stem) for stem in stems):
            continue  # an operator, a stop word, or a word that matches (perhaps as another form)
        if len(word) > MAX_SUGGESTED_WORD:
            continue  # no misspelt word is this long; matching it against the vocabulary takes seconds
        folded = "".join(t.text for t in spelling_analyzer(word))
        distance = SUGGESTION_DISTANCE if len(word) >= LONG_WORD else 1
        for candidate in corrector.suggest(folded, limit=3, maxdist=distance, prefix=1):
            found = [token.text for token in body_analyzer(candidate)]
            if found and all(reader.doc_frequency("body", stem) for stem in found):
                pieces += [query[written : match.start()], candidate]
                written = match.end()
                break
    corrected = "".join(pieces) + query[written:]
    return (corrected,) if corrected != query else ()
