from __future__ import annotations

from pathlib import Path

import pytest

from search import BadInputError, Hit, QueryError, open_index
from search.engine import text_analyzer

from .conftest import DW_REPORT, STATE_DEPARTMENT_STATEMENT


def highlighted_words(hit: Hit) -> list[str]:
    return [f.text[s:e] for f in hit.fragments for s, e in f.highlights]


def test_coup_ranks_the_dw_report_of_march_2012_first(sample_index: Path) -> None:
    results = open_index(sample_index).search("coup")
    assert results.hits[0].id == DW_REPORT
    assert results.hits[0].title == "Mali junta told to leave"
    assert results.total == 3


def test_several_words_are_ored_and_documents_holding_all_rank_first(sample_index: Path) -> None:
    results = open_index(sample_index).search("junta elections Mali")
    assert results.total == 5  # any one of the words is enough to match
    assert {hit.id for hit in results.hits[:2]} == {DW_REPORT, "003_7e5ade231f249089.txt"}
    assert results.hits[0].score > 1.5 * results.hits[2].score


@pytest.mark.parametrize(
    ("query", "marked"), [("condemn", "condemns"), ("condemned", "condemns"), ("Condemns", "condemns")]
)
def test_stemmed_forms_are_highlighted(sample_index: Path, query: str, marked: str) -> None:
    hit = open_index(sample_index).search(query).hits[0]
    assert hit.id == STATE_DEPARTMENT_STATEMENT
    assert marked in [word.lower() for word in highlighted_words(hit)]


@pytest.mark.parametrize("query", ["coup", "junta elections", "Bamako", "peacekeeping force"])
def test_every_highlight_is_a_match_of_the_query(sample_index: Path, query: str) -> None:
    analyzer = text_analyzer()
    wanted = {token.text for token in analyzer(query)}
    for hit in open_index(sample_index).search(query).hits:
        assert 1 <= len(hit.fragments) <= 3
        for fragment in hit.fragments:
            assert "\n" not in fragment.text and fragment.text == fragment.text.strip()
            for start, end in fragment.highlights:
                assert 0 <= start < end <= len(fragment.text)
                assert {token.text for token in analyzer(fragment.text[start:end])} <= wanted


def test_accents_are_folded_at_query_time(sample_index: Path) -> None:
    results = open_index(sample_index).search("Touré")
    assert {hit.id for hit in results.hits} == {STATE_DEPARTMENT_STATEMENT, DW_REPORT}


def test_paging_with_limit_and_offset(sample_index: Path) -> None:
    index = open_index(sample_index)
    everything = index.search("mali", limit=10)
    first, second = index.search("mali", limit=2), index.search("mali", limit=2, offset=2)
    assert [h.id for h in first.hits + second.hits] == [h.id for h in everything.hits[:4]]
    assert [h.rank for h in second.hits] == [3, 4]
    assert first.total == second.total == 5


def test_no_match_is_an_empty_result_not_an_error(sample_index: Path) -> None:
    results = open_index(sample_index).search("zanzibar")
    assert (results.total, results.hits) == (0, ())


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_is_a_query_error(sample_index: Path, query: str) -> None:
    with pytest.raises(QueryError):
        open_index(sample_index).search(query)


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (-1, 0), (10, -1)])
def test_bad_paging_is_bad_input(sample_index: Path, limit: int, offset: int) -> None:
    with pytest.raises(BadInputError):
        open_index(sample_index).search("mali", limit=limit, offset=offset)


@pytest.mark.parametrize(
    "query", ["al-Shabaab", "Shabaab", "Somalia", "AFRICOM airstrikes", "ISIS", "Read more"]
)
def test_the_2012_statement_does_not_match_the_teasers_its_page_carried(
    sample_index: Path, query: str
) -> None:
    assert STATE_DEPARTMENT_STATEMENT not in {hit.id for hit in open_index(sample_index).search(query).hits}


@pytest.mark.parametrize(
    "query", ["Somalia", "Shabaab", "AFRICOM", "XS", "Skip", "ZUMAPRESS", "t.co", "elghassimw"]
)
def test_words_found_only_in_chrome_match_nothing(sample_index: Path, query: str) -> None:
    assert open_index(sample_index).search(query).total == 0
