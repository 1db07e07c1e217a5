"""Terms: the analyzer, stop words, the stemmer, the schema and what an index stores of it."""

from __future__ import annotations

import io
import pickle
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.fields import TEXT

from search import engine
from search.engine import analysis
from search.models import Document

from ..conftest import SAMPLE_CORPUS
from .conftest import (
    build,
)


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


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["oil", "the", "é", "a", "price", "x.y", "naïve", "ü", "9"]),
            st.sampled_from([" ", "  ", "\t", "\n", "\r\n", " \u00a0 ", "\x0b", "\u2003"]),
        ),
        max_size=60,
    )
)
def test_a_fields_postings_are_those_whooshs_tokens_make(pieces: list[tuple[str, str]]) -> None:
    """WordsText indexes prepared terms without Whoosh's Token objects: the same terms, frequencies,
    weights and encoded positions, in the same order, on every field of ours that holds words (the title
    boosted), whatever separates them."""
    value = "".join(term + space for term, space in pieces)
    schema = engine.build_schema()
    for name in ("title", "body"):
        field = schema[name]
        assert list(field._postings(value)) == list(TEXT.index(field, value))
