"""Build the word clusters the tagger uses as features (search/data/clusters.tsv.gz), from unlabelled news.

    python -m bench.clusters [--words 40000] [--out search/data/clusters.tsv.gz]

A tagger trained on 1996 Reuters meets words it never saw (names of today's politicians, companies,
places); a word's cluster, learnt from how running news text uses it, carries what the tagger learnt
about the words in the same cluster (Turian, Ratinov and Bengio 2010: word clusters add 1-2 F1 to
CoNLL-2003 taggers). The text is every story of Reuters-21578 and the AllSides articles in
../shared/corpora (unlabelled; only statistics of word use leave it). Each of the most frequent words
(lower-cased) is described by the words seen just before and just after it, weighted by positive
pointwise mutual information, projected onto 256 random directions, and grouped by k-means (cosine)
at two grains, 64 and 512 clusters, like two levels of a Brown-cluster hierarchy. Each word also gets
how running text capitalises it away from a sentence's start (mostly in lower case, mixed, mostly
capitalised): "device" and "palace" are common nouns even where a headline capitalises them. The seed
is fixed: the same data give the same file.
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bench.data import ALLSIDES, REUTERS, reuters_text, rows
from search.tagging import TOKEN_RE, case_says_nothing, sentence_starts

OUT = Path(__file__).resolve().parent.parent / "search" / "data" / "clusters.tsv.gz"
CONTEXT_WORDS = 3000  # the most frequent words serve as contexts, on each side
DIMENSIONS = 256
GRAINS = (64, 512)
QUOTES = frozenset('"“:')  # a capital after a quote or a colon may start a sentence too
MIN_CASE_EVIDENCE = 5  # occurrences away from a sentence's start before a word's case is told
# Capitalised in fewer than this share of them: a common word ("policy" 12%, "democracy" 15%, against
# "bill" 21%, "president" 45%, "Trump" 99.8%, over Reuters-21578 and AllSides).
LOW_SHARE = 0.2
SEED = 16


def texts() -> Iterator[str]:
    for story in rows(REUTERS):
        yield reuters_text(story)
    for article in rows(ALLSIDES):
        yield f"{article.get('title') or ''}\n{article.get('text') or ''}"


def tokens(text: str, capitals: Counter[str], seen: Counter[str]) -> list[str]:
    """The lower-cased words of a text; counts how often each is capitalised away from a sentence's
    start, in the lines whose case says something (not headlines in capitals or in headline style)."""
    found = []
    for line in text.splitlines():
        words = TOKEN_RE.findall(line)
        found += words
        if case_says_nothing(words):
            continue
        opening = set(sentence_starts(words))
        for index, word in enumerate(words):
            if index not in opening and word[:1].isalpha() and words[index - 1] not in QUOTES:
                lower = word.lower()
                seen[lower] += 1
                capitals[lower] += word[0].isupper()
    return [word.lower() for word in found]


def case_bucket(capitalised: int, seen: int) -> str:
    if seen < MIN_CASE_EVIDENCE:
        return "-"
    share = capitalised / seen
    return "low" if share < LOW_SHARE else "mixed" if share < 0.9 else "cap"


def kmeans(vectors: np.ndarray, count: int, rng: np.random.Generator, rounds: int = 25) -> np.ndarray:
    """Cluster numbers of unit vectors by spherical k-means, seeded with k-means++."""
    centres = [vectors[rng.integers(len(vectors))]]
    nearest = 1.0 - vectors @ centres[0]
    for _ in range(count - 1):
        chances = np.maximum(nearest, 0) ** 2
        centres.append(vectors[rng.choice(len(vectors), p=chances / chances.sum())])
        nearest = np.minimum(nearest, 1.0 - vectors @ centres[-1])
    centre = np.stack(centres)
    labels = np.zeros(len(vectors), dtype=np.int64)
    for _ in range(rounds):
        labels = np.concatenate([(part @ centre.T).argmax(axis=1) for part in np.array_split(vectors, 20)])
        sums = np.zeros_like(centre)
        np.add.at(sums, labels, vectors)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centre = np.where(norms > 0, sums / np.maximum(norms, 1e-9), centre)
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=40_000, help="how many of the most frequent words")
    parser.add_argument("--out", type=Path, default=OUT)
    arguments = parser.parse_args()
    started = time.perf_counter()
    capitals: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    documents = [tokens(text, capitals, seen) for text in texts()]
    counts = Counter(word for document in documents for word in document)
    vocabulary = [word for word, _ in counts.most_common(arguments.words)]
    index = {word: number for number, word in enumerate(vocabulary)}
    pairs: list[np.ndarray] = []
    for document in documents:
        ids = np.array([index.get(word, -1) for word in document], dtype=np.int64)
        if len(ids) < 2:
            continue
        left, right = ids[:-1], ids[1:]
        for word, context, side in ((right, left, 0), (left, right, CONTEXT_WORDS)):
            keep = (word >= 0) & (context >= 0) & (context < CONTEXT_WORDS)
            pairs.append(word[keep] * (2 * CONTEXT_WORDS) + context[keep] + side)
    keys, together = np.unique(np.concatenate(pairs), return_counts=True)
    words, contexts = keys // (2 * CONTEXT_WORDS), keys % (2 * CONTEXT_WORDS)
    total = together.sum()
    word_totals = np.bincount(words, weights=together, minlength=len(vocabulary))
    context_totals = np.bincount(contexts, weights=together, minlength=2 * CONTEXT_WORDS)
    pmi = np.log(together * total / (word_totals[words] * context_totals[contexts]))
    positive = pmi > 0
    rng = np.random.default_rng(SEED)
    directions = rng.standard_normal((2 * CONTEXT_WORDS, DIMENSIONS)).astype(np.float32)
    vectors = np.zeros((len(vocabulary), DIMENSIONS), dtype=np.float32)
    np.add.at(
        vectors, words[positive], pmi[positive, None].astype(np.float32) * directions[contexts[positive]]
    )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.maximum(norms, 1e-9)
    grains = [kmeans(vectors, count, rng) for count in GRAINS]
    with gzip.open(arguments.out, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(
            f"# by bench/clusters.py: a word, its cluster at each of {GRAINS} grains, how it is written\n"
        )
        for number, word in enumerate(vocabulary):
            clusters = [str(int(labels[number])) for labels in grains]
            out.write("\t".join([word, *clusters, case_bucket(capitals[word], seen[word])]) + "\n")
    seconds = time.perf_counter() - started
    print(f"{len(vocabulary):,} words from {len(documents):,} stories in {seconds:.0f} s: {arguments.out}")


if __name__ == "__main__":
    main()
