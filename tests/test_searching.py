from __future__ import annotations

import itertools
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench import hostile
from bench.data import REUTERS, rows
from bench.relevance import EVAL_DIR
from search import (
    BadInputError,
    CorpusNotFoundError,
    DocumentNotFoundError,
    FacetCount,
    Hit,
    IndexDamagedError,
    IndexLockedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    QueryError,
    Ranking,
    Results,
    SearchError,
    UnknownSource,
    add_document,
    engine,
    index_corpus,
    open_index,
)
from search.engine import text_analyzer
from search.models import BatchQuery
from search.searching import read_batch

from .conftest import (
    DW_REPORT,
    NO_ACTOR_CORPUS,
    OUTLETS_CORPUS,
    SAMPLE_CORPUS,
    STATE_DEPARTMENT_STATEMENT,
    story_text,
    story_words,
    write_corpus,
)


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


@pytest.mark.parametrize("query", ["coup", "junta elec*", '"peacekeeping force"', "title:mali"])
def test_a_whole_text_is_marked_where_its_snippets_are(sample_index: Path, query: str) -> None:
    """highlight() marks a whole body (a document page): every word a hit's snippets mark, and only
    words of the query; a phrase's words only where the whole phrase stands."""
    index = open_index(sample_index)
    analyzer = text_analyzer()
    for hit in index.search(query).hits:
        whole = index.highlight(index.document(hit.id).body, query)
        marked = [whole.text[start:end] for start, end in whole.highlights]
        in_snippets = [f.text[start:end] for f in hit.fragments for start, end in f.highlights]
        assert set(in_snippets) <= set(marked)
        if query.startswith("title:"):
            assert not marked  # (the body's words are marked for body clauses only)
        for word in marked:
            assert next(t.text for t in analyzer(word)).startswith(
                ("coup", "junta", "elect", "peacekeep", "forc")
            )
        if query.startswith('"'):
            assert len(marked) % 2 == 0 and all(
                a.lower() == "peacekeeping" and b.lower() == "force"
                for a, b in zip(marked[::2], marked[1::2], strict=True)
            )
    assert index.highlight("Nothing here", "coup").highlights == ()
    assert index.highlight("A coup, a Coup.", "coup").highlights == ((2, 6), (10, 14))


def test_an_actor_written_as_an_id_after_an_equals_sign_is_that_actor_alone(tmp_path: Path) -> None:
    """A surname alone means every person of that surname; '=ID' the actor of that id only (what a facet
    counted), as a filter and as an actor: clause."""
    stories = {
        "a.txt": "Talks\nBarack Obama met the envoy. Barack Obama spoke.\n",
        "b.txt": "More talks\nObama said the talks went well, Obama said.\n",
    }
    index_corpus(write_corpus(tmp_path / "corpus", stories), tmp_path / "index")
    index = open_index(tmp_path / "index")
    assert {h.id for h in index.search(None, actors=["obama"]).hits} == {"a.txt", "b.txt"}
    assert [h.id for h in index.search(None, actors=["=obama"]).hits] == ["b.txt"]
    assert [h.id for h in index.search(None, actors=["=barack-obama"]).hits] == ["a.txt"]
    assert [h.id for h in index.search("talks actor:=obama").hits] == ["b.txt"]
    assert index.search(None, actors=["=nobody"]).unknown_actors[0].name == "=nobody"


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


# --- dates and actors -----------------------------------------------------------------------
# Sample dates: 000 2012-03-23, 001 none, 002 2013-01-19, 003 2023-06-20, 004 2012-03-26.
UNDATED = "001_4c147c20ba632c38.txt"


def ids(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.id for hit in results.hits]


def id_set(results: Results) -> set[str]:
    return {hit.id for hit in results.hits}


@pytest.mark.parametrize(
    "name",
    [
        "ecowas",
        "ECOWAS",
        "Economic Community of West African States",
        "economic community of west african states",
    ],
)
def test_actor_filter_takes_any_alias(sample_index: Path, name: str) -> None:
    assert STATE_DEPARTMENT_STATEMENT in ids(open_index(sample_index).search("mali", actors=[name]))
    assert (
        open_index(sample_index).search("mali", actors=[name]).total
        == open_index(sample_index).search("mali", actors=["ecowas"]).total
    )


def test_several_actors_must_all_be_named(sample_index: Path) -> None:
    index = open_index(sample_index)
    assert ids(index.search("mali", actors=["Soumaila Cisse"])) == [DW_REPORT]
    assert ids(index.search("mali", actors=["Soumaila Cisse", "ECOWAS"])) == [DW_REPORT]
    assert index.search("mali", actors=["Soumaila Cisse", "Victoria Nuland"]).total == 0
    assert index.search("mali", actors=["Atlantis"]).total == 0


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2012", "2012", {STATE_DEPARTMENT_STATEMENT, DW_REPORT}),
        ("2012-03-23", "2012-03-23", {STATE_DEPARTMENT_STATEMENT}),  # both ends inclusive
        ("2012-03-24", "2012-03-26", {DW_REPORT}),
        ("2012-03", None, {STATE_DEPARTMENT_STATEMENT, DW_REPORT}),  # 001, 002, 003 state no date
        (None, "2012-03-25", {STATE_DEPARTMENT_STATEMENT}),
        ("2030", None, set()),
    ],
)
def test_date_ranges_are_inclusive_and_leave_undated_documents_out(
    sample_index: Path, since: str | None, until: str | None, expected: set[str]
) -> None:
    assert set(ids(open_index(sample_index).search("mali", since=since, until=until))) == expected


