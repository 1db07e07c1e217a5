from __future__ import annotations

import io
import json
import pickle
import random
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest
import whoosh.index
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import classify, highlight

from search import engine
from search.engine import analysis, feedback, patches, postings
from search.engine import highlight as snippets
from search.errors import (
    IndexDamagedError,
    IndexLockedError,
    IndexNeedsRebuildError,
    IndexNotFoundError,
    NotAnIndexError,
)
from search.models import Actor, CleanerState, Document, Fragment

from .conftest import SAMPLE_CORPUS

MALI = Actor("mali", "Mali", "country")
US = Actor("united-states", "United States", "country")
DOCS = [
    Document(id="a.txt", path="a.txt", title="Coup in Mali", body="Soldiers staged a coup in Bamako."),
    Document(id="b.txt", path="b.txt", title="Elections", body="Touré condemns the junta.",
             date=datetime(2012, 3, 23), actors=(MALI, US)),
]  # fmt: skip


def write(index_dir: Path, documents: Iterable[Document]) -> None:
    with engine.writing(index_dir, index_dir.parent, timeout=0.1, rebuild=True) as build:
        for document in documents:
            build.add(document)


def build(index_dir: Path, documents: list[Document] = DOCS) -> engine.EngineIndex:
    write(index_dir, documents)
    return engine.EngineIndex(index_dir)


def terms(text: str) -> list[str]:
    return [t.text for t in engine.text_analyzer()(text)]


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("Touré", "Toure"),
        ("condemns", "condemn"),
        ("The ELECTIONS", "election"),
        ("Sévaré Mali’s", "Sevare mali"),
    ],
)
def test_analyzer_folds_accents_lowercases_stems_and_drops_stop_words(text: str, same_as: str) -> None:
    assert terms(text) == terms(same_as) != []


def test_schema_has_the_fields_later_stages_rely_on() -> None:
    schema = engine.build_schema()
    assert set(schema.names()) >= {
        "id",
        "path",
        "title",
        "body",
        "date",
        "actors",
        "size",
        "mtime",
        "content_hash",
    }
    assert schema["body"].stored and schema["actors"].scorable and schema["date"].column_type is not None


def test_documents_round_trip_through_the_index(tmp_path: Path) -> None:
    index = build(tmp_path / "index")
    hit = index.search(engine.SearchRequest("junta", limit=5)).hits[0]
    assert (hit.id, hit.title, hit.date, hit.actors) == (
        "b.txt",
        "Elections",
        datetime(2012, 3, 23),
        (MALI, US),
    )
    assert index.document_count() == 2


def test_a_word_in_the_title_outranks_the_same_word_in_the_body(tmp_path: Path) -> None:
    # As the indexer builds documents, the body holds the headline too.
    index = build(tmp_path / "index", [
        Document(id="body.txt", title="Other news", body="Other news\nSahel report from the region"),
        Document(id="title.txt", title="Sahel report", body="Sahel report\nOther news from the region"),
    ])  # fmt: skip
    assert [hit.id for hit in index.search(engine.SearchRequest("sahel", limit=5)).hits] == [
        "title.txt",
        "body.txt",
    ]


def test_manifest_records_format_and_schema_version(tmp_path: Path) -> None:
    build(tmp_path / "index")
    manifest = engine.read_manifest(tmp_path / "index")
    assert manifest.schema_version == engine.SCHEMA_VERSION and manifest.complete
    assert manifest.corpus_root == str(tmp_path)
    on_disk = json.loads((tmp_path / "index" / engine.MANIFEST_NAME).read_text())
    assert on_disk["format"] == "news-search index" and on_disk["schema_version"] == engine.SCHEMA_VERSION


def test_manifest_records_the_cleaner_state_set_on_the_build(tmp_path: Path) -> None:
    state = CleanerState(version=7, repeated_lines=("Share this",), gazetteer="g1", date_from_mtime=True)
    with engine.writing(tmp_path / "index", tmp_path, timeout=0.1, rebuild=True) as build:
        build.add(DOCS[0])
        build.record_cleaning(state)
    assert engine.read_manifest(tmp_path / "index").cleaner == state


