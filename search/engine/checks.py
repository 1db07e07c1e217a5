"""What a user typed or pasted, checked and made readable before the parser reads it: balanced
brackets, wildcards that may only end a word, web addresses and question marks read as words."""

from __future__ import annotations

import difflib
import re

from ..errors import QueryError
from .analysis import _WORD_RE

KNOWN_FIELDS = ("title", "body", "actor", "actors", "source", "date", "author", "type")
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})

FIELD_RE = re.compile(r"(?<![\w\"'])([A-Za-z_]\w*):(?=\S)")
QUESTION_MARK_RE = re.compile(r"(?<=\w)\?+(?=\s|$|[.,;:!)\]])")

# How close an unknown name before a colon must be to a field's name to be that field mistyped
# ('titel', 'actr', 'dates' are; 'note', 'http', 'a' are not): difflib's ratio.
FIELD_LIKENESS = 0.75
WEB_ADDRESS_RE = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)


def _balanced_brackets(text: str) -> bool:
    depth = {"(": 0, "[": 0, "{": 0}
    closing = {")": "(", "]": "[", "}": "{"}
    for char in text:
        if char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            if depth[closing[char]] < 0:
                return False
    return not any(depth.values())


def _without_leading_wildcards(text: str) -> tuple[str, list[str]]:
    """The text without wildcard signs that start a word ('*ing', '?transverse', a lone '*'): expanded, they
    would read every word of the index. A query of one such word is refused, with a hint; in a longer
    query (text pasted from elsewhere) the signs are read as punctuation, with a note."""
    notes = []
    tokens = re.split(r"(\s+|\"[^\"]*\")", text)
    words = [token for token in tokens if token.strip()]
    kept = []
    for token in tokens:
        word = token.lstrip("+-(")
        if word[:1] not in ("*", "?") or token.startswith('"'):
            kept.append(token)
            continue
        if len(words) == 1 and _WORD_RE.search(word):
            raise QueryError(
                f"{word!r} starts with a wildcard, which would read every word of the index: "
                "put letters before it ('ing*' rather than '*ing')"
            )
        notes.append(f"{word!r} was read without its wildcard: a wildcard may only end a word")
        kept.append(token[: len(token) - len(word)] + word.lstrip("*?"))
    return "".join(kept), notes


def check_query_text(text: str) -> tuple[str, tuple[str, ...]]:
    """The query text to parse and notes on it; a field name mistyped ('titel:') is a QueryError.

    Whoosh reads an unknown field, a stray quote or bracket as plain words without a word to
    the user: here a name close to a field's is an error, and the rest are read as words, with a note.
    """
    notes = []
    text = QUESTION_MARK_RE.sub(" ", text)  # "what are titles?" asks; a ? inside a word is a wildcard
    text, wildcard_notes = _without_leading_wildcards(text)
    notes.extend(wildcard_notes)
    unquoted = re.sub(r'"[^"]*"', "q", text)  # a quoted value is still a value: 'words:"a b"' names a field
    for address in WEB_ADDRESS_RE.findall(unquoted):
        notes.append(f"{address!r} was searched for as words")
    not_fields = []
    for match in FIELD_RE.finditer(WEB_ADDRESS_RE.sub(" ", unquoted)):
        name = match[1].lower()
        if name in KNOWN_FIELDS:
            continue
        meant = difflib.get_close_matches(name, KNOWN_FIELDS, n=1, cutoff=FIELD_LIKENESS)
        if meant:  # 'titel:mali' is a field clause mistyped; 'Note:x', 'a:b' are text
            raise QueryError(
                f"unknown field {match[1]!r} in {text!r} (did you mean {meant[0]}:?): "
                "the fields are title:, body:, actor:, source:, author:, type: and date:"
            )
        not_fields.append(match[1])
    if not_fields:
        # Read as words, colon and all: so that no internal field ('words:') is searched either.
        gone = set(not_fields)
        text = FIELD_RE.sub(lambda match: match[1] + " " if match[1] in gone else match[0], text)
        named = [repr(name + ":") for name in dict.fromkeys(not_fields)]
        notes.append(
            f"{', '.join(named)} {'is no field' if len(named) == 1 else 'are no fields'}: searched as words"
        )
    if text.count('"') % 2:
        cut = text.rfind('"')
        text = text[:cut] + text[cut + 1 :]
        notes.append("a quote was not closed: searched for the words")
    if not _balanced_brackets(text):
        text = re.sub(r"[()\[\]{}]", " ", text)
        notes.append("brackets were not balanced: searched for the words")
        text, wildcard_notes = _without_leading_wildcards(text)  # ')*' has become ' *'
        notes.extend(wildcard_notes)
    return text, tuple(notes)


def _as_plain_words(text: str) -> str:
    """The words of a text with no query syntax left: operators in lower case, every other sign a space."""
    words = _WORD_RE.findall(text)  # (never empty: parse() reads a text without words as matching nothing)
    return " ".join(word.lower() if word in OPERATORS else word for word in words)