def test_sorting_by_date_puts_undated_documents_last(sample_index: Path) -> None:
    index = open_index(sample_index)
    oldest_first = ids(index.search("mali", sort="date"))
    newest_first = ids(index.search("mali", sort="-date"))
    # 001, 002 and 003 state no publication date: 002's only date is a photo caption's, 003's its tweets'.
    assert oldest_first[:2] == [STATE_DEPARTMENT_STATEMENT, DW_REPORT]
    assert newest_first[:2] == [DW_REPORT, STATE_DEPARTMENT_STATEMENT]
    assert (
        set(oldest_first[2:])
        == set(newest_first[2:])
        == {UNDATED, "002_2f5a04c4c4e9ff2a.txt", "003_7e5ade231f249089.txt"}
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mali actor:ecowas", {STATE_DEPARTMENT_STATEMENT, UNDATED, DW_REPORT}),
        (
            'mali actor:"Economic Community of West African States"',
            {STATE_DEPARTMENT_STATEMENT, UNDATED, DW_REPORT},
        ),
        ("mali actor:Cedeao", {STATE_DEPARTMENT_STATEMENT, UNDATED, DW_REPORT}),  # ECOWAS in French
        ("date:2012", {STATE_DEPARTMENT_STATEMENT, DW_REPORT}),
        ("date:[2012-03-24 to 2013-06]", {DW_REPORT}),
    ],
)
def test_actor_and_date_in_the_query_language(sample_index: Path, query: str, expected: set[str]) -> None:
    found = {hit.id for hit in open_index(sample_index).search(query).hits}
    assert found == expected  # beside words, a field clause filters: every hit names the actor


@pytest.mark.parametrize("query", ["date:xyz", "coup date:xyz", "date:[xyz to 2012]", "date:2012-13"])
def test_a_bad_date_in_the_query_is_a_query_error(sample_index: Path, query: str) -> None:
    with pytest.raises(QueryError, match="cannot read the query"):
        open_index(sample_index).search(query)


@pytest.mark.parametrize(("since", "until"), [("yesterday", None), (None, "2012-13"), ("2013", "2012")])
def test_bad_date_bounds_are_bad_input(sample_index: Path, since: str | None, until: str | None) -> None:
    with pytest.raises(BadInputError):
        open_index(sample_index).search("mali", since=since, until=until)


def test_facets_count_actors_and_years_over_all_matches(sample_index: Path) -> None:
    results = open_index(sample_index).search("mali", limit=1, facets=["actor", "year"])
    actors = {facet.value: facet for facet in results.facets["actor"]}
    assert actors["mali"].count == 5 and actors["mali"].name == "Mali" and actors["mali"].type == "country"
    assert actors["soumaila-cisse"].type == "person"
    assert [(f.value, f.count) for f in results.facets["year"]] == [("2012", 2)]


def test_actors_lists_counts_filtered_by_type_and_query(sample_index: Path) -> None:
    index = open_index(sample_index)
    people = index.actors(type="person")
    assert {p.type for p in people} == {"person"}
    assert {"amadou-toumani-toure", "soumaila-cisse"} <= {p.value for p in people}
    assert [(c.value, c.count) for c in index.actors("mali", type="person")][:1] == [
        ("amadou-toumani-toure", 2)
    ]


def test_document_by_id_and_missing_document(sample_index: Path) -> None:
    index = open_index(sample_index)
    document = index.document(DW_REPORT)
    assert (document.title, document.date.date().isoformat() if document.date else None) == (
        "Mali junta told to leave",
        "2012-03-26",
    )
    assert "Coup leaders in Mali" in document.body
    with pytest.raises(DocumentNotFoundError):
        index.document("nope.txt")


# --- the query language ---------------------------------------------------------------------
# Words per sample: "coup" is in 001, 003, 004; "soldiers" in 001, 002, 004; "Mali" in all five.


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("coup", {"001", "003", "004"}),
        ('"junta told to leave"', {"004"}),  # a phrase
        ('"junta leave"~3', {"004"}),  # proximity
        ("coup AND soldiers", {"001", "004"}),
        ("coup OR peacekeepers", {"001", "003", "004"}),
        ("coup NOT soldiers", {"003"}),
        ("coup -soldiers", {"003"}),
        ("+soldiers coup", {"001", "002", "004"}),
        ("NOT soldiers", {"000", "003"}),
        ("title:junta", {"004"}),
        ("junt*", {"003", "004"}),  # prefix
        ("peace?eeping", {"003"}),  # wildcard
        ("peacekeping~", {"003"}),  # fuzzy, for typos
        ("Toure", {"000", "004"}),  # accents folded: the text says Touré in none, Toure in both
        ("al-Qaeda", {"001"}),  # a hyphenated name is a phrase, "al Qaeda"; the hyphen is not a NOT
        ("al-Shabaab", set()),  # ...so 001's "al" alone matches nothing: no kept text says al Shabaab
        ("Mali’s", {"000", "001", "002", "003", "004"}),  # apostrophe forms
    ],
)
def test_every_construct_of_the_query_language(sample_index: Path, query: str, expected: set[str]) -> None:
    found = {hit.id[:3] for hit in open_index(sample_index).search(query, limit=10).hits}
    assert found == expected


