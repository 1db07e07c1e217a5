"""Snippets equal Whoosh's fragmenter and scorer, on given passages and on any text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import highlight

from search import engine
from search.engine import highlight as snippets
from search.engine import wordbounds
from search.models import Document, Fragment

from .conftest import (
    WORDS,
    build,
)


class _EarliestBestFragmentScorer(highlight.BasicFragmentScorer):
    """Whoosh's passage score (matches, times distinct words), ties going to earlier passages."""

    def __call__(self, fragment: highlight.Fragment) -> float:
        position = fragment.startchar / (len(fragment.text) + 1)
        return float(super().__call__(fragment)) - position


def whoosh_fragments(text: str, words: frozenset[str]) -> list[Fragment]:
    """Whoosh's own fragmenter, scorer and top_fragments over the analyzer's tokens, stop words never
    marked; the passages then snapped and merged as ours are."""
    tokens = engine.text_analyzer()(text, chars=True, removestops=False)
    marked = (setattr(t, "matched", not t.stopped and t.text in words) or t for t in tokens)
    fragmenter = highlight.ContextFragmenter(
        maxchars=snippets.FRAGMENT_CHARS, surround=snippets.FRAGMENT_CONTEXT
    )
    fragments = fragmenter.fragment_tokens(text, marked)
    best = highlight.top_fragments(fragments, 3, _EarliestBestFragmentScorer(), highlight.FIRST)
    passages = [(f.startchar, f.endchar, [(t.startchar, t.endchar, t.text) for t in f.matches]) for f in best]
    return [snippets._to_fragment(text, passage) for passage in snippets._merge_touching(passages)]


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


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aB. _é1\n.Zz日-'AbÉ²\x7f\x80\U0001f600", max_size=80))
def test_word_bounds_are_where_the_token_pattern_finds_words(text: str) -> None:
    spans = [match.span() for match in engine.analysis._TOKEN_RE.finditer(text)]
    starts, ends = wordbounds.word_bounds(text)
    assert list(zip(starts, ends, strict=True)) == spans


BODIES = [
    PASSAGE,
    PASSAGE * 3,
    PASSAGE * 300,  # past Whoosh's 32,768-character limit
    "Touré's U.S. trip: a coup-d'état, 3.5 p.m. coups! " * 40,
    "x" * 170 + " coup " + "y" * 60,
    "Filler words about markets. " * 200 + "A late coup, and the weather.",
    "日本語 coup " * 30 + "weather",
]


@pytest.mark.parametrize(
    "words",
    [frozenset({"coup"}), frozenset({"coup", "junta", "sanction"}), frozenset({"weather", "market"}),
     frozenset({"toure", "u.s", "coup"}), frozenset({"absent"})],
)  # fmt: skip
def test_passages_from_the_index_positions_are_those_read_from_the_text(
    tmp_path: Path, words: frozenset[str]
) -> None:
    documents = [
        Document(id=f"{n}.txt", path=f"{n}.txt", title="", body=body) for n, body in enumerate(BODIES)
    ]
    index = build(tmp_path / "index", documents)
    marks = engine.Marks(words)
    with index._current_searcher() as searcher:
        docnums = list(range(len(documents)))
        at = snippets.marked_positions(searcher, marks, docnums)
        assert at is not None
        for docnum in docnums:
            body = searcher.stored_fields(docnum)["body"]
            expected = engine.body_fragments(body, marks)
            assert engine.body_fragments(body, marks, at=at[docnum]) == expected


def test_a_phrase_or_a_stop_word_is_read_from_the_text(tmp_path: Path) -> None:
    index = build(tmp_path / "index")
    with index._current_searcher() as searcher:
        assert snippets.marked_positions(searcher, engine.Marks(frozenset({"the"})), [0]) is None
        phrase = engine.Marks(frozenset(), (("the", "coup"),))
        assert snippets.marked_positions(searcher, phrase, [0]) is None
