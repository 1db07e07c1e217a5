"""The trained tagger: words, shapes, headlines in capitals, and odd text it must survive."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.tagging import (
    TAGS,
    allowed_transitions,
    case_evidence,
    case_says_nothing,
    default_tagger,
    sentence_starts,
    shape,
    spans_of,
    tokenize,
    viterbi,
    viterbi_lines,
)


def names(line: str, *context: str) -> list[tuple[str, str]]:
    """(text, kind) of each name the shipped tagger finds in `line` (its story's other lines after it)."""
    spans = default_tagger().tag_lines([line, *context])[0]
    return [(line[span.start : span.end], span.kind) for span in spans]


def test_words_initials_and_dotted_acronyms_are_one_token_each() -> None:
    line = "U.S. envoy J. Smith met Mr. Cisse (AFP)."
    words = [line[start:end] for start, end in tokenize(line)]
    assert words == ["U.S.", "envoy", "J.", "Smith", "met", "Mr", ".", "Cisse", "(", "AFP", ")", "."]


def test_shapes_squeeze_runs() -> None:
    assert [shape(w) for w in ("Mali", "ECOWAS", "1996", "U.S.", "McCain")] == [
        "Xxx",
        "XX",
        "dd",
        "X.X.",
        "XxXxx",
    ]


def test_sentences_start_after_a_full_stop_but_not_after_an_abbreviation() -> None:
    words = ["He", "left", ".", "Then", "Newmont", "Corp", ".", "said", "so"]
    assert sentence_starts(words) == [0, 3]


@pytest.mark.parametrize(
    ("line", "says_nothing"),
    [
        ("VOLCKER SEES NO RECESSION", True),
        ("U.S. Condemns Military Seizure of Power in Mali", True),
        ("Mali holds talks with ECOWAS", False),
        ("The junta said it would hold elections.", False),
    ],
)
def test_headlines_whose_capitals_say_nothing(line: str, says_nothing: bool) -> None:
    assert case_says_nothing([line[s:e] for s, e in tokenize(line)]) is says_nothing


def test_case_evidence_comes_from_the_body_not_from_headlines_or_sentence_starts() -> None:
    lines = [
        ["VOLCKER", "SEES", "GAINS"],
        ["Gains", "were", "made", "by", "Volcker", "."],
        ["Big", "gains", "."],
    ]
    evidence = case_evidence(
        lines, [sentence_starts(w) for w in lines], [case_says_nothing(w) for w in lines]
    )
    assert evidence == {"were": "low", "made": "low", "by": "low", "volcker": "cap", "gains": "low"}


def test_viterbi_never_puts_an_inside_tag_after_another_kind() -> None:
    emissions = np.zeros((3, len(TAGS)), dtype=np.float32)
    emissions[0, TAGS.index("B-PER")] = 5.0
    emissions[1, TAGS.index("I-ORG")] = 9.0  # the best tag alone, impossible after B-PER
    emissions[2, TAGS.index("O")] = 1.0
    path = [TAGS[t] for t in viterbi(emissions, allowed_transitions())]
    assert path == ["B-ORG", "I-ORG", "O"]  # 0 + 9 beats 5 + 0: the organisation, begun as one
    assert spans_of([TAGS.index(t) for t in ("B-PER", "I-PER", "O", "I-ORG", "B-LOC", "B-LOC")]) == [
        (0, 2, "PER"),
        (3, 4, "ORG"),
        (4, 5, "LOC"),
        (5, 6, "LOC"),
    ]


def test_lines_decoded_together_decode_as_each_alone() -> None:
    rng = np.random.default_rng(1)
    transitions = rng.normal(size=(len(TAGS) + 1, len(TAGS))).astype(np.float32) + allowed_transitions()
    lines = [rng.normal(size=(n, len(TAGS))).astype(np.float32) for n in (1, 4, 7)]
    padded = np.zeros((3, 7, len(TAGS)), dtype=np.float32)
    for number, emissions in enumerate(lines):
        padded[number, : len(emissions)] = emissions
    together = viterbi_lines(padded, np.array([1, 4, 7]), transitions)
    assert [row[:n].tolist() for row, n in zip(together, (1, 4, 7), strict=True)] == [
        viterbi(emissions, transitions) for emissions in lines
    ]


def test_the_shipped_tagger_finds_people_organisations_and_places() -> None:
    found = names("Foreign Minister Abdoulaye Diop told the United Nations Security Council in New York.")
    assert ("Abdoulaye Diop", "PER") in found
    assert ("United Nations Security Council", "ORG") in found
    assert ("New York", "LOC") in found


def test_a_headline_in_capitals_is_read_from_the_story() -> None:
    found = names("MALI JUNTA TOLD TO LEAVE BY ECOWAS", "The junta in Mali was told by ECOWAS to leave.")
    assert ("ECOWAS", "ORG") in found
    assert not any(text in ("JUNTA", "TOLD", "LEAVE") for text, _ in found)


def test_a_country_inside_a_persons_name_is_the_person() -> None:
    found = names("Rep. Jim Jordan and state Sen. Chad McMahan spoke in Georgia on Monday.")
    assert ("Jim Jordan", "PER") in found and ("Chad McMahan", "PER") in found


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=6))
def test_any_text_is_tagged_without_failing(lines: list[str]) -> None:
    found = default_tagger().tag_lines(lines)
    assert len(found) == len(lines)
    for line, spans in zip(lines, found, strict=True):
        assert all(
            0 <= span.start < span.end <= len(line) and span.kind in ("PER", "ORG", "LOC", "MISC")
            for span in spans
        )


def test_a_line_of_five_thousand_capitalised_words_is_tagged_in_time_and_pieces() -> None:
    line = " ".join(f"Word{n % 97} Name{n % 89}" for n in range(2_500))
    spans = default_tagger().tag_lines([line])[0]
    assert all(span.end - span.start < 4_000 for span in spans)  # decoded in pieces, not one endless name