@pytest.mark.parametrize("query", ["+soldiers coup", "coup AND soldiers", "coup -soldiers", "junt*", "coup"])
@pytest.mark.parametrize("facets", [(), ("actor",)])
def test_the_total_counts_the_documents_the_query_matches(
    sample_index: Path, query: str, facets: tuple[str, ...]
) -> None:
    results = open_index(sample_index).search(query, limit=10, facets=facets)
    assert results.total == len(results.hits) > 0  # the sample corpus has five documents


def test_boosts_reorder_results(sample_index: Path) -> None:
    index = open_index(sample_index)
    assert ids(index.search("soldiers^10 peacekeepers"))[0] != "003_7e5ade231f249089.txt"
    assert ids(index.search("soldiers peacekeepers^10"))[0] == "003_7e5ade231f249089.txt"


def test_hyphenated_words_are_found_either_way(sample_index: Path) -> None:
    index = open_index(sample_index)
    assert ids(index.search('"African led"')) == ids(index.search('"African-led"')) != []


@pytest.mark.parametrize(
    ("query", "note"),
    [('"coup', "a quote was not closed"), ("(coup", "brackets were not balanced"), ("coup)", "brackets were not balanced"),
     ("https://t.co/x coup", "'https://t.co/x' was searched for as words")],
)  # fmt: skip
def test_what_plainly_meant_words_is_searched_as_words_with_a_note(
    sample_index: Path, query: str, note: str
) -> None:
    results = open_index(sample_index).search(query)
    assert results.total == 3
    assert any(n.startswith(note) for n in results.notes)


@pytest.mark.parametrize(
    ("query", "meant"), [("titel:junta", "title"), ("coup autor:smith", "author"), ("actr:mali", "actor")]
)
def test_a_mistyped_field_is_a_query_error(sample_index: Path, query: str, meant: str) -> None:
    with pytest.raises(QueryError, match=f"unknown field .*did you mean {meant}:"):
        open_index(sample_index).search(query)


@pytest.mark.parametrize(
    ("query", "not_fields"),
    [("Note:coup", "'Note:'"), ("coup writer:smith", "'writer:'"), ("junta OR place:Gao", "'place:'")],
)
def test_a_word_before_a_colon_that_names_no_field_is_searched_as_words(
    sample_index: Path, query: str, not_fields: str
) -> None:
    results = open_index(sample_index).search(query)
    assert results.total >= 1 and f"{not_fields} is no field: searched as words" in results.notes


@pytest.mark.parametrize("query", ["10:30 coup", "coup at 10:30"])
def test_a_time_is_not_a_field(sample_index: Path, query: str) -> None:
    assert open_index(sample_index).search(query).total >= 1


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [("peacekeping", "peacekeeping"), ("juntta", "junta"), ("Bamakko", "bamako")],
)
def test_misspellings_get_suggestions_from_the_index(sample_index: Path, query: str, suggestion: str) -> None:
    assert open_index(sample_index).search(query).suggestions == (suggestion,)


@pytest.mark.parametrize("query", ["condemn", "NOT mali", "the coup", "coup"])
def test_no_suggestion_for_words_that_match_or_are_operators(sample_index: Path, query: str) -> None:
    assert open_index(sample_index).search(query).suggestions == ()


def test_similar_documents(sample_index: Path) -> None:
    results = open_index(sample_index).similar("002_2f5a04c4c4e9ff2a.txt", limit=3)
    assert "002_2f5a04c4c4e9ff2a.txt" not in ids(results)
    assert (
        ids(results)[0] == "001_4c147c20ba632c38.txt"
    )  # the other VOA editorial on the French-led intervention
    assert [h.rank for h in results.hits] == list(range(1, len(results.hits) + 1))
    with pytest.raises(DocumentNotFoundError):
        open_index(sample_index).similar("nope.txt")


