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
    print(
        f"trained on {len(training):,} sentences, {arguments.epochs} epochs, in {seconds:.0f} s; "
        f"tagged {tokens:,} dev tokens in {tagging:.1f} s ({tagging / tokens * 1e6:.0f} us a token)\n"
    )
    print("| type | precision | recall | F1 |\n|---|---:|---:|---:|")
    for kind, (precision, recall, f1) in scores.items():
        print(f"| {kind} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")


if __name__ == "__main__":
    main()
