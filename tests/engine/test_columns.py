"""Facets, timelines and sorting read from columns (engine/columns.py, engine/timeline.py) count and
order exactly what the stored documents say, over an index of several segments with deletions."""

from __future__ import annotations

import gc
import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from search import engine
from search.engine.analysis import title_key
from search.models import Actor, Document, period_label

from .conftest import write

ACTORS = [Actor(f"actor-{n}", f"Actor {n}", "person") for n in range(12)]
OUTLETS = ["Wire", "Daily", "The Weekly", ""]


def documents(seed: int, count: int, prefix: str) -> list[Document]:
    """Documents of one word or another, some undated, with actors (main or not), outlets and titles."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        actors = tuple(
            Actor(a.id, a.name, a.type, weight=1.0, main=rng.random() < 0.3)
            for a in rng.sample(ACTORS, rng.randint(0, 4))
        )
        day = None if rng.random() < 0.15 else datetime(2010, 1, 1) + timedelta(days=rng.randint(0, 1200))
        made.append(
            Document(
                id=f"{prefix}{n}.txt",
                path=f"{prefix}{n}.txt",
                title=rng.choice(["", "Éclair", "apple", "Zebra", '"Quoted" start', "Mango"]) + f" {n}",
                body=" ".join(rng.choices(["coup", "mali", "talks", "oil"], k=rng.randint(1, 20))),
                date=day,
                actors=actors,
                source=rng.choice(OUTLETS),
                type=rng.choice(["article", "statement"]),
            )
        )
    return made


@pytest.fixture(scope="module")
def columned(tmp_path_factory: pytest.TempPathFactory) -> tuple[engine.EngineIndex, list[Document]]:
    index_dir = tmp_path_factory.mktemp("columned") / "index"
    first, second = documents(1, 300, "a"), documents(2, 120, "b")
    write(index_dir, first)
    deleted = {f"a{n}.txt" for n in range(0, 300, 5)}
    with engine.writing(index_dir, index_dir.parent, timeout=0.1, rebuild=False) as update:
        for document in second:
            update.add(document)
        for document_id in deleted:
            update.delete(document_id)
    live = [d for d in first + second if d.id not in deleted]
    return engine.EngineIndex(index_dir), live


def _matching(live: list[Document], word: str | None) -> list[Document]:
    return [d for d in live if word is None or word in d.body.split()]


@pytest.mark.parametrize("word", [None, "coup", "oil"])
@pytest.mark.parametrize("main_actors", [False, True])
def test_facets_count_what_the_documents_store(
    columned: tuple[engine.EngineIndex, list[Document]], word: str | None, main_actors: bool
) -> None:
    index, live = columned
    request = engine.SearchRequest(word, facets=("actor", "source", "year"), main_actors=main_actors)
    results = index.search(request)
    matching = _matching(live, word)
    assert results.total == len(matching)
    actors = Counter(a.id for d in matching for a in d.actors if a.main or not main_actors)
    assert {(f.value, f.count) for f in results.facets["actor"]} == set(actors.items())
    assert [f.count for f in results.facets["actor"]] == sorted(actors.values(), reverse=True)
    outlets = Counter(d.source for d in matching if d.source)
    assert {(f.value, f.count) for f in results.facets["source"]} == set(outlets.items())
    years = Counter(str(d.date.year) for d in matching if d.date)
    assert [(f.value, f.count) for f in results.facets["year"]] == sorted(years.items(), reverse=True)


@pytest.mark.parametrize("sort", ["date", "-date", "title"])
def test_sorting_by_a_column_orders_every_match_undated_and_untitled_last(
    columned: tuple[engine.EngineIndex, list[Document]], sort: str
) -> None:
    index, live = columned
    matching = _matching(live, "coup")
    # (these bodies of a few words of four are copies of one another: every one is listed)
    hits = index.search(engine.SearchRequest("coup", limit=1000, sort=sort, fold_copies=False)).hits
    assert len(hits) == len(matching)
    if sort == "title":
        assert [title_key(hit.title) for hit in hits] == sorted(title_key(d.title) for d in matching)
        return
    dated = sorted((d.date for d in matching if d.date), reverse=sort == "-date")
    assert [hit.date for hit in hits] == dated + [None] * (len(matching) - len(dated))
    assert all(hit.score > 0 for hit in hits)  # a sorted hit keeps its relevance score


def test_title_keys_fold_case_accents_and_leading_quotes() -> None:
    assert title_key("Éclair") == title_key("eclair") < title_key("Zebra")
    assert title_key('"Quoted" start') == b'quoted" start'
    assert title_key("") == title_key("  ") > title_key("zzz")


@pytest.mark.parametrize("by", ["day", "week", "month", "year"])
def test_a_timeline_counts_each_period_as_the_dates_say(
    columned: tuple[engine.EngineIndex, list[Document]], by: str
) -> None:
    index, live = columned
    timeline = index.timeline(engine.SearchRequest("mali"), by, "actor", 3)
    matching = _matching(live, "mali")
    dated = [d.date.date() for d in matching if d.date]
    expected = Counter(period_label(day, by) for day in dated)
    labels = [period_label(start, by) for start in timeline.periods]
    assert labels[0] == period_label(min(dated), by) and labels[-1] == period_label(max(dated), by)
    assert len(set(labels)) == len(labels)  # every period once, in order, none skipped
    assert dict(zip(labels, timeline.counts, strict=True)) == {label: expected[label] for label in labels}
    assert (timeline.undated, timeline.total) == (len(matching) - len(dated), len(matching))
    top = Counter(a.id for d in matching for a in d.actors)
    assert [s.total for s in timeline.series] == sorted(top.values(), reverse=True)[:3]
    for series in timeline.series:
        holding = [d for d in matching if series.key in {a.id for a in d.actors}]
        days = Counter(period_label(d.date.date(), by) for d in holding if d.date)
        assert list(series.counts) == [days[label] for label in labels]
        assert series.undated == sum(1 for d in holding if not d.date)


def test_a_timeline_spans_the_dates_asked_for(columned: tuple[engine.EngineIndex, list[Document]]) -> None:
    index, _ = columned
    request = engine.SearchRequest("oil", since=date(2009, 11, 5), until=date(2010, 2, 1))
    timeline = index.timeline(request, "month", None, 5)
    assert [period_label(p, "month") for p in timeline.periods] == [
        "2009-11",
        "2009-12",
        "2010-01",
        "2010-02",
    ]
    assert timeline.counts[:2] == (0, 0) and timeline.undated == 0


def test_types_filter_and_are_kept(
    columned: tuple[engine.EngineIndex, list[Document]], tmp_path: Path
) -> None:
    index, live = columned
    statements = index.search(engine.SearchRequest(None, limit=1000, types=("statement",)))
    assert statements.total == sum(d.type == "statement" for d in live)
    assert {hit.type for hit in statements.hits} == {"statement"}


def test_facets_keep_the_most_frequent_values_and_one_actor_type(
    columned: tuple[engine.EngineIndex, list[Document]],
) -> None:
    index, _ = columned
    every = index.search(engine.SearchRequest(None, facets=("actor", "source"), facet_limit=None)).facets
    top = index.search(engine.SearchRequest(None, facets=("actor", "source"), facet_limit=3)).facets
    assert top["actor"] == every["actor"][:3] and top["source"] == every["source"][:3]
    people = index.search(engine.SearchRequest(None, facets=("actor",), actor_type="person")).facets
    assert people["actor"] == every["actor"]  # every actor here is a person
    assert index.search(engine.SearchRequest(None, facets=("actor",), actor_type="country")).facets == {
        "actor": ()
    }


def test_words_marked_where_the_index_says_are_the_words_the_bodies_mark(
    columned: tuple[engine.EngineIndex, list[Document]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page takes its marked words from the index's positions: the passages are those that reading
    each body's words makes, on a large page and on pages of ten."""
    index, _ = columned
    pages = {}
    for query in ("coup", "mali talks"):
        large = index.search(engine.SearchRequest(query, limit=300, feedback=False)).hits
        assert len(large) >= engine.hits.LARGE_PAGE
        small = [
            index.search(engine.SearchRequest(query, limit=10, offset=o, feedback=False)).hits
            for o in (0, 37)
        ]
        pages[query] = (large, small)
    monkeypatch.setattr(engine.hits, "marked_positions", lambda *_: None)  # every body read instead
    for query, (large, small) in pages.items():
        assert index.search(engine.SearchRequest(query, limit=300, feedback=False)).hits == large
        for offset, page in zip((0, 37), small, strict=True):
            assert (
                index.search(engine.SearchRequest(query, limit=10, offset=offset, feedback=False)).hits
                == page
            )
            assert page == large[offset : offset + 10]


