"""A first experiment for issue 16: a named-entity tagger trained on CoNLL-2003, measured on its dev split.

    python -m bench.tagger [--epochs 5] [--stories N]

An averaged perceptron (Collins 2002) tags each token B-/I-PER, ORG, LOC, MISC or O, left to right,
from the word, its shape, prefixes and suffixes, its neighbours and the previous tags. The sentences and
their mentions come from ../shared/eval/conll2003/{train,dev}.jsonl (the sentence index of each
mention says where to look; its text is found in the sentence from left to right). The report gives
mention-level precision, recall and F1 per type on the dev split (exact span and type), and the
training time. Nothing here is used by the product yet: it is the measure a tagger has to beat.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.data import SHARED

CONLL = SHARED / "eval" / "conll2003"
TOKEN_RE = re.compile(r"\w+(?:[-'’.&]\w+)*\.?|[^\w\s]")
TYPES = ("PER", "ORG", "LOC", "MISC")
TAGS = ("O", *(f"{prefix}-{kind}" for kind in TYPES for prefix in ("B", "I")))

Sentence = tuple[list[str], list[str]]  # tokens, tags


def sentences(path: Path, limit: int | None = None) -> Iterator[Sentence]:
    """Every sentence of every story (headline first), its tokens tagged from the gold mentions."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                return
            story = json.loads(line)
            texts = [story["title"], *story["text"].splitlines()]
            spans: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
            searched_from: dict[int, int] = defaultdict(int)
            for tag, text, index in story["mentions"]:
                if index >= len(texts):
                    continue
                start = texts[index].find(text, searched_from[index])
                if start >= 0:
                    spans[index].append((start, start + len(text), tag))
                    searched_from[index] = start + len(text)
            for index, text in enumerate(texts):
                tokens, tags = [], []
                for match in TOKEN_RE.finditer(text):
                    tag = "O"
                    for start, end, kind in spans[index]:
                        if start <= match.start() < end:
                            tag = ("B-" if match.start() == start else "I-") + kind
                            break
                    tokens.append(match.group())
                    tags.append(tag)
                if tokens:
                    yield tokens, tags


def shape(word: str) -> str:
    """'Xxxx', 'XX', 'dd', 'Xx.' with runs squeezed: what the word looks like."""
    mapped = re.sub(r"[A-Z]", "X", re.sub(r"[a-z]", "x", re.sub(r"\d", "d", word)))
    return re.sub(r"(.)\1+", r"\1\1", mapped)


def features(tokens: list[str], i: int, previous: str, before: str) -> list[str]:
    word = tokens[i]
    lower = word.lower()
    found = [
        "bias",
        f"w={lower}",
        f"s={shape(word)}",
        f"p3={lower[:3]}",
        f"x3={lower[-3:]}",
        f"x2={lower[-2:]}",
        f"t-1={previous}",
        f"t-2,t-1={before},{previous}",
        f"first={i == 0}",
        f"caps={word.isupper()}",
        f"t-1,w={previous},{lower}",
    ]
    for offset in (-2, -1, 1, 2):
        j = i + offset
        other = tokens[j].lower() if 0 <= j < len(tokens) else "<edge>"
        found.append(f"w{offset:+d}={other}")
        if offset in (-1, 1):
            found.append(f"s{offset:+d}={shape(tokens[j]) if 0 <= j < len(tokens) else '<edge>'}")
    return found


@dataclass
class Perceptron:
    """Weights per feature and tag, averaged over every update (the 'averaged perceptron')."""

    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    totals: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    stamps: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    updates: int = 0

    def predict(self, found: list[str]) -> str:
        scores: dict[str, float] = defaultdict(float)
        for feature in found:
            for tag, weight in self.weights.get(feature, {}).items():
                scores[tag] += weight
        return max(TAGS, key=lambda tag: (scores[tag], tag == "O"))

    def update(self, truth: str, guess: str, found: list[str]) -> None:
        self.updates += 1
        if truth == guess:
            return
        for feature in found:
            row = self.weights.setdefault(feature, {})
            for tag, change in ((truth, 1.0), (guess, -1.0)):
                key = (feature, tag)
                self.totals[key] += (self.updates - self.stamps[key]) * row.get(tag, 0.0)
                self.stamps[key] = self.updates
                row[tag] = row.get(tag, 0.0) + change

    def average(self) -> None:
        for feature, row in self.weights.items():
            for tag, weight in row.items():
                key = (feature, tag)
                total = self.totals[key] + (self.updates - self.stamps[key]) * weight
                row[tag] = total / self.updates


def tag(model: Perceptron, tokens: list[str]) -> list[str]:
    tags: list[str] = []
    for i in range(len(tokens)):
        previous = tags[-1] if tags else "<s>"
        before = tags[-2] if len(tags) > 1 else "<s>"
        tags.append(model.predict(features(tokens, i, previous, before)))
    return tags


def train(data: list[Sentence], epochs: int, seed: int = 16) -> Perceptron:
    model = Perceptron()
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(data)
        for tokens, truth in data:
            guessed: list[str] = []
            for i in range(len(tokens)):
                previous = guessed[-1] if guessed else "<s>"
                before = guessed[-2] if len(guessed) > 1 else "<s>"
                found = features(tokens, i, previous, before)
                guess = model.predict(found)
                model.update(truth[i], guess, found)
                guessed.append(guess)
    model.average()
    return model


