"""The tagger experiment of issue 16 (bench/tagger.py): its data is read whole and it learns."""

from __future__ import annotations

import json

import pytest

from bench import tagger

pytestmark = pytest.mark.skipif(
    not (tagger.CONLL / "dev.jsonl").is_file(), reason="../shared/eval is not beside the project"
)


def test_every_gold_mention_becomes_a_tagged_span() -> None:
    path = tagger.CONLL / "dev.jsonl"
    gold = sum(len(json.loads(line)["mentions"]) for line in path.open(encoding="utf-8"))
    tagged = sum(len(tagger.mentions(tags)) for _, tags in tagger.sentences(path))
    assert tagged == gold == 5942


def test_a_small_model_already_finds_most_people_and_places_of_the_dev_split() -> None:
    model = tagger.train(list(tagger.sentences(tagger.CONLL / "train.jsonl", limit=100)), epochs=1)
    scores = tagger.evaluate(model, list(tagger.sentences(tagger.CONLL / "dev.jsonl", limit=60)))
    assert scores["PER"][2] > 0.5 and scores["LOC"][2] > 0.5  # full training: 0.88 and 0.90


def test_spans_are_read_back_from_tags() -> None:
    assert tagger.mentions(["B-PER", "I-PER", "O", "I-ORG", "B-LOC", "B-LOC"]) == {
        (0, 2, "PER"),
        (3, 4, "ORG"),
        (4, 5, "LOC"),
        (5, 6, "LOC"),
    }


def test_the_compiled_tagger_tags_as_the_model_does() -> None:
    model = tagger.train(list(tagger.sentences(tagger.CONLL / "train.jsonl", limit=60)), epochs=1)
    compiled = tagger.CompiledTagger(model)
    for tokens, _ in tagger.sentences(tagger.CONLL / "dev.jsonl", limit=40):
        assert compiled.tag(tokens) == tagger.tag(model, tokens)