def test_a_large_page_leaves_the_cycle_collector_as_it_found_it(
    columned: tuple[engine.EngineIndex, list[Document]],
) -> None:
    index, _ = columned
    assert gc.isenabled()
    index.search(engine.SearchRequest("coup", limit=300))
    assert gc.isenabled()
    gc.disable()
    try:
        index.search(engine.SearchRequest("coup", limit=300))
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("main_only", [False, True])
def test_actors_counted_as_numbers_equal_actors_counted_as_bytes(
    columned: tuple[engine.EngineIndex, list[Document]], main_only: bool
) -> None:
    """A large count (ActorCodes, from columns.CODED_FROM documents) counts what the bytes count, over
    segments with deleted documents, for any set of documents."""
    from search.engine.columns import ActorCodes, Columns, SharedCodes

    index, _ = columned
    rng = random.Random(7)
    with index._current_searcher() as searcher:
        shared = SharedCodes()
        columns = Columns(searcher, shared)
        codes = ActorCodes.of(columns.actors)
        every = columns.live
        for size in (0, 1, 17, len(every)):
            docs = every[sorted(rng.sample(range(len(every)), size))]
            assert columns.actor_counts(docs, main_only) == codes.counts(docs, main_only)
            assert not shared.ready(searcher.reader().generation())  # (a small count stays with the bytes)