def test_missing_or_empty_folder_has_no_index(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".gitignore").write_text("*\n")
    for folder in (tmp_path / "missing", tmp_path / "empty"):
        with pytest.raises(IndexNotFoundError, match="no index at"):
            engine.EngineIndex(folder)


def test_a_foreign_folder_is_never_written_to(tmp_path: Path) -> None:
    precious = tmp_path / "thesis.txt"
    precious.write_text("years of work")
    with pytest.raises(IndexDamagedError, match="not a search index"):
        write(tmp_path, DOCS)
    with pytest.raises(IndexDamagedError, match="not a search index"):
        engine.EngineIndex(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.txt"]


def test_damaged_index_is_reported_then_rebuilt(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(IndexDamagedError, match="is damaged"):
        engine.EngineIndex(index_dir)
    assert build(index_dir).document_count() == 2


def test_a_garbled_manifest_cannot_be_told_from_someone_elses_file_and_is_never_overwritten(
    tmp_path: Path,
) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    (index_dir / engine.MANIFEST_NAME).write_text("{not json")
    with pytest.raises(NotAnIndexError, match="delete the folder and index again"):
        engine.EngineIndex(index_dir)
    with pytest.raises(NotAnIndexError):
        build(index_dir)
    assert (index_dir / engine.MANIFEST_NAME).read_text() == "{not json"


def test_old_schema_version_needs_a_rebuild(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    manifest_path = index_dir / engine.MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "schema_version": 0}))
    with pytest.raises(IndexNeedsRebuildError, match="schema version 0"):
        engine.EngineIndex(index_dir)


def test_a_held_write_lock_gives_index_locked(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)
    other_writer = whoosh.index.open_dir(str(index_dir)).writer()
    try:
        with pytest.raises(IndexLockedError, match="locked by another indexing run"):
            write(index_dir, DOCS)
    finally:
        other_writer.cancel()
    assert build(index_dir).document_count() == 2


def test_a_failed_run_leaves_the_previous_index_searchable(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build(index_dir)

    def failing_documents():  # type: ignore[no-untyped-def]
        yield Document(id="c.txt", title="New", body="new text")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write(index_dir, failing_documents())
    index = engine.EngineIndex(index_dir)
    assert index.document_count() == 2
    assert index.search(engine.SearchRequest("coup", limit=5)).hits[0].id == "a.txt"


ANALYZER_TEXTS = [
    "Touré's al-Shabaab fighters e-mailed the U.S. envoy at 3.5 p.m. on Mali's border.",
    "I a an the of: A Coup! Coups, couping; COUPED? Ünïcödé wörds and 2012-03-23.",
    "",
    "the a an",
]


@pytest.mark.parametrize("text", ANALYZER_TEXTS)
def test_fast_body_terms_are_the_analyzers_terms(text: str) -> None:
    assert engine.body_terms(text) == Counter(token.text for token in engine.text_analyzer()(text))


@pytest.mark.parametrize("text", [*ANALYZER_TEXTS, "taxpayers.The U.S.Army, 3.5 p.m.He said İstanbul ß"])
def test_index_terms_are_every_word_the_analyzer_reads(text: str) -> None:
    # The index holds stop words at their positions, for phrases; ranking counts them out.
    every = [token.text for token in engine.text_analyzer()(text, removestops=False)]
    assert engine.index_terms(text) == every
    assert engine.key_terms(text) == [token.text for token in engine.text_analyzer()(text)]


def test_stop_words_are_held_but_not_counted_in_a_fields_length(tmp_path: Path) -> None:
    plain = Document(id="a", path="a", title="Oil", body="oil prices rose")
    padded = Document(id="b", path="b", title="Oil", body="the oil prices of it all rose to a high")
    index = build(tmp_path / "index", [plain, padded])
    with index._current_searcher() as searcher:
        lengths = [searcher.doc_field_length(n, "body") for n in range(2)]
        assert lengths == [3, 4]  # 'high' counts; the, of, it, all, to, a do not
        assert searcher.doc_frequency("body", "the") == 1


WORDS = [
    "oil",
    "price",
    "opec",
    "crude",
    "barrel",
    "market",
    "rise",
    "falls",
    "trade",
    "deal",
    "bank",
    "rates",
    "coup",
    "mali",
    "the",
]
VOCABULARY = WORDS + [f"rare{n}" for n in range(400)]
FREQUENCIES = [40] * len(WORDS) + [1] * 400


def random_documents(seed: int, count: int, prefix: str) -> list[Document]:
    """Documents of common words drawn again and again (their postings span several blocks) and rare ones."""
    rng = random.Random(seed)
    return [
        Document(
            id=f"{prefix}{n}.txt",
            path=f"{prefix}{n}.txt",
            title=" ".join(rng.choices(WORDS, k=3)),
            body=" ".join(rng.choices(VOCABULARY, FREQUENCIES, k=rng.randint(3, 200))),
        )
        for n in range(count)
    ]


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory: pytest.TempPathFactory) -> engine.EngineIndex:
    """An index of several segments, one of them with deleted documents."""
    index_dir = tmp_path_factory.mktemp("segmented") / "index"
    write(index_dir, random_documents(1, 400, "a"))
    for batch, documents in enumerate([random_documents(2, 150, "b"), []]):
        with engine.writing(index_dir, index_dir.parent, timeout=0.1, rebuild=False) as update:
            for document in documents:
                update.add(document)
            for n in range(batch, 400, 7):
                update.delete(f"a{n}.txt")
    return engine.EngineIndex(index_dir)


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
        expected = expander.expanded_terms(feedback.FEEDBACK_TERMS, normalize=True)
        assert feedback.feedback_terms(searcher, docnums) == expected != []


