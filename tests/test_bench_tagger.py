"""The tagger's training script (bench/tagger.py): its data is read whole, it learns, it is reproducible,
and the shipped model keeps its scores on the CoNLL-2003 dev split."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench import tagger
from search.tagging import Tagger, default_tagger

pytestmark = pytest.mark.skipif(
    not (tagger.CONLL / "dev.jsonl").is_file(), reason="../shared/eval is not beside the project"
)

# Mention-level F1 of the shipped model on dev, measured with `python -m bench.tagger dev` on
# 2026-11-30: PER 0.888, ORG 0.825, LOC 0.886, MISC 0.881.
MENTION_F1_FLOORS = {"PER": 0.87, "ORG": 0.81, "LOC": 0.87, "MISC": 0.86}


def test_every_gold_mention_is_found_in_its_line() -> None:
    path = tagger.CONLL / "dev.jsonl"
    gold = sum(len(json.loads(line)["mentions"]) for line in path.open(encoding="utf-8"))
    assert sum(len(story.mentions) for story in tagger.stories(path)) == gold == 5942


def test_a_small_model_already_finds_most_people_and_places() -> None:
    stories = list(tagger.stories(tagger.CONLL / "train.jsonl"))[:100]
    model = tagger.train(stories, epochs=2)
    scores = tagger.score(model, list(tagger.stories(tagger.CONLL / "dev.jsonl"))[:60])
    assert scores["PER"][2] > 0.5 and scores["LOC"][2] > 0.5


def test_training_is_reproducible_and_the_saved_model_tags_as_trained(tmp_path) -> None:  # type: ignore[no-untyped-def]
    stories = list(tagger.stories(tagger.CONLL / "train.jsonl"))[:30]
    first, second = tagger.train(stories, epochs=1), tagger.train(stories, epochs=1)
    assert first.arrays()[0] == second.arrays()[0]
    assert np.array_equal(first.arrays()[1], second.arrays()[1])
    path = tmp_path / "tagger.npz"
    tagger.save(first, path)
    loaded = Tagger.load(path.read_bytes())
    lines = [line for story in list(tagger.stories(tagger.CONLL / "dev.jsonl"))[:5] for line in story.lines]
    assert loaded.tag_lines(lines) == first.tag_lines(lines)


def test_the_shipped_model_keeps_its_mention_scores_on_dev() -> None:
    scores = tagger.score(default_tagger(), list(tagger.stories(tagger.CONLL / "dev.jsonl")))
    for kind, floor in MENTION_F1_FLOORS.items():
        assert scores[kind][2] >= floor, (kind, scores[kind])
