"""Snippets equal Whoosh's fragmenter and scorer, on given passages and on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import highlight

from search import engine
from search.engine import highlight as snippets
from search.models import Fragment

from .conftest import (
    WORDS,
)


def whoosh_fragments(text: str, words: frozenset[str]) -> list[Fragment]:
    """Whoosh's own fragmenter and scoring over the analyzer's tokens, stop words never marked."""
    tokens = engine.text_analyzer()(text, chars=True, removestops=False)
    marked = (setattr(t, "matched", not t.stopped and t.text in words) or t for t in tokens)
    fragmenter = highlight.ContextFragmenter(
        maxchars=snippets.FRAGMENT_CHARS, surround=snippets.FRAGMENT_CONTEXT
    )
    fragments = fragmenter.fragment_tokens(text, marked)
    best = highlight.top_fragments(fragments, 3, snippets._EARLIEST_BEST, highlight.FIRST)
    return list(snippets._SpanFormatter().format(best))


PASSAGE = (
    "Soldiers staged a coup in Bamako on Thursday. The junta said it acted because the government failed "
    "to fight the rebellion in the north. ECOWAS condemned the coup and threatened sanctions; other "
    "leaders called for a return to order. " + "Filler words about markets and the weather. " * 12
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (PASSAGE, frozenset({"coup"})),
        (PASSAGE, frozenset({"coup", "junta", "sanction"})),
        (PASSAGE, frozenset({"other", "weather"})),  # 'other' is a stop word here: never marked
        (PASSAGE * 3, frozenset({"market", "coup"})),
        (PASSAGE * 300, frozenset({"weather"})),  # past Whoosh's 32,768-character limit
        ("Touré's U.S. trip: a coup-d'état, 3.5 p.m. coups! " * 40, frozenset({"coup", "toure", "u.s"})),
        ("x" * 170 + " coup " + "y" * 60, frozenset({"coup"})),
        (PASSAGE, frozenset({"absent"})),
        ("", frozenset({"coup"})),
    ],
)
def test_body_fragments_are_whooshs_fragments(text: str, words: frozenset[str]) -> None:
    assert engine.body_fragments(text, engine.Marks(words)) == whoosh_fragments(text, words)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*WORDS, "x" * 60, ".", "\n", "Oil", "PRICE", "Ünï", "—"]), max_size=300),
       st.frozensets(st.sampled_from(["oil", "price", "market", "x" * 60, "uni"]), min_size=1))  # fmt: skip
def test_body_fragments_are_whooshs_fragments_for_any_text(parts: list[str], words: frozenset[str]) -> None:
    text = " ".join(parts)
    assert engine.body_fragments(text, engine.Marks(words)) == whoosh_fragments(text, words)
