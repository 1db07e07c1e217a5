"""Did you mean, from the body's own lexicon: typos of the documents' words are corrected to the word
as the documents write it (bench/spelling.py measures it on Wikipedia's list of real misspellings)."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from search import index_corpus
from search.searching import open_index
from tests.conftest import write_corpus

STORIES = {
    "a.txt": "Election day\nThe government said the election was fair, according to observers.\n",
    "b.txt": "Refugees cross\nRefugees crossed the border as the government met peacekeeping troops.\n",
    "c.txt": "Talks\nAccording to the elections board, refugees and governments joined peacekeeping talks.\n",
}


@pytest.fixture(scope="module")
def stories_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spelling")
    index_corpus(write_corpus(root / "corpus", STORIES), root / "index")
    return root / "index"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("goverment", "government"),  # stems to 'gover', one edit from the body's 'govern'
        ("elecion", "election"),  # its stem 'elect' is three edits from what was typed
        ("accordint", "according"),  # the typo is in the ending a stemmer strips
        (
            "refugess",
            "refugees",
        ),  # 'refugees' stems to 'refuge', 'refuge' to 'refug': the written word counts
        ("Peacekeping", "peacekeeping"),
    ],
)
def test_a_typo_is_corrected_to_the_word_the_documents_write(
    stories_index: Path, typed: str, meant: str
) -> None:
    assert open_index(stories_index).search(typed).suggestions == (meant,)


@pytest.mark.parametrize("typed", ["goverrmentt", "xlection", "boxdxr"])
def test_no_suggestion_beyond_the_edits_a_typo_makes(stories_index: Path, typed: str) -> None:
    """Two edits for words of eight letters or more, one below; never the first letter."""
    assert open_index(stories_index).search(typed).suggestions == ()


def _typo(word: str, rng: random.Random) -> str:
    """One deletion, transposition, substitution or insertion, past the first letter."""
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice("dtsi")
    if kind == "d":
        return word[:at] + word[at + 1 :]
    if kind == "t":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz".replace(word[at], ""))
    return word[:at] + letter + word[at + (kind == "s") :]


def test_typos_of_the_sample_corpus_words_are_corrected(sample_index: Path) -> None:
    """Every word of eight letters or more the samples write twice, with a seeded typo: measured 69 of
    71 corrected to the word itself (the two others to another word of the samples: 'islamit' ->
    'islamic', 'copérer' -> 'cooperer')."""
    index = open_index(sample_index)
    written: Counter[str] = Counter()
    for document_id in index.matching_ids(None):
        written.update(re.findall(r"[^\W\d_]+", index.document(document_id).body.lower()))
    rng = random.Random(21)
    outcomes: Counter[str] = Counter()
    for word in sorted(word for word, count in written.items() if count >= 2 and len(word) >= 8):
        typed = _typo(word, rng)
        results = index.search(typed, limit=1)
        if written[typed] or results.total:
            continue  # another word of the samples, or a form of one
        outcomes["word" if results.suggestions == (word,) else "other"] += 1
    assert sum(outcomes.values()) >= 60
    assert outcomes["word"] / sum(outcomes.values()) >= 0.95
