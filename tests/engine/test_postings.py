"""Scoring from array postings equals Whoosh's matchers (the private seam: postings._word_scores,
_TermScores), on segments with array postings and on segments written before them."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh.codec import whoosh3
from whoosh.query import Term

from search import engine
from search.engine import postings, writer
from search.engine.codec import decode_positions
from search.engine.matches import Scores

from .conftest import random_documents, write


def as_dict(scores: Scores) -> dict[int, float]:
    return dict(zip(scores.docnums.tolist(), scores.scores.tolist(), strict=True))


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory: pytest.TempPathFactory) -> engine.EngineIndex:
    """Segments written before array postings existed (Whoosh's own codec) beside segments with them,
    deletions in both."""
    index_dir = tmp_path_factory.mktemp("mixed") / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer, "ArrayCodec", whoosh3.W3Codec)
        write(index_dir, random_documents(1, 400, "a"))
    with engine.writing(index_dir, index_dir.parent, timeout=0.1, rebuild=False) as update:
        for document in random_documents(2, 150, "b"):
            update.add(document)
        for n in range(0, 400, 7):
            update.delete(f"a{n}.txt")
    return engine.EngineIndex(index_dir)


@pytest.mark.parametrize(
    "query",
    ["oil", "oil price", "oil oil price", "opec^3 crude", "coup mali bank", "oil price opec crude barrel"],
)
@pytest.mark.parametrize("index_name", ["segmented_index", "mixed_index"])
def test_word_scores_are_the_scores_whooshs_matchers_give(
    request: pytest.FixtureRequest, index_name: str, query: str
) -> None:
    index: engine.EngineIndex = request.getfixturevalue(index_name)
    parsed = index.parse(query).scored
    with index._current_searcher() as searcher:
        assert any(sub.reader().has_deletions() for sub, _ in searcher.leaf_searchers())
        assert len(searcher.leaf_searchers()) > 1
        matcher, expected = parsed.matcher(searcher, searcher.context()), {}
        while matcher.is_active():
            expected[matcher.id()] = matcher.score()
            matcher.next()
        scores = as_dict(postings._word_scores(parsed, postings._TermScores(searcher)))
    assert scores.keys() == expected.keys() and len(expected) > 128
    assert all(scores[docnum] == pytest.approx(score, rel=1e-12) for docnum, score in expected.items())


@pytest.mark.parametrize(
    "query",
    [
        '"oil price"',
        '"the oil price"',
        'bank "oil the"^2',
        '"oil oil"',
        '"price rare3"',
        '"mali coup" OR "deal bank"',
        "oil NOT price",  # exclusions: Whoosh adds its InverseMatcher's weight, 1.0, per Not
        "oil opec -bank",
        '"oil price" NOT rare7',
        "oil NOT price NOT bank",
    ],
)
@pytest.mark.parametrize("index_name", ["segmented_index", "mixed_index"])
def test_phrase_scores_are_the_scores_whooshs_phrase_matcher_gives(
    request: pytest.FixtureRequest, index_name: str, query: str
) -> None:
    index: engine.EngineIndex = request.getfixturevalue(index_name)
    parsed = index.parse(query).scored
    assert postings._scored_by_word_scores(parsed)
    with index._current_searcher() as searcher:
        matcher, expected = parsed.matcher(searcher, searcher.context()), {}
        while matcher.is_active():
            expected[matcher.id()] = matcher.score()
            matcher.next()
        scores = as_dict(postings._word_scores(parsed, postings._TermScores(searcher)))
    assert sorted(scores) == sorted(expected) and expected
    assert all(scores[docnum] == pytest.approx(score, rel=1e-12) for docnum, score in expected.items())


def test_a_term_scores_as_whooshs_own_scorer_to_the_bit(segmented_index: engine.EngineIndex) -> None:
    with segmented_index._current_searcher() as searcher:
        for word in ("oil", "price", "rare3"):
            matcher, expected = Term("body", word).matcher(searcher, searcher.context()), {}
            while matcher.is_active():
                expected[matcher.id()] = matcher.score()
                matcher.next()
            assert as_dict(postings._term_scores(searcher, "body", word)) == expected and expected


def test_term_scores_kept_are_bounded_and_read_as_fresh_ones(segmented_index: engine.EngineIndex) -> None:
    with segmented_index._current_searcher() as searcher:
        oil = as_dict(postings._term_scores(searcher, "body", "oil"))
        kept = postings._TermScores(searcher, limit=len(oil) + 10)
        assert as_dict(kept.everywhere("body", "oil")) == oil
        some = np.array([*sorted(oil)[::5], searcher.doc_count_all() - 1])
        expected = {docnum: oil[docnum] for docnum in some.tolist() if docnum in oil}
        assert as_dict(kept.within("body", "oil", some)) == expected
        kept.everywhere("body", "price")  # over the limit with oil: oil, the older, goes
        assert kept._postings <= len(oil) + 10 and list(kept._held) == [("body", "price")]
        assert as_dict(kept.within("body", "oil", some)) == expected


@pytest.mark.parametrize("index_name", ["segmented_index", "mixed_index"])
def test_positions_of_some_documents_are_those_whooshs_matcher_reads(
    request: pytest.FixtureRequest, index_name: str
) -> None:
    index: engine.EngineIndex = request.getfixturevalue(index_name)
    with index._current_searcher() as searcher:
        for word in ("oil", "price", "the", "rare3"):
            expected = {}
            for sub, offset in searcher.leaf_searchers():
                matcher = sub.reader().postings("body", word)
                while matcher.is_active():
                    expected[matcher.id() + offset] = matcher.value()
                    matcher.next()
            every = sorted(expected)
            for wanted in (every[::13], every[5:9], [*every[-3:], searcher.doc_count_all() - 1], every[:3]):
                documents, positions = postings._positions(
                    searcher, "body", word, np.array(sorted(set(wanted)))
                )
                pairs = [
                    (n, p)
                    for n in sorted(set(wanted))
                    if n in expected
                    for p in decode_positions(expected[n])
                ]
                assert list(zip(documents.tolist(), positions.tolist(), strict=True)) == pairs and pairs