def test_one_opened_index_is_shared_by_threads_while_an_update_commits(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    index_corpus(corpus, index_dir)
    shared = open_index(index_dir)
    before = shared.search("convoy Kidal").total
    seen: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    writing = threading.Event()

    def search_in_a_loop(totals: list[int]) -> None:
        try:
            while writing.is_set() or not totals:
                totals.append(shared.search("convoy Kidal", limit=5).total)
        except BaseException as error:
            errors.append(error)

    writing.set()
    threads = [threading.Thread(target=search_in_a_loop, args=(totals,)) for totals in seen]
    for thread in threads:
        thread.start()
    for number in range(3):
        write_corpus(corpus, {f"wire/{number}.txt": f"Convoy {number} reaches Kidal\nThe convoy arrived."})
        index_corpus(corpus, index_dir)
    writing.clear()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert all(totals == sorted(totals) for totals in seen)  # never an older state after a newer one
    assert shared.search("convoy Kidal").total == before + 3  # the same object sees the last commit


def _damaged(index_dir: Path) -> None:
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")


def _old_schema(index_dir: Path) -> None:
    manifest = index_dir / "search-index.json"
    manifest.write_text(manifest.read_text().replace('"schema_version": ', '"schema_version": 1'))


def _locked(index_dir: Path) -> None:
    with engine.writing(index_dir, SAMPLE_CORPUS, timeout=1, rebuild=False):
        add_document(index_dir, "wire/1", "", "Convoy reaches Kidal.", lock_timeout=0.1)


@pytest.mark.parametrize(
    ("break_it", "error"),
    [
        (lambda d: open_index(d.parent / "elsewhere"), IndexNotFoundError),
        (lambda d: (_damaged(d), open_index(d).search("coup")), IndexDamagedError),
        (lambda d: (_old_schema(d), open_index(d)), IndexNeedsRebuildError),
        (_locked, IndexLockedError),
        (lambda d: index_corpus(d.parent / "no-corpus", d), CorpusNotFoundError),
        (lambda d: open_index(d).search("titel:x"), QueryError),
        (lambda d: open_index(d).search("coup", limit=0), BadInputError),
        (lambda d: open_index(d).document("nope.txt"), DocumentNotFoundError),
    ],
)
def test_an_app_gets_each_of_our_exception_types_and_never_whooshs(
    tmp_path: Path, break_it: Callable[[Path], object], error: type[SearchError]
) -> None:
    index_dir = tmp_path / "index"
    index_corpus(SAMPLE_CORPUS, index_dir)
    with pytest.raises(error) as raised:
        break_it(index_dir)
    assert isinstance(raised.value, SearchError) and str(raised.value)


def test_actor_counts_name_actors_from_the_index_list_or_without_it(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    index_corpus(SAMPLE_CORPUS, index_dir)
    listed = open_index(index_dir).actors()
    assert ("ecowas", "ECOWAS", "organisation") in [(c.value, c.name, c.type) for c in listed]
    for path in index_dir.glob("actors.sqlite3*"):  # as an index written before the list was kept
        path.unlink()
    assert open_index(index_dir).actors() == listed


# --- phrases, field clauses and compound words: the query language's rules ---------------------


def test_a_phrase_counts_its_stop_words(sample_index: Path) -> None:
    index = open_index(sample_index)
    assert index.search("military").total == 5
    phrase = index.search('"the military"')
    assert phrase.total == 2  # as `grep -il "the military"` counts the clean texts
    assert "the" not in {
        word.lower() for hit in index.search("the military").hits for word in highlighted_words(hit)
    }


def test_a_phrase_of_stop_words_only_matches_exactly(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {
        "a.txt": "Women speak out\nThe Me Too movement grew in 2017.",
        "b.txt": "Ask me about it\nTell me too, she said. Nobody else did.",
        "c.txt": "Quiet day\nNothing to report from anyone here.",
    })  # fmt: skip
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    assert id_set(index.search('"Me Too"')) == {"a.txt", "b.txt"}
    assert id_set(index.search('"me too movement"')) == {"a.txt"}
    assert id_set(index.search('"too movement grew"')) == {"a.txt"}
    assert id_set(index.search("me too")) == {"a.txt", "b.txt"}  # stop words alone are searched as words


def test_phrase_highlights_mark_the_phrase_not_each_stop_word(sample_index: Path) -> None:
    hit = open_index(sample_index).search('"the military"').hits[0]
    marked = [w.lower() for w in highlighted_words(hit)]
    assert marked and all(w in ("the", "military") for w in marked)
    assert marked.count("the") == marked.count("military")  # each 'the' marked stands before 'military'


@pytest.mark.parametrize(
    ("written", "words", "flags"),
    [
        ("coup date:2012", "coup", {"since": "2012", "until": "2012"}),
        ("mali date:[2012-03-24 to 2013-06]", "mali", {"since": "2012-03-24", "until": "2013-06"}),
        ("mali actor:ecowas", "mali", {"actors": ["ecowas"]}),
        ('+mali actor:"African Union"', "+mali", {"actors": ["African Union"]}),
        (
            "junta elections actor:mali date:2012",
            "junta elections",
            {"actors": ["mali"], "since": "2012", "until": "2012"},
        ),
        ("actor:ecowas", None, {"actors": ["ecowas"]}),
    ],
)
def test_a_field_clause_filters_as_the_flag_does(
    sample_index: Path, written: str, words: str | None, flags: dict[str, Any]
) -> None:
    index = open_index(sample_index)
    by_clause, by_flags = index.search(written, limit=50), index.search(words, limit=50, **flags)
    assert by_clause.total == by_flags.total > 0
    assert [hit.id for hit in by_clause.hits] == [hit.id for hit in by_flags.hits]


def test_a_field_clause_joined_by_or_widens(sample_index: Path) -> None:
    index = open_index(sample_index)
    coup, dated = id_set(index.search("coup")), id_set(index.search("date:2012"))
    assert id_set(index.search("coup OR date:2012")) == coup | dated != coup
    assert id_set(index.search("mali NOT date:2012")) == id_set(index.search("mali")) - id_set(
        index.search("date:2012")
    )


def test_filters_alone_list_every_match_newest_first(sample_index: Path) -> None:
    hits = open_index(sample_index).search("date:[2012 to 2023]", limit=10).hits
    assert [hit.id for hit in hits] == [DW_REPORT, STATE_DEPARTMENT_STATEMENT]  # 26 and 23 March 2012


def test_a_quoted_multi_word_actor_matches(sample_index: Path) -> None:
    found = id_set(open_index(sample_index).search('actor:"African Union"'))
    assert found == {STATE_DEPARTMENT_STATEMENT, "003_7e5ade231f249089.txt", DW_REPORT}


@pytest.mark.parametrize(("name", "suggestion"), [("Afrikan Union", "African Union"), ("zzzz", None)])
def test_an_actor_no_document_names_is_said_not_searched(
    sample_index: Path, name: str, suggestion: str | None
) -> None:
    index = open_index(sample_index)
    for results in (index.search("mali", actors=[name]), index.search(f'mali actor:"{name}"')):
        assert results.total == 0 and results.hits == ()
        assert [unknown.name for unknown in results.unknown_actors] == [name]
        assert results.unknown_actors[0].suggestions == ((suggestion,) if suggestion else ())


def test_an_unknown_actor_under_or_does_not_empty_the_results(sample_index: Path) -> None:
    results = open_index(sample_index).search("coup OR actor:zzzz")  # (zzzz: no such actor)
    assert results.total == 3 and not results.unknown_actors


def test_a_hyphenated_name_is_a_phrase_and_other_compounds_need_every_part(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {
        "a.txt": "Leader killed\nAbu Bakr al-Baghdadi was killed in a raid.",
        "b.txt": "Al Jazeera reports\nThe al Jazeera network said Baghdadi's aides fled.",
        "c.txt": "Wind tunnels\nTests of two- and three-dimensional models.",
        "d.txt": "Flat plates\nA two dimensional plate was tested.",
        "e.txt": "Aside\nTwo of them. Dimensional analysis came later.",
        "f.txt": "Other\nNothing about any of that.",
    })  # fmt: skip
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    assert id_set(index.search("al-Baghdadi")) == id_set(index.search('"al Baghdadi"')) == {"a.txt"}
    assert id_set(index.search("two-dimensional")) == {"c.txt", "d.txt", "e.txt"}
    assert id_set(index.search("Baghdadi's")) == {
        "a.txt",
        "b.txt",
    }  # a lone letter after an apostrophe is dropped


def test_a_missing_space_after_a_full_stop_does_not_glue_words(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {"a.txt": "Tax bill\nIt costs taxpayers.The White House disagreed, said U.S. officials."},
    )
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    assert id_set(index.search('"the white house"')) == {"a.txt"}
    assert id_set(index.search('"U.S. officials"')) == {"a.txt"}


def test_actor_counts_skip_a_document_that_names_no_actor(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", dict(NO_ACTOR_CORPUS))
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    assert index.document("quiet.txt").actors == ()
    assert {count.value for count in index.actors()} == {"mali", "ecowas", "bamako"}
    assert index.actors("day") == ()
    faceted = index.search("day OR mali", facets=["actor"])
    assert faceted.total == 2 and {c.value for c in faceted.facets["actor"]} == {"mali", "ecowas", "bamako"}


PASTED = (
    'low programmer defined types (You might want to restrict this to "extensible" languages that allow '
    "definition of abstract data types or programmer-supplied definitions of operators like *, +.)"
)


def test_pasted_text_is_searched_for_its_words_with_a_note(sample_index: Path) -> None:
    results = open_index(sample_index).search(PASTED)
    assert results.notes[-1] == "the query's syntax could not be read: searched for its words"
    assert results.total > 0


@pytest.mark.parametrize(
    ("query", "words"), [("junta (+.)", "junta"), ("coup * + ^ ~ ) OR", "coup"), ("coup ()", "coup")]
)
def test_stray_signs_are_read_as_punctuation(sample_index: Path, query: str, words: str) -> None:
    index = open_index(sample_index)
    assert id_set(index.search(query)) == id_set(index.search(words))


@pytest.mark.parametrize("query", ["*ing", "?ali", "+*junta"])
def test_a_word_starting_with_a_wildcard_alone_is_refused_with_a_hint(sample_index: Path, query: str) -> None:
    with pytest.raises(QueryError, match="put letters before it"):
        open_index(sample_index).search(query)


def test_in_a_longer_query_a_leading_wildcard_is_read_as_punctuation(sample_index: Path) -> None:
    results = open_index(sample_index).search("mali ?junta")
    assert id_set(results) == id_set(open_index(sample_index).search("mali junta"))
    assert results.notes == ("'?junta' was read without its wildcard: a wildcard may only end a word",)


def test_a_wildcard_stands_for_a_bounded_number_of_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_corpus(
        tmp_path / "corpus", {"a.txt": "Many words\n" + " ".join(f"pax{n}" for n in range(30))}
    )
    index_corpus(corpus, tmp_path / "index")
    monkeypatch.setattr("search.engine.expansion.MAX_EXPANDED_TERMS", 10)
    results = open_index(tmp_path / "index").search("pax*")
    assert results.total == 1
    assert results.notes == (
        "'pax*' matches more than one query may search (10 words, 500,000 postings): searched the first of them;"
        " make it longer",
    )


@pytest.mark.parametrize("query", ["*", "+-", "()", "~^", "+.", "*,", "-"])
def test_a_query_without_a_word_matches_nothing_with_a_note(sample_index: Path, query: str) -> None:
    results = open_index(sample_index).search(query)
    assert results.total == 0 and results.notes[-1].endswith("holds no word to search for")


def test_a_misspelt_word_gets_a_suggestion_though_the_others_match(sample_index: Path) -> None:
    results = open_index(sample_index).search("peacekeping junta")
    assert results.total > 0 and results.suggestions == ("peacekeeping junta",)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('date:"a b c"', "not a parseable date"),
        ("body:[2012 to]", "a range [a to b] is for dates only"),
    ],
)
def test_bad_dates_and_unbounded_ranges_are_refused(sample_index: Path, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        open_index(sample_index).search(query)


@pytest.mark.parametrize("query", ["title:*", "x )* y", "NOT soldiers", "-- -soldiers"])
def test_what_stands_for_every_document_is_answered_from_the_document_list(
    sample_index: Path, query: str
) -> None:
    index = open_index(sample_index)
    expected = {"title:*": 5, "x )* y": 0, "NOT soldiers": 2, "-- -soldiers": 2}[query]
    assert index.search(query.removeprefix("-- ")).total == expected


@pytest.mark.skipif(not hostile.ALLSIDES.is_file(), reason="../shared/corpora is not beside the project")
def test_hostile_queries_are_answered_or_refused_with_our_own_errors(sample_index: Path) -> None:
    outcomes = hostile.run(sample_index, hostile.hostile_queries(300, seed=7))
    assert [outcome for outcome in outcomes if outcome.error.startswith("FAILURE")] == []


def test_the_python_api_takes_one_name_as_a_list_of_one_and_refuses_wrong_types(sample_index: Path) -> None:
    index = open_index(sample_index)
    assert index.search("mali", facets="actor").facets.keys() == {"actor"}
    assert index.search("mali", actors="ecowas").total == index.search("mali", actors=["ecowas"]).total
    for bad in ({"query": 3}, {"query": "mali", "limit": "10"}, {"query": "mali", "offset": 1.5}):
        with pytest.raises(BadInputError):
            index.search(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ['words:"a b c"', "_stored_body:coup", "words:coup"])
def test_internal_fields_are_never_searched(sample_index: Path, query: str) -> None:
    results = open_index(sample_index).search(query)
    assert any(note.endswith("is no field: searched as words") for note in results.notes)
    assert results.total == open_index(sample_index).search(query.replace(":", " ")).total


PASTED_SENTENCE = (
    'low programmer defined types (You might want to restrict this to "extensible" languages that allow '
    "definition of abstract data types or programmer-supplied definitions of operators like *, +.)"
)


def test_a_sentence_pasted_whole_is_searched_without_garbage_suggestions(sample_index: Path) -> None:
    results = open_index(sample_index).search(PASTED_SENTENCE)
    assert results.total >= 1 and results.suggestions == ()
    assert open_index(sample_index).search("x" * 10_000 + " coup " + "( " * 2_000).total >= 0


def test_a_suggestion_changes_words_only_never_punctuation(sample_index: Path) -> None:
    assert open_index(sample_index).search("malli, (coup)").suggestions == ("mali, (coup)",)
    assert open_index(sample_index).search("http://x.com/malli").suggestions == ()


def _real_sentences() -> list[str]:
    """The queries of the four relevance collections and Reuters-21578's headlines: 2,000 sentences."""
    sentences = [
        line.split("\t", 1)[1]
        for name in ("cranfield", "cisi", "npl", "lisa")
        for line in (EVAL_DIR / name / "queries.tsv").read_text(encoding="utf-8").splitlines()
        if "\t" in line
    ]
    headlines = (story["title"] for story in rows(REUTERS) if story.get("title"))
    return sentences + list(itertools.islice(headlines, 2_000 - len(sentences)))


@pytest.mark.skipif(not REUTERS.is_file(), reason="../shared/ is not beside the project")
def test_real_sentences_pasted_whole_are_all_searched(sample_index: Path) -> None:
    # Every 8th of the 2,000 (all of them take 26 s here; the whole list ran clean on 2026-11-30).
    index = open_index(sample_index)
    sentences = _real_sentences()
    assert len(sentences) == 2_000
    for sentence in sentences[::8]:
        index.search(sentence, limit=3)  # no QueryError, nor anything else


def test_an_actor_clause_reads_the_name_as_written_like_the_actors_argument(tmp_path: Path) -> None:
    # 'actor:GOP' was lower-cased before its ids were looked up, so an acronym found fewer stories
    # than the same name passed as an argument (bench/realistic.py: 135 against 136).
    corpus = write_corpus(tmp_path / "corpus", {
        "a.txt": "Mine report\n\nThe Allied Tin Miners Guild said reporters were held at the mine.\n",
        "b.txt": "Reporters held\n\nThe ATMG said two reporters were held in the capital.\n",
    })  # fmt: skip
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    by_clause = {hit.id for hit in index.search("reporters actor:ATMG").hits}
    assert by_clause == {hit.id for hit in index.search("reporters", actors=["ATMG"]).hits}
    assert "a.txt" in by_clause


def test_feedback_reorders_the_same_documents_and_can_be_turned_off(sample_index: Path) -> None:
    index = open_index(sample_index)
    expanded = index.search("military coup", limit=5)
    plain = index.search("military coup", limit=5, feedback=False)
    assert id_set(expanded) == id_set(plain) and expanded.total == plain.total  # never adds a document
    assert [hit.score for hit in expanded.hits] != [hit.score for hit in plain.hits]
    # Off in the index's ranking (the config file's [ranking]), and on again for one search.
    off = open_index(sample_index, Ranking(feedback=False))
    assert off.search("military coup", limit=5) == plain
    assert off.search("military coup", limit=5, feedback=True) == expanded


def test_a_query_of_a_headlines_words_gets_no_feedback(sample_index: Path) -> None:
    """Feedback would pull other stories on the subject above the one a headline asks for."""
    index = open_index(sample_index)
    headline = "International Community Stands With Mali"
    first = index.search(headline, limit=5)
    assert first.hits[0].title == headline
    assert first == index.search(headline, limit=5, feedback=False)
    assert index.search("community mali", limit=5) == index.search("community mali", limit=5, feedback=False)
    # One word is a subject, not a story; and not every word in the best document's title: feedback reorders.
    assert "Mali" in index.search("mali", limit=1).hits[0].title
    assert index.search("mali", limit=5) != index.search("mali", limit=5, feedback=False)
    assert index.search("community mali coup", limit=5) != index.search(
        "community mali coup", limit=5, feedback=False
    )


@pytest.fixture(scope="module")
def outlets_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("outlets")
    index_corpus(write_corpus(root / "corpus", OUTLETS_CORPUS), root / "index")
    return root / "index"


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (["CNN (Web News)"], {"cnn.txt"}),
        (["cnn"], {"cnn.txt"}),  # any case, and words of the name
        (["fox"], {"fox.txt", "fox-opinion.txt"}),
        (["fox news opinion"], {"fox-opinion.txt"}),
        (["cnn", "npr"], {"cnn.txt", "npr.txt"}),  # any of several
    ],
)
def test_sources_filter_by_outlet_named_any_way(
    outlets_index: Path, sources: list[str], expected: set[str]
) -> None:
    index = open_index(outlets_index)
    results = index.search("impeachment", sources=sources)
    assert id_set(results) == expected and results.total == len(expected)
    assert {hit.source for hit in results.hits} <= {"CNN (Web News)", "Fox News (Online News)",
                                                    "Fox News (Opinion)", "NPR Online News"}  # fmt: skip
    assert id_set(index.search(None, sources=sources)) == expected  # filters alone list them
    clause = " OR ".join(f'source:"{name}"' for name in sources)
    assert id_set(index.search(f"impeachment ({clause})")) == expected


