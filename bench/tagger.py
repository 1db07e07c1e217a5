"""Train the named-entity tagger the product ships (search/data/tagger.npz), and measure it.

    python -m bench.tagger train [--epochs 10] [--out search/data/tagger.npz]
    python -m bench.tagger folds [--folds 5] [--epochs 10]     # cross-validation on the train split
    python -m bench.tagger dev [--model search/data/tagger.npz]  # mention-level scores on dev
    python -m bench.tagger actors [--folds 5]    # document-level actors: cross-validated on train, and dev

The training data is the CoNLL-2003 English training split, ../shared/eval/conll2003/train.jsonl
(Reuters news of 1996, research use; see that folder's README): each story's mentions are found in its
sentences from left to right and their words tagged B-/I-PER, ORG, LOC, MISC. The model is an averaged
structured perceptron (Collins 2002) over the features of search/tagging.py, decoded with Viterbi; the
same seed and data give the same file. Scores are mention level (exact characters and kind), except
`actors`: the product's actors (search.actors.find_actors on each story's lines, the cleaner left out)
scored at document level by the CoNLL scorer's own matching (../shared/eval/conll2003/score.py, which
needs pycountry), for each held-out fold of train with a model trained on the other folds, then for dev
with the shipped model. The folds say how the whole product generalises; dev is kept for reporting.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from bench.data import SHARED
from bench.metadata import Tally
from search.actors import find_actors
from search.gazetteer import load_gazetteer
from search.tagging import (
    KINDS,
    TAGS,
    Tagger,
    allowed_transitions,
    case_evidence,
    case_says_nothing,
    sentence_starts,
    token_features,
    tokenize,
    viterbi,
)

CONLL = SHARED / "eval" / "conll2003"
MODEL = Path(__file__).resolve().parent.parent / "search" / "data" / "tagger.npz"
SEED = 16
PRUNE_BELOW = 0.01  # averaged weights this small change no decision; dropping them keeps the file small


@dataclass(frozen=True)
class Story:
    """A story's lines (headline first) and its gold mentions: (line, start, end, kind)."""

    lines: list[str]
    mentions: set[tuple[int, int, int, str]]


def stories(path: Path) -> Iterator[Story]:
    """Every story of a CoNLL split, its mentions found in its lines from left to right."""
    with open(path, encoding="utf-8") as rows:
        for row in rows:
            story = json.loads(row)
            lines = [story["title"], *story["text"].splitlines()]
            found: set[tuple[int, int, int, str]] = set()
            searched_from: dict[int, int] = defaultdict(int)
            for kind, text, index in story["mentions"]:
                if index >= len(lines):
                    continue
                start = lines[index].find(text, searched_from[index])
                if start >= 0:
                    found.add((index, start, start + len(text), kind))
                    searched_from[index] = start + len(text)
            yield Story(lines, found)


@dataclass(frozen=True)
class Example:
    """One line ready for training: each word's feature rows (flat, with where each word's begin)
    and its gold tag numbers."""

    rows: np.ndarray
    starts: np.ndarray
    gold: np.ndarray


def gold_tags(story: Story, index: int, offsets: list[tuple[int, int]]) -> list[int]:
    spans = [(start, end, kind) for line, start, end, kind in story.mentions if line == index]
    tags = []
    for word_start, _ in offsets:
        tag = "O"
        for start, end, kind in spans:
            if start <= word_start < end:
                tag = ("B-" if word_start == start else "I-") + kind
                break
        tags.append(TAGS.index(tag))
    return tags


def examples(data: list[Story], index: dict[str, int], grow: bool) -> list[Example]:
    """Every line of every story as an Example; `grow` adds unseen features to `index`."""
    made = []
    for story in data:
        story_offsets = [tokenize(line) for line in story.lines]
        story_words = [
            [line[s:e] for s, e in offsets] for line, offsets in zip(story.lines, story_offsets, strict=True)
        ]
        story_shouting = [case_says_nothing(words) for words in story_words]
        story_starts = [sentence_starts(words) for words in story_words]
        evidence = case_evidence(story_words, story_starts, story_shouting)
        for number, offsets in enumerate(story_offsets):
            if not offsets:
                continue
            words, shouting = story_words[number], story_shouting[number]
            rows: list[int] = []
            starts: list[int] = []
            for found in token_features(words, story_starts[number], shouting, evidence):
                starts.append(len(rows))
                for feature in found:
                    row = index.get(feature)
                    if row is None and grow:
                        row = index[feature] = len(index)
                    if row is not None:
                        rows.append(row)
            made.append(
                Example(
                    np.array(rows, dtype=np.int64),
                    np.array(starts, dtype=np.int64),
                    np.array(gold_tags(story, number, offsets), dtype=np.int64),
                )
            )
    return made


