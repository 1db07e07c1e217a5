"""Score actor aboutness on Reuters-21578, whose stories carry hand-assigned places, orgs and people.

    python -m bench.metadata [--split TEST|TRAIN] [--limit N] [--passes 3]

Each story goes through the same library path as an indexed file (title, dateline and text
as one plain-text document: cleaning, then metadata). The labels say what a story is *about*, so
they are compared with each type's three heaviest actors (every named actor is kept; the weight says
how central it is), and with the story's main actors. Our actor ids are mapped to the
collection's codes by bench/reuters_codes.toml; a person matches a code when their ids are
equal or one is the other's surname, particles included ('gerhard-stoltenberg' is
'stoltenberg'; 'barend-du-plessis' is 'du-plessis'; 'baker' is 'james-baker'). Precision,
recall and F1 are micro-averaged over the stories that carry at least one label of the type.
Prints the scores, the time per story spent on actors, and the most frequent misses and
false alarms.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


from bench.data import REUTERS, reuters_text, rows
from search.actors import find_actors
from search.cleaning import clean_plain_text
from search.gazetteer import Gazetteer, load_gazetteer
from search.metadata import extract_title

CODES = tomllib.loads((Path(__file__).with_name("reuters_codes.toml")).read_text("utf-8"))
LABEL_TYPES = {"places": "country", "orgs": "organisation", "people": "person"}
TOP = 3


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    stories: int = 0
    misses: Counter[str] = field(default_factory=Counter)
    false_alarms: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def stories(split: str) -> Iterator[dict[str, object]]:
    return (story for story in rows(REUTERS) if story["lewissplit"] == split)


story_text = reuters_text


def same_person(ours: str, code: str) -> bool:
    if ours == code:
        return True
    mine, theirs = ours.split("-"), code.split("-")
    shorter, longer = sorted((mine, theirs), key=len)
    return longer[-len(shorter) :] == shorter  # the surname, with its particles: 'du-plessis'


def score(predicted: set[str], gold: set[str], label: str, tally: Tally) -> None:
    matched_gold: set[str] = set()
    for ours in predicted:
        match = next(
            (g for g in gold - matched_gold if (same_person(ours, g) if label == "people" else ours == g)),
            None,
        )
        if match:
            matched_gold.add(match)
            tally.tp += 1
        else:
            tally.fp += 1
            tally.false_alarms[ours] += 1
    for missed in gold - matched_gold:
        tally.fn += 1
        tally.misses[missed] += 1


TIMED_STORIES = 2_000


def best_time(split: Iterator[dict[str, object]], gazetteer: Gazetteer, count: int, passes: int) -> float:
    """Milliseconds a story for actor extraction alone, the best of several passes over the same
    stories (this machine is shared and noisy: the fastest pass is the one least disturbed)."""
    prepared = []
    for story in split:
        if len(prepared) >= count:
            break
        cleaned = clean_plain_text(story_text(story))
        prepared.append((extract_title(cleaned), cleaned.lines))
    timings = []
    for _ in range(passes):
        started = time.perf_counter()
        for title, lines in prepared:
            find_actors(title, lines, gazetteer)
        timings.append(1000 * (time.perf_counter() - started) / max(len(prepared), 1))
    return min(timings)


def main(argv: list[str] | None = None) -> dict[str, Tally]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="TEST", choices=["TEST", "TRAIN"])
    parser.add_argument("--limit", type=int, default=0, help="stop after N stories (0: all)")
    parser.add_argument("--show", type=int, default=8, help="how many misses and false alarms to list")
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the first stories (0: none)")
    args = parser.parse_args(argv)
    gazetteer = load_gazetteer()
    tallies = {label: Tally() for label in LABEL_TYPES}
    main_tallies = {label: Tally() for label in LABEL_TYPES}
    seconds = 0.0
    count = 0
    for story in stories(args.split):
        if args.limit and count >= args.limit:
            break
        count += 1
        cleaned = clean_plain_text(story_text(story))
        title = extract_title(cleaned)
        started = time.perf_counter()
        actors = find_actors(title, cleaned.lines, gazetteer)
        seconds += time.perf_counter() - started
        for label, actor_type in LABEL_TYPES.items():
            gold = set(story[label])  # type: ignore[arg-type]
            if not gold:
                continue
            mapping = CODES.get(label, {})
            of_type = [a for a in actors if a.type == actor_type]  # heaviest first
            for chosen, tally in (
                (of_type[:TOP], tallies[label]),
                ([a for a in of_type if a.main], main_tallies[label]),
            ):
                tally.stories += 1
                score({mapping.get(a.id, a.id) for a in chosen}, gold, label, tally)
    per_story = 1000 * seconds / max(count, 1)
    timing = f"actors: {per_story:.2f} ms a story in the scoring pass"
    if args.passes:
        best = best_time(stories(args.split), gazetteer, TIMED_STORIES, args.passes)
        timing += f", {best:.2f} ms in the best of {args.passes} passes over the first {TIMED_STORIES:,}"
    print(f"Reuters-21578 {args.split} split, {count} stories; {timing}\n")
    print("| label   | actors | stories | precision | recall | F1    |")
    print("|---------|--------|---------|-----------|--------|-------|")
    for name, chosen in ((f"top {TOP}", tallies), ("main", main_tallies)):
        for label, tally in chosen.items():
            scores = f"{tally.precision:.3f}     | {tally.recall:.3f}  | {tally.f1:.3f}"
            print(f"| {label:<7} | {name:<6} | {tally.stories:>7} | {scores} |")
    for label, tally in tallies.items():
        print(f"\n{label}: most missed {tally.misses.most_common(args.show)}")
        print(f"{label}: most false alarms {tally.false_alarms.most_common(args.show)}")
    return tallies


if __name__ == "__main__":
    main()
