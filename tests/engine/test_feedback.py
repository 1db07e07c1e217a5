"""Feedback terms equal Whoosh's Bo1 expansion."""

from __future__ import annotations

import pytest
from whoosh import classify

from search import Ranking, engine
from search.engine import feedback, postings


@pytest.mark.parametrize("docnums", [[0], [1, 2, 3], list(range(5, 300, 29)), [10, 11]])
def test_expansion_terms_are_whooshs_bo1_terms(
    segmented_index: engine.EngineIndex, docnums: list[int]
) -> None:
    with segmented_index._current_searcher() as searcher:
        expander = classify.Expander(searcher.reader(), "body", model=classify.Bo1Model)
        for docnum in docnums:
            expander.add(
                engine.body_terms(searcher.stored_fields(docnum)["body"][: feedback.FEEDBACK_CHARS]).items()
            )
        terms = Ranking().feedback_terms
        expected = expander.expanded_terms(terms, normalize=True)
        kept = postings._TermScores(searcher)
        assert feedback.feedback_terms(kept, docnums, terms) == expected != []
        assert feedback.feedback_terms(kept, docnums, terms) == expected  # frequencies as kept
