"""MinHash signatures: stable across processes, and estimating the resemblance they stand for."""

from __future__ import annotations

import random
import subprocess
import sys

from search.engine.fingerprints import (
    BANDS,
    PERMUTATIONS,
    SIGNATURE_BYTES,
    band_keys,
    estimated_resemblance,
    resemblance,
    shingle_hashes,
    signature,
    signatures,
)

VOCABULARY = [f"word{n}" for n in range(3_000)]


def story(seed: int, length: int = 400) -> list[str]:
    chooser = random.Random(seed)
    return [chooser.choice(VOCABULARY) for _ in range(length)]


def test_a_signature_is_its_bytes_and_empty_without_words() -> None:
    assert len(signature(story(1))) == SIGNATURE_BYTES == PERMUTATIONS * 4
    assert signature([]) == b""
    assert len(signature(["one", "two"])) == SIGNATURE_BYTES  # shorter than a shingle: one shingle


def test_the_same_words_make_the_same_signature_in_another_process() -> None:
    """Signatures are stored in the index: Python's salted hash() would change them every run."""
    words = story(2, 50)
    code = (
        "import sys; from search.engine.fingerprints import signature; "
        "sys.stdout.write(signature(sys.argv[1:]).hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code, *words], capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )  # fmt: skip
    assert other.stdout == signature(words).hex()


def test_resemblance_is_the_jaccard_index_of_five_word_runs() -> None:
    words = ["a", "b", "c", "d", "e", "f", "g"]
    assert len(shingle_hashes(words)) == 3
    assert resemblance(shingle_hashes(words), shingle_hashes(words)) == 1.0
    # one word changed at the end: runs 'a..e' and 'b..f' stay, 'c..g' becomes 'c..x': 2 shared of 4
    changed = ["a", "b", "c", "d", "e", "f", "x"]
    assert resemblance(shingle_hashes(words), shingle_hashes(changed)) == 2 / 4
    assert resemblance(shingle_hashes([]), shingle_hashes(words)) == 0.0


def test_the_estimate_is_near_the_resemblance() -> None:
    """Within 0.15 (four standard errors of 128 numbers) for copies edited from lightly to heavily."""
    original = story(3)
    for edited_share in (0.0, 0.01, 0.03, 0.06, 0.12, 0.3):
        copy = list(original)
        chooser = random.Random(int(edited_share * 1000))
        for place in chooser.sample(range(len(copy)), int(edited_share * len(copy))):
            copy[place] = "edited"
        exact = resemblance(shingle_hashes(original), shingle_hashes(copy))
        rows = signatures([signature(original), signature(copy)])
        assert abs(estimated_resemblance(rows[0], rows[1]) - exact) < 0.15, edited_share


def test_copies_share_a_band_and_unrelated_stories_do_not() -> None:
    original, unrelated = story(4), story(5)
    copy = ["Reuters", "chrome", *original[:-3]]
    keys = band_keys(signatures([signature(original), signature(copy), signature(unrelated)]))
    assert keys.shape == (3, BANDS)
    assert (keys[0] == keys[1]).any()
    assert not (keys[0] == keys[2]).any()