class CompiledTagger:
    """The trained model's scores gathered by what they depend on, for tagging without building
    feature strings: a vector a word (its own features), a vector a word at each neighbouring position,
    and tables for the previous tags. Tags exactly as tag() does (a test checks it)."""

    def __init__(self, model: Perceptron) -> None:
        self._rows = {feature: [row.get(t, 0.0) for t in TAGS] for feature, row in model.weights.items()}
        self._zero = [0.0] * len(TAGS)
        self._own: dict[str, list[float]] = {}
        self._around: dict[tuple[int, str], list[float]] = {}
        self._after: dict[tuple[str, str], list[float]] = {}
        self._starts = (self._sum(["bias", "first=True"]), self._sum(["bias", "first=False"]))

    def _sum(self, names: list[str]) -> list[float]:
        total = list(self._zero)
        for name in names:
            row = self._rows.get(name)
            if row is not None:
                total = [a + b for a, b in zip(total, row, strict=True)]
        return total

    def _own_vector(self, word: str) -> list[float]:
        found = self._own.get(word)
        if found is None:
            lower = word.lower()
            found = self._own[word] = self._sum(
                [f"w={lower}", f"s={shape(word)}", f"p3={lower[:3]}", f"x3={lower[-3:]}",
                 f"x2={lower[-2:]}", f"caps={word.isupper()}"]
            )  # fmt: skip
        return found

    def _around_vector(self, offset: int, word: str) -> list[float]:
        key = (offset, word)
        found = self._around.get(key)
        if found is None:
            names = [f"w{offset:+d}={word.lower() if word != '<edge>' else word}"]
            if offset in (-1, 1):
                names.append(f"s{offset:+d}={shape(word) if word != '<edge>' else word}")
            found = self._around[key] = self._sum(names)
        return found

    def _after_vector(self, previous: str, before: str, lower: str) -> list[float]:
        key = (previous + "|" + before, lower)
        found = self._after.get(key)
        if found is None:
            found = self._after[key] = self._sum(
                [f"t-1={previous}", f"t-2,t-1={before},{previous}", f"t-1,w={previous},{lower}"]
            )
        return found

    def tag(self, tokens: list[str]) -> list[str]:
        static = []
        edge = "<edge>"
        for i, word in enumerate(tokens):
            parts = [self._own_vector(word), self._starts[i > 0]]
            for offset in (-2, -1, 1, 2):
                j = i + offset
                parts.append(self._around_vector(offset, tokens[j] if 0 <= j < len(tokens) else edge))
            static.append([sum(values) for values in zip(*parts, strict=True)])
        tags: list[str] = []
        for i, word in enumerate(tokens):
            previous = tags[-1] if tags else "<s>"
            before = tags[-2] if len(tags) > 1 else "<s>"
            dynamic = self._after_vector(previous, before, word.lower())
            scores = {t: s + d for t, s, d in zip(TAGS, static[i], dynamic, strict=True)}
            tags.append(max(TAGS, key=lambda t: (scores[t], t == "O")))
        return tags


def mentions(tags: list[str]) -> set[tuple[int, int, str]]:
    """(start, end, type) of each tagged span; an I- tag after another type starts a span too."""
    found, start, kind = set(), None, ""
    for i, current in enumerate([*tags, "O"]):
        if start is not None and not (current.startswith("I-") and current[2:] == kind):
            found.add((start, i, kind))
            start = None
        if current != "O" and (current.startswith("B-") or start is None):
            start, kind = i, current[2:]
    return found


def evaluate(model: Perceptron, data: list[Sentence]) -> dict[str, tuple[float, float, float]]:
    counts = {kind: [0, 0, 0] for kind in TYPES}  # true positives, predicted, gold
    for tokens, truth in data:
        predicted, gold = mentions(tag(model, tokens)), mentions(truth)
        for kind in TYPES:
            p = {m for m in predicted if m[2] == kind}
            g = {m for m in gold if m[2] == kind}
            counts[kind][0] += len(p & g)
            counts[kind][1] += len(p)
            counts[kind][2] += len(g)
    scores = {}
    for kind, (hits, predicted_n, gold_n) in counts.items():
        precision = hits / predicted_n if predicted_n else 0.0
        recall = hits / gold_n if gold_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[kind] = (precision, recall, f1)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--stories", type=int, default=None, help="train on the first N stories only")
    arguments = parser.parse_args()
    training = list(sentences(CONLL / "train.jsonl", arguments.stories))
    development = list(sentences(CONLL / "dev.jsonl"))
    started = time.perf_counter()
    model = train(training, arguments.epochs)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    scores = evaluate(model, development)
    tagging = time.perf_counter() - started
    tokens = sum(len(tokens) for tokens, _ in development)
    compiled = CompiledTagger(model)
    for sentence, _ in development:  # the first pass fills its caches, as an indexing run's first stories do
        compiled.tag(sentence)
    started = time.perf_counter()
    for sentence, _ in development:
        compiled.tag(sentence)
    warm = time.perf_counter() - started
    print(
        f"trained on {len(training):,} sentences, {arguments.epochs} epochs, in {seconds:.0f} s; "
        f"tagged {tokens:,} dev tokens in {tagging:.1f} s ({tagging / tokens * 1e6:.0f} us a token; "
        f"compiled, caches warm: {warm / tokens * 1e6:.0f} us a token)\n"
    )
    print("| type | precision | recall | F1 |\n|---|---:|---:|---:|")
    for kind, (precision, recall, f1) in scores.items():
        print(f"| {kind} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")


if __name__ == "__main__":
    main()