def test_live_documents_are_those_whoosh_says_are_not_deleted(
    columned: tuple[engine.EngineIndex, list[Document]],
) -> None:
    """Columns.live, read from each segment's deletions, names what Whoosh's all_doc_ids() walks to."""
    from search.engine.columns import Columns

    index, _ = columned
    with index._current_searcher() as searcher:
        assert searcher.reader().has_deletions()
        assert Columns(searcher).live.tolist() == list(searcher.reader().all_doc_ids())


def test_a_column_read_a_range_at_a_time_gives_each_documents_value(
    columned: tuple[engine.EngineIndex, list[Document]],
) -> None:
    """SegmentBytes.values() of any documents (unsorted, repeated, none) is what Whoosh's column
    reader gives each; so too for a column of another layout (read value by value) and a segment
    without the column."""
    from search.engine.analysis import ACTOR_IDS_COLUMN
    from search.engine.columns import SegmentBytes, segments_of

    class OtherLayout:  # a segment whose column reader is only an iterable of values
        def __init__(self, segment: object) -> None:
            self.segment = segment

        def doc_count_all(self) -> int:
            return self.segment.doc_count_all()  # type: ignore[attr-defined, no-any-return]

        def has_column(self, name: str) -> bool:
            return self.segment.has_column(name)  # type: ignore[attr-defined, no-any-return]

        def column_reader(self, name: str, translate: bool) -> list[bytes]:
            return list(self.segment.column_reader(name, translate=translate))  # type: ignore[attr-defined]

    index, _ = columned
    rng = random.Random(3)
    with index._current_searcher() as searcher:
        for segment, _ in segments_of(searcher.reader()):
            expected = list(segment.column_reader(ACTOR_IDS_COLUMN, translate=False))
            for column in (
                SegmentBytes(segment, ACTOR_IDS_COLUMN),
                SegmentBytes(OtherLayout(segment), ACTOR_IDS_COLUMN),
            ):
                for size in (0, 1, 7, len(expected)):
                    docs = np.array([rng.randrange(len(expected)) for _ in range(size)], dtype=np.int64)
                    assert column.values(docs) == [expected[doc] for doc in docs.tolist()]
            missing = SegmentBytes(segment, "id")  # (a field without a column)
            assert missing.values(np.arange(3, dtype=np.int64)) == [b"", b"", b""]


def test_threads_share_the_actor_codes_of_a_commit(tmp_path: Path) -> None:
    """A server's threads each have a searcher and columns; the codes of a commit are made once."""
    import threading

    from search.engine.columns import Columns, SharedCodes

    index_dir = tmp_path / "index"
    write(index_dir, documents(3, 50, "a"))
    index = engine.EngineIndex(index_dir)
    shared = SharedCodes()
    made = []

    def codes() -> None:
        with index._current_searcher() as searcher:
            made.append(Columns(searcher, shared).actor_codes)

    threads = [threading.Thread(target=codes) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 4 and all(codes is made[0] for codes in made)
    with engine.writing(index_dir, tmp_path, timeout=0.1, rebuild=False) as update:
        update.add(documents(4, 1, "b")[0])
    codes()  # another commit: its own codes
    assert made[-1] is not made[0] and len(made[-1].lengths) == 51
