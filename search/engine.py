"""The one module that talks to Whoosh: schema, index folder, writer, searcher, highlighter.

Everything else in the package works with our own dataclasses and exceptions, so the
engine can be swapped by rewriting this file alone.
"""

from __future__ import annotations

import bisect
import copy
import difflib
import errno
import fcntl
import heapq
import json
import logging
import math
import os
import pickle
import re
import shutil
import struct
import threading
import traceback
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import Stemmer
import whoosh.filedb.filestore
import whoosh.index
import whoosh.writing
from whoosh import highlight, qparser, scoring, sorting
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    SpaceSeparatedTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.codec import whoosh3
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb import structfile
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import (
    And,
    AndMaybe,
    DateRange,
    Every,
    FuzzyTerm,
    Not,
    NullQuery,
    Or,
    Phrase,
    Prefix,
    Query,
    Term,
    TermRange,
    Wildcard,
    WrappingQuery,
)
from whoosh.support.charset import accent_map
from whoosh.support.levenshtein import distance
from whoosh.util.times import long_to_datetime
from whoosh.writing import CLEAR

from .errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    IndexNotWritableError,
    NotAnIndexError,
    QueryError,
)
from .models import Actor, Document, FacetCount, Fragment, Hit, Results, UnknownActor

log = logging.getLogger(__name__)