def test_the_stemmer_keeps_a_words_first_letter() -> None:
    # body_fragments() stems only the words that start as a query term does.
    texts = [path.read_text("utf-8", errors="replace") for path in SAMPLE_CORPUS.rglob("*") if path.is_file()]
    words = {word for text in texts for word in analysis._folded_words(text)}
    assert len(words) > 500
    assert [word for word in words if analysis._stem(word)[:1] != word[:1]] == []


@given(st.text(alphabet=st.characters(categories=["Ll", "Lu", "Nd"]), min_size=2, max_size=12))
def test_the_stemmer_keeps_the_first_letter_of_any_word(word: str) -> None:
    for folded in analysis._folded_words(word):
        assert analysis._stem(folded)[:1] == folded[:1]


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


def test_the_view_file_reads_as_bytesio_does_without_copying() -> None:
    data = b"first line\nsecond\n\x00\x01binary tail"
    view, copy = patches._ViewFile(memoryview(data)), io.BytesIO(data)
    steps = [("read", (4,)), ("readline", ()), ("tell", ()), ("seek", (3,)), ("read", (2,)), ("seek", (-4, 2)),
             ("read", ()), ("read", (5,)), ("seek", (2, 1)), ("tell", ()), ("seek", (0,)), ("readline", (3,))]  # fmt: skip
    for name, args in steps:
        assert getattr(view, name)(*args) == getattr(copy, name)(*args), (name, args)


def test_opening_an_index_makes_whooshs_buffer_files_read_in_place(sample_index: Path) -> None:
    from whoosh.filedb.structfile import BufferFile

    from search import open_index

    open_index(sample_index)  # the patches are applied when an index opens, not when a module loads
    buffered = BufferFile(memoryview(b"\x00\x00\x00\x05rest"))
    assert (
        isinstance(buffered.file, patches._ViewFile)
        and buffered.read_int() == 5
        and buffered.read() == b"rest"
    )


def test_the_schema_an_index_stores_names_our_classes_where_every_version_finds_them() -> None:
    """Whoosh pickles the schema into the table of contents: a class path that moves breaks every index."""
    found: set[tuple[str, str]] = set()

    class Recording(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            if module.split(".")[0] == "search":
                found.add((module, name))
            return super().find_class(module, name)

    Recording(io.BytesIO(pickle.dumps(engine.build_schema()))).load()
    assert found == {("search.engine", "WordsText")}
