"""Block-wise scoring equals Whoosh's matchers (the private seam: postings._word_scores, _TermScores)."""

from __future__ import annotations

import pytest

from search import engine
from search.engine import postings


@pytest.mark.parametrize(
    "query",
    ["oil", "oil price", "oil oil price", "opec^3 crude", "coup mali bank", "oil price opec crude barrel"],
)
def test_word_scores_are_the_scores_whooshs_matchers_give(
    segmented_index: engine.EngineIndex, query: str
) -> None:
    parsed = segmented_index.parse(query).scored
    with segmented_index._current_searcher() as searcher:
        assert any(sub.reader().has_deletions() for sub, _ in searcher.leaf_searchers())
        assert len(searcher.leaf_searchers()) > 1
        matcher, expected = parsed.matcher(searcher, searcher.context()), {}
        while matcher.is_active():
            expected[matcher.id()] = matcher.score()
            matcher.next()
        scores = postings._word_scores(parsed, postings._TermScores(searcher))
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
def test_phrase_scores_are_the_scores_whooshs_phrase_matcher_gives(
    segmented_index: engine.EngineIndex, query: str
) -> None:
    parsed = segmented_index.parse(query).scored
    assert postings._scored_by_word_scores(parsed)
    with segmented_index._current_searcher() as searcher:
        matcher, expected = parsed.matcher(searcher, searcher.context()), {}
        while matcher.is_active():
            expected[matcher.id()] = matcher.score()
            matcher.next()
        scores = postings._word_scores(parsed, postings._TermScores(searcher))
    assert sorted(scores) == sorted(expected) and expected
    assert all(scores[docnum] == pytest.approx(score, rel=1e-12) for docnum, score in expected.items())


def test_term_scores_for_some_documents_are_those_of_all(segmented_index: engine.EngineIndex) -> None:
    with segmented_index._current_searcher() as searcher:
        everywhere = postings._term_scores(searcher, "body", "oil")
        some = [*sorted(everywhere)[::37], searcher.doc_count_all() - 1]
        assert postings._term_scores(searcher, "body", "oil", only=some) == {
            docnum: everywhere[docnum] for docnum in some if docnum in everywhere
        }


def test_term_scores_kept_are_bounded_and_read_as_fresh_ones(segmented_index: engine.EngineIndex) -> None:
    with segmented_index._current_searcher() as searcher:
        oil = postings._term_scores(searcher, "body", "oil")
        kept = postings._TermScores(searcher, limit=len(oil) + 10)
        assert kept.everywhere("body", "oil") == oil
        some = sorted(oil)[::5]
        assert kept.within("body", "oil", some) == postings._term_scores(searcher, "body", "oil", only=some)
        kept.everywhere("body", "price")  # over the limit with oil: oil, the older, goes
        assert kept._postings <= len(oil) + 10 and list(kept._held) == [("body", "price")]
        assert kept.within("body", "oil", some) == {docnum: oil[docnum] for docnum in some}