def test_an_unknown_outlet_matches_nothing_and_says_the_closest(outlets_index: Path) -> None:
    results = open_index(outlets_index).search("impeachment", sources=["Fox Newz"])
    assert results.total == 0 and not results.hits
    assert results.unknown_sources == (
        UnknownSource("Fox Newz", ("Fox News (Opinion)", "Fox News (Online News)")),
    )
    assert open_index(outlets_index).search("impeachment source:reutres").unknown_sources[0].name == "reutres"


def test_outlets_are_counted_and_listed(outlets_index: Path) -> None:
    index = open_index(outlets_index)
    facet = index.search("impeachment", facets=["source"]).facets["source"]
    assert {(count.value, count.count) for count in facet} == {
        ("CNN (Web News)", 1), ("Fox News (Online News)", 1), ("Fox News (Opinion)", 1), ("NPR Online News", 1)
    }  # the file without an outlet counts for none  # fmt: skip
    assert [count.value for count in index.sources(since="2020")] == ["NPR Online News"]
    assert index.sources("republicans") == (
        FacetCount("Fox News (Online News)", 1, "Fox News (Online News)"),
    )
    assert index.sources(limit=1)[0].count == 1 and len(index.sources()) == 4


@pytest.mark.parametrize("query", ["mali", "military coup", "junta elections soldiers"])
def test_pages_put_end_to_end_are_the_whole_ranking_with_feedback(sample_index: Path, query: str) -> None:
    """Feedback reorders the same best documents whatever the page asked: no document on two pages or
    on none (with three best reordered here, so that the five documents span the block's edge)."""
    index = open_index(sample_index, Ranking(rerank_depth=3))
    whole = index.search(query, limit=5)
    paged = [hit for offset in range(whole.total) for hit in index.search(query, limit=1, offset=offset).hits]
    assert [(hit.id, hit.score) for hit in paged] == [(hit.id, hit.score) for hit in whole.hits]
    assert [hit.score for hit in whole.hits] == sorted((hit.score for hit in whole.hits), reverse=True)


