"""How good "did you mean" is on real misspellings: Wikipedia's list of common English misspellings
(as codespell ships it, ~65,000 pairs such as 'goverment->government'), kept where the index can
know the answer and the engine should offer one.

    python -m bench.spelling INDEX_DIR [--tree CHECKOUT] [--pairs 1000]

A pair is kept when the correction is one word the index's documents write at least three times,
the misspelling matches no document, and it is within the edits the engine corrects (one, two for
words of eight letters or more). An evenly spread sample of --pairs is searched, one query each.
Prints one table row: the share corrected to the word itself, to another form of it (same stem:
'refugee' for 'refugees', which finds the same documents), to another word, none; and the time a
search with a suggestion takes. --tree imports `search` from another checkout (before issue 21 the
suggestions came from a field of unstemmed words), on the same index, to compare side by side.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import Stemmer

_WORD = re.compile(r"[^\W\d_]+")
_LONG_WORD = 8  # search.engine.spelling.LONG_WORD: shorter words are corrected by one edit only


def _misspellings() -> list[tuple[str, str]]:
    """codespell's dictionary: 'misspelling->correction', several corrections comma-separated."""
    from importlib import resources

    text = resources.files("codespell_lib").joinpath("data/dictionary.txt").read_text("utf-8")
    pairs = []
    for line in text.splitlines():
        typo, _, correction = line.partition("->")
        if typo.isalpha() and typo.islower() and correction.isalpha() and correction.islower():
            pairs.append((typo, correction))
    return pairs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--tree", type=Path, help="Import `search` from this checkout instead.")
    parser.add_argument("--pairs", type=int, default=1000, help="Misspellings searched (default 1000).")
    args = parser.parse_args(argv)
    if args.tree is not None:
        sys.path.insert(0, str(args.tree.resolve()))
    from rapidfuzz.distance import OSA

    from search.searching import open_index

    index = open_index(args.index_dir)
    written: Counter[str] = Counter()
    for document_id in index.matching_ids(None):
        written.update(_WORD.findall(index.document(document_id).body.lower()))
    stem = Stemmer.Stemmer("english").stemWord
    candidates = [
        (typo, correction)
        for typo, correction in _misspellings()
        if written[correction] >= 3
        and not written[typo]
        and OSA.distance(typo, correction) <= (2 if len(typo) >= _LONG_WORD else 1)
    ]
    step = max(1, len(candidates) // args.pairs)
    outcomes: Counter[str] = Counter()
    timings = []
    for typo, correction in candidates[::step][: args.pairs]:
        started = time.perf_counter()
        results = index.search(typo, limit=1)
        timings.append(time.perf_counter() - started)
        if results.total:
            outcomes["matches documents"] += 1  # another form of it is in the index: nothing to correct
            continue
        suggestion = results.suggestions[0] if results.suggestions else None
        if suggestion == correction:
            outcomes["the word"] += 1
        elif suggestion is not None and stem(suggestion) == stem(correction):
            outcomes["same stem"] += 1
        elif suggestion is not None:
            outcomes["another word"] += 1
        else:
            outcomes["none"] += 1
    asked = sum(outcomes.values()) - outcomes["matches documents"]
    columns = ("the word", "same stem", "another word", "none")
    print(f"| {args.tree or 'this checkout'} | pairs | " + " | ".join(columns) + " | mean ms | p95 ms |")
    print("|---|---|" + "---|" * len(columns) + "---|---|")
    shares = " | ".join(f"{outcomes[column] / asked:.1%}" for column in columns)
    timings.sort()
    mean, p95 = statistics.mean(timings) * 1000, timings[int(0.95 * (len(timings) - 1))] * 1000
    print(f"| {args.index_dir} | {asked} | {shares} | {mean:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
