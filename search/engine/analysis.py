"""How text becomes terms: the tokenizer, stop words, the Snowball stemmer, the schema, and a
document's fields prepared for the writer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import Stemmer
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    SpaceSeparatedTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.support.charset import accent_map

from ..models import Document
from .codec import encode_positions

TITLE_BOOST = 2.0  # at index time; the body holds the headline too

# How Whoosh's date column marks a document without a date (the largest unsigned 64-bit value).
MISSING_DATE = 2**64 - 1
# Columns read whole for facets and timelines (columns.py): each document's actor ids, space-separated,
# a main actor's marked by MAIN_MARK; and the key a title sorts by.
ACTOR_IDS_COLUMN = "actor_ids"
MAIN_MARK = b"+"
TITLE_KEY_COLUMN = "title_key"
FINGERPRINT_COLUMN = "fingerprint"  # the body's MinHash signature (fingerprints.py), for copy groups
UNTITLED_KEY = b"\xff"  # after every title's key (UTF-8 never holds this byte): untitled documents sort last


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
SPACE_SEPARATED = re.compile(r"[^ \t\r\n]+")  # the index's analyzer, SpaceSeparatedTokenizer()


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
    fingerprint: bytes = b""  # fingerprints.signature() of the body's words


def prepare(document: Document) -> PreparedDocument:
    """Analyse a document's title and body once, where it is cheapest: in the worker that read it."""
    from .fingerprints import signature  # (indexing only: a query process never imports it)

    body_words = _every_folded_word(document.body)
    return PreparedDocument(
        document=document,
        title_terms=" ".join(index_terms(document.title)),
        body_terms=" ".join(_stem(word) for word in body_words),
        fingerprint=signature(body_words),
    )


@lru_cache(maxsize=200_000)
def _term_of(written: str) -> str | None:
    """The term text_analyzer() makes of a word as written (a stop word's too); None if it holds no word."""
    return next(iter(index_terms(written)), None)


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
        for btext, freq, weight, vbytes in self._postings(value, **kwargs):
            text = btext.decode("utf-8")
            yield btext, (0 if len(text) < 2 or text in unscored else freq), weight, vbytes

    def _postings(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        """TEXT.index(): each term once, with its frequency, weight and encoded positions. For the
        space-separated terms prepare() makes, without Whoosh's Token object a word (the same tuples in
        the same order, tested; a build of 2,000 articles spent 35 of its 360 s in Whoosh's)."""
        analyzer, format_ = self.analyzer, self.format
        if (
            kwargs or type(value) is not str or type(format_) is not Positions
            or type(analyzer) is not RegexTokenizer or analyzer.expression.pattern != SPACE_SEPARATED.pattern
            or analyzer.gaps
        ):  # fmt: skip
            return super().index(value, **kwargs)
        places: dict[str, list[int]] = {}
        for position, term in enumerate(SPACE_SEPARATED.findall(value)):
            found = places.get(term)
            if found is None:
                places[term] = [position]
            else:
                found.append(position)
        boost = format_.field_boost
        return (
            (term.encode("utf-8"), len(found), float(len(found)) * boost, encode_positions(found))
            for term, found in places.items()
        )


# Whoosh pickles the schema into each index's table of contents, naming this class by its module: it
# must stay importable as search.engine.WordsText (the package exports it) wherever it is defined,
# or every index written so far fails to open.
WordsText.__module__ = "search.engine"


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
        date=DATETIME(stored=True, sortable=True),
        actors=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        main_actors=KEYWORD(commas=True, lowercase=True),
        actor_info=STORED(),
        actor_ids=COLUMN(VarBytesColumn()),
        source=ID(stored=True, sortable=True),
        title_key=COLUMN(VarBytesColumn()),
        fingerprint=COLUMN(VarBytesColumn()),
        type=KEYWORD(stored=True, lowercase=True, commas=True),  # one value, spaces and all
        url=STORED(),
        author=TEXT(analyzer=RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)),
        authors=STORED(),
        date_source=STORED(),
        actors_given=STORED(),
        size=STORED(),
        mtime=STORED(),
        content_hash=STORED(),
    )


def title_key(title: str) -> bytes:
    """What titles sort by: case and accents folded, leading quotes and punctuation skipped; an
    empty title after every other."""
    key = title.casefold().translate(accent_map).lstrip(" \t\"'“”‘’«»([{-—–.…*#")
    return key.encode() if key else UNTITLED_KEY


def query_schema(drop_stop_words: bool = True) -> Schema:
    """The index's fields as the query parser sees them: title and body with text_analyzer()."""
    return build_schema(text_analyzer(drop_stop_words))


def _to_fields(prepared: PreparedDocument) -> dict[str, Any]:
    document = prepared.document
    fields: dict[str, Any] = {
        "id": document.id,
        "path": document.path,
        "title": prepared.title_terms,
        "_stored_title": document.title,
        "body": prepared.body_terms,
        "_stored_body": document.body,
        "actors": ",".join(actor.id for actor in document.actors),
        "main_actors": ",".join(actor.id for actor in document.actors if actor.main),
        "actor_info": [
            (actor.id, actor.name, actor.type, actor.weight, actor.main) for actor in document.actors
        ],
        "actor_ids": b" ".join(
            (MAIN_MARK if actor.main else b"") + actor.id.encode() for actor in document.actors
        ),
        "title_key": title_key(document.title),
        "fingerprint": prepared.fingerprint,
        "type": document.type,
        "source": document.source,
        "url": document.url,
        "author": "; ".join(document.authors),
        "authors": list(document.authors),
        "date_source": document.date_source,
        "actors_given": document.actors_given,
        "size": document.size,
        "mtime": document.mtime,
        "content_hash": document.content_hash,
    }
    if document.date is not None:
        fields["date"] = document.date
    return fields