def train(data: list[Story], epochs: int) -> Tagger:
    """An averaged structured perceptron: Viterbi with today's weights, then the gold path's features
    up and the guessed path's down, every weight averaged over every step (the lazy sum trick)."""
    index: dict[str, int] = {}
    lines = examples(data, index, grow=True)
    weights = np.zeros((len(index), len(TAGS)), dtype=np.float64)
    summed = np.zeros_like(weights)  # sum of step * change, for the average
    transitions = np.zeros((len(TAGS) + 1, len(TAGS)), dtype=np.float64)
    summed_transitions = np.zeros_like(transitions)
    allowed = allowed_transitions().astype(np.float64)
    rng = random.Random(SEED)
    order = list(range(len(lines)))
    step = 1
    for _ in range(epochs):
        rng.shuffle(order)
        for number in order:
            line = lines[number]
            emissions = np.add.reduceat(weights[line.rows], line.starts, axis=0)
            guess = viterbi(emissions, transitions + allowed)
            gold = line.gold.tolist()
            if guess != gold:
                ends = [*line.starts[1:].tolist(), len(line.rows)]
                for position, (right, wrong) in enumerate(zip(gold, guess, strict=True)):
                    if right != wrong:
                        rows = line.rows[line.starts[position] : ends[position]]
                        np.add.at(weights, (rows, right), 1.0)
                        np.add.at(weights, (rows, wrong), -1.0)
                        np.add.at(summed, (rows, right), step)
                        np.add.at(summed, (rows, wrong), -step)
                for path, change in ((gold, 1.0), (guess, -1.0)):
                    for position, tag in enumerate(path):
                        before = 0 if position == 0 else path[position - 1] + 1
                        transitions[before, tag] += change
                        summed_transitions[before, tag] += change * step
            step += 1
    averaged = weights - summed / step
    averaged_transitions = transitions - summed_transitions / step
    keep = np.abs(averaged).max(axis=1) >= PRUNE_BELOW
    features = [feature for feature, row in sorted(index.items(), key=lambda item: item[1]) if keep[row]]
    return Tagger(features, averaged[keep].astype(np.float16), averaged_transitions.astype(np.float32))