SCHEMA_VERSION = 8
MANIFEST_NAME = "search-index.json"
ACTORS_NAME = "actors.json"  # id -> name and type of every actor written, for facets
CATALOG_NAME = "catalog.json"  # id -> signature and hash of each indexed file, for incremental runs
RUN_LOCK_NAME = ".indexing.lock"  # made before the manifest, in a folder that is still empty
# What may stand in a folder before our manifest does: our lock and half-written manifest (a first run
# killed early), and a placeholder that keeps an empty folder in version control (this project's index/).
OWN_LOOSE_FILES = frozenset({RUN_LOCK_NAME, "search-index.tmp", ".gitignore", ".gitkeep", ".keep"})
MANIFEST_FORMAT = "news-search index"
TITLE_BOOST = 2.0  # at index time; the body holds the headline too
# Ranking, chosen on the Cranfield and CISI collections with bench/relevance.py (docs/benchmarks.md).
BM25_K1 = 1.2
BM25_B = 0.75
TITLE_WEIGHT = 0.25  # at query time, on top of TITLE_BOOST
FEEDBACK_DOCS = 10  # pseudo-relevance feedback: the top documents whose key terms expand the query
FEEDBACK_TERMS = 10
FEEDBACK_WEIGHT = 0.3  # share of the expanded query's weight that goes to the expansion terms
FEEDBACK_CHARS = 4000  # the opening of each top document is where its key terms are read
CACHED_POSTINGS = 250_000  # a thread's searcher keeps the scores of its last terms up to this many (~25 MB)
RERANK_DEPTH = 30  # feedback reorders this many of the best documents, or three times the depth asked
# Documents that hold every word of a query of plain words score this many times more.
ALL_WORDS_BONUS = 1.0
# Longer queries are questions rather than keywords: holding all their words means little, and the
# bonus measured worse on Cranfield and CISI.
MAX_BONUS_WORDS = 4
SPELLING_FIELD = "words"  # each document's words before stemming, for spelling suggestions
SUGGESTION_DISTANCE = 2
MAX_SUGGESTED_WORD = (
    40  # letters: a longer 'word' is pasted junk, and the corrector's automaton is slow on it
)
SIMILAR_TERMS = 12
ALL_DOCUMENTS_FIELD = "_all"  # a name no field has, so that Whoosh's normalize() keeps _AllDocuments
MAX_EXPANDED_TERMS = 500  # words the wildcards, prefixes and fuzzy words of one query may stand for
MAX_EXPANDED_POSTINGS = 500_000  # and the postings those words may hold (scored at ~0.5 M a second)
PLAIN_WORD_RE = re.compile(r"(?<![\w:~*?^\-])[^\W\d_]{3,}(?![\w:~*?])")
KNOWN_FIELDS = ("title", "body", "actor", "actors", "date", "author")
TEXT_FIELDS = ("title", "body", "author")  # fields of words, with positions for phrases
# Fields whose clauses narrow without scoring, like the flags (_FilterClause); "filter" marks a clause
# already made one.
FILTER_FIELDS = ("date", "actors", "author", "filter")
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
FIELD_RE = re.compile(r"(?<![\w\"'])([A-Za-z_]\w*):(?=\S)")
QUESTION_MARK_RE = re.compile(r"(?<=\w)\?+(?=\s|$|[.,;:!)\]])")
WEB_ADDRESS_RE = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)
# How Whoosh's date column marks a document without a date (the largest unsigned 64-bit value).
MISSING_DATE = 2**64 - 1
SNIPPET_FRAGMENTS = 3
FRAGMENT_CHARS = 160
FRAGMENT_CONTEXT = 50
# What a write to the index folder fails with when the folder cannot take it: a full disk or quota, a
# read-only file system, permissions or an immutable flag, a file where a folder should be.
WRITE_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENOTDIR,
        errno.EEXIST,
    }
)
# Errors Whoosh raises when the files of an index are missing, truncated or garbled.
DAMAGE_ERRORS = (
    whoosh.index.IndexError, OSError, EOFError, ValueError, KeyError, struct.error,
    pickle.UnpicklingError,
)  # fmt: skip


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
    """The query text to parse and notes on it; an unknown field is a QueryError.

    Whoosh reads an unknown field, a stray quote or bracket as plain words without a word to
    the user: here an unknown field is an error, and the rest are read as words, with a note.
    """
    notes = []
    text = QUESTION_MARK_RE.sub(" ", text)  # "what are titles?" asks; a ? inside a word is a wildcard
    text, wildcard_notes = _without_leading_wildcards(text)
    notes.extend(wildcard_notes)
    unquoted = re.sub(r'"[^"]*"', "q", text)  # a quoted value is still a value: 'words:"a b"' names a field
    for address in WEB_ADDRESS_RE.findall(unquoted):
        notes.append(f"{address!r} was searched for as words")
    for match in FIELD_RE.finditer(WEB_ADDRESS_RE.sub(" ", unquoted)):
        if match[1].lower() not in KNOWN_FIELDS:
            raise QueryError(
                f"unknown field {match[1]!r} in {text!r}: "
                "the fields are title:, body:, actor:, author: and date:"
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
    words = _WORD_RE.findall(text)
    if not words:
        raise QueryError(f"nothing to search for in {text!r}: give at least one word")
    return " ".join(word.lower() if word in OPERATORS else word for word in words)


def _cached_column_reader(self: Any, fieldname: str, column: Any) -> Any:
    """Whoosh 2.7.5's W3PerDocReader._cached_reader, remembering columns that do not exist too.

    The original stats the disk for every posting of a field without a lengths column (an id, the
    spelling words): 40% of a commit's time. A segment's files never change once written.
    """
    if fieldname not in self._readers:
        exists = self.has_column(fieldname)
        self._readers[fieldname] = self.column_reader(fieldname, column) if exists else None
    return self._readers[fieldname]


whoosh3.W3PerDocReader._cached_reader = _cached_column_reader


class _ViewFile:
    """A read-only file over a memoryview of the index's mmap, without copying it.

    Whoosh 2.7.5's BufferFile wraps each file of a compound segment in BytesIO(view), which
    copies the whole file (the postings too) every time a searcher opens it: 90 ms of a query
    at 41,000 articles, and that much memory again per open searcher.
    """

    def __init__(self, view: memoryview) -> None:
        self._view, self._position = view, 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._position = end
        return bytes(self._view[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        line = bytearray()
        while size is None or size < 0 or len(line) < size:
            byte = self.read(1)
            line += byte
            if not byte or byte == b"\n":
                break
        return bytes(line)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._position, len(self._view))[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._view = memoryview(b"")


def _buffer_file_init(self: Any, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
    """whoosh.filedb.structfile.BufferFile.__init__, reading its buffer in place (see _ViewFile)."""
    self._buf, self._name, self.onclose = buf, name, onclose
    self.file = _ViewFile(buf)
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _buffer_file_init


@cache
def stop_words() -> frozenset[str]:
    """English words too common to tell documents apart (package data, search/data/stopwords.txt)."""
    text = resources.files("search").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


# Snowball's English stemmer in C (PyStemmer): Whoosh's pure-Python port took ~7 us a word, most of
# a fresh `search query` process's feedback and highlighting time; the C one also has Snowball's later
# fixes ('added' -> 'add', not 'ad'; 'biologist' -> 'biolog', as 'biology').
_stem = lru_cache(maxsize=200_000)(Stemmer.Stemmer("english").stemWord)


# Whoosh's word pattern, \w+(\.?\w+)*, keeps 'U.S.' and '3.5' whole, but also 'taxpayers.The' where a
# space is missing after a full stop (1 story in 400 of the AllSides news): a dot before a capitalised
# word ends the word.
TOKEN_PATTERN = r"\w+(?:\.(?![A-Z][a-z])\w+)*"


def text_analyzer(drop_stop_words: bool = True) -> Analyzer:
    """English stemming with accent folding, so that 'Touré' matches 'Toure'; stop words dropped unless
    the caller says removestops=False (phrases) or drop_stop_words is False (a query of stop words alone)."""
    stop = StopFilter(stoplist=stop_words()) if drop_stop_words else StopFilter(stoplist=(), minsize=1)
    tokens = RegexTokenizer(TOKEN_PATTERN)
    return tokens | LowercaseFilter() | CharsetFilter(accent_map) | stop | StemFilter(stemfn=_stem)


_TOKEN_RE = re.compile(TOKEN_PATTERN, re.UNICODE)
_WORD_RE = _TOKEN_RE  # no capturing group: findall gives the words


def _is_stop_word(folded: str) -> bool:
    """True for a word too common (or too short) to rank by: text_analyzer()'s StopFilter drops it."""
    return len(folded) < 2 or folded in stop_words()


def _every_folded_word(text: str) -> list[str]:
    """Every word of a text as text_analyzer() reads it before stemming: lower case, accents folded.

    Split by findall, in C, on the text as written (the word pattern looks at capitals); the words
    are lowered in one call, joined (a word holds no space), and only words beyond ASCII are
    accent-folded (the accent map only lowers ASCII letters). Stop words are kept: the index holds
    every word at its position, so that a phrase with stop words matches exactly.
    """
    words = _WORD_RE.findall(text)
    if not words:
        return []
    lowered = " ".join(words).lower().split(" ")
    if text.isascii():
        return lowered
    return [word if word.isascii() else word.translate(accent_map) for word in lowered]


def _folded_words(text: str) -> list[str]:
    """The words text_analyzer() keeps for ranking, before stemming: stop words and single letters dropped."""
    stop = stop_words()
    return [word for word in _every_folded_word(text) if len(word) >= 2 and word not in stop]


def index_terms(text: str) -> list[str]:
    """The term of every word of a text, in order, stop words included: what the index holds at each position.

    text_analyzer() called with removestops=False makes the same terms, through its chain of generators
    (~5x slower).
    """
    return [_stem(word) for word in _every_folded_word(text)]


def key_terms(text: str) -> list[str]:
    """The terms text_analyzer() makes of a text for ranking, in order: no stop words, no single letters."""
    return [_stem(word) for word in _folded_words(text)]


def body_terms(text: str) -> Counter[str]:
    """The ranking terms of a text, counted (for feedback: stop words never expand a query)."""
    return Counter(key_terms(text))


@dataclass(frozen=True)
class PreparedDocument:
    """A document with its text fields analysed, ready for the writer; made by prepare() in any process."""

    document: Document
    title_terms: str
    body_terms: str
    words: str


def prepare(document: Document) -> PreparedDocument:
    """Analyse a document's title and body once, where it is cheapest: in the worker that read it."""
    body_words = _every_folded_word(document.body)
    return PreparedDocument(
        document=document,
        title_terms=" ".join(index_terms(document.title)),
        body_terms=" ".join(_stem(word) for word in body_words),
        words=" ".join(sorted({word for word in body_words if not _is_stop_word(word)})),
    )


@lru_cache(maxsize=200_000)
def _term_of(written: str) -> str | None:
    """The term text_analyzer() makes of a word as written (a stop word's too); None if it holds no word."""
    return next(iter(index_terms(written)), None)


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
    for written in set(words_in_text):
        folded = written.lower().translate(accent_map)
        if folded[:1] in initials and (stop_words_too or not _is_stop_word(folded)):
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
    terms = [alone.get(word) for word in written]
    if marks.phrases:
        in_phrases = _matched_stems(
            written, frozenset(w for p in marks.phrases for w in p), stop_words_too=True
        )
        phrase_terms = [in_phrases.get(word) for word in written]
        for phrase in marks.phrases:
            size = len(phrase)
            for start, term in enumerate(phrase_terms):
                if term == phrase[0] and tuple(phrase_terms[start : start + size]) == phrase:
                    terms[start : start + size] = phrase
    return terms


def body_fragments(text: str, marks: Marks, top: int = SNIPPET_FRAGMENTS) -> list[Fragment]:
    """The best passages of a body for the given marks, as Whoosh's highlight() makes them with
    text_analyzer(), a ContextFragmenter(FRAGMENT_CHARS, FRAGMENT_CONTEXT), the earliest-best scorer
    and FIRST order, a phrase's words marked only where the whole phrase stands.

    Whoosh makes a Token object for every word of the text and walks them all; here the words are
    found by one regex pass, matched by their distinct written forms, and only the words around the
    matches are walked one by one (tested equal to Whoosh's highlight()).
    """
    written = _WORD_RE.findall(text)
    terms = _terms_to_mark(written, marks)
    if not any(terms):
        return []
    spans = [match.span() for match in _TOKEN_RE.finditer(text)]
    fragments = _context_fragments(text, spans, terms)
    best = highlight.top_fragments(fragments, top, _EARLIEST_BEST, highlight.FIRST)
    return [_to_fragment(fragment) for fragment in _merge_touching(best)]


def _context_fragments(
    text: str, spans: list[tuple[int, int]], terms: list[str | None]
) -> Iterator[highlight.Fragment]:
    """Whoosh's ContextFragmenter.fragment_tokens over tokens (spans, and the term of each matched one).

    Its loop, line for line, except that a run of unmatched words outside a passage is taken in one
    step: all it does there is keep the starts of the words less than `surround` characters before
    the last one's end, which a bisection finds.
    """
    maxchars, surround = FRAGMENT_CHARS, FRAGMENT_CONTEXT
    starts = [start for start, _ in spans]
    ends = [end for _, end in spans]
    limit = bisect.bisect_right(ends, highlight.DEFAULT_CHARLIMIT)  # Whoosh stops at the first word past it
    matched_at = [n for n in range(limit) if terms[n] is not None]
    firsts: list[int] = []  # starts of the unmatched words just before a passage
    first: int | None = None
    countdown = -1
    tokens: list[Token] = []
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
        startchar, endchar = spans[n]
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
            tokens.append(Token(text=term, startchar=startchar, endchar=endchar, matched=True, boost=1.0))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                yield highlight.mkfrag(text, tokens, startchar=first, endchar=endchar)
                tokens, firsts, first, currentlen = [], [], None, 0
        n += 1
    if limit < len(spans):
        endchar = ends[limit]
    if tokens:
        yield highlight.mkfrag(text, tokens, startchar=first, endchar=endchar)


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


@cache
def stop_terms() -> frozenset[str]:
    """The terms of the stop words: indexed for phrases, but not counted in a field's length."""
    return frozenset(_stem(word) for word in stop_words())


class WordsText(TEXT):
    """A text field that holds every word at its position but counts only the ranking words in its length.

    Phrases need the stop words ("the military", "lock her up"); BM25's length normalisation was
    chosen without them (counting them cost CISI 0.01 nDCG@10), and a posting's length share is all
    the writer reads the frequency for (SegmentWriter.add_document: `length += freq`).
    """

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        unscored = stop_terms()
        for btext, freq, weight, vbytes in super().index(value, **kwargs):
            text = btext.decode("utf-8")
            yield btext, (0 if len(text) < 2 or text in unscored else freq), weight, vbytes


def build_schema(analyzer: Analyzer | None = None) -> Schema:
    """The index's fields; size, mtime and hash are kept for incremental reindexing.

    The index's title and body are analysed before they reach Whoosh (prepare()), so its
    analyzer only splits them at spaces; queries are parsed with text_analyzer() instead,
    which makes the same terms (query_schema()).
    """
    analyzer = analyzer or SpaceSeparatedTokenizer()
    return Schema(
        id=ID(unique=True, stored=True),
        path=STORED(),
        title=WordsText(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        body=WordsText(analyzer=analyzer, stored=True),
        words=KEYWORD(),
        date=DATETIME(stored=True, sortable=True),
        actors=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        actor_info=STORED(),
        source=ID(stored=True),
        url=STORED(),
        author=TEXT(analyzer=RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)),
        authors=STORED(),
        date_source=STORED(),
        size=STORED(),
        mtime=STORED(),
        content_hash=STORED(),
    )


# --- the index folder --------------------------------------------------------------


def _manifest_path(index_dir: Path) -> Path:
    return index_dir / MANIFEST_NAME


def _is_our_manifest(path: Path) -> bool:
    """True when a manifest file is ours: JSON naming this product's index format, or a damaged copy
    of one that still starts as we write it (cut short by a full disk, say), which a rebuild repairs."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
        manifest = json.loads(text)
    except OSError:
        return False
    except json.JSONDecodeError:
        return text.startswith(f'{{\n "format": "{MANIFEST_FORMAT}"')
    return isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT


def _check_not_foreign(index_dir: Path) -> None:
    """Refuse any folder but a missing one, an empty one, or one holding our own manifest.

    A user's folder is never written into or 'repaired', whatever it holds: their own
    search-index.json, a .git folder, a single .env file.
    """
    if index_dir.exists() and not index_dir.is_dir():
        raise NotAnIndexError(f"{index_dir} is a file, not an index folder")
    if not index_dir.is_dir():
        return
    if _manifest_path(index_dir).is_file():
        if _is_our_manifest(_manifest_path(index_dir)):
            return
        raise NotAnIndexError(
            f"{index_dir} holds a {MANIFEST_NAME} that is not a search index's; nothing was written: "
            "give an empty folder or one of our index folders (if this was an index whose "
            f"{MANIFEST_NAME} was damaged, delete the folder and index again)"
        )
    others = sorted(p.name for p in index_dir.iterdir() if p.name not in OWN_LOOSE_FILES)
    if others:
        more = f" and {len(others) - 1} more" if len(others) > 1 else ""
        raise NotAnIndexError(
            f"{index_dir} is not a search index (it holds {others[0]!r}{more}); nothing was written: "
            "give an empty folder or one of our index folders"
        )


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """The index's manifest, checked: raises if there is no index or it is not ours."""
    _check_not_foreign(index_dir)
    path = _manifest_path(index_dir)
    if not path.is_file():
        raise IndexNotFoundError(f"no index at {index_dir}: run 'search index' first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(index_dir, error) from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise _damaged(index_dir, ValueError(f"{MANIFEST_NAME} is not ours"))
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise IndexNeedsRebuildError(
            f"index at {index_dir} has schema version {manifest.get('schema_version')}, "
            f"this program needs {SCHEMA_VERSION}: run 'search index --rebuild'"
        )
    return manifest


def _write_manifest(
    index_dir: Path, corpus_root: Path | None, cleaner: dict[str, Any] | None = None, complete: bool = True
) -> None:
    """Record what this index is and how its documents were cleaned, atomically.

    A new index is marked incomplete until its first build commits: a first build that was killed
    leaves a folder that the next run builds again (rather than one whose cleaning it cannot check).
    """
    manifest = {
        "format": MANIFEST_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "corpus_root": str(corpus_root) if corpus_root else None,
        "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cleaner": cleaner or {},
        "complete": complete,
    }
    _write_json(_manifest_path(index_dir), manifest)


def _open_or_create_for_writing(index_dir: Path) -> whoosh.index.Index:
    """Open our index for writing; create it in a new or empty folder, or over a broken one of ours."""
    _check_not_foreign(index_dir)
    if _manifest_path(index_dir).is_file():
        try:
            read_manifest(index_dir)
            return whoosh.index.open_dir(str(index_dir))
        except (IndexDamagedError, IndexNeedsRebuildError, *DAMAGE_ERRORS) as error:
            log.warning("rebuilding the index at %s from scratch: %s", index_dir, error)
    index_dir.mkdir(parents=True, exist_ok=True)
    _write_manifest(index_dir, None, complete=False)
    return whoosh.index.create_in(str(index_dir), build_schema())


def query_schema(drop_stop_words: bool = True) -> Schema:
    """The index's fields as the query parser sees them: title and body with text_analyzer()."""
    return build_schema(text_analyzer(drop_stop_words))


def _is_joined_name(written: str) -> bool:
    """True for a name written with hyphens ('al-Baghdadi', 'Al-Shabaab', 'U.S.-Mexico', 'Coca-Cola'):
    a part after the first starts with a capital, and the word is not all capitals ('NON-USERS')."""
    later = re.split(r"[\W_]+", written, flags=re.UNICODE)[1:]
    return not written.isupper() and any(part[:1].isupper() for part in later)


class _Parser(qparser.QueryParser):
    """Whoosh's parser, reading a word made of several parts (hyphens, apostrophes) as all of them.

    Whoosh ORs the parts of 'al-Baghdadi', so 'al' matched everywhere (370 hits for 20 documents
    naming Baghdadi). Here a name's parts make a phrase ('al-Baghdadi' = "al baghdadi"), and any
    other compound's parts must all be there ('two-dimensional' = two AND dimensional: technical
    text writes "two- and three-dimensional"; as a phrase it cost Cranfield 0.012 nDCG@10, measured
    with bench/relevance.py). A single letter beside one part is left out ("Mali's" = Mali, "e-mail"
    = mail), as before.
    """

    def term_query(
        self, fieldname: str, text: str, termclass: Any, boost: float = 1.0, tokenize: bool = True,
        removestops: bool = True,
    ) -> Query | None:  # fmt: skip
        if (
            termclass is Term
            and tokenize
            and fieldname in ("title", "body")
            and len(_WORD_RE.findall(text)) > 1
        ):
            tokens = [t.text for t in self.schema[fieldname].tokenize(text, mode="query", removestops=False)]
            parts = [n for n, word in enumerate(_every_folded_word(text)) if len(word) >= 2]
            if len(parts) >= 2 and _is_joined_name(text):
                return Phrase(fieldname, tokens[parts[0] : parts[-1] + 1], boost=boost)
            if len(parts) >= 2:
                return And([Term(fieldname, tokens[n]) for n in parts], boost=boost)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)


def query_parser(drop_stop_words: bool = True) -> qparser.QueryParser:
    """Whoosh's parser over title and body, with our plugins: see each plugin's docstring."""
    parser = _Parser(None, query_schema(drop_stop_words), group=_AllWordsBonusGroup)
    # Whoosh's MultifieldParser(), with our class: a word without a field is searched in title and body.
    parser.add_plugin(
        qparser.MultifieldPlugin(["title", "body"], fieldboosts={"title": TITLE_WEIGHT, "body": 1.0})
    )
    parser.add_plugin(qparser.FieldAliasPlugin({"actors": ["actor"]}))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(_PlusMinusPlugin())
    parser.add_plugin(_FieldClausePlugin())
    parser.remove_plugin_class(qparser.PhrasePlugin)
    parser.add_plugin(_PhrasePlugin())
    return parser


def _to_fields(prepared: PreparedDocument) -> dict[str, Any]:
    document = prepared.document
    fields: dict[str, Any] = {
        "id": document.id,
        "path": document.path,
        "title": prepared.title_terms,
        "_stored_title": document.title,
        "body": prepared.body_terms,
        "_stored_body": document.body,
        "words": prepared.words,
        "actors": ",".join(actor.id for actor in document.actors),
        "actor_info": [(actor.id, actor.name, actor.type) for actor in document.actors],
        "source": document.source,
        "url": document.url,
        "author": "; ".join(document.authors),
        "authors": list(document.authors),
        "date_source": document.date_source,
        "size": document.size,
        "mtime": document.mtime,
        "content_hash": document.content_hash,
    }
    if document.date is not None:
        fields["date"] = document.date
    return fields


Signature = tuple[int, int, int]  # size, mtime in ns, the sidecar's mtime in ns (0 without one)
NOT_A_FILE: Signature = (-1, -1, -1)  # a document an app added: no file to compare, kept by every run


def _catalog_path(index_dir: Path) -> Path:
    return index_dir / CATALOG_NAME


def read_catalog(index_dir: Path) -> dict[str, tuple[Signature, str]]:
    """What the index holds of each file: its signature and content hash, without opening Whoosh."""
    try:
        raw = json.loads(_catalog_path(index_dir).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return {
        doc_id: ((e[0], e[1], e[2]), e[3]) for doc_id, e in raw.items() if isinstance(e, list) and len(e) == 4
    }


def read_actor_names(index_dir: Path) -> dict[str, tuple[str, str]]:
    """The name and type of each actor the index's documents were written with."""
    try:
        raw = json.loads((index_dir / ACTORS_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return {actor_id: (e[0], e[1]) for actor_id, e in raw.items() if isinstance(e, list) and len(e) == 2}


def _write_json(path: Path, data: Any) -> None:
    """Write a JSON file atomically: aside first, then renamed over the old one."""
    temporary = path.with_suffix(".tmp")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        with suppress(OSError):
            temporary.unlink()
        raise


def _not_writable(index_dir: Path, error: OSError) -> IndexNotWritableError:
    """One line for a write that failed: a full disk, a read-only folder, a file in the way."""
    what = "no space left on device" if error.errno in (errno.ENOSPC, errno.EDQUOT) else error.strerror
    inside = str(Path(error.filename or index_dir).resolve()).startswith(str(index_dir.resolve()))
    where = "" if inside else f" ({error.filename})"  # a temporary file elsewhere, say
    return IndexNotWritableError(
        f"cannot write the index at {index_dir}{where}: {what}; the index keeps its last commit"
    )


def _remove_unfinished(index_dir: Path) -> None:
    """Remove the files of segments and tables of contents that no committed generation uses: what a
    writer left when its run failed (on a full disk, they hold the space the next run needs)."""
    name = whoosh.index._DEF_INDEX_NAME
    storage = whoosh.filedb.filestore.FileStorage(str(index_dir))
    with suppress(*DAMAGE_ERRORS):  # a table of contents that cannot be read: touch nothing
        if any(index_dir.glob(f"_{name}_*.toc")):
            toc = whoosh.index.TOC.read(storage, name)
            whoosh.index.clean_files(storage, name, toc.generation, toc.segments)
        else:  # no commit yet: no segment is in use
            whoosh.index.clean_files(storage, name, -2, [])
    for temporary in index_dir.glob("*.tmp"):  # our JSON written aside; Whoosh's writer's folder (MAIN.tmp)
        with suppress(OSError):
            shutil.rmtree(temporary) if temporary.is_dir() else temporary.unlink()


@contextmanager
def _run_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the index for one indexing run; the lock dies with its process, so a killed run never blocks."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / RUN_LOCK_NAME, "a+") as handle:
        deadline = monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if monotonic() >= deadline:
                    raise IndexLockedError(
                        f"index at {index_dir} is locked by another indexing run; "
                        "try again when it ends, or wait longer with --wait"
                    ) from None
                sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class IndexBuild:
    """An indexing run's writes: documents in, documents out, committed in batches (or once, rebuilding)."""

    def __init__(self, index: Any, index_dir: Path, timeout: float, clear: bool) -> None:
        self._index = index
        self._index_dir = index_dir
        self._timeout = timeout
        self._clear = clear
        self.catalog: dict[str, tuple[Signature, str]] = {} if clear else read_catalog(index_dir)
        self.actor_names: dict[str, tuple[str, str]] = {} if clear else read_actor_names(index_dir)
        self._new_actors = clear
        self.cleaner: dict[str, Any] = {}
        self.pending = 0
        self._writer = self._new_writer()

    def _new_writer(self) -> Any:
        try:
            return self._index.writer(timeout=self._timeout)
        except whoosh.index.LockError:
            raise IndexLockedError(
                f"index at {self._index_dir} is locked by another indexing run; "
                "try again when it ends, or wait longer with --wait"
            ) from None
        except OSError as error:
            # Whoosh's SegmentWriter takes the write lock, then makes its files: when that fails (a full
            # disk, a read-only folder) the half-made writer keeps the lock, and a long-running process
            # (search watch, an app) could never write again.
            for frame, _ in traceback.walk_tb(error.__traceback__):
                _release_write_lock(frame.f_locals.get("self"))
            raise

    def add(self, document: Document | PreparedDocument, signature: Signature = (0, 0, 0)) -> None:
        """Add a document, or replace the one with its id; analysed here unless it was prepared."""
        prepared = document if isinstance(document, PreparedDocument) else prepare(document)
        document = prepared.document
        fields = _to_fields(prepared)
        if self._clear:
            self._writer.add_document(**fields)
        else:
            self._writer.update_document(**fields)
        self.catalog[document.id] = (signature, document.content_hash)
        for actor in document.actors:
            if self.actor_names.get(actor.id) != (actor.name, actor.type):
                self.actor_names[actor.id] = (actor.name, actor.type)
                self._new_actors = True
        self.pending += 1

    def delete(self, document_id: str) -> None:
        """Remove a document from the index."""
        self._writer.delete_by_term("id", document_id)
        self.catalog.pop(document_id, None)
        self.pending += 1

    def touch(self, document_id: str, signature: Signature) -> None:
        """Record a new signature for an unchanged document (its file was touched, not edited)."""
        self.catalog[document_id] = (signature, self.catalog[document_id][1])

    def commit_batch(self) -> None:
        """Make what was written so far durable and searchable (updates only; a rebuild commits once)."""
        if self._clear or not self.pending:
            return
        self._writer.commit()
        self._save_catalog()
        self.pending = 0
        self._writer = self._new_writer()

    def _finish(self) -> None:
        self._writer.commit(mergetype=CLEAR) if self._clear else self._writer.commit()
        self._save_catalog()

    def _save_catalog(self) -> None:
        """Record the committed files; written after each commit, so never ahead of the index."""
        catalog = {doc_id: [*signature, digest] for doc_id, (signature, digest) in self.catalog.items()}
        _write_json(_catalog_path(self._index_dir), catalog)
        if self._new_actors:
            names = {actor_id: list(entry) for actor_id, entry in self.actor_names.items()}
            _write_json(self._index_dir / ACTORS_NAME, names)
            self._new_actors = False

    def _cancel(self) -> None:
        try:
            self._writer.cancel()
        finally:  # cancel fails midway on a full disk, before it lets the lock go
            _release_write_lock(self._writer)


def _release_write_lock(writer: object) -> None:
    """Let go of the write lock a Whoosh writer still holds, if it is one and holds it."""
    lock = getattr(writer, "writelock", None) if isinstance(writer, whoosh.writing.SegmentWriter) else None
    if lock is not None and getattr(lock, "fd", None) is not None:
        with suppress(OSError):
            lock.release()


def added_documents(index_dir: Path) -> list[Document]:
    """The documents apps added (not files), read from the index as committed, to outlive a rebuild.

    A damaged index yields what can be read, with a warning: a rebuild is how it is repaired.
    """
    ids = [doc_id for doc_id, (signature, _) in read_catalog(index_dir).items() if signature == NOT_A_FILE]
    if not ids:
        return []
    try:
        opened = EngineIndex(index_dir)
        documents = [opened.document(doc_id) for doc_id in ids]
    except (IndexDamagedError, IndexNotFoundError, IndexNeedsRebuildError) as error:
        log.warning("the %d documents added by apps could not be kept: %s", len(ids), error)
        return []
    return [document for document in documents if document is not None]


@contextmanager
def writing(index_dir: Path, corpus_root: Path | None, timeout: float, rebuild: bool) -> Iterator[IndexBuild]:
    """Write to the index, holding it for the whole run.

    Rebuilding replaces the contents in one commit (the old state serves until then); updating
    commits in batches, so a failure loses at most the batch under way and the next run resumes.
    The cleaner state set on the build is recorded in the manifest at the end.
    """
    _check_not_foreign(index_dir)  # before the lock file is made in a folder that is not ours
    try:
        with _run_lock(index_dir, timeout):
            index = _open_or_create_for_writing(index_dir) if rebuild else _open_for_update(index_dir)
            build = IndexBuild(index, index_dir, timeout, clear=rebuild)
            try:
                yield build
            except BaseException:
                with suppress(Exception):  # closing its files fails too on a full disk
                    build._cancel()
                _remove_unfinished(index_dir)  # Whoosh's cancel leaves the new segment's files
                raise
            build._finish()
            _write_manifest(index_dir, corpus_root, build.cleaner)
    except OSError as error:
        if error.errno not in WRITE_ERRNOS:
            raise
        if index_dir.is_dir():
            _remove_unfinished(index_dir)
        raise _not_writable(index_dir, error) from None


def _open_for_update(index_dir: Path) -> Any:
    """The index, with every segment's files opened once: a truncated segment is found here, before a
    run reports "unchanged" over an index no query can read, or fails midway in Whoosh's writer."""
    read_manifest(index_dir)
    try:
        index = whoosh.index.open_dir(str(index_dir))
        with index.reader() as reader:
            reader.doc_count()
        return index
    except DAMAGE_ERRORS as error:
        raise _damaged(index_dir, error) from None


# --- searching ---------------------------------------------------------------------


def _nodes(query: Query) -> Iterator[Query]:
    yield query
    for child in query.children():
        yield from _nodes(child)


def _plain_words(query: Query) -> bool:
    """True for a query of words alone (no phrase, field, wildcard or exclusion): feedback suits it."""
    nodes = list(_nodes(query))
    leaves = [node for node in nodes if not list(node.children())]
    return (
        bool(leaves)
        and not any(isinstance(node, Not) for node in nodes)
        and all(type(leaf) is Term and leaf.fieldname in ("title", "body") for leaf in leaves)
    )


def _without(query: Query, excluded: Query) -> Query:
    """Documents matching query but not excluded.

    Whoosh 2.7.5's AndNot returned a sample document that holds the excluded word; And with Not
    does not, so exclusion is always built this way.
    """
    return And([query, Not(excluded)])


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


class _FilterClause(WrappingQuery):
    """A field clause that narrows without scoring (date:, actor:), as the --since/--until/--actor flags do.

    Where it stands in conjunction with the rest of the query it is lifted out into the search's
    filter (_lift_filters); elsewhere (under OR or NOT) it is its child query.
    """

    boost = 1.0  # a filter has no weight of its own (Whoosh's normalize() reads every clause's boost)

    def normalize(self) -> Query:
        child = self.child.normalize()
        return NullQuery if child is NullQuery else self._rewrap(child)


class _FilterNode(qparser.syntax.GroupNode):
    """The syntax node of a filter field's clause: `date:2012`, `actor:"African Union"`, `actor:(a OR b)`."""

    def query(self, parser: qparser.QueryParser) -> Query | None:
        inner = [q for q in (node.query(parser) for node in self.nodes) if q is not None]
        if not inner:
            return None
        return qparser.syntax.attach(_FilterClause(inner[0] if len(inner) == 1 else And(inner)), self)


def _clause_field(node: Any) -> str | None:
    """The field a syntax node was written with (`title:junta`, `actor:(mali OR niger)`), else None.

    A bare word has none: the multifield plugin made it a group over title and body, two fields.
    """
    if isinstance(node, _FilterNode):
        return "filter"
    if isinstance(node, qparser.syntax.NotGroup):
        return None
    if isinstance(node, qparser.syntax.GroupNode):
        fields = {
            _clause_field(child) for child in node.nodes if not isinstance(child, qparser.syntax.MarkerNode)
        }
        return fields.pop() if len(fields) == 1 else None
    return getattr(node, "fieldname", None)


class _FieldClausePlugin(qparser.Plugin):
    """Marks the clauses of filter fields (date, actor) once fields are known, before + and - group words."""

    def filters(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        return [(self.do_filter_fields, 505)]  # after fields (100) and multifield (110), before +/- (510)

    def do_filter_fields(self, parser: qparser.QueryParser, group: Any) -> Any:
        marked = group.empty_copy()
        for node in group:
            if _clause_field(node) in FILTER_FIELDS:
                node = _FilterNode([node])
            elif isinstance(node, qparser.syntax.GroupNode):
                node = self.do_filter_fields(parser, node)
            marked.append(node)
        return marked


class _AllDocuments(Every):
    """Every document, to take exclusions from ('NOT soldiers').

    Not Every(): Whoosh normalises And([Every(), Not(x)]) to Every(), dropping the exclusion; nor
    Every("id"), which reads the postings of every id (14 s for one hostile query of 3,000 stories).
    """

    def __init__(self) -> None:
        super().__init__(ALL_DOCUMENTS_FIELD)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        return ListMatcher(array("I", searcher.reader().all_doc_ids()), all_weights=self.boost)


class _AllWordsBonusGroup(qparser.OrGroup):
    """Words written side by side are ORed, plus a bonus clause for holding all of them; a field
    clause beside them must hold (`coup title:junta`, `coup date:2023`), as in Elasticsearch's
    query_string and Recoll, unless joined by an explicit OR.

    Whoosh's own OrGroup.factory(coord) multiplies every score by (n-1)/n terms, which is
    zero for a one-word query, and its bonus is too small to reorder results.
    """

    def query(self, parser: qparser.QueryParser) -> Query | None:
        required = [
            q for q in (node.query(parser) for node in self.nodes if _clause_field(node)) if q is not None
        ]
        clauses = [
            q for q in (node.query(parser) for node in self.nodes if not _clause_field(node)) if q is not None
        ]
        # "coup NOT mali" means coup without mali, not "coup, or anything without mali".
        excluded = [q.query for q in clauses if isinstance(q, Not)]
        # A word the query repeats weighs more (Whoosh's normalize() would keep one copy).
        counts = Counter(q for q in clauses if not isinstance(q, Not))
        words = [q.with_boost(q.boost * n) if n > 1 else q for q, n in counts.items()]
        core: Query | None
        if not words and not required and not excluded:
            return None  # an empty group, '()': it matches nothing, and narrows nothing
        if not words:
            core = None if required else _AllDocuments()
        elif len(words) < 2 or len(words) > MAX_BONUS_WORDS:
            core = Or(words, boost=self.boost)
        else:
            core = Or([Or(words), And(words, boost=ALL_WORDS_BONUS)], boost=self.boost)
        parts = ([core] if core is not None else []) + required
        query = parts[0] if len(parts) == 1 else And(parts)
        if excluded:
            query = _without(query, Or(excluded))
        return qparser.syntax.attach(query, self)


def _lift_filters(query: Query) -> tuple[Query | None, list[Query]]:
    """The query without the filter clauses that every match must satisfy, and those clauses.

    A filter ANDed with the rest (at the top, in an And, on the required side of +word) is lifted;
    one under OR or NOT is left in place as its child query. None: no scored part remains.
    """
    if isinstance(query, _FilterClause):
        return None, [_unwrap_filters(query.child)]
    if type(query) is And:
        kept, lifted = [], []
        for child in query.subqueries:
            rest, found = _lift_filters(child)
            lifted.extend(found)
            if rest is not None:
                kept.append(rest)
        if not kept:
            return None, lifted
        return (kept[0] if len(kept) == 1 and query.boost == 1 else And(kept, boost=query.boost)), lifted
    if isinstance(query, AndMaybe):
        required, lifted = _lift_filters(query.a)
        optional = _unwrap_filters(query.b)
        if required is None:
            return optional, lifted
        both = AndMaybe(required, optional)
        both.boost = query.boost
        return both, lifted
    return _unwrap_filters(query), []


def _unwrap_filters(query: Query) -> Query:
    """The query with every filter clause replaced by its child (under OR or NOT it filters nothing)."""
    return query.accept(lambda node: node.child if isinstance(node, _FilterClause) else node)


class _PlusMinusPlugin(qparser.PlusMinusPlugin):
    """+word and -word, keeping the parser's own group for the optional words.

    Whoosh's plugin regroups them in a plain OrGroup, which would drop the bonus for holding
    all the words and the handling of NOT; it takes '-' anywhere, splitting 'al-Shabaab'; it
    excludes with AndNot (see _without); and it made a field clause beside a +word optional
    ('+Kavanaugh actor:russia'): here field clauses join the required words.
    """

    def __init__(self) -> None:
        super().__init__(plusexpr=r"(?<!\S)\+(?=\S)", minusexpr=r"(?<!\S)-(?=\S)")

    def do_plusminus(self, parser: qparser.QueryParser, group: Any) -> Any:
        required = qparser.syntax.AndGroup()
        optional = type(group)()
        banned = qparser.syntax.OrGroup()
        fielded = []
        target = optional
        for node in group:
            if isinstance(node, self.Plus):
                target = required
            elif isinstance(node, self.Minus):
                target = banned
            else:
                if target is optional and _clause_field(node):
                    fielded.append(node)
                else:
                    target.append(node)
                target = optional
        result = optional
        if required:
            required.extend(fielded)
            result = qparser.syntax.AndMaybeGroup([required, result]) if optional else required
        else:
            optional.extend(fielded)
        if banned:
            result = qparser.syntax.AndGroup([result, qparser.syntax.NotGroup([banned])])
        return result


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):
    """A quoted phrase whose every word counts, stop words included ("the military", "Me Too").

    Whoosh's node analyses a phrase as it does a lone word, dropping its stop words, so "the
    military" matched every document holding "military". In the actor field a quoted name is one
    value ("African Union"), not a sequence of words.
    """

    def query(self, parser: qparser.QueryParser) -> Query:
        fieldname = self.fieldname or parser.fieldname
        if fieldname == "actors":
            return qparser.syntax.attach(Term(fieldname, " ".join(self.text.split())), self)
        if fieldname not in TEXT_FIELDS:  # date:"2012-03": the quoted text is the field's value
            return qparser.syntax.attach(parser.term_query(fieldname, self.text, parser.termclass), self)
        field = parser.schema[fieldname]
        words, char_ranges = [], []
        for token in field.tokenize(self.text, mode="query", chars=True, removestops=False):
            words.append(token.text)
            char_ranges.append((self.textstartchar + token.startchar, self.textstartchar + token.endchar))
        phrase = parser.phraseclass(
            fieldname, words, slop=self.slop, boost=self.boost, char_ranges=char_ranges
        )
        return qparser.syntax.attach(phrase, self)


class _PhrasePlugin(qparser.PhrasePlugin):
    """Quoted phrases read by _PhraseNode."""

    class PhraseTagger(qparser.RegexTagger):
        def create(self, parser: qparser.QueryParser, match: Any) -> _PhraseNode:
            slop = match.group("slop")
            return _PhraseNode(match.group("text"), match.start("text"), int(slop) if slop else 1)

    def taggers(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        return [(self.PhraseTagger(self.expr), 0)]


class _EarliestBestFragmentScorer(highlight.BasicFragmentScorer):
    """Whoosh's passage score (matches, times distinct words), ties going to earlier passages."""

    def __call__(self, fragment: highlight.Fragment) -> float:
        position = fragment.startchar / (len(fragment.text) + 1)
        return float(super().__call__(fragment)) - position


_EARLIEST_BEST = _EarliestBestFragmentScorer()


class _SpanFormatter(highlight.Formatter):
    """Whoosh formatter that returns our Fragment records instead of marked-up strings."""

    def format(self, fragments: list[highlight.Fragment], replace: bool = False) -> list[Fragment]:
        return [_to_fragment(f) for f in _merge_touching(fragments)]


def _merge_touching(fragments: list[highlight.Fragment]) -> list[highlight.Fragment]:
    """Join passages that overlap or abut, so one sentence is not shown as two fragments."""
    merged: list[highlight.Fragment] = []
    for fragment in sorted(fragments, key=lambda f: f.startchar):
        if merged and fragment.startchar <= merged[-1].endchar + 1:
            last = merged[-1]
            merged[-1] = highlight.Fragment(
                last.text, last.matches + fragment.matches, last.startchar,
                max(last.endchar, fragment.endchar),
            )  # fmt: skip
        else:
            merged.append(fragment)
    return merged


def _to_fragment(fragment: highlight.Fragment) -> Fragment:
    """Snap a Whoosh passage to a sentence or word start and express its matches as offsets."""
    text = fragment.text
    matches = sorted((t.startchar, t.endchar) for t in fragment.matches if t.startchar is not None)
    start, end = fragment.startchar, fragment.endchar
    first_match = matches[0][0] if matches else end
    last_match = matches[-1][1] if matches else start
    sentence_start = max(text.rfind("\n", start, first_match), text.rfind(". ", start, first_match))
    if sentence_start >= 0:
        start = sentence_start + 1
    while start > 0 and start < first_match and not text[start - 1].isspace():
        start += 1
    while end < len(text) and end > last_match and not text[end].isspace():
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


def _bo1(weight_in_top: float, frequency: float, documents: int) -> float:
    """A term's Bo1 score (Whoosh's classify.Bo1Model): weight in the top documents against the collection."""
    f = frequency / documents
    return weight_in_top * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2)


def _expansion_terms(
    in_top: Counter[str],
    frequency: Callable[[str], float],
    documents: int,
    field_length: float,
    number: int = FEEDBACK_TERMS,
) -> list[tuple[str, float]]:
    """The number best expansion terms and their normalised weights, as Whoosh's Expander with Bo1 gives.

    Expander looks every word of the top documents up in the index; most are read once or twice
    there and cannot make the cut. A term of weight w in the top documents has a collection
    frequency between w and the field's length, and at a given w Bo1 falls then rises with the
    frequency, so its larger value at those two ends bounds the term; Bo1 and that bound grow with
    w. Terms are read heaviest first, and the reading stops when the bound falls below the
    number-th best score: no lighter term could reach it.
    """
    read: list[tuple[float, str]] = []  # (score, word) of every term looked up
    best: list[float] = []  # a min-heap of the number best scores so far
    for word, weight in sorted(in_top.items(), key=lambda item: -item[1]):
        bound = max(_bo1(weight, weight, documents), _bo1(weight, max(weight, field_length), documents))
        if len(best) == number and bound < best[0]:
            break
        cf = frequency(word)
        if not cf:  # a term the index does not hold (Expander skips it)
            continue
        score = _bo1(weight, cf, documents)
        read.append((score, word))
        if len(best) < number:
            heapq.heappush(best, score)
        elif score > best[0]:
            heapq.heapreplace(best, score)
    if not read:
        return []
    maxweight = max(score for score, _ in read)
    f = maxweight / documents
    norm = (maxweight * math.log((1.0 + f) / f) + math.log(1.0 + f)) / math.log(2.0)
    read.sort(key=lambda pair: (-pair[0], pair[1]))  # Expander's order: score, then word
    return [(word, score / norm) for score, word in read[:number]]


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


def _stored_actors(stored: dict[str, Any]) -> tuple[Actor, ...]:
    return tuple(Actor(*info) for info in stored.get("actor_info") or ())


@dataclass(frozen=True)
class ParsedQuery:
    """A query string read: the part that scores, the filter clauses every match satisfies, notes."""

    scored: Query | None  # None: the query only filters
    filters: tuple[Query, ...] = ()
    notes: tuple[str, ...] = ()
    actors: tuple[tuple[str, str], ...] = ()  # (as written, canonical id) of the actors every match names


@dataclass(frozen=True)
class SearchRequest:
    """A query and what narrows, orders and pages its results; the engine builds Whoosh objects from it."""

    query: str | None  # None: every document
    limit: int = 10
    offset: int = 0
    actors: tuple[tuple[str, str], ...] = ()  # (as given, canonical id): documents must name every one
    since: date | None = None
    until: date | None = None
    sort: str = "relevance"  # relevance, date (oldest first) or -date (newest first); undated last
    facets: tuple[str, ...] = ()  # "actor", "year"


class EngineIndex:
    """An opened Whoosh index: parses and runs queries, returns our Results."""

    def __init__(self, index_dir: Path, resolve_actor: Callable[[str], str] = str) -> None:
        self.index_dir = index_dir
        self._manifest = read_manifest(index_dir)
        self._manifest_stamp = _stamp(_manifest_path(index_dir))
        self._local = threading.local()
        self._actors: dict[str, tuple[str, str]] = {}
        self._actors_stamp = (0, 0)
        self._resolve_actor = resolve_actor
        try:
            self._index = whoosh.index.open_dir(str(index_dir))
        except DAMAGE_ERRORS as error:
            raise _damaged(index_dir, error) from None
        self._parser = query_parser()
        self._stop_words_parser: qparser.QueryParser | None = None  # made for the first query of stop words
        self._weighting = RobertsonBM25F(B=BM25_B, K1=BM25_K1)
        self._spelling_analyzer = (
            RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
        )

    @contextmanager
    def _current_searcher(self) -> Iterator[Any]:
        """This thread's searcher, brought up to the last commit; it stays open for the next call.

        Opening a searcher opens every segment's files and reads their headers (with the copies
        _ViewFile now avoids, 90 ms a query at 41,000 articles), so it is opened again only after
        a commit. Not with Whoosh's refresh(): it reuses the reader of a segment that gained
        deletions, and deleted documents kept matching. One a thread: Whoosh's readers share file
        positions.
        """
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or not searcher.up_to_date():
            if searcher is not None:
                searcher.close()
            searcher = self._local.searcher = self._index.searcher(weighting=self._weighting)
            self._local.term_scores = _TermScores(searcher)
        yield searcher

    @property
    def manifest(self) -> dict[str, Any]:
        """The index's manifest, re-read when an indexing run has rewritten it since."""
        stamp = _stamp(_manifest_path(self.index_dir))
        if stamp != self._manifest_stamp:
            with suppress(IndexDamagedError, IndexNotFoundError):
                self._manifest = read_manifest(self.index_dir)
                self._manifest_stamp = stamp
        return self._manifest

    @property
    def corpus_root(self) -> str | None:
        """The corpus folder the index was last built from."""
        root = self.manifest.get("corpus_root")
        return str(root) if root else None

    def document_count(self) -> int:
        """How many documents the index holds."""
        try:
            return int(self._index.doc_count())
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dir, error) from None

    def parse(self, text: str) -> ParsedQuery:
        """Our query objects for a query string, and notes on what was read as plain words.

        An unknown field or a date the parser cannot read is a QueryError; an unbalanced quote or
        bracket, or a web address, is read as words, with a note saying so. Filter clauses (date:,
        actor:) that every match must satisfy come apart from the scored query.
        """
        text, notes = check_query_text(text)
        if not _WORD_RE.search(text):
            raise QueryError(f"nothing to search for in {text.strip()!r}: give at least one word")
        try:
            parsed = self._read(text)
        except QueryError:
            if any(match[1].lower() in KNOWN_FIELDS for match in FIELD_RE.finditer(text)):
                raise  # a field clause that cannot be read ('date:xyz') is the user's to fix
            # Text pasted from elsewhere ('operators like *, +.)'): every word of it is searched.
            text = _as_plain_words(text)
            parsed = self._read(text)
            notes += ("the query's syntax could not be read: searched for its words",)
        scored, filters = _lift_filters(parsed)
        filtering_actors = [
            leaf.text
            for f in filters
            for leaf in f.leaves()
            if isinstance(leaf, Term) and leaf.fieldname == "actors"
        ]
        scored, filters = self._resolve_actors(scored), [self._resolve_actors(f) for f in filters]
        return ParsedQuery(
            scored=scored.normalize() if scored is not None else None,
            filters=tuple(f.normalize() for f in filters if f is not None),
            notes=notes,
            actors=tuple((name, self._resolve_actor(name)) for name in dict.fromkeys(filtering_actors)),
        )

    def _read(self, text: str) -> Query:
        """The parsed query; one of stop words alone ('the who', 'to be') is searched as written."""
        parsed = self._parse_with(self._parser, text)
        if parsed.normalize() is NullQuery:
            self._stop_words_parser = self._stop_words_parser or query_parser(drop_stop_words=False)
            parsed = self._parse_with(self._stop_words_parser, text)
        for node in [parsed, *parsed.leaves()]:
            if getattr(node, "error", None):
                raise QueryError(f"cannot read the query {text!r}: {node.error}")
        return parsed

    @staticmethod
    def _parse_with(parser: qparser.QueryParser, text: str) -> Query:
        try:
            return parser.parse(text, normalize=False)
        except Exception as error:  # Whoosh raises a bare Exception for a bad date in a range
            raise QueryError(f"cannot read the query {text!r}: {error}") from None

    def _resolve_actors(self, query: Query | None) -> Query | None:
        """The query with each actor named by id, name or alias replaced by the actor's canonical id."""
        if query is None:
            return None
        return query.accept(
            lambda node: (
                Term("actors", self._resolve_actor(node.text), boost=node.boost)
                if type(node) is Term and node.fieldname == "actors"
                else node
            )
        )

    @staticmethod
    def _feedback_terms(searcher: Any, docnums: list[int]) -> list[tuple[str, float]]:
        """The key terms (Bo1) of the openings of the given documents, with their weights."""
        in_top: Counter[str] = Counter()
        for docnum in docnums:
            in_top.update(body_terms(searcher.stored_fields(docnum).get("body", "")[:FEEDBACK_CHARS]))
        readers = [sub.reader() for sub, _ in searcher.leaf_searchers()]
        return _expansion_terms(
            in_top,
            lambda term: sum(reader.frequency("body", term) for reader in readers),
            searcher.doc_count_all(),
            searcher.reader().field_length("body"),
        )

    def _rerank_with_feedback(
        self, searcher: Any, query: Query, hits: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """The hits (docnum, score) reordered by the query and its best documents' key terms
        (pseudo-relevance feedback).

        Each hit scores (1 - w)/words of its own score plus the expansion terms' scores in its
        body, as the expanded query would score it; only these hits are scored again, so the
        documents that match, and their number, stay those of the user's words.
        """
        scores = dict(hits)
        expansion = self._feedback_terms(searcher, [docnum for docnum, _ in hits[:FEEDBACK_DOCS]])
        total = sum(weight for _, weight in expansion)
        if total:
            words = (
                sum(leaf.boost for leaf in query.leaves() if getattr(leaf, "fieldname", "") == "body") or 1.0
            )
            scores = {docnum: score * (1 - FEEDBACK_WEIGHT) / words for docnum, score in scores.items()}
            ordered = sorted(scores)
            for text, weight in expansion:
                boost = FEEDBACK_WEIGHT * weight / total
                for docnum, score in self._local.term_scores.within("body", text, ordered).items():
                    scores[docnum] += score * boost
        return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))

    @staticmethod
    def _matching(
        searcher: Any, query: Query, scored: dict[int, float] | None, narrowing: Query | None
    ) -> AbstractSet[int] | None:
        """The documents a request matches (None: every document), found once for the total.

        A query of terms ORed and ANDed matches the documents _word_scores() scored; any other
        query, those Whoosh's matchers find.
        """
        matched: AbstractSet[int] | None = None
        if scored is not None:
            matched = scored.keys()
        elif not isinstance(query, Every):
            matched = set(searcher.docs_for_query(query))
        if narrowing is not None:
            narrowed = set(searcher.docs_for_query(narrowing))
            matched = narrowed if matched is None else matched & narrowed
        return matched

    @staticmethod
    def _expand_patterns(query: Query, reader: Any) -> tuple[Query, tuple[str, ...]]:
        """Wildcards, prefixes and fuzzy words as the words of the index they match, at most
        MAX_EXPANDED_TERMS in all (with a note when a pattern matched more): one request must not read
        the whole vocabulary (a hostile 'a*' or '?*' tied up the server for a minute).

        Fuzzy words are matched against the field's own (stemmed) terms: Whoosh looks a stemmed
        field's fuzzy term up in its unstemmed spelling words and then searches those words in the
        stemmed field, so 'peacekeping~' found nothing.
        """
        notes: list[str] = []
        # The query's whole budget, in words and in the postings they hold: 's* OR t* OR a* ...' shares
        # one, and 'the~2' (179 words as common as 'they' and 'that') is read only so far.
        left, left_postings = [MAX_EXPANDED_TERMS], [MAX_EXPANDED_POSTINGS]
        expansions: dict[tuple[str, str, int, int], list[str]] = {}

        def words_of(node: Query) -> list[str]:
            """The words a pattern stands for, read once from the body (which holds the headline too)
            and used for every field the pattern is searched in."""
            maxdist, prefix = getattr(node, "maxdist", 0), getattr(node, "prefixlength", 0)
            key = (type(node).__name__, node.text, maxdist, prefix)
            if key in expansions:
                return expansions[key]
            from_bytes = reader.schema["body"].from_bytes
            if isinstance(node, FuzzyTerm):
                near = (
                    from_bytes(btext) for btext in reader.expand_prefix("body", node.text[: max(1, prefix)])
                )
                words = (word for word in near if distance(word, node.text, limit=maxdist) <= maxdist)
            else:
                pattern = copy.copy(node)
                pattern.fieldname = "body"
                words = (from_bytes(btext) for btext in pattern._btexts(reader))
            found: list[str] = []
            for word in words:
                postings = reader.doc_frequency("body", word)
                if len(found) >= left[0] or postings > left_postings[0]:
                    written = node.text + (
                        "*" if isinstance(node, Prefix) else "~" if isinstance(node, FuzzyTerm) else ""
                    )
                    notes.append(
                        f"{written!r} matches more than one query may search ({MAX_EXPANDED_TERMS:,} words, "
                        f"{MAX_EXPANDED_POSTINGS:,} postings): searched the first of them; make it longer"
                    )
                    break
                found.append(word)
                left_postings[0] -= postings
            left[0] -= len(found)
            expansions[key] = found
            return found

        def expand(node: Query) -> Query:
            if type(node) is Every:  # 'title:*', a lone '*' left by stripped brackets: every document
                return _AllDocuments()
            if isinstance(node, Phrase) and not all(
                reader.doc_frequency(node.fieldname, w) for w in node.words
            ):
                return NullQuery  # a word no document holds: nothing to match, and no slow matcher to build
            if isinstance(node, TermRange) and node.fieldname != "date":
                raise QueryError(f"{node}: a range [a to b] is for dates only (date:[2012 to 2013-06])")
            if not isinstance(node, (FuzzyTerm, Wildcard, Prefix)):
                return node
            found = words_of(node)
            return (
                Or([Term(node.fieldname, word, boost=node.boost) for word in found]) if found else NullQuery
            )

        expanded = query.accept(expand).normalize()  # a pattern that matched nothing is a NullQuery: dropped
        return expanded, tuple(dict.fromkeys(notes))

    def _filter(self, request: SearchRequest, filters: tuple[Query, ...]) -> Query | None:
        clauses: list[Query] = [Term("actors", actor_id) for _, actor_id in request.actors]
        clauses.extend(filters)
        if request.since or request.until:
            start = datetime.combine(request.since, time.min) if request.since else None
            end = datetime.combine(request.until, time.max) if request.until else None
            clauses.append(DateRange("date", start, end))
        return And(clauses) if clauses else None

    def _unknown_actors(self, searcher: Any, actors: tuple[tuple[str, str], ...]) -> tuple[UnknownActor, ...]:
        """The actors a request must name that no document names, each with the closest actors that exist."""
        unknown = []
        for written, actor_id in dict.fromkeys(actors):
            if searcher.doc_frequency("actors", actor_id):
                continue
            known = self._known_actor_names()
            by_name = {name.lower(): name for name, _ in known.values()}
            close = difflib.get_close_matches(written.lower(), list(by_name), n=3, cutoff=0.75)
            unknown.append(UnknownActor(written, tuple(by_name[name] for name in close)))
        return tuple(unknown)

    def _sorting(self, sort: str) -> Any:
        if sort == "relevance":
            return None
        undated_last = sorting.QueryFacet({"dated": Every("date")}, other="undated")
        return sorting.MultiFacet([undated_last, sorting.FieldFacet("date", reverse=sort == "-date")])

    def search(self, request: SearchRequest) -> Results:
        """Run a request; return hits offset+1 .. offset+limit with highlighted fragments."""
        parsed_query = self.parse(request.query) if request.query else ParsedQuery(None)
        notes = parsed_query.notes
        # Filters alone list what they keep, newest first.
        sort = "-date" if parsed_query.scored is None and request.sort == "relevance" else request.sort
        empty: dict[str, tuple[FacetCount, ...]] = {name: () for name in request.facets}
        try:
            with self._current_searcher() as searcher:
                unknown = self._unknown_actors(searcher, request.actors + parsed_query.actors)
                if unknown:
                    return Results(request.query or "", 0, (), empty, notes=notes, unknown_actors=unknown)
                parsed, expansion_notes = self._expand_patterns(
                    parsed_query.scored or Every(), searcher.reader()
                )
                notes += expansion_notes
                narrowing = self._filter(request, parsed_query.filters)
                depth = request.offset + request.limit
                feedback = sort == "relevance" and _plain_words(parsed)
                scored = (
                    _word_scores(parsed, self._local.term_scores) if _scored_by_word_scores(parsed) else None
                )
                matched = self._matching(searcher, parsed, scored, narrowing)
                total = searcher.doc_count() if matched is None else len(matched)
                # A word the index does not know is said whatever else matched ('Kavenaugh confirmation').
                suggestions = self._suggestions(searcher, request.query) if request.query else ()
                if not total:  # (Whoosh would read an empty filter as no filter at all)
                    return Results(request.query or "", 0, (), empty, suggestions, notes)
                scoring_depth = max(RERANK_DEPTH, 3 * depth) if feedback else depth
                facets: dict[str, tuple[FacetCount, ...]] = {}
                # Scored already (words, phrases): the best are taken from those scores, not scored again.
                if sort == "relevance" and not request.facets and scored is not None and matched is not None:
                    candidates = scored.items() if narrowing is None else ((n, scored[n]) for n in matched)
                    top = heapq.nsmallest(scoring_depth, candidates, key=lambda pair: (-pair[1], pair[0]))
                else:
                    found = searcher.search(
                        parsed,
                        limit=scoring_depth,
                        filter=matched if narrowing is not None else None,
                        sortedby=self._sorting(sort),
                        groupedby=self._facets(request.facets),
                        maptype=sorting.Count,
                    )
                    # len(found) would count every match
                    top = [(found[n].docnum, found[n].score) for n in range(found.scored_length())]
                    facets = {name: self._facet_counts(searcher, found, name) for name in request.facets}
                ranked = self._rerank_with_feedback(searcher, parsed, top) if feedback else top
                words = _highlighted_words(parsed, searcher.reader())
                hits = [
                    self._hit(searcher, rank, docnum, score, words)
                    for rank, (docnum, score) in enumerate(ranked[request.offset : depth], request.offset + 1)
                ]
                return Results(
                    query=request.query or "",
                    total=total,
                    hits=tuple(hits),
                    facets=facets,
                    suggestions=suggestions,
                    notes=notes,
                )
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dir, error) from None

    def _hit(self, searcher: Any, rank: int, docnum: int, score: Any, words: Marks) -> Hit:
        stored = searcher.stored_fields(docnum)
        body = stored.get("body", "")
        fragments = body_fragments(body, words) or [_lead_fragment(body)]
        return Hit(
            rank=rank,
            id=stored["id"],
            path=stored.get("path", ""),
            title=stored.get("title", ""),
            date=stored.get("date"),
            actors=_stored_actors(stored),
            score=float(score) if isinstance(score, (int, float)) else 0.0,  # a sort key when sorted
            fragments=tuple(fragments),
        )

    @staticmethod
    def _facets(names: tuple[str, ...]) -> dict[str, Any] | None:
        if "actor" not in names:
            return None
        return {"actor": sorting.FieldFacet("actors", allow_overlap=True)}

    def _facet_counts(self, searcher: Any, found: Any, name: str) -> tuple[FacetCount, ...]:
        """Documents per actor (with its name and type) or per year, most first."""
        if name == "actor":
            # A document naming no actor is grouped under None: it counts for no actor.
            counts = {actor_id: n for actor_id, n in found.groups("actor").items() if actor_id}
            names = self._actor_names(searcher, counts)
            return tuple(
                FacetCount(key, count, *names[key])
                for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
                if key in names
            )
        years: Counter[str] = Counter()
        column = searcher.reader().column_reader("date", translate=False)
        for docnum in found.docs():
            value = column[docnum]
            if value != MISSING_DATE:
                years[str(long_to_datetime(value).year)] += 1
        return tuple(FacetCount(year, count) for year, count in sorted(years.items(), reverse=True))

    def _known_actor_names(self) -> dict[str, tuple[str, str]]:
        """The index's list of actors (id -> name and type), re-read when an indexing run rewrote it."""
        stamp = _stamp(self.index_dir / ACTORS_NAME)
        if stamp != self._actors_stamp:
            self._actors, self._actors_stamp = read_actor_names(self.index_dir), stamp
        return self._actors

    def _actor_names(self, searcher: Any, counts: dict[str, int]) -> dict[str, tuple[str, str]]:
        """Each actor id's name and type: from the index's list of actors, else from a document naming it."""
        self._known_actor_names()
        names = {actor_id: self._actors[actor_id] for actor_id in counts if actor_id in self._actors}
        for actor_id in set(counts) - set(names):  # an index written before the list was kept
            for hit in searcher.search(Term("actors", actor_id), limit=1):
                for info in hit.get("actor_info") or ():
                    if info[0] == actor_id:
                        names[actor_id] = (info[1], info[2])
        return names

    def _suggestions(self, searcher: Any, query: str) -> tuple[str, ...]:
        """The query with its unknown words replaced by the closest words of the index, if any."""
        corrector = searcher.reader().corrector(SPELLING_FIELD)
        corrected = query
        reader = searcher.reader()
        for match in PLAIN_WORD_RE.finditer(query):
            word = match.group()
            stems = [token.text for token in self._parser.schema["body"].analyzer(word)]
            if word in OPERATORS or not stems or any(reader.doc_frequency("body", stem) for stem in stems):
                continue  # an operator, a stop word, or a word that matches (perhaps as another form)
            if len(word) > MAX_SUGGESTED_WORD:
                continue  # no misspelt word is this long; matching it against the vocabulary takes seconds
            folded = "".join(t.text for t in self._spelling_analyzer(word))
            best = corrector.suggest(folded, limit=1, maxdist=SUGGESTION_DISTANCE, prefix=1)
            if best:
                corrected = corrected.replace(word, best[0], 1)
        return (corrected,) if corrected != query else ()

    def similar(self, document_id: str, limit: int) -> Results | None:
        """The documents most like one, by the key terms of its body; None if there is no such document."""
        try:
            with self._index.searcher() as searcher:
                docnum = searcher.document_number(id=document_id)
                if docnum is None:
                    return None
                analysed = " ".join(key_terms(searcher.stored_fields(docnum).get("body", "")))
                found = searcher.more_like(docnum, "body", text=analysed, top=limit, numterms=SIMILAR_TERMS)
                words = _highlighted_words(found.q, searcher.reader())
                hits = [
                    self._hit(searcher, rank, hit.docnum, hit.score, words)
                    for rank, hit in enumerate(found, start=1)
                ]
                return Results(query=document_id, total=len(hits), hits=tuple(hits))
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dir, error) from None

    def stats(self) -> dict[str, Any]:
        """Figures about the index itself: size, vocabulary, versions, when it was last written."""
        try:
            with self._index.searcher() as searcher:
                reader = searcher.reader()
                terms = sum(1 for _ in reader.lexicon("body"))
                documents = reader.doc_count()
            size = sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dir, error) from None
        cleaner = self.manifest.get("cleaner", {})
        return {
            "documents": documents,
            "distinct_terms": terms,
            "size_bytes": size,
            "updated": self.manifest.get("updated"),
            "corpus_root": self.corpus_root,
            "schema_version": self.manifest.get("schema_version"),
            "cleaner_version": cleaner.get("version"),
            "gazetteer_version": cleaner.get("gazetteer"),
            "actors_files": cleaner.get("actors_files", []),
            "learned_chrome_lines": len(cleaner.get("repeated_lines", [])),
        }

    def document(self, document_id: str) -> Document | None:
        """One document, as stored, or None if the index holds no such id."""
        try:
            with self._current_searcher() as searcher:
                stored = searcher.document(id=document_id)
        except DAMAGE_ERRORS as error:
            raise _damaged(self.index_dir, error) from None
        if stored is None:
            return None
        return Document(
            id=stored["id"],
            title=stored.get("title", ""),
            body=stored.get("body", ""),
            path=stored.get("path", ""),
            date=stored.get("date"),
            actors=_stored_actors(stored),
            source=stored.get("source", ""),
            url=stored.get("url", ""),
            authors=tuple(stored.get("authors") or ()),
            date_source=stored.get("date_source", ""),
            size=stored.get("size", 0),
            mtime=stored.get("mtime", 0.0),
            content_hash=stored.get("content_hash", ""),
        )


def _stamp(path: Path) -> tuple[int, int]:
    """A file's mtime and size, to notice that it was replaced; (0, 0) when it is missing."""
    try:
        status = path.stat()
    except OSError:
        return (0, 0)
    return (status.st_mtime_ns, status.st_size)


def _damaged(index_dir: Path, error: BaseException) -> IndexDamagedError:
    return IndexDamagedError(
        f"index at {index_dir} is damaged ({type(error).__name__}: {error}); run 'search index --rebuild'"
    )
