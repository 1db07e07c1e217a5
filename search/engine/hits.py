"""Our records made of what the index stores for a document: a ranked Hit with its passages, a Document."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from ..models import Actor, Copy, Document, Hit
from .highlight import Marks, _lead_fragment, body_fragments, marked_positions
from .indexset import index_position

LARGE_PAGE = 100  # a page of this many hits is made with the cycle collector paused


def page_hits(
    searcher: Any,
    words: Marks,
    page: list[tuple[int, float]],
    offset: int,
    copies: Mapping[int, tuple[int, ...]] | None = None,
) -> tuple[Hit, ...]:
    """The hits of a page of ranked documents (document number, score), ranked from offset + 1, each
    with its copies (document numbers, by the document they are folded into).

    Words are marked where the index says they stand, when it can say (highlight.marked_positions): a
    page of ten at 41,578 articles took 20.5 and 19.5 ms a query against 25.8 and 23.0 reading each
    body's words with a regex (p95 36.8, 35.7 against 53.3, 44.2; 200 queries, alternately).
    """
    large = len(page) >= LARGE_PAGE
    at = marked_positions(searcher, words, (docnum for docnum, _ in page))
    copies = copies or {}
    with _no_cycle_collection(large):
        return tuple(
            hit_of(
                searcher, rank, docnum, score, words, at.get(docnum) if at is not None else None,
                copies=tuple(copy_of(searcher, copy) for copy in copies.get(docnum, ())),
            )
            for rank, (docnum, score) in enumerate(page, offset + 1)
        )  # fmt: skip


def copy_of(searcher: Any, docnum: int) -> Copy:
    """A document as a copy of another."""
    stored = searcher.stored_fields(docnum)
    return Copy(
        stored["id"],
        stored.get("title", ""),
        stored.get("date"),
        stored.get("source") or "",
        index_position(searcher.reader(), docnum),
    )


def hit_of(
    searcher: Any,
    rank: int,
    docnum: int,
    score: Any,
    words: Marks,
    at: dict[int, str] | None = None,
    copies: tuple[Copy, ...] = (),
) -> Hit:
    """A document as a hit: its stored fields and its best passages for the marked words (at: where
    they stand, when the index said)."""
    stored = searcher.stored_fields(docnum)
    body = stored.get("body", "")
    fragments = body_fragments(body, words, at=at) or [_lead_fragment(body)]
    return Hit(
        rank=rank,
        id=stored["id"],
        path=stored.get("path", ""),
        title=stored.get("title", ""),
        date=stored.get("date"),
        actors=_stored_actors(stored),
        score=float(score) if isinstance(score, (int, float)) else 0.0,
        fragments=tuple(fragments),
        source=stored.get("source") or "",
        url=stored.get("url") or "",
        type=stored.get("type") or "article",
        copies=copies,
        index=index_position(searcher.reader(), docnum),
    )


def stored_document(stored: dict[str, Any]) -> Document:
    """A document as the index stores it."""
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
        type=stored.get("type") or "article",
        date_source=stored.get("date_source", ""),
        actors_given=bool(stored.get("actors_given", False)),
        size=stored.get("size", 0),
        mtime=stored.get("mtime", 0.0),
        content_hash=stored.get("content_hash", ""),
    )


@lru_cache(maxsize=100_000)
def _actor(info: tuple[str, str, str, float, bool]) -> Actor:
    """An actor as a document stores it; the same actor at the same weight is one frozen record (an
    export of 10,000 stories named 300,000 actors, and made a record of each: 0.7 s)."""
    return Actor(*info)


def _stored_actors(stored: dict[str, Any]) -> tuple[Actor, ...]:
    return tuple(map(_actor, map(tuple, stored.get("actor_info") or ())))


@contextmanager
def _no_cycle_collection(large: bool) -> Iterator[None]:
    """For a large page, Python's cycle collector paused while its hits are made: they hold no cycle
    (records, tuples, strings), yet their thousands of objects set the collector off again and again,
    scanning everything alive: a tenth of an export's time at 41,578 articles."""
    paused = large and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