def save(tagger: Tagger, path: Path) -> None:
    features, weights, transitions = tagger.arrays()
    blob = np.frombuffer("\n".join(features).encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as out:
        np.savez_compressed(out, features=blob, weights=weights, transitions=transitions)


def score(tagger: Tagger, data: list[Story]) -> dict[str, tuple[float, float, float]]:
    """Mention-level precision, recall and F1 per kind: exact characters and kind."""
    counts = {kind: [0, 0, 0] for kind in KINDS}  # right, predicted, gold
    for story in data:
        predicted = {
            (number, span.start, span.end, span.kind)
            for number, spans in enumerate(tagger.tag_lines(story.lines))
            for span in spans
        }
        for kind in KINDS:
            mine = {m for m in predicted if m[3] == kind}
            gold = {m for m in story.mentions if m[3] == kind}
            counts[kind][0] += len(mine & gold)
            counts[kind][1] += len(mine)
            counts[kind][2] += len(gold)
    tallies = {kind: Tally(tp, found - tp, gold - tp) for kind, (tp, found, gold) in counts.items()}
    return {kind: (tally.precision, tally.recall, tally.f1) for kind, tally in tallies.items()}


def conll_scorer() -> ModuleType:
    """The CoNLL scorer beside its data, imported as a module for its matching rules."""
    spec = importlib.util.spec_from_file_location("conll_score", CONLL / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def actor_scores(tagger: Tagger, path: Path, held: set[int] | None = None) -> dict[str, list[int]]:
    """Document-level true positives, false positives and misses per type, by the CoNLL scorer."""
    scorer = conll_scorer()
    gazetteer = load_gazetteer()
    documents = [json.loads(row) for row in path.read_text("utf-8").splitlines()]
    documents = [d for number, d in enumerate(documents) if held is None or number in held]
    predictions = {}
    for document in documents:
        lines = [document["title"], *document["text"].splitlines()]
        actors = find_actors(lines[0], lines, gazetteer, tagger)
        predictions[document["id"]] = [{"id": a.id, "name": a.name, "type": a.type} for a in actors]
    tallies = scorer.score(documents, predictions)["all"]
    return {kind: [tally.tp, tally.fp, tally.fn] for kind, tally in tallies.items()}


def f1_row(counts: dict[str, list[int]]) -> str:
    tallies = (Tally(tp, fp, fn) for tp, fp, fn in counts.values())
    return " | ".join(f"{t.precision:.3f} / {t.recall:.3f} / {t.f1:.3f}" for t in tallies)


def table(rows: dict[str, dict[str, tuple[float, float, float]]]) -> str:
    lines = ["| | " + " | ".join(KINDS) + " |", "|---|" + "---:|" * len(KINDS)]
    for name, scores in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{scores[kind][2]:.3f}" for kind in KINDS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("train", "folds", "dev", "actors"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument("--model", type=Path, default=MODEL)
    arguments = parser.parse_args()
    training = list(stories(CONLL / "train.jsonl"))
    if arguments.command == "train":
        started = time.perf_counter()
        tagger = train(training, arguments.epochs)
        save(tagger, arguments.out)
        print(
            f"trained on {len(training)} stories, {arguments.epochs} epochs, in "
            f"{time.perf_counter() - started:.0f} s: {arguments.out} ({arguments.out.stat().st_size:,} bytes)"
        )
    elif arguments.command == "actors":
        total: dict[str, list[int]] = {}
        print("| stories | persons P / R / F1 | organisations P / R / F1 | countries P / R / F1 |")
        print("|---|---|---|---|")
        for fold in range(arguments.folds):
            held = {number for number in range(len(training)) if number % arguments.folds == fold}
            kept = [story for number, story in enumerate(training) if number not in held]
            counts = actor_scores(train(kept, arguments.epochs), CONLL / "train.jsonl", held)
            for kind, values in counts.items():
                total[kind] = [a + b for a, b in zip(total.get(kind, [0, 0, 0]), values, strict=True)]
            print(f"| train, fold {fold + 1} | {f1_row(counts)} |")
        print(f"| train, {arguments.folds} folds | {f1_row(total)} |")
        shipped = Tagger.load(arguments.model.read_bytes())
        print(f"| dev, shipped model | {f1_row(actor_scores(shipped, CONLL / 'dev.jsonl'))} |")
    elif arguments.command == "folds":
        rows = {}
        for fold in range(arguments.folds):
            held = [story for number, story in enumerate(training) if number % arguments.folds == fold]
            kept = [story for number, story in enumerate(training) if number % arguments.folds != fold]
            rows[f"fold {fold + 1}"] = score(train(kept, arguments.epochs), held)
        rows["mean"] = {
            kind: tuple(float(np.mean([row[kind][i] for row in rows.values()])) for i in range(3))  # type: ignore[misc]
            for kind in KINDS
        }
        print(f"mention F1, {arguments.folds}-fold cross-validation on train, {arguments.epochs} epochs\n")
        print(table(rows))
    else:
        tagger = Tagger.load(arguments.model.read_bytes())
        development = list(stories(CONLL / "dev.jsonl"))
        started = time.perf_counter()
        scores = score(tagger, development)
        seconds = time.perf_counter() - started
        words = sum(len(tokenize(line)) for story in development for line in story.lines)
        print(f"dev: {len(development)} stories, {words:,} words tagged in {seconds:.2f} s\n")
        print("| kind | precision | recall | F1 |\n|---|---:|---:|---:|")
        for kind, (precision, recall, f1) in scores.items():
            print(f"| {kind} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")


if __name__ == "__main__":
    main()