def test_pages_give_every_hit_once_in_rank_order(sample_index: Path) -> None:
    index = open_index(sample_index)
    whole = index.search("mali", limit=10)
    pages = list(index.pages("mali", page_size=2))
    assert [len(page.hits) for page in pages] == [2, 2, 1] and pages[0].total == whole.total == 5
    assert [hit for page in pages for hit in page.hits] == list(whole.hits)
    assert [page.hits for page in index.pages("zanzibar")] == [()]  # always one page, to read the total from


def test_a_batch_file_is_read_into_named_queries(tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text(
        "\ufeff# comment\nmali coup\n\n  \nwatch\t junta \n  # indented comment\n", encoding="utf-8"
    )
    assert read_batch(path) == [BatchQuery("mali coup", "mali coup", 2), BatchQuery("watch", "junta", 5)]


def test_batch_runs_every_query_and_keeps_going_past_one_it_cannot_read(sample_index: Path) -> None:
    queries = [BatchQuery("a", "coup", 1), BatchQuery("b", "date:xyz", 2), BatchQuery("c", "zanzibar", 3)]
    results = list(open_index(sample_index).batch(queries, limit=1, since="2012"))
    assert [r.query.name for r in results] == ["a", "b", "c"]
    assert results[0].results == open_index(sample_index).search(
        "coup", limit=1, since="2012"
    )  # filters apply
    assert results[1].results is None and "cannot read the query" in results[1].error
    assert results[2].results is not None and results[2].results.total == 0


def test_a_batch_of_100000_lines_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "many.txt"
    path.write_text("".join(f"name {n}\tcoup {n}\n" for n in range(100_000)), encoding="utf-8")
    queries = read_batch(path)
    assert len(queries) == 100_000 and queries[-1] == BatchQuery("name 99999", "coup 99999", 100_000)


def test_pages_are_one_snapshot_whatever_is_indexed_meanwhile(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus",
        {f"{n:02}.txt": f"Coup story {n}\nThe coup went on, day {n}.\n" for n in range(25)},
    )
    index_corpus(corpus, tmp_path / "index")
    index = open_index(tmp_path / "index")
    pages = index.pages("coup", page_size=10)
    first = next(pages)
    add_document(tmp_path / "index", "late", "A late coup", "Another coup, added while the export ran.")
    rest = list(pages)
    ids = [hit.id for page in (first, *rest) for hit in page.hits]
    assert first.total == 25 and len(ids) == 25 == len(set(ids)) and "late" not in ids
    assert [hit.rank for page in (first, *rest) for hit in page.hits] == list(range(1, 26))
    assert index.search("coup").total == 26  # a new search sees the commit
    with pytest.raises(BadInputError, match="page_size must be between 1 and 10000"):
        index.pages("coup", page_size=0)


def test_copies_of_a_story_are_one_hit_the_earliest_dated(copies_index: Path) -> None:
    """'port' is in the headline of the five copies of one story: one hit, the wire story (dated
    first), with the other four oldest first and the undated last."""
    index = open_index(copies_index)
    results = index.search("port")
    assert (results.total, results.distinct, len(results.hits)) == (5, 1, 1)
    (hit,) = results.hits
    assert hit.id == "wire.txt"
    assert [copy.id for copy in hit.copies] == [
        "outlet-a.txt",
        "outlet-b.txt",
        "first-half.txt",
        "second-half.txt",
    ]
    assert [copy.source for copy in hit.copies[:2]] == ["Daily", "Herald"]
    every = index.search("port", all_copies=True)
    assert (every.total, every.distinct, len(every.hits)) == (5, None, 5)
    assert all(not hit.copies for hit in every.hits)


def test_a_group_shows_only_its_matches_and_the_best_when_none_is_dated(copies_index: Path) -> None:
    index = open_index(copies_index)
    alone = index.search("shut")  # only one copy's headline says it
    assert [(hit.id, hit.copies) for hit in alone.hits] == [("outlet-a.txt", ())]
    assert (alone.total, alone.distinct) == (1, 1)
    undated = index.search("edited")  # the two undated versions: the better scored is shown
    (hit,) = undated.hits
    best = index.search("edited", all_copies=True).hits[0]
    assert hit.id == best.id and [copy.id for copy in hit.copies] != [best.id]
    assert {hit.id, *(copy.id for copy in hit.copies)} == {"first-half.txt", "second-half.txt"}


def test_pages_of_folded_results_put_end_to_end_are_the_whole_ranking(tmp_path: Path) -> None:
    """Three copies each of eight stories beside eight single stories: every page has its groups, and
    the pages together are the ranking of one page of all."""
    files = {}
    for story in range(8):
        words = story_words(100 + story)
        for copy in range(3):
            files[f"s{story}/c{copy}.txt"] = story_text(f"Council story {story} copy {copy}", words[copy:])
        files[f"single{story}.txt"] = story_text(f"Council single {story}", story_words(200 + story))
    index_corpus(write_corpus(tmp_path / "corpus", files), tmp_path / "index")
    index = open_index(tmp_path / "index")
    whole = index.search("council", limit=100)
    assert (whole.total, whole.distinct, len(whole.hits)) == (32, 16, 16)
    assert sum(len(hit.copies) for hit in whole.hits) == 16
    paged = [
        hit for offset in range(0, 16, 3) for hit in index.search("council", limit=3, offset=offset).hits
    ]
    assert paged == list(whole.hits)
    exported = [hit for page in index.pages("council", page_size=5) for hit in page.hits]
    assert exported == list(whole.hits)


def test_a_documents_copies_oldest_first(copies_index: Path) -> None:
    index = open_index(copies_index)
    assert [copy.id for copy in index.copies("outlet-b.txt")] == [
        "wire.txt", "outlet-a.txt", "first-half.txt", "second-half.txt"
    ]  # fmt: skip
    assert index.copies("other-1.txt") == ()
    with pytest.raises(DocumentNotFoundError):
        index.copies("missing.txt")


def test_associations_refuse_what_cannot_be_counted(sample_index: Path) -> None:
    index = open_index(sample_index)
    with pytest.raises(BadInputError, match="1 or more"):
        index.actors_with("ecowas", min_count=0)
    with pytest.raises(BadInputError, match="words or actors"):
        index.terms("coup", of="phrases")
    with pytest.raises(BadInputError, match="between 2 and"):
        index.network(nodes=1)
    with pytest.raises(BadInputError, match="name the actor"):
        index.actors_with(" ")
    with_mali = index.actors_with("Mali", "coup", min_count=1, type="person")
    assert with_mali.documents == 3 and {item.type for item in with_mali.items} == {"person"}
