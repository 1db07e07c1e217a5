"""Where each word of a text starts and ends, found with numpy, for the passages of a page of hits.

A page of hits takes the positions of its marked words from the index (highlight.marked_positions)
and needs only where the words around them stand: finditer made a match object a word, a third of
an export's time at 5,700 characters a story.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.highlight import DEFAULT_CHARLIMIT

from .highlight import FRAGMENT_CONTEXT

# A passage ends at most FRAGMENT_CONTEXT characters of words after its last match: 50 words at the
# most. The words past these never change the passages.
WORDS_AFTER_LAST_MATCH = 2 * FRAGMENT_CONTEXT
CHARS_PER_WORD = 8  # enough for English news (5.7 characters a word, with its space, in AllSides)
_ASCII_WORD = np.array([chr(code).isalnum() or chr(code) == "_" for code in range(128)], dtype=bool)


@lru_cache(maxsize=100_000)
def _is_word_char(code: int) -> bool:
    """What the regex \\w matches in a str: a letter or digit of any script, or '_'."""
    character = chr(code)
    return character.isalnum() or character == "_"


def leading_word_bounds(text: str, words: int) -> tuple[list[int], list[int], bool]:
    """word_bounds() of a first piece of text that holds `words` words, or goes past Whoosh's
    character limit, cut at a space (a word never spans one): a story whose matches are in its first
    lines is not read to its end. Whether the whole text was read is the third value."""
    cut = min(words * CHARS_PER_WORD, DEFAULT_CHARLIMIT + 1)
    space = text.find(" ", cut)
    if space > 0:
        starts, ends = word_bounds(text[:space])
        if len(starts) > words or space > DEFAULT_CHARLIMIT:
            return starts, ends, False
    starts, ends = word_bounds(text)
    return starts, ends, True


def word_bounds(text: str) -> tuple[list[int], list[int]]:
    """Where each word of analysis.TOKEN_PATTERN starts and ends: runs of word characters, joined by
    a dot that is not followed by a capital and a lower-case letter ('U.S.' and 'e.g' whole,
    'taxpayers.The' two words). Tested equal to the pattern's matches."""
    if text.isascii():
        codes: npt.NDArray[np.unsignedinteger[Any]] = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        word = _ASCII_WORD[codes]
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        word = _ASCII_WORD[np.minimum(codes, 127)]
        beyond = np.flatnonzero(codes > 127)  # other scripts, accented letters, symbols: each asked once
        distinct, where = np.unique(codes[beyond], return_inverse=True)
        word[beyond] = np.array([_is_word_char(int(code)) for code in distinct], dtype=bool)[where]
    size = len(codes)
    dots = np.flatnonzero(codes == ord("."))
    dots = dots[(dots > 0) & (dots < size - 1)]
    if len(dots):  # a dot between word characters joins them, unless a capital and a lower-case follow
        capital, lower = codes[dots + 1], codes[np.minimum(dots + 2, size - 1)]
        capital_lower = (capital >= 65) & (capital <= 90) & (lower >= 97) & (lower <= 122) & (dots + 2 < size)
        word[dots[word[dots - 1] & word[dots + 1] & ~capital_lower]] = True
    padded = np.zeros(size + 2, dtype=bool)  # a word's start and end are where padded changes
    padded[1:-1] = word
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges[0::2].tolist(), edges[1::2].tolist()
